/**
 * @file
 * @brief Internal: UTC times and dates as text (ISO-8601), for log lines and retention reasons.
 *
 * @code
 * strata::detail::format_utc_time(1'700'000'000'123, strata::detail::utc_precision::milliseconds);
 * // "2023-11-14T22:13:20.123Z"
 * strata::detail::format_utc_date(1'700'000'000'123);  // "2023-11-14"
 * @endcode
 * Times are milliseconds since 1970-01-01T00:00:00Z (the migrator's and the store's unit); the
 * calendar arithmetic is std::chrono's (proleptic Gregorian, no leap seconds).
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace strata {
inline namespace v1 {
namespace detail {

/// How much of a time of day `format_utc_time` writes.
enum class utc_precision : unsigned char {
    seconds,       ///< `2026-10-01T00:00:00Z`
    milliseconds,  ///< `2026-10-01T00:00:00.000Z`
};

/// The UTC day (days since 1970-01-01, floored) that holds the instant `ms`.
constexpr std::int64_t utc_day(std::int64_t ms) noexcept {
    using namespace std::chrono;
    return floor<days>(sys_time<milliseconds>(milliseconds(ms))).time_since_epoch().count();
}

/// Appends `value` with at least `digits` digits (zero padded; a minus sign first if negative).
inline void append_padded(std::string& out, std::int64_t value, int digits) {
    if (value < 0) {
        out += '-';
        value = -value;
    }
    const std::string text = std::to_string(value);
    for (auto n = static_cast<int>(text.size()); n < digits; ++n) out += '0';
    out += text;
}

/// Appends the UTC date of the instant `ms` as `YYYY-MM-DD`.
inline void append_utc_date(std::string& out, std::int64_t ms) {
    using namespace std::chrono;
    const year_month_day date{sys_days(days(utc_day(ms)))};
    append_padded(out, static_cast<int>(date.year()), 4);
    out += '-';
    append_padded(out, static_cast<unsigned>(date.month()), 2);
    out += '-';
    append_padded(out, static_cast<unsigned>(date.day()), 2);
}

/// The UTC date of the instant `ms` as `YYYY-MM-DD`.
inline std::string format_utc_date(std::int64_t ms) {
    std::string out;
    append_utc_date(out, ms);
    return out;
}

/// Appends the instant `ms` as ISO-8601 UTC, `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
inline void append_utc_time(std::string& out, std::int64_t ms, utc_precision precision) {
    using namespace std::chrono;
    append_utc_date(out, ms);
    const auto since_midnight = ms - utc_day(ms) * 86'400'000;  // in [0, 86'400'000)
    out += 'T';
    append_padded(out, since_midnight / 3'600'000, 2);
    out += ':';
    append_padded(out, since_midnight / 60'000 % 60, 2);
    out += ':';
    append_padded(out, since_midnight / 1000 % 60, 2);
    if (precision == utc_precision::milliseconds) {
        out += '.';
        append_padded(out, since_midnight % 1000, 3);
    }
    out += 'Z';
}

/// The instant `ms` as ISO-8601 UTC, `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
inline std::string format_utc_time(std::int64_t ms, utc_precision precision) {
    std::string out;
    append_utc_time(out, ms, precision);
    return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
