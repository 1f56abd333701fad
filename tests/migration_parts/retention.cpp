// Backup retention: exact decisions and reasons for expiry, age, keep-last, keep-daily and the
// per-document cap, how they combine, ties, and empty input.
#include <strata/migration/retention.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using strata::backup_info;
using strata::retention_decision;

constexpr std::int64_t hour = 3'600'000;
constexpr std::int64_t day = 24 * hour;
constexpr std::int64_t nov20 = 1'795'132'800'000;  // 2026-11-20T00:00:00Z
constexpr std::int64_t now = nov20 + 12 * hour;     // 2026-11-20T12:00:00Z
constexpr std::int64_t oct01 = 1'790'812'800'000;  // 2026-10-01T00:00:00Z
constexpr std::int64_t dec20 = 1'797'724'800'000;  // 2026-12-20T00:00:00Z

backup_info backup(std::string document, std::string key, std::int64_t created, std::int64_t expires,
                   std::uint64_t bytes = 100) {
    return backup_info{std::move(document), std::move(key), created, expires, bytes};
}

// A policy with the given keep rules and cap (designated initializers would trip g++ 12's
// -Wmissing-field-initializers).
strata::retention_policy rules(std::size_t keep_last, std::size_t keep_daily, std::size_t max_per_document) {
    strata::retention_policy policy;
    policy.keep_last = keep_last;
    policy.keep_daily = keep_daily;
    policy.max_per_document = max_per_document;
    return policy;
}

std::vector<retention_decision> decide(const std::vector<backup_info>& backups, const strata::retention_policy& policy) {
    return strata::decide_retention(backups, policy, now);
}

}  // namespace

TEST_CASE("no backups: no decisions, whatever the policy") {
    auto policy = rules(2, 3, 1);
    policy.older_than = 1h;
    CHECK(strata::decide_retention({}, policy, now).empty());
    CHECK(strata::decide_retention({}, {}, now).empty());
    CHECK(strata::total_retention({}, {}) == strata::retention_totals{});
}

TEST_CASE("default policy: each backup's own expiry decides") {
    const std::vector<backup_info> backups{
        backup("session-1", "b/1", oct01 - 30 * day, oct01),
        backup("session-1", "b/2", nov20, dec20),
        backup("session-2", "b/3", nov20, now),               // expires this very instant
        backup("session-2", "b/4", nov20, now - 500),         // expired half a second ago
        backup("session-3", "b/5", oct01 - 300 * day, now + 1),  // old, but not expired
    };
    CHECK(decide(backups, {}) == std::vector<retention_decision>{
                                     {0, false, "removed: expired 2026-10-01T00:00:00Z"},
                                     {1, true, "kept: expires 2026-12-20T00:00:00Z"},
                                     {2, false, "removed: expired 2026-11-20T12:00:00Z"},
                                     {3, false, "removed: expired 2026-11-20T11:59:59.500Z"},
                                     {4, true, "kept: expires 2026-11-20T12:00:00.001Z"},
                                 });
    CHECK(strata::default_backup_lifetime == std::chrono::days(30));
}

TEST_CASE("older_than removes what was created before now - older_than") {
    const std::vector<backup_info> backups{
        backup("s", "a", oct01, dec20),
        backup("s", "b", now - 30 * day, dec20),      // exactly 30 days old: not before
        backup("s", "c", now - 30 * day - 1, dec20),  // a millisecond older
        backup("s", "d", oct01, oct01 + day),         // both expired and old: expiry is the reason
    };
    strata::retention_policy policy;
    policy.older_than = std::chrono::days(30);
    CHECK(decide(backups, policy) == std::vector<retention_decision>{
                                         {0, false, "removed: older than 30 days (created 2026-10-01T00:00:00Z)"},
                                         {1, true, "kept: expires 2026-12-20T00:00:00Z"},
                                         {2, false, "removed: older than 30 days (created 2026-10-21T11:59:59.999Z)"},
                                         {3, false, "removed: expired 2026-10-02T00:00:00Z"},
                                     });
    policy.older_than = 1h;
    CHECK(decide({backup("s", "a", now - 2 * hour, dec20)}, policy).front().reason ==
          "removed: older than 1 hour (created 2026-11-20T10:00:00Z)");
    policy.older_than = 90s;
    CHECK(decide({backup("s", "a", now - 2 * hour, dec20)}, policy).front().reason ==
          "removed: older than 90 seconds (created 2026-11-20T10:00:00Z)");
    policy.older_than = 1500ms;
    CHECK(decide({backup("s", "a", now - 2 * hour, dec20)}, policy).front().reason ==
          "removed: older than 1500 ms (created 2026-11-20T10:00:00Z)");
}

TEST_CASE("keep_last protects the newest N of each document from expiry") {
    // Every backup has expired; input order is mixed.
    const std::vector<backup_info> backups{
        backup("session-7", "k2", now - 4 * day, oct01),
        backup("session-8", "k6", now - 9 * day, oct01),
        backup("session-7", "k5", now - 1 * day, oct01),
        backup("session-7", "k1", now - 5 * day, oct01),
        backup("session-7", "k4", now - 2 * day, oct01),
        backup("session-7", "k3", now - 3 * day, oct01),
    };
    CHECK(decide(backups, rules(3, 0, 0)) == std::vector<retention_decision>{
                                                   {0, false, "removed: expired 2026-10-01T00:00:00Z"},
                                                   {1, true, "kept: one of the newest 3 of session-8"},
                                                   {2, true, "kept: one of the newest 3 of session-7"},
                                                   {3, false, "removed: expired 2026-10-01T00:00:00Z"},
                                                   {4, true, "kept: one of the newest 3 of session-7"},
                                                   {5, true, "kept: one of the newest 3 of session-7"},
                                               });
    const auto one = decide(backups, rules(1, 0, 0));
    CHECK(one[2] == retention_decision{2, true, "kept: the newest of session-7"});
    CHECK(one[4] == retention_decision{4, false, "removed: expired 2026-10-01T00:00:00Z"});
}

TEST_CASE("keep_daily keeps the newest of each of the last N days that have backups (UTC days)") {
    const std::vector<backup_info> backups{
        backup("s", "a", nov20 + 1 * hour, oct01),        // 11-20, older
        backup("s", "b", nov20 + 3 * hour, oct01),        // 11-20, newest of the day
        backup("s", "c", nov20 - 1000, oct01),            // 11-19 23:59:59, newest of 11-19
        backup("s", "d", nov20 - 16 * hour, oct01),       // 11-19 08:00
        backup("s", "e", nov20 - 3 * day, oct01),         // 11-17: third day with backups
        backup("t", "f", nov20 - 40 * day, oct01),        // another document: its own days
    };
    CHECK(decide(backups, rules(0, 2, 0)) == std::vector<retention_decision>{
                                                    {0, false, "removed: expired 2026-10-01T00:00:00Z"},
                                                    {1, true, "kept: newest of 2026-11-20 (keep daily 2)"},
                                                    {2, true, "kept: newest of 2026-11-19 (keep daily 2)"},
                                                    {3, false, "removed: expired 2026-10-01T00:00:00Z"},
                                                    {4, false, "removed: expired 2026-10-01T00:00:00Z"},
                                                    {5, true, "kept: newest of 2026-10-11 (keep daily 2)"},
                                                });
    // Days without backups do not count: with 3 days, 11-17 is kept although 11-18 had none.
    CHECK(decide(backups, rules(0, 3, 0))[4] ==
          retention_decision{4, true, "kept: newest of 2026-11-17 (keep daily 3)"});
}

TEST_CASE("keep_last and keep_daily together: keep_last names the reason when both hold") {
    const std::vector<backup_info> backups{
        backup("s", "a", nov20 + 3 * hour, oct01),
        backup("s", "b", nov20 + 1 * hour, oct01),
        backup("s", "c", nov20 - 16 * hour, oct01),
        backup("s", "d", nov20 - 40 * hour, oct01),
    };
    CHECK(decide(backups, rules(1, 2, 0)) ==
          std::vector<retention_decision>{
              {0, true, "kept: the newest of s"},
              {1, false, "removed: expired 2026-10-01T00:00:00Z"},
              {2, true, "kept: newest of 2026-11-19 (keep daily 2)"},
              {3, false, "removed: expired 2026-10-01T00:00:00Z"},
          });
}

TEST_CASE("max_per_document is a hard cap, applied over keep rules and unexpired backups") {
    const std::vector<backup_info> backups{
        backup("session-7", "k1", now - 3 * day, dec20, 10),
        backup("session-7", "k2", now - 2 * day, dec20, 20),
        backup("session-7", "k3", now - 1 * day, oct01, 30),
        backup("session-9", "k4", now - 1 * day, dec20, 40),
    };
    const auto decisions = decide(backups, rules(3, 0, 2));
    CHECK(decisions == std::vector<retention_decision>{
                           {0, false, "removed: beyond the newest 2 of session-7"},
                           {1, true, "kept: one of the newest 3 of session-7"},
                           {2, true, "kept: one of the newest 3 of session-7"},
                           {3, true, "kept: one of the newest 3 of session-9"},
                       });
    CHECK(strata::total_retention(backups, decisions) ==
          strata::retention_totals{3, 1, 90, 10});
    CHECK(decide(backups, rules(0, 0, 1))[1] ==
          retention_decision{1, false, "removed: beyond the newest of session-7"});
}

TEST_CASE("ties: same creation time orders by key, then by input position") {
    const std::vector<backup_info> tied{
        backup("s", "b-1", nov20, oct01),
        backup("s", "b-2", nov20, oct01),
        backup("s", "b-0", nov20, oct01),
    };
    CHECK(decide(tied, rules(1, 0, 0)) == std::vector<retention_decision>{
                                                {0, false, "removed: expired 2026-10-01T00:00:00Z"},
                                                {1, true, "kept: the newest of s"},
                                                {2, false, "removed: expired 2026-10-01T00:00:00Z"},
                                            });
    // Input order does not matter for distinct keys.
    const std::vector<backup_info> reversed{tied[2], tied[1], tied[0]};
    CHECK(decide(reversed, rules(1, 0, 0))[1].keep);
    // Identical entries: the later one counts as the newer.
    const std::vector<backup_info> same{backup("s", "x", nov20, oct01), backup("s", "x", nov20, oct01)};
    const auto decisions = decide(same, rules(0, 0, 1));
    CHECK(decisions[0] == retention_decision{0, false, "removed: beyond the newest of s"});
    CHECK(decisions[1] == retention_decision{1, false, "removed: expired 2026-10-01T00:00:00Z"});
    // keep_daily with a tie picks the same one as keep_last would.
    CHECK(decide(tied, rules(0, 1, 0))[1] == retention_decision{1, true, "kept: newest of 2026-11-20 (keep daily 1)"});
}
