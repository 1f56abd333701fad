// strata::w_tinylfu: the window, the segmented main space, TinyLFU's admission; agreement with
// the brute-force model (which uses the same sketch class, fed the same hashes) on random traces.
#include "reference_models.hpp"

#include <strata/cache/cache.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/w_tinylfu.hpp>

#include <doctest/doctest.h>

#include <vector>

using reference::evicted_by;
using reference::list_keys;
using reference::resident;
using ints = std::vector<int>;
using tiny_cache = strata::cache<int, int, strata::w_tinylfu>;
using segment = strata::w_tinylfu::segment;

namespace {
segment segment_of(const tiny_cache& c, int key) { return c.policy().segment_of(c.slot_of(key)); }
unsigned freq(const tiny_cache& c, int key) { return c.policy().sketch().frequency(c.hash_function()(key)); }
// The sketch grows with the number of entries and forgets its counts when it does; fill the
// cache once and clear it, so that the scripted traces below start with a sketch of full size.
void size_sketch(tiny_cache& c) {
    for (int k = 0; k < static_cast<int>(c.capacity()); ++k) c.put(100000 + k, 0);
    c.clear();
    c.reset_stats();
}
}  // namespace

TEST_CASE("w_tinylfu: the shares follow the paper (window 1%, protected 80% of main)") {
    tiny_cache c(1000);
    CHECK(c.policy().window_max() == 10);
    CHECK(c.policy().protected_max() == 792);
    c.resize(100);
    CHECK(c.policy().window_max() == 1);
    CHECK(c.policy().protected_max() == 79);
    c.resize(10);  // the window keeps at least what rounding leaves it
    CHECK(c.policy().window_max() == 1);
}

TEST_CASE("w_tinylfu: every insert and every hit counts in the sketch") {
    tiny_cache c(100);
    c.put(7, 7);
    CHECK(freq(c, 7) == 1);
    CHECK(c.get(7) == 7);
    CHECK(c.get(7) == 7);
    CHECK(freq(c, 7) == 3);
    CHECK_FALSE(c.get(8));  // a miss that inserts nothing counts nothing
    CHECK(freq(c, 8) == 0);
}

TEST_CASE("w_tinylfu: new entries go to the window; its overflow moves to probation; a hit there promotes to protected") {
    tiny_cache c(100);  // window 1, protected 79
    c.put(1, 1);
    CHECK(segment_of(c, 1) == segment::window);
    c.put(2, 2);  // the window's overflow (1) moves to probation: the cache has room, no duel
    CHECK(segment_of(c, 2) == segment::window);
    CHECK(segment_of(c, 1) == segment::probation);
    CHECK(c.get(1) == 1);
    CHECK(segment_of(c, 1) == segment::protected_);
    CHECK(c.get(2) == 2);  // a hit in the window stays in the window
    CHECK(segment_of(c, 2) == segment::window);
}

TEST_CASE("w_tinylfu: protected's overflow is demoted to the front of probation") {
    tiny_cache c(10);  // window 1, main 9, protected 7
    for (int k = 0; k < 10; ++k) c.put(k, k);
    for (int k = 0; k < 9; ++k) CHECK(c.get(k) == k);  // 0..8 were in probation: all promoted
    CHECK(c.policy().weight(segment::protected_) == 7);
    // 0 and 1 were the least recent in protected: demoted, 1 last so it is probation's front.
    CHECK(list_keys(c, c.policy().lists(), segment::probation, 100) == ints{1, 0});
    CHECK(list_keys(c, c.policy().lists(), segment::protected_, 100) == ints{8, 7, 6, 5, 4, 3, 2});
}

// Capacity 100 (window 1). Keys 0..99 inserted and hit twice each (seen 3 times): all resident,
// none evicted (the cache never went over). put X: the window holds X and 99; 99 must leave: its frequency
// ties with main's victim, and a tie rejects the candidate, so 99 is evicted. put Y: now X is the
// candidate, seen once, against a victim seen three times: X is rejected.
TEST_CASE("w_tinylfu: admission rejects a candidate whose estimated frequency is not above the main victim's") {
    tiny_cache c(100);
    size_sketch(c);
    for (int k = 0; k < 100; ++k) c.put(k, k);
    for (int k = 0; k < 100; ++k) {
        CHECK(c.get(k) == k);
        CHECK(c.get(k) == k);
    }
    CHECK(c.stats().evictions == 0);
    constexpr int x = 1000, y = 1001;
    CHECK(evicted_by(c, 2000, [&] { CHECK(c.put(x, x)); }) == ints{99});
    CHECK(segment_of(c, x) == segment::window);
    CHECK(freq(c, x) == 1);
    CHECK(evicted_by(c, 2000, [&] { CHECK(c.put(y, y)); }) == ints{x});  // rejected at admission
    for (int k = 0; k < 99; ++k) CHECK(c.contains(k));
    CHECK(c.stats().evictions == 2);
}

TEST_CASE("w_tinylfu: a candidate seen more often than the victim is admitted and the victim evicted") {
    tiny_cache c(10);  // window 1, main 9
    size_sketch(c);
    for (int k = 0; k < 10; ++k) c.put(k, k);  // 9 is in the window, 0..8 in probation (0 the least recent)
    // 20 is requested often but not cached yet (a get that misses counts nothing; puts and hits do)
    c.put(20, 20);  // the window: 20, 9 -> 9 duels 0 (1 vs 1): 9 is rejected
    CHECK_FALSE(c.contains(9));
    for (int i = 0; i < 3; ++i) CHECK(c.get(20) == 20);  // 20 is now seen 4 times
    CHECK(evicted_by(c, 100, [&] { c.put(21, 21); }) == ints{0});  // 20 (4) beats 0 (1)
    CHECK(segment_of(c, 20) == segment::probation);
    CHECK(segment_of(c, 21) == segment::window);
}

// A key used every 150 requests among one-hit wonders, in a cache of 100: its reuse distance is
// longer than the cache, so LRU loses it every time; W-TinyLFU keeps it in protected because its
// frequency stays above the wonders' (the sketch ages, but the key keeps being counted).
TEST_CASE("w_tinylfu: a frequently used key is kept over a stream of one-hit wonders (LRU loses it)") {
    auto run = [](auto& c) {
        int hits = 0;
        int wonder = 1000;
        for (int round = 0; round < 100; ++round) {
            if (c.get(7)) {
                ++hits;
            } else {
                c.put(7, 7);
            }
            for (int i = 0; i < 150; ++i, ++wonder) {
                if (!c.get(wonder)) c.put(wonder, wonder);
            }
        }
        return hits;
    };
    tiny_cache tiny(100);
    strata::cache<int, int, strata::lru> lru(100);
    CHECK(run(tiny) >= 97);  // all but the first few rounds
    CHECK(run(lru) == 0);
    CHECK(segment_of(tiny, 7) == segment::protected_);
}

TEST_CASE("w_tinylfu: an entry heavier than the window may itself be the rejected candidate") {
    strata::cache<int, std::size_t, strata::w_tinylfu, reference::value_sizer> c(100);  // window 1
    for (int k = 0; k < 100; ++k) c.put(k, 1);
    for (int k = 0; k < 100; ++k) CHECK(c.get(k).has_value());
    // 500 enters the window and is over its share by itself: after 99 has left the window, 500 is
    // the candidate, seen once, against victims seen twice: it loses.
    CHECK_FALSE(c.put(500, 5));
    CHECK_FALSE(c.contains(500));
}

TEST_CASE("w_tinylfu: agrees with the brute-force model on random traces") {
    reference::check_agreement_on_random_traces<strata::w_tinylfu, reference::w_tinylfu>();
}
