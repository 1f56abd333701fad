/**
 * @file
 * @brief Which schema version a record type is: `version_traits<T>` and `version_of<T>`.
 *
 * A version struct states its number with a static member, which the default trait reads:
 * @code
 * struct session_v2 { static constexpr unsigned version = 2; ... };
 * @endcode
 * A type you cannot change gets its number by specialising the trait instead:
 * @code
 * template <> struct strata::version_traits<third_party::record> {
 *     static constexpr unsigned value = 3;
 * };
 * @endcode
 */
#pragma once

#include <concepts>

namespace strata {
inline namespace v1 {

/// A schema version number. Versions start at 1 and go up by one per step.
using schema_version_t = unsigned;

/**
 * @brief The schema version of `T`. The primary template has no `value`: `T` is not versioned.
 * @tparam T a record type
 */
template <class T>
struct version_traits {};

/// The default: read `T::version` when `T` declares it.
template <class T>
    requires requires {
        { T::version } -> std::convertible_to<schema_version_t>;
    }
struct version_traits<T> {
    static constexpr schema_version_t value = static_cast<schema_version_t>(T::version);
};

/// `T` states a schema version (through `T::version` or a `version_traits` specialisation).
template <class T>
concept is_versioned = requires {
    { version_traits<T>::value } -> std::convertible_to<schema_version_t>;
};

/// The schema version of a versioned type.
template <is_versioned T>
inline constexpr schema_version_t version_of = version_traits<T>::value;

}  // namespace v1
}  // namespace strata
