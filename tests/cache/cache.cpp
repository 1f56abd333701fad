// strata::cache: get/put/erase/contains/clear, statistics, capacity in entries or bytes, resize,
// entries heavier than the capacity, string keys looked up by string_view, moves; the generic
// behaviours are checked for every policy.
#include "reference_models.hpp"

#include <strata/cache/cache.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/s3_fifo.hpp>
#include <strata/cache/sieve.hpp>
#include <strata/cache/sizer.hpp>
#include <strata/cache/w_tinylfu.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using reference::resident;
using ints = std::vector<int>;

namespace {
// A FIFO with only the required members: the cache's defaults for on_access, on_update,
// set_capacity and clear are exercised with it.
struct bare_fifo {
    strata::slot_list queue;
    void on_insert(strata::slot_index slot, std::uint64_t, std::size_t) { queue.push_front(slot); }
    void on_erase(strata::slot_index slot) { queue.remove(slot); }
    strata::slot_index evict() { return queue.pop_back(); }
};
}  // namespace

#define STRATA_CACHE_POLICIES strata::lru, strata::sieve, strata::s3_fifo, strata::w_tinylfu, bare_fifo

TEST_CASE_TEMPLATE("cache: get, put, erase, contains, peek; the statistics count lookups", P, STRATA_CACHE_POLICIES) {
    strata::cache<int, std::string, P> c(10);
    CHECK(c.empty());
    CHECK_FALSE(c.get(1));
    CHECK(c.put(1, "one"));
    CHECK(c.put(2, "two"));
    CHECK(c.get(1) == "one");
    CHECK(*c.find(2) == "two");
    CHECK(c.find(3) == nullptr);
    CHECK(c.put(1, "uno"));  // replaces
    CHECK(c.get(1) == "uno");
    CHECK(c.contains(2));
    CHECK(*c.peek(2) == "two");
    CHECK(c.peek(3) == nullptr);
    CHECK(c.erase(2));
    CHECK_FALSE(c.erase(2));
    CHECK_FALSE(c.contains(2));
    const strata::cache_stats s = c.stats();
    CHECK(s.hits == 3);
    CHECK(s.misses == 2);
    CHECK(s.evictions == 0);
    CHECK(s.entries == 1);
    CHECK(s.weight == 1);
    CHECK(s.capacity == 10);
    CHECK(s.hit_rate() == doctest::Approx(0.6));
    c.reset_stats();
    CHECK(c.stats().hits == 0);
    CHECK(c.stats().entries == 1);
    CHECK(strata::cache_stats{}.hit_rate() == 0.0);
}

TEST_CASE_TEMPLATE("cache: never over capacity; evictions counted; every put of a fitting entry is answered", P,
                   STRATA_CACHE_POLICIES) {
    strata::cache<int, std::size_t, P, reference::value_sizer> c(50);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 5000; ++i) {
        const int key = static_cast<int>(rng() % 200);
        const std::size_t w = 1 + rng() % 12;
        if (c.put(key, w)) {
            CHECK(c.peek(key) != nullptr);
            CHECK(*c.peek(key) == w);
        } else {
            CHECK_FALSE(c.contains(key));
        }
        REQUIRE(c.weight() <= 50);
        if (i % 7 == 0) c.erase(static_cast<int>(rng() % 200));
    }
    std::size_t total = 0;
    std::size_t n = 0;
    c.for_each([&](int, std::size_t w) {
        total += w;
        ++n;
    });
    CHECK(total == c.weight());
    CHECK(n == c.size());
    CHECK(c.stats().evictions > 0);
}

TEST_CASE_TEMPLATE("cache: an entry heavier than the capacity is not cached, and drops the value it replaces", P,
                   STRATA_CACHE_POLICIES) {
    strata::cache<std::string, std::string, P, strata::byte_sizer> c(10);
    CHECK(c.put("k", "12345"));  // 1 + 5 bytes
    CHECK(c.weight() == 6);
    CHECK_FALSE(c.put("big", "12345678"));  // 3 + 8 > 10
    CHECK_FALSE(c.contains("big"));
    CHECK(c.contains("k"));
    CHECK_FALSE(c.put("k", "1234567890"));  // 11 > 10: the old value must not be served
    CHECK_FALSE(c.contains("k"));
    CHECK_FALSE(c.get("k"));
    CHECK(c.weight() == 0);
    CHECK(c.stats().evictions == 0);  // dropping is not evicting
}

TEST_CASE_TEMPLATE("cache: a shrinking resize evicts at once; a growing one makes room", P, STRATA_CACHE_POLICIES) {
    strata::cache<int, int, P> c(20);
    for (int k = 0; k < 20; ++k) c.put(k, k);
    CHECK(c.size() == 20);
    c.resize(8);
    CHECK(c.capacity() == 8);
    CHECK(c.size() == 8);
    CHECK(c.stats().evictions == 12);
    c.resize(30);
    for (int k = 100; k < 122; ++k) c.put(k, k);
    CHECK(c.size() == 30);
    c.resize(0);
    CHECK(c.empty());
    CHECK_FALSE(c.put(1, 1));
}

TEST_CASE_TEMPLATE("cache: clear empties the cache and keeps the counters; the cache works on afterwards", P,
                   STRATA_CACHE_POLICIES) {
    strata::cache<int, int, P> c(4);
    for (int k = 0; k < 6; ++k) c.put(k, k);
    c.get(5);
    c.clear();
    CHECK(c.empty());
    CHECK(c.weight() == 0);
    CHECK(c.stats().hits == 1);
    for (int k = 0; k < 6; ++k) c.put(k, k);
    CHECK(c.size() == 4);
}

TEST_CASE_TEMPLATE("cache: moved, the cache keeps its entries and works on", P, STRATA_CACHE_POLICIES) {
    strata::cache<std::string, int, P> a(8);
    for (int k = 0; k < 8; ++k) a.put("key" + std::to_string(k), k);
    strata::cache<std::string, int, P> b(std::move(a));
    CHECK(b.size() == 8);
    CHECK(b.get("key3") == 3);
    for (int k = 8; k < 40; ++k) b.put("key" + std::to_string(k), k);  // rehashes through the moved store
    CHECK(b.size() == 8);
    strata::cache<std::string, int, P> c(2);
    c.put("x", 1);
    c = std::move(b);
    CHECK(c.size() == 8);
    CHECK_FALSE(c.contains("x"));
    CHECK(c.get("key39") == 39);
}

TEST_CASE("cache: the capacity counts entries with entry_sizer, bytes of key and value with byte_sizer") {
    strata::cache<std::string, std::string> entries(3);
    entries.put("a", std::string(1000, 'x'));
    entries.put("b", "");
    CHECK(entries.weight() == 2);

    strata::cache<std::string, std::string, strata::lru, strata::byte_sizer> bytes(100);
    bytes.put("abc", std::string(40, 'x'));
    CHECK(bytes.weight() == 43);
    bytes.put("d", "");  // weighs 1
    bytes.put("", "");  // weighs 0, counted as 1
    CHECK(bytes.weight() == 45);
    bytes.put("e", std::string(60, 'y'));  // 61: the least recent ("abc") goes
    CHECK_FALSE(bytes.contains("abc"));
    CHECK(bytes.weight() == 63);
    CHECK(strata::byte_sizer{}(std::vector<std::uint32_t>(3), 7) == 12 + sizeof(int));
    CHECK(strata::entry_sizer{}(1, std::string(5, 'x')) == 1);
}

TEST_CASE("cache: string keys are looked up by string_view, without building a string") {
    strata::cache<std::string, int> c(10);
    c.put("alpha", 1);
    const std::string key = "alpha";
    std::string_view view = std::string_view(key).substr(0, 5);
    CHECK(c.get(view) == 1);
    CHECK(c.contains(std::string_view("alphabet", 5)));
    CHECK_FALSE(c.contains(std::string_view("alphabet", 4)));
    const char* raw = "alpha";
    CHECK(c.erase(raw));
    std::string binary("a\0b", 3);
    c.put(binary, 2);
    CHECK_FALSE(c.contains("a"));
    CHECK(c.get(binary) == 2);
}

TEST_CASE("cache: slots are reused after an erase, so the policy's arrays stay dense") {
    strata::cache<int, int, strata::sieve> c(4);
    for (int k = 0; k < 4; ++k) c.put(k, k);
    const strata::slot_index s = c.slot_of(2);
    c.erase(2);
    c.put(9, 9);
    CHECK(c.slot_of(9) == s);
    CHECK(c.slot_of(2) == strata::no_slot);
}

TEST_CASE("cache: a policy without clear is replaced by a fresh one") {
    strata::cache<int, int, bare_fifo> c(3);
    for (int k = 0; k < 3; ++k) c.put(k, k);
    c.clear();
    for (int k = 10; k < 14; ++k) c.put(k, k);
    CHECK(resident(c, 20) == ints{11, 12, 13});
}
