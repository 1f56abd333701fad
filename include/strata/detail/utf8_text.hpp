/**
 * @file
 * @brief Internal: text of unknown bytes made safe to show, as a JSON string or on a terminal.
 *
 * @code
 * std::string out;
 * strata::detail::append_json_text(out, "tab\there \xff");  // "\"tab\\there \xEF\xBF\xBD\""
 * @endcode
 * Log messages and document ids may hold any bytes (a bad file name, a quoted bad document).
 * Both helpers decode UTF-8 with Boost.Locale's header-only decoder and replace every byte
 * that does not start a valid sequence (overlong, surrogate, beyond U+10FFFF, truncated) with
 * U+FFFD, so their output is always valid UTF-8.
 */
#pragma once

#include <boost/locale/utf.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {
namespace detail {

/// U+FFFD REPLACEMENT CHARACTER, in UTF-8.
inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

/**
 * Calls `f(code_point, bytes)` for each code point of `text` in order, where `bytes` is its
 * UTF-8 encoding in `text`; a byte that starts no valid sequence comes as code point U+FFFD
 * with that one byte.
 */
template <class F>
void for_each_code_point(std::string_view text, F&& f) {
    using utf = boost::locale::utf::utf_traits<char>;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p != end) {
        const char* next = p;
        const auto c = utf::decode(next, end);
        if (c == boost::locale::utf::illegal || c == boost::locale::utf::incomplete) {
            f(char32_t{0xFFFD}, std::string_view(p, 1));
            ++p;
        } else {
            f(static_cast<char32_t>(c), std::string_view(p, static_cast<std::size_t>(next - p)));
            p = next;
        }
    }
}

/// Appends `text` as a JSON string (quotes included): `"` `\` and control characters escaped,
/// invalid UTF-8 replaced with U+FFFD.
inline void append_json_text(std::string& out, std::string_view text) {
    constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for_each_code_point(text, [&](char32_t c, std::string_view bytes) {
        switch (c) {
            case U'"': out += "\\\""; return;
            case U'\\': out += "\\\\"; return;
            case U'\n': out += "\\n"; return;
            case U'\r': out += "\\r"; return;
            case U'\t': out += "\\t"; return;
            case U'\b': out += "\\b"; return;
            case U'\f': out += "\\f"; return;
            default: break;
        }
        if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else if (c == 0xFFFD) {
            out += replacement_character;  // also for an invalid byte
        } else {
            out += bytes;
        }
    });
    out += '"';
}

/// `text` fit to show on one line of a terminal: control characters (C0, DEL, C1) become `?`,
/// invalid UTF-8 becomes U+FFFD.
inline std::string printable_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for_each_code_point(text, [&](char32_t c, std::string_view bytes) {
        if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
            out += '?';
        } else if (c == 0xFFFD) {
            out += replacement_character;
        } else {
            out += bytes;
        }
    });
    return out;
}

/// The number of code points in `text`, which must be valid UTF-8 (e.g. `printable_text`'s).
inline std::size_t code_point_count(std::string_view text) noexcept {
    std::size_t n = 0;
    for (char ch : text) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

/// The last `count` code points of valid UTF-8 `text`.
inline std::string_view last_code_points(std::string_view text, std::size_t count) noexcept {
    std::size_t start = text.size();
    while (start > 0 && count > 0) {
        --start;
        if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80) --count;
    }
    return text.substr(start);
}

/// The first `count` code points of valid UTF-8 `text`.
inline std::string_view first_code_points(std::string_view text, std::size_t count) noexcept {
    std::size_t end = 0;
    for (std::size_t seen = 0; end < text.size(); ++end) {
        if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && seen++ == count) break;
    }
    return text.substr(0, end);
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
