/**
 * @file
 * @brief Which backups to keep and which to remove, and why: pure decisions over a list of
 * backups (no storage), for the migrator's cleanup and its dry run.
 *
 * @code
 * strata::retention_policy policy;
 * policy.keep_last = 3;
 * policy.max_per_document = 10;
 * for (const auto& d : strata::decide_retention(backups, policy, now_ms)) {
 *     std::cout << backups[d.index].key << ": " << d.reason << '\n';
 *     // e.g. "kept: one of the newest 3 of session-7", "removed: expired 2026-10-01T00:00:00Z"
 * }
 * @endcode
 *
 * **How the rules combine.** Within each document, backups are ordered newest first: by
 * `created_ms`, then (ties) by `key`, the greater key counting as the newer, then by position
 * in the input, the later counting as the newer. Then, for each backup:
 * 1. **Hard cap.** With `max_per_document = M > 0`, a backup that is not among the newest M of
 *    its document is removed ("removed: beyond the newest 5 of session-7"), whatever else
 *    applies.
 * 2. **Keep rules protect.** One of the newest `keep_last` of its document ("kept: one of the
 *    newest 3 of session-7"), or the newest of its UTC day when that day is one of the
 *    `keep_daily` most recent days on which the document has backups ("kept: newest of
 *    2026-11-20 (keep daily 7)"): kept, even when expired or older than `older_than`.
 * 3. **Expiry and age remove.** Otherwise a backup whose `expires_ms <= now` is removed
 *    ("removed: expired 2026-10-01T00:00:00Z"), as is one created before `now - older_than`
 *    ("removed: older than 30 days (created 2026-09-01T00:00:00Z)").
 * 4. Otherwise it is kept until its expiry ("kept: expires 2026-12-20T00:00:00Z").
 *
 * So with no rule set, each backup's own expiry decides; keep rules never remove anything by
 * themselves (restic-style `forget` would), they only hold back removal; and the cap is the one
 * rule that removes backups still within their expiry. Times in reasons are UTC, with
 * milliseconds only when not whole seconds.
 */
#pragma once

#include <strata/detail/utc_time.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
inline namespace v1 {

/// How long a backup is kept when nothing else is said: 30 days from when it was made.
inline constexpr std::chrono::milliseconds default_backup_lifetime = std::chrono::days(30);

/// What retention needs to know about one backup.
struct backup_info {
    std::string document;        ///< the document it is a backup of
    std::string key;             ///< where it is stored
    std::int64_t created_ms = 0; ///< when it was made, ms since 1970-01-01T00:00:00Z
    std::int64_t expires_ms = 0; ///< when it expires (set when it was made)
    std::uint64_t bytes = 0;     ///< its size
};

/// Retention rules (see the file comment for how they combine). The default: expiry decides.
struct retention_policy {
    /// Removes any backup created before `now - older_than` (unless a keep rule holds it).
    std::optional<std::chrono::milliseconds> older_than;
    /// Per document, the newest N are kept (restic's `--keep-last`).
    std::size_t keep_last = 0;
    /// Per document, the newest backup of each of the N most recent UTC days that have backups
    /// is kept (restic's `--keep-daily`).
    std::size_t keep_daily = 0;
    /// 0: no cap. Otherwise, per document, every backup beyond the newest N is removed.
    std::size_t max_per_document = 0;
};

/// The decision on one backup.
struct retention_decision {
    std::size_t index = 0;  ///< the backup's position in the input
    bool keep = true;
    std::string reason;     ///< for people: "kept: ..." or "removed: ..."
    friend bool operator==(const retention_decision&, const retention_decision&) = default;
};

/// @cond internal
namespace detail {

/// A time in a retention reason: `2026-10-01T00:00:00Z`, milliseconds only when not 0.
inline std::string retention_time(std::int64_t ms) {
    return format_utc_time(ms, ms % 1000 == 0 ? utc_precision::seconds : utc_precision::milliseconds);
}

/// A span of time in words, in the largest unit that divides it: `30 days`, `1 hour`, `90 s`.
inline std::string retention_span(std::chrono::milliseconds span) {
    struct unit {
        std::int64_t ms;
        const char* one;
        const char* many;
    };
    static constexpr unit units[] = {{86'400'000, "day", "days"}, {3'600'000, "hour", "hours"},
                                     {60'000, "minute", "minutes"}, {1000, "second", "seconds"}};
    const std::int64_t ms = span.count();
    for (const auto& u : units) {
        if (ms != 0 && ms % u.ms == 0) {
            const auto n = ms / u.ms;
            return std::to_string(n) + ' ' + (n == 1 ? u.one : u.many);
        }
    }
    return std::to_string(ms) + " ms";
}

/// "the newest 3 of session-7", or "the newest of session-7" for one.
inline std::string newest_of(std::size_t n, std::string_view document) {
    std::string text = "the newest ";
    if (n != 1) text += std::to_string(n) + ' ';
    text += "of ";
    text += document;
    return text;
}

}  // namespace detail
/// @endcond

/**
 * @brief Decides, for each backup, whether to keep or remove it and why (see the file comment
 * for the rules).
 * @return one decision per backup, in input order (`decisions[i].index == i`).
 */
inline std::vector<retention_decision> decide_retention(std::span<const backup_info> backups,
                                                        const retention_policy& policy, std::int64_t now_ms) {
    std::vector<retention_decision> decisions(backups.size());
    // Each document's backups, newest first.
    std::map<std::string_view, std::vector<std::size_t>> by_document;
    for (std::size_t i = 0; i < backups.size(); ++i) by_document[backups[i].document].push_back(i);
    for (auto& [document, group] : by_document) {
        std::sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
            const auto& x = backups[a];
            const auto& y = backups[b];
            if (x.created_ms != y.created_ms) return x.created_ms > y.created_ms;
            if (x.key != y.key) return x.key > y.key;
            return a > b;
        });
        std::size_t days_kept = 0;
        std::optional<std::int64_t> previous_day;
        for (std::size_t rank = 0; rank < group.size(); ++rank) {
            const std::size_t i = group[rank];
            const auto& backup = backups[i];
            auto& decision = decisions[i];
            decision.index = i;
            // The newest of its day when the day differs from the newer backup's (newest first).
            const std::int64_t day = detail::utc_day(backup.created_ms);
            const bool newest_of_day = previous_day != day;
            previous_day = day;
            const bool daily = newest_of_day && days_kept < policy.keep_daily;
            if (newest_of_day) ++days_kept;

            if (policy.max_per_document > 0 && rank >= policy.max_per_document) {
                decision = {i, false, "removed: beyond " + detail::newest_of(policy.max_per_document, document)};
            } else if (rank < policy.keep_last) {
                decision = {i, true,
                            policy.keep_last == 1 ? "kept: " + detail::newest_of(1, document)
                                                  : "kept: one of " + detail::newest_of(policy.keep_last, document)};
            } else if (daily) {
                decision = {i, true,
                            "kept: newest of " + detail::format_utc_date(backup.created_ms) + " (keep daily " +
                                std::to_string(policy.keep_daily) + ")"};
            } else if (backup.expires_ms <= now_ms) {
                decision = {i, false, "removed: expired " + detail::retention_time(backup.expires_ms)};
            } else if (policy.older_than && backup.created_ms < now_ms - policy.older_than->count()) {
                decision = {i, false,
                            "removed: older than " + detail::retention_span(*policy.older_than) + " (created " +
                                detail::retention_time(backup.created_ms) + ")"};
            } else {
                decision = {i, true, "kept: expires " + detail::retention_time(backup.expires_ms)};
            }
        }
    }
    return decisions;
}

/// What a set of retention decisions adds up to.
struct retention_totals {
    std::size_t kept = 0;
    std::size_t removed = 0;
    std::uint64_t bytes_kept = 0;
    std::uint64_t bytes_removed = 0;  ///< what removing would free
    friend bool operator==(const retention_totals&, const retention_totals&) = default;
};

/// Adds up `decisions` (from `decide_retention(backups, ...)`) over `backups`.
inline retention_totals total_retention(std::span<const backup_info> backups,
                                        std::span<const retention_decision> decisions) {
    retention_totals totals;
    for (const auto& d : decisions) {
        const auto bytes = d.index < backups.size() ? backups[d.index].bytes : 0;
        if (d.keep) {
            ++totals.kept;
            totals.bytes_kept += bytes;
        } else {
            ++totals.removed;
            totals.bytes_removed += bytes;
        }
    }
    return totals;
}

}  // namespace v1
}  // namespace strata
