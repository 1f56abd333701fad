/**
 * @file
 * @brief Strict ISO-8601 dates for the inverted index's date fields and range queries: text to
 * milliseconds since 1970-01-01T00:00:00Z (core: no dependency).
 *
 * @code
 * std::int64_t t = strata::parse_iso8601_ms("2025-03-04T10:15:00Z");      // 1741083300000
 * std::int64_t d = strata::parse_iso8601_ms("2025-03-04");                // midnight UTC
 * std::int64_t z = strata::parse_iso8601_ms("2025-03-04T12:15:00.5+02:00"); // 1741083300500
 * @endcode
 *
 * Accepted: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`
 * (a space may stand for the `T`). Days are checked against their month (leap years
 * included), hours 0-23, minutes and seconds 0-59; fractions beyond milliseconds are cut.
 * Anything else is a `strata::decode_error` that quotes the text.
 */
#pragma once

#include <strata/error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {
inline std::optional<std::int64_t> iso8601_digits(std::string_view text, std::size_t at, std::size_t n) {
    if (at + n > text.size()) return std::nullopt;
    std::int64_t v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

inline std::optional<std::int64_t> try_parse_iso8601_ms(std::string_view s) {
    using namespace std::chrono;
    const auto y = iso8601_digits(s, 0, 4), mo = iso8601_digits(s, 5, 2), d = iso8601_digits(s, 8, 2);
    if (s.size() < 10 || !y || !mo || !d || s[4] != '-' || s[7] != '-') return std::nullopt;
    const year_month_day ymd{year{static_cast<int>(*y)}, month{static_cast<unsigned>(*mo)},
                             day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    const std::int64_t days = sys_days(ymd).time_since_epoch().count();
    std::int64_t ms = days * 86'400'000;
    if (s.size() == 10) return ms;
    if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
    const auto h = iso8601_digits(s, 11, 2), mi = iso8601_digits(s, 14, 2);
    if (!h || !mi || s.size() < 16 || s[13] != ':' || *h > 23 || *mi > 59) return std::nullopt;
    ms += (*h * 60 + *mi) * 60'000;
    std::size_t i = 16;
    if (i < s.size() && s[i] == ':') {
        const auto sec = iso8601_digits(s, i + 1, 2);
        if (!sec || *sec > 59) return std::nullopt;
        ms += *sec * 1000;
        i += 3;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            const std::size_t start = i;
            std::int64_t scale = 100;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                ms += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
            if (i == start) return std::nullopt;
        }
    }
    if (i == s.size()) return std::nullopt;  // a time needs its zone: Z or an offset
    if (s[i] == 'Z') return i + 1 == s.size() ? std::optional<std::int64_t>(ms) : std::nullopt;
    if (s[i] != '+' && s[i] != '-') return std::nullopt;
    const auto oh = iso8601_digits(s, i + 1, 2), om = iso8601_digits(s, i + 4, 2);
    if (!oh || !om || i + 6 != s.size() || s[i + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    const std::int64_t offset = (*oh * 60 + *om) * 60'000;
    return s[i] == '+' ? ms - offset : ms + offset;
}
}  // namespace detail
/// @endcond

/// What `parse_iso8601_ms` accepts, as its errors say it.
inline constexpr std::string_view iso8601_expected =
    "an ISO-8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.sss]] with Z or +HH:MM)";

/**
 * @brief Milliseconds since 1970-01-01T00:00:00Z of an ISO-8601 date or date-time (see the file
 * comment); a `decode_error` quoting the text for anything else.
 */
inline std::int64_t parse_iso8601_ms(std::string_view text) {
    if (auto ms = detail::try_parse_iso8601_ms(text)) return *ms;
    std::string found;
    detail::append_quoted_bytes(found, text.substr(0, 64));
    throw decode_error(std::string(iso8601_expected), found);
}

}  // namespace v1
}  // namespace strata
