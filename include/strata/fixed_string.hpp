/**
 * @file
 * @brief `fixed_string`: a string literal usable as a template argument (core, no dependency).
 *
 * @code
 * template <strata::fixed_string Key> struct field { static constexpr auto key = Key.view(); };
 * static_assert(field<"schemaVersion">::key == "schemaVersion");
 * @endcode
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace strata {
inline namespace v1 {

/**
 * @brief A string usable as a template argument: `version_from_field<1, "schemaVersion">`,
 * `chunked<"id", 64, "screenshots">`.
 * @tparam N the size of the literal, its terminating NUL included
 */
template <std::size_t N>
struct fixed_string {
    char chars[N]{};
    /// Copies the literal (its terminating NUL included).
    constexpr fixed_string(const char (&text)[N]) { std::copy_n(text, N, chars); }
    /// The text, without the terminating NUL.
    constexpr std::string_view view() const { return {chars, N - 1}; }
};

}  // namespace v1
}  // namespace strata
