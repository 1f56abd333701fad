/**
 * @file
 * @brief The backend conformance suite: every promise of the `strata::backend` concept as
 * doctest test cases, written once as templates, to run against any backend — yours too.
 *
 * Include it in one test translation unit of a doctest program (it includes
 * `<doctest/doctest.h>` but defines neither `main` nor doctest's implementation: the program's
 * own `DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN` file provides them), then name your backend once, at
 * namespace scope:
 * @code
 * #include <strata/testing/backend_conformance.hpp>
 * #include "my_backend.hpp"
 *
 * // Only when a default-constructed backend is not a fresh, empty store:
 * template <>
 * struct strata::testing::backend_factory<my_backend> {
 *     static my_backend make(const std::filesystem::path& scratch_dir) {
 *         return my_backend(scratch_dir / "store");
 *     }
 * };
 *
 * STRATA_BACKEND_CONFORMANCE(my_backend);
 * @endcode
 * Every case is named "backend conformance: ..." followed by the type, so
 * `--test-case="backend conformance*"` runs the suite alone. It covers get/put/erase/contains
 * and overwrites, unsigned byte ordering, binary keys and values (NUL, 0xFF, empty values, a
 * 16 MB value), prefix scans and counts, paging with `after` and `limit`, batches (order, the
 * last operation on a key wins, atomicity seen by a concurrent reader), concurrent readers with
 * one writer, and keys that are awkward for file names ('/', "..", '\\', ':', case, 1,000
 * bytes), and, where the backend offers them, `compare_and_put` and `compare_and_erase`
 * (absent against empty, exact bytes, atomic under racing threads). Each case gets a fresh, empty scratch directory of its own (under the system's temp
 * directory, removed afterwards) and a fresh backend made there by `backend_factory`. The
 * concurrent cases run for a few hundred milliseconds at most.
 */
#pragma once

#include <strata/storage/backend.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace strata {
inline namespace v1 {
namespace testing {

/**
 * @brief How the conformance suite makes a fresh, empty backend of type `B`: specialise it for a
 * backend that needs a location (a directory, a database file).
 *
 * The default default-constructs `B`. `scratch_dir` exists, is empty and belongs to the one
 * test case; it is removed (with everything in it) after the backend is destroyed. `make`
 * returns the backend by value; guaranteed copy elision lets a backend that can neither be
 * copied nor moved be returned as `return B(...);`.
 * @tparam B the backend under test
 */
template <class B>
struct backend_factory {
    /// A default-constructed `B`.
    static B make(const std::filesystem::path& scratch_dir) {
        static_assert(std::default_initializable<B>,
                      "strata: the conformance suite cannot make this backend: it is not default-constructible; "
                      "specialise strata::testing::backend_factory<B> with "
                      "`static B make(const std::filesystem::path& scratch_dir)`");
        (void)scratch_dir;
        return B{};
    }
};

}  // namespace testing

/// @cond
namespace detail::conformance {

/// A unique, empty directory for one test case: `<temp>/strata-conformance/<unique>/work`.
/// The parent `<unique>` lets a case check that nothing was written beside `work`.
class scratch_directory {
public:
    scratch_directory() {
        static std::atomic<unsigned> counter{0};
        std::random_device entropy;
        const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
        std::string name = std::to_string(entropy());
        name += '-';
        name += std::to_string(ticks);
        name += '-';
        name += std::to_string(counter.fetch_add(1));
        root_ = std::filesystem::temp_directory_path() / "strata-conformance" / name;
        std::filesystem::create_directories(root_ / "work");
    }
    scratch_directory(const scratch_directory&) = delete;
    scratch_directory& operator=(const scratch_directory&) = delete;
    ~scratch_directory() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }

    std::filesystem::path work() const { return root_ / "work"; }
    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
};

/// A scratch directory and a fresh backend in it (destroyed before the directory).
template <class B>
struct fixture {
    static_assert(check_backend<B>());
    scratch_directory scratch;
    B backend = testing::backend_factory<B>::make(scratch.work());
};

inline std::optional<std::string> some(std::string_view value) { return std::string(value); }

template <class B>
std::vector<key_value> scan_all(const B& b, std::string_view prefix) {
    return b.scan(prefix, std::nullopt, no_limit);
}

inline std::vector<std::string> keys_of(const std::vector<key_value>& entries) {
    std::vector<std::string> keys;
    keys.reserve(entries.size());
    for (const auto& e : entries) keys.push_back(e.key);
    return keys;
}

/// Unsigned byte order, written out (not `std::string::operator<`) so the suite states it.
inline bool byte_less(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (x != y) return x < y;
    }
    return a.size() < b.size();
}

/// What a correct backend holds after `puts`: the expected full scan of `prefix`.
inline std::vector<key_value> expected_scan(std::vector<key_value> entries, std::string_view prefix) {
    std::erase_if(entries, [&](const key_value& e) { return !e.key.starts_with(prefix); });
    std::sort(entries.begin(), entries.end(),
              [](const key_value& a, const key_value& b) { return byte_less(a.key, b.key); });
    return entries;
}

/// Pages through `scan(prefix, after, page)` from `start`, as a user would. `well_formed`
/// turns false (and paging stops) when a page is longer than asked or does not move strictly
/// forward, so that a broken backend fails the case instead of paging forever.
template <class B>
std::vector<key_value> paged_scan(const B& b, std::string_view prefix, std::optional<std::string> start,
                                  std::size_t page, bool& well_formed) {
    std::vector<key_value> all;
    std::optional<std::string> after = std::move(start);
    well_formed = true;
    for (;;) {
        auto entries = b.scan(prefix, after ? std::optional<std::string_view>(*after) : std::nullopt, page);
        if (entries.size() > page) well_formed = false;
        for (auto& e : entries) {
            if ((after && !byte_less(*after, e.key)) || (!all.empty() && !byte_less(all.back().key, e.key)))
                well_formed = false;
            all.push_back(std::move(e));
        }
        if (!well_formed || entries.size() < page || all.empty()) return all;
        after = all.back().key;
    }
}

/// Runs `body(round)` at least `min_rounds` times, then until `max_rounds` rounds have run and
/// `enough()` holds, or until `budget` has elapsed: keeps the concurrent cases short on slow
/// (fsyncing) backends and long enough on fast ones for the readers to overlap the writes.
template <class Body, class Enough>
std::size_t run_bounded(Body&& body, std::size_t min_rounds, std::size_t max_rounds,
                        std::chrono::milliseconds budget, Enough&& enough) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t rounds = 0;
    for (;;) {
        body(rounds);
        ++rounds;
        if (rounds < min_rounds) continue;
        if (std::chrono::steady_clock::now() - start > budget) break;
        if (rounds >= max_rounds && enough()) break;
    }
    return rounds;
}

/// `a + b + c` without `"literal" + std::string&&`, on which g++ 12 -O3 warns falsely
/// (-Wrestrict, GCC bug 105329) and so breaks -Werror builds.
inline std::string cat(std::string_view a, std::string_view b, std::string_view c = {}) {
    std::string s;
    s.reserve(a.size() + b.size() + c.size());
    s.append(a).append(b).append(c);
    return s;
}

inline std::string padded(std::size_t i, std::size_t width = 4) {
    std::string s = std::to_string(i);
    if (s.size() < width) s.insert(0, width - s.size(), '0');
    return s;
}

}  // namespace detail::conformance
/// @endcond

}  // namespace v1
}  // namespace strata

// The cases. Each is a doctest template test case; STRATA_BACKEND_CONFORMANCE instantiates all.

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: get, put, erase, contains and overwrite", B,
                                  strata_conformance_basics) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    CHECK(b.get("k") == std::nullopt);
    CHECK_FALSE(b.contains("k"));
    CHECK(b.count("") == 0);
    CHECK(scan_all(b, "").empty());

    b.put("k", "v1");
    CHECK(b.get("k") == some("v1"));
    CHECK(b.contains("k"));
    CHECK(b.count("") == 1);

    b.put("k", "a longer second value");  // overwrite: grows
    CHECK(b.get("k") == some("a longer second value"));
    b.put("k", "s");  // overwrite: shrinks (no stale tail may survive)
    CHECK(b.get("k") == some("s"));
    CHECK(b.count("") == 1);

    b.put("other", "x");
    CHECK(scan_all(b, "") == std::vector<strata::key_value>{{"k", "s"}, {"other", "x"}});

    CHECK(b.erase("k"));
    CHECK(b.get("k") == std::nullopt);
    CHECK_FALSE(b.contains("k"));
    CHECK(b.count("") == 1);
    CHECK(b.get("other") == some("x"));

    b.put("k", "again");  // a key can come back after an erase
    CHECK(b.get("k") == some("again"));
    CHECK(scan_all(b, "") == std::vector<strata::key_value>{{"k", "again"}, {"other", "x"}});

    // A const backend answers every read.
    const B& cb = b;
    CHECK(cb.get("other") == some("x"));
    CHECK(cb.contains("other"));
    CHECK(cb.count("o") == 1);
    CHECK(cb.scan("o", std::nullopt, strata::no_limit).size() == 1);
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: erase returns whether the key existed", B,
                                  strata_conformance_erase_result) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    CHECK_FALSE(b.erase("absent"));
    b.put("k", "v");
    CHECK(b.erase("k"));
    CHECK_FALSE(b.erase("k"));  // the second time it is gone
    b.put("empty", "");         // a key whose value is empty exists
    CHECK(b.erase("empty"));
    CHECK_FALSE(b.erase("empty"));
    b.put("k2", "v");
    CHECK_FALSE(b.erase("k"));  // erasing one key leaves its neighbours alone
    CHECK(b.contains("k2"));
    CHECK(b.count("") == 1);
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: keys are ordered by unsigned bytes", B,
                                  strata_conformance_ordering) {
    using namespace strata::detail::conformance;
    using namespace std::string_literals;
    fixture<B> fx;
    B& b = fx.backend;

    // In the expected order: 0x00 < 0x01 < '0' < 'A' < 'a' < 0x7f < 0x80 < 0xff, and a key
    // before every longer key it is a prefix of.
    const std::vector<std::string> ordered = {
        "\x00"s,     "\x00\x00"s, "\x00\x01"s, "\x01"s, "0"s,    "A"s,       "Z"s,        "a"s,
        "a\x00"s,    "a\x01"s,    "ab"s,       "a\x7f"s, "a\x80"s, "a\xff"s, "b"s,        "~"s,
        "\x7f"s,     "\x7f\xff"s, "\x80"s,     "\x80\x00"s, "\xfe"s, "\xff"s, "\xff\x00"s, "\xff\xfe"s,
        "\xff\xff"s, "\xff\xff\xff"s};
    REQUIRE(std::is_sorted(ordered.begin(), ordered.end(), byte_less));
    REQUIRE(std::adjacent_find(ordered.begin(), ordered.end()) == ordered.end());

    std::vector<std::string> shuffled = ordered;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(20240604));
    for (const auto& k : shuffled) b.put(k, cat("v:", k));

    CHECK(keys_of(scan_all(b, "")) == ordered);
    CHECK(b.count("") == ordered.size());
    for (const auto& k : ordered) CHECK(b.get(k) == some(cat("v:", k)));

    // Paging one entry at a time walks the same order (each `after` is the previous key).
    bool well_formed = false;
    CHECK(keys_of(paged_scan(b, "", std::nullopt, 1, well_formed)) == ordered);
    CHECK(well_formed);
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: binary keys and values", B,
                                  strata_conformance_binary) {
    using namespace strata::detail::conformance;
    using namespace std::string_literals;
    fixture<B> fx;
    B& b = fx.backend;

    std::string every_byte;
    for (int i = 0; i < 256; ++i) every_byte += static_cast<char>(i);
    std::string key_bytes;  // every byte but NUL and '/', in a key of its own
    for (int i = 255; i > 0; --i) {
        if (i != '/') key_bytes += static_cast<char>(i);
    }

    b.put("a"s, "plain");
    b.put("a\x00"s, "a then NUL");
    b.put("a\x00" "b"s, "\x00\x00x\x00"s);  // (split: "\x00b" would be one escape)
    b.put("\x00"s, "\xff\xfe\x00\xff"s);
    b.put("\xff\xff"s, every_byte);
    b.put(key_bytes, every_byte + every_byte);
    b.put("empty", "");

    CHECK(b.get("a"s) == some("plain"));
    CHECK(b.get("a\x00"s) == some("a then NUL"));
    CHECK(b.get("a\x00" "b"s) == some("\x00\x00x\x00"s));
    CHECK(b.get("a\x00" "b"s)->size() == 4);
    CHECK(b.get("\x00"s) == some("\xff\xfe\x00\xff"s));
    CHECK(b.get("\xff\xff"s) == some(every_byte));
    CHECK(b.get(key_bytes) == some(every_byte + every_byte));
    CHECK(b.get("a\x01"s) == std::nullopt);
    CHECK(b.count("a"s) == 3);  // "a", "a\0", "a\0b": NUL does not end a key
    CHECK(b.count("a\x00"s) == 2);

    // An empty value is a value: present, found by get, contains, scan and count.
    CHECK(b.get("empty") == some(""));
    CHECK(b.get("empty").has_value());
    CHECK(b.contains("empty"));
    CHECK(b.get("emptz") == std::nullopt);
    CHECK(b.scan("empty", std::nullopt, strata::no_limit) == std::vector<strata::key_value>{{"empty", ""}});
    CHECK(b.count("empty") == 1);
    b.put("empty", "now full");
    b.put("empty", "");  // and back to empty
    CHECK(b.get("empty") == some(""));

    const auto all = scan_all(b, "");
    CHECK(all.size() == 7);
    for (const auto& e : all) CHECK(b.get(e.key) == some(e.value));
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: a 16 MB value round-trips exactly", B,
                                  strata_conformance_large_value) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    std::string big(std::size_t{16} << 20, '\0');
    std::uint32_t x = 2463534242u;  // xorshift: every byte value, no period of 256
    for (auto& c : big) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xffu);
    }
    b.put("big", big);
    b.put("small", "s");
    const auto got = b.get("big");
    REQUIRE(got.has_value());
    CHECK(got->size() == big.size());
    CHECK((*got == big));  // not CHECK(a == b): doctest would print 16 MB on failure
    const auto scanned = b.scan("big", std::nullopt, strata::no_limit);
    REQUIRE(scanned.size() == 1);
    CHECK((scanned[0].value == big));

    b.put("big", "shrunk");  // overwriting a huge value leaves nothing of it behind
    CHECK(b.get("big") == some("shrunk"));
    CHECK(b.get("small") == some("s"));
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: prefix scan and count", B,
                                  strata_conformance_prefix) {
    using namespace strata::detail::conformance;
    using namespace std::string_literals;
    fixture<B> fx;
    B& b = fx.backend;

    std::vector<strata::key_value> entries;
    for (const auto& k : {"a"s, "a\x00"s, "a\xff"s, "a\xff\xff"s, "ab"s, "abc"s, "b"s, "ba"s, "\xff"s,
                          "\xff\xfe"s, "\xff\xff"s, "\xff\xff\x00"s, "\xff\xff\xff"s, "`"s}) {
        entries.push_back({k, cat("value of ", k)});
        b.put(k, cat("value of ", k));
    }

    for (const auto& prefix : {""s, "a"s, "ab"s, "abc"s, "abcd"s, "b"s, "c"s, "\xff"s, "\xff\xff"s,
                               "\xff\xff\xff"s, "\xff\xff\xff\xff"s, "a\xff"s, "a\x00"s, "`"s}) {
        CAPTURE(prefix);
        const auto expected = expected_scan(entries, prefix);
        CHECK(scan_all(b, prefix) == expected);
        CHECK(b.count(prefix) == expected.size());
    }
    // Spelled out, the promises the brief lists.
    CHECK(b.count("") == entries.size());  // the empty prefix is everything
    CHECK(keys_of(scan_all(b, "a")) ==
          std::vector<std::string>{"a", "a\x00"s, "ab", "abc", "a\xff", "a\xff\xff"});  // not "b"
    CHECK(keys_of(scan_all(b, "\xff\xff")) == std::vector<std::string>{"\xff\xff", "\xff\xff\x00"s, "\xff\xff\xff"});
    CHECK(b.count("\xff") == 5);
    CHECK(scan_all(b, "c").empty());
    CHECK(b.count("abcd") == 0);
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: paging with limit and resume-after reproduces the full scan",
                                  B, strata_conformance_paging) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    std::mt19937 rng(7);
    std::vector<strata::key_value> entries;
    auto add = [&](std::string key) {
        std::string value = std::to_string(entries.size());
        value += 'v';
        b.put(key, value);
        entries.push_back({std::move(key), std::move(value)});
    };
    for (std::size_t i = 0; i < 60; ++i) add(cat("p/", padded(i, 3)));
    for (std::size_t i = 0; i < 25; ++i) {  // random binary keys, some under "p/" and 0xFF
        std::string key(1 + rng() % 6, '\0');
        for (auto& c : key) c = static_cast<char>(rng() % 256);
        if (i % 3 == 0) key.insert(0, "p/");
        if (i % 5 == 0) key.insert(0, "\xff");
        if (std::none_of(entries.begin(), entries.end(), [&](const auto& e) { return e.key == key; })) add(key);
    }

    for (const std::string prefix : {"", "p/", "\xff", "q"}) {
        CAPTURE(prefix);
        const auto full = expected_scan(entries, prefix);
        REQUIRE(scan_all(b, prefix) == full);
        CHECK(b.scan(prefix, std::nullopt, 0).empty());  // limit 0: nothing
        for (const std::size_t page : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                                       std::size_t{59}, std::size_t{60}, std::size_t{61}, std::size_t{1000}}) {
            CAPTURE(page);
            bool well_formed = false;
            CHECK(paged_scan(b, prefix, std::nullopt, page, well_formed) == full);
            REQUIRE(well_formed);  // (else for_each_entry below could page forever)
            // Each page holds exactly min(page, what is left).
            const auto first = b.scan(prefix, std::nullopt, page);
            CHECK(first.size() == std::min(page, full.size()));
            if (!first.empty() && first.size() <= full.size()) {
                const auto second = b.scan(prefix, std::string_view(first.back().key), page);
                CHECK(second.size() == std::min(page, full.size() - first.size()));
            }
        }
        std::vector<strata::key_value> visited;
        strata::for_each_entry(b, prefix, [&](const strata::key_value& e) { visited.push_back(e); }, 4);
        CHECK(visited == full);
    }
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: resume-after before, inside and after the prefix range",
                                  B, strata_conformance_after) {
    using namespace strata::detail::conformance;
    using namespace std::string_literals;
    fixture<B> fx;
    B& b = fx.backend;

    for (const auto& k : {"l"s, "lz"s, "m"s, "m\x00"s, "ma"s, "mb"s, "mz"s, "m\xff"s, "n"s})
        b.put(k, "v");
    auto after = [&](std::string_view prefix, std::string_view a, std::size_t limit = strata::no_limit) {
        return keys_of(b.scan(prefix, a, limit));
    };
    using keys = std::vector<std::string>;
    const keys all_m = {"m", "m\x00"s, "ma", "mb", "mz", "m\xff"};

    CHECK(after("m", "") == all_m);            // before the range
    CHECK(after("m", "a") == all_m);           // before the range
    CHECK(after("m", "l\xff\xff") == all_m);   // just before the range
    CHECK(after("m", "m") == keys(all_m.begin() + 1, all_m.end()));  // the prefix itself is a key
    CHECK(after("m", "m\x00"s) == keys{"ma", "mb", "mz", "m\xff"});
    CHECK(after("m", "ma0") == keys{"mb", "mz", "m\xff"});  // an absent key inside the range
    CHECK(after("m", "ma", 2) == keys{"mb", "mz"});
    CHECK(after("m", "mz") == keys{"m\xff"});
    CHECK(after("m", "m\xff").empty());        // the last key of the range
    CHECK(after("m", "m\xff\xff").empty());    // past every key of the range
    CHECK(after("m", "n").empty());            // after the range
    CHECK(after("m", "zzz").empty());
    CHECK(after("", "lz") == keys{"m", "m\x00"s, "ma", "mb", "mz", "m\xff", "n"});
    CHECK(after("", "n").empty());
    CHECK(after("", "", 1) == keys{"l"});
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: batches apply in order and the last operation wins",
                                  B, strata_conformance_batch) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    b.put("x", "old");
    b.put("gone", "1");
    b.put("back", "1");

    strata::write_batch batch;
    batch.put("a", "1");
    batch.put("b", "2");
    batch.put("a", "3");       // later put wins
    batch.erase("b");          // later erase wins
    batch.erase("never was");  // erasing an absent key is fine
    batch.put("c", "");
    batch.erase("gone");
    batch.erase("back");
    batch.put("back", "again");  // put after erase in one batch
    batch.put("x", "new");
    b.apply(batch);

    CHECK(scan_all(b, "") == std::vector<strata::key_value>{
                                 {"a", "3"}, {"back", "again"}, {"c", ""}, {"x", "new"}});
    CHECK(b.count("") == 4);

    strata::write_batch put_then_erase;
    put_then_erase.put("d", "1");
    put_then_erase.erase("d");
    put_then_erase.erase("a");
    put_then_erase.put("a", "4");
    b.apply(put_then_erase);
    CHECK(b.get("d") == std::nullopt);
    CHECK(b.get("a") == some("4"));

    const auto before = scan_all(b, "");
    b.apply(strata::write_batch{});  // an empty batch is fine and changes nothing
    CHECK(scan_all(b, "") == before);

    strata::write_batch only_erases;  // a batch of erases of absent keys is fine too
    only_erases.erase("nope");
    only_erases.erase("nope either");
    b.apply(only_erases);
    CHECK(scan_all(b, "") == before);
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: a concurrent reader never sees half a batch", B,
                                  strata_conformance_batch_atomicity) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    // A token that batches move between two keys, and balances that batches move money
    // between: every whole state has one token and a total of 400.
    constexpr std::size_t accounts = 4;
    {
        strata::write_batch init;
        init.put("t/a", "token");
        for (std::size_t i = 0; i < accounts; ++i) init.put(cat("bal/", std::to_string(i)), "100");
        b.apply(init);
    }

    std::atomic<bool> done{false};
    std::atomic<std::size_t> torn{0};
    std::atomic<std::size_t> reads{0};
    std::string first_torn;  // written once, by the reader that saw it first
    std::atomic<bool> recorded{false};

    auto check_state = [&](const std::vector<strata::key_value>& state) {
        std::size_t tokens = 0;
        long total = 0;
        for (const auto& e : state) {
            if (e.key.starts_with("t/")) tokens += e.value == "token" ? 1u : 100u;
            if (e.key.starts_with("bal/")) total += std::stol(e.value);
        }
        return tokens == 1 && total == 100 * static_cast<long>(accounts);
    };
    auto reader = [&] {
        while (!done.load()) {
            auto state = b.scan("", std::nullopt, strata::no_limit);  // one call: one state
            const auto tokens = b.count("t/");
            reads.fetch_add(1);
            if (!check_state(state) || tokens != 1) {
                torn.fetch_add(1);
                if (!recorded.exchange(true)) {
                    for (const auto& e : state) first_torn += cat(e.key, "=", e.value) + " ";
                    first_torn += cat("| count(t/)=", std::to_string(tokens));
                }
            }
        }
    };

    std::vector<std::thread> readers;
    for (int i = 0; i < 2; ++i) readers.emplace_back(reader);
    std::mt19937 rng(99);
    const std::size_t batches = run_bounded(
        [&](std::size_t round) {
            strata::write_batch move;
            const bool at_a = round % 2 == 0;
            move.erase(at_a ? "t/a" : "t/b");
            move.put(at_a ? "t/b" : "t/a", "token");
            const std::size_t from = rng() % accounts;
            const std::size_t to = (from + 1 + rng() % (accounts - 1)) % accounts;  // never `from`
            const auto balances = b.scan("bal/", std::nullopt, strata::no_limit);
            const long amount = static_cast<long>(rng() % 50);
            const long from_balance = std::stol(balances.at(from).value);
            const long to_balance = std::stol(balances.at(to).value);
            move.put(cat("bal/", std::to_string(from)), std::to_string(from_balance - amount));
            move.put(cat("bal/", std::to_string(to)), std::to_string(to_balance + amount));
            b.apply(move);
        },
        50, 3000, std::chrono::milliseconds(250), [&] { return reads.load() >= 100; });
    done.store(true);
    for (auto& t : readers) t.join();

    CAPTURE(batches);
    CAPTURE(first_torn);
    CHECK(torn.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(check_state(b.scan("", std::nullopt, strata::no_limit)));
    CHECK(b.count("t/") == 1);
    CHECK(b.contains(batches % 2 == 0 ? "t/a" : "t/b"));
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: concurrent readers with one writer", B,
                                  strata_conformance_concurrency) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    // The writer puts c/0000.. (each value names its key and a round), overwrites them round
    // after round, and puts then erases d/ keys. Readers check that every value they see
    // belongs to its key, that scans are ordered, and that count(c/) never goes down.
    constexpr std::size_t keys = 40;
    auto key = [](std::string_view space, std::size_t i) { return cat(space, padded(i)); };
    auto value_ok = [](const std::string& k, const std::string& v) {
        return v.size() > k.size() + 1 && v.starts_with(k) && v[k.size()] == '#';
    };

    std::atomic<bool> done{false};
    std::atomic<std::size_t> bad{0};
    std::atomic<std::size_t> reads{0};
    auto reader = [&](unsigned seed) {
        std::mt19937 rng(seed);
        std::size_t last_count = 0;
        while (!done.load()) {
            const auto k = key("c/", rng() % keys);
            if (auto v = b.get(k); v && !value_ok(k, *v)) bad.fetch_add(1);
            const auto entries = b.scan("c/", std::nullopt, rng() % 2 ? strata::no_limit : std::size_t{10});
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (!value_ok(entries[i].key, entries[i].value)) bad.fetch_add(1);
                if (i > 0 && !byte_less(entries[i - 1].key, entries[i].key)) bad.fetch_add(1);
            }
            const auto n = b.count("c/");
            if (n < last_count || n > keys) bad.fetch_add(1);
            last_count = n;
            for (const auto& e : b.scan("d/", std::nullopt, strata::no_limit)) {
                if (!value_ok(e.key, e.value)) bad.fetch_add(1);
            }
            (void)b.contains(key("d/", rng() % keys));
            reads.fetch_add(1);
        }
    };

    std::vector<std::thread> readers;
    for (unsigned i = 0; i < 3; ++i) readers.emplace_back(reader, 1000 + i);
    const std::size_t writes = run_bounded(
        [&](std::size_t step) {
            const std::size_t i = step % keys;
            const std::size_t round = step / keys;
            b.put(key("c/", i), cat(key("c/", i), "#", std::to_string(round)));
            if (step % 3 == 0) b.put(key("d/", i), cat(key("d/", i), "#", std::to_string(round)));
            if (step % 3 == 1) (void)b.erase(key("d/", (i + keys - 1) % keys));
        },
        keys, 4000, std::chrono::milliseconds(250), [&] { return reads.load() >= 100; });
    done.store(true);
    for (auto& t : readers) t.join();

    CAPTURE(writes);
    CHECK(bad.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(b.count("c/") == keys);
    for (std::size_t i = 0; i < keys; ++i) {
        const auto v = b.get(key("c/", i));
        REQUIRE(v.has_value());
        CHECK(value_ok(key("c/", i), *v));
    }
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: keys awkward for file names stay distinct", B,
                                  strata_conformance_awkward_keys) {
    using namespace strata::detail::conformance;
    fixture<B> fx;
    B& b = fx.backend;

    std::vector<std::string> keys = {
        "/", "//", "a/b", "a/b/", "/abs", "..", ".", "...", "../x", "../../x", "a/../b", "./a", "a/.",
        "\\", "a\\b", "..\\x", ":", "C:", "c:\\x", "a:b", "A", "a", "Ab", "aB", "AB", "ab", "CON",
        "con", "nul", "aux.txt", "COM1", "lpt1", " ", "trailing.", "trailing ", " leading", "%2F",
        "%", "%%", "~", "~1", "*", "?", "<>", "|", "\"", "a\tb", "a\nb", "\x7f", "x.tmp", ".tmp"};
    keys.push_back(std::string(1000, 'k'));
    keys.push_back(std::string(999, 'k') + "K");  // differs from the previous in its last byte
    keys.push_back(std::string(999, 'k') + "j");
    std::string long_mixed;
    for (std::size_t i = 0; long_mixed.size() < 1000; ++i) long_mixed += cat("seg", std::to_string(i), "/../");
    long_mixed.resize(1000);
    keys.push_back(long_mixed);
    keys.push_back(std::string(1000, '/'));
    keys.push_back(std::string(1000, '.'));
    keys.push_back(std::string(1000, '\xff'));

    std::vector<strata::key_value> entries;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        entries.push_back({keys[i], cat("value ", std::to_string(i))});
        b.put(keys[i], entries.back().value);
    }
    for (const auto& e : entries) {
        CAPTURE(e.key);
        CHECK(b.get(e.key) == some(e.value));
    }
    CHECK(scan_all(b, "") == expected_scan(entries, ""));
    CHECK(b.count("") == keys.size());
    for (const std::string prefix : {"a", "A", "a/", "..", ".", "\\", "c:", "C:", "%", "kkk"}) {
        CAPTURE(prefix);
        CHECK(scan_all(b, prefix) == expected_scan(entries, prefix));
        CHECK(b.count(prefix) == expected_scan(entries, prefix).size());
    }
    CHECK(keys_of(scan_all(b, "A")) == std::vector<std::string>{"A", "AB", "Ab"});  // not "a", "aB", "ab"

    // Case: erasing "A" leaves "a"; changing "a" leaves "A" erased and "AB" alone.
    auto value_of = [&](std::string_view k) {
        return std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.key == k; })->value;
    };
    CHECK(b.erase("A"));
    CHECK(b.get("a") == some(value_of("a")));
    b.put("a", "lower");
    CHECK(b.get("A") == std::nullopt);
    CHECK(b.get("a") == some("lower"));
    CHECK(b.get("AB") == some(value_of("AB")));
    CHECK(b.get("ab") == some(value_of("ab")));

    // Nothing was written beside the scratch directory (no path traversal one level up).
    std::vector<std::string> beside;
    for (const auto& entry : std::filesystem::directory_iterator(fx.scratch.root()))
        beside.push_back(entry.path().filename().string());
    CHECK(beside == std::vector<std::string>{"work"});
}

DOCTEST_TEST_CASE_TEMPLATE_DEFINE("backend conformance: compare_and_put and compare_and_erase, where offered", B,
                                  strata_conformance_compare_and_put) {
    using namespace strata::detail::conformance;
    using namespace std::literals;
    if constexpr (!strata::has_compare_and_put<B> && !strata::has_compare_and_erase<B>) {
        MESSAGE("this backend offers neither compare_and_put nor compare_and_erase (optional)");
    } else {
        fixture<B> fx;
        B& b = fx.backend;
        b.put("other", "o");

        if constexpr (strata::has_compare_and_put<B>) {
            // Absent: only an expectation of absence matches.
            CHECK_FALSE(b.compare_and_put("k", "x"sv, "v1"));
            CHECK_FALSE(b.contains("k"));
            CHECK(b.compare_and_put("k", std::nullopt, "v1"));
            CHECK(b.get("k") == some("v1"));
            CHECK_FALSE(b.compare_and_put("k", std::nullopt, "v2"));  // present now
            CHECK(b.get("k") == some("v1"));

            // Present: only the exact bytes match (not a prefix, not a longer value).
            CHECK_FALSE(b.compare_and_put("k", "v"sv, "v2"));
            CHECK_FALSE(b.compare_and_put("k", "v1x"sv, "v2"));
            CHECK_FALSE(b.compare_and_put("k", ""sv, "v2"));
            CHECK(b.get("k") == some("v1"));
            CHECK(b.compare_and_put("k", "v1"sv, "v2"));
            CHECK(b.get("k") == some("v2"));

            // An empty value is present, not absent; binary bytes compare in full.
            b.put("e", "");
            CHECK_FALSE(b.compare_and_put("e", std::nullopt, "x"));
            CHECK(b.compare_and_put("e", ""sv, "a\0b"s));
            CHECK_FALSE(b.compare_and_put("e", "a\0c"sv, "y"));
            CHECK(b.compare_and_put("e", "a\0b"sv, ""));
            CHECK(b.get("e") == some(""));
            CHECK(b.get("other") == some("o"));  // neighbours untouched
            CHECK(b.count("") == 3);
        }
        if constexpr (strata::has_compare_and_erase<B>) {
            b.put("d", "dv");
            CHECK_FALSE(b.compare_and_erase("absent", ""));
            CHECK_FALSE(b.compare_and_erase("d", "d"));
            CHECK_FALSE(b.compare_and_erase("d", "dv "));
            CHECK(b.get("d") == some("dv"));
            CHECK(b.compare_and_erase("d", "dv"));
            CHECK_FALSE(b.contains("d"));
            CHECK_FALSE(b.compare_and_erase("d", "dv"));
            CHECK(b.get("other") == some("o"));
        }
        if constexpr (strata::has_compare_and_put<B>) {
            // Atomic: threads increment one counter by read, then compare_and_put, retrying on a
            // lost race; every increment that reported success is there once.
            constexpr int threads = 3;
            constexpr int increments = 20;
            b.put("counter", "0");
            std::atomic<int> successes{0};
            std::atomic<int> errors{0};
            std::vector<std::thread> workers;
            for (int t = 0; t < threads; ++t) {
                workers.emplace_back([&] {
                    for (int i = 0; i < increments;) {
                        try {
                            const auto current = b.get("counter");
                            if (!current) {
                                errors.fetch_add(1);
                                return;
                            }
                            const auto next = std::to_string(std::stoi(*current) + 1);
                            if (b.compare_and_put("counter", std::optional<std::string_view>(*current), next)) {
                                successes.fetch_add(1);
                                ++i;
                            }
                        } catch (...) {
                            errors.fetch_add(1);
                            return;
                        }
                    }
                });
            }
            for (auto& w : workers) w.join();
            CHECK(errors.load() == 0);
            CHECK(successes.load() == threads * increments);
            CHECK(b.get("counter") == some(std::to_string(threads * increments)));
        }
    }
}

/**
 * @brief Registers every conformance case for each backend type given (at namespace scope, in
 * one test translation unit per type): `STRATA_BACKEND_CONFORMANCE(my_backend);`.
 *
 * Make fresh instances with `strata::testing::backend_factory<B>` (default: `B{}`).
 */
#define STRATA_BACKEND_CONFORMANCE(...)                                                  \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_basics, __VA_ARGS__);           \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_erase_result, __VA_ARGS__);     \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_ordering, __VA_ARGS__);         \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_binary, __VA_ARGS__);           \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_large_value, __VA_ARGS__);      \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_prefix, __VA_ARGS__);           \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_paging, __VA_ARGS__);           \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_after, __VA_ARGS__);            \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_batch, __VA_ARGS__);            \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_batch_atomicity, __VA_ARGS__);  \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_concurrency, __VA_ARGS__);      \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_awkward_keys, __VA_ARGS__);     \
    DOCTEST_TEST_CASE_TEMPLATE_INVOKE(strata_conformance_compare_and_put, __VA_ARGS__)
