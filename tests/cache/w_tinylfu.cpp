// strata::w_tinylfu: the window, the segmented main space, TinyLFU's admission, the climber that
// adapts the window's share; agreement with the brute-force model (which uses the same sketch
// class, fed the same hashes, and climbs the same way) on random traces.
#include "reference_models.hpp"

#include <strata/cache/cache.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/w_tinylfu.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

using reference::evicted_by;
using reference::list_keys;
using reference::resident;
using ints = std::vector<int>;
using tiny_cache = strata::cache<int, int, strata::w_tinylfu>;
using segment = strata::w_tinylfu::segment;
using fixed_w_tinylfu = strata::basic_w_tinylfu<strata::w_tinylfu_options{.adaptive_window = false}>;

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

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Recency-heavy: one request in three is a new key, the others go back to one of the latest keys
// (the distance back drawn from an exponential distribution of mean `mean`). Every key is used
// a few times within a short while and then never again: LRU does well, a frequency filter
// behind a small window does not.
std::vector<int> recency_trace(std::size_t n, double mean, std::uint64_t seed, int first_key) {
    std::mt19937_64 rng(seed);
    std::vector<int> trace(n);
    int newest = first_key;
    for (int& k : trace) {
        if (rng() % 3 == 0) {
            k = ++newest;
        } else {
            const auto back = static_cast<int>(-mean * std::log(1.0 - uniform01(rng)));
            k = std::max(first_key, newest - back);
        }
    }
    return trace;
}

// Frequency-heavy and stationary: key floor(keys * u^3), u uniform in [0, 1) (small keys are
// much more frequent).
std::vector<int> skewed_trace(std::size_t n, int keys, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<int> trace(n);
    for (int& k : trace) {
        const double u = uniform01(rng);
        k = static_cast<int>(keys * u * u * u);
    }
    return trace;
}

// Fresh keys, each requested once.
std::vector<int> scan_trace(std::size_t n, int first_key) {
    std::vector<int> trace(n);
    for (int& k : trace) k = first_key++;
    return trace;
}

// Replays `trace` as a look-aside cache (get; put on a miss); returns the hit rate.
template <class Cache>
double replay(Cache& c, const std::vector<int>& trace) {
    std::size_t hits = 0;
    for (const int k : trace) {
        if (c.get(k)) {
            ++hits;
        } else {
            c.put(k, k);
        }
    }
    return static_cast<double>(hits) / static_cast<double>(trace.size());
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

// Capacity 1,000: the window starts at 10; a sample is 10,240 requests (ten per word of a sketch
// of 1,024 words); 300,000 requests make about 29 samples.
TEST_CASE("w_tinylfu: on a recency-heavy trace the climber grows the window (a fixed 1% window stays)") {
    const std::vector<int> trace = recency_trace(300'000, 300, 1, 1'000'000);
    strata::cache<int, int, strata::w_tinylfu> adaptive(1000);
    strata::cache<int, int, fixed_w_tinylfu> fixed(1000);
    strata::cache<int, int, strata::lru> lru(1000);
    const double adaptive_rate = replay(adaptive, trace);
    const double fixed_rate = replay(fixed, trace);
    const double lru_rate = replay(lru, trace);
    CAPTURE(adaptive_rate);
    CAPTURE(fixed_rate);
    CAPTURE(lru_rate);
    CHECK(adaptive.policy().climbs() >= 20);
    CHECK(fixed.policy().window_max() == 10);  // the trace alone does not move the window
    CHECK(adaptive.policy().window_max() >= 300);  // grown, taken from protected
    CHECK(adaptive.policy().window_max() + adaptive.policy().protected_max() == 10 + 792);
    CHECK(adaptive.policy().weight(segment::window) == adaptive.policy().window_max());
    CHECK(adaptive.policy().climb_step() > 0);  // still growing
    CHECK(fixed_rate < 0.2 * lru_rate);         // a 1% window loses most of LRU's hits here
    CHECK(adaptive_rate > 2.5 * fixed_rate);    // the grown window wins many of them back
}

TEST_CASE("w_tinylfu: on a frequency-heavy trace the climber shrinks the window to its minimum and stops") {
    const std::vector<int> trace = skewed_trace(300'000, 10'000, 2);
    strata::cache<int, int, strata::w_tinylfu> adaptive(1000);
    strata::cache<int, int, fixed_w_tinylfu> fixed(1000);
    const double adaptive_rate = replay(adaptive, trace);
    const double fixed_rate = replay(fixed, trace);
    CAPTURE(adaptive_rate);
    CAPTURE(fixed_rate);
    CHECK(adaptive.policy().climbs() >= 20);
    CHECK(fixed.policy().window_max() == 10);
    CHECK(adaptive.policy().window_max() == 1);  // the first step shrank it; shrinking further moves nothing
    CHECK(adaptive.policy().protected_max() == 792 + 9);
    CHECK(adaptive.policy().climb_step() == 0);  // the climb ended at the bound
    CHECK(adaptive_rate >= fixed_rate - 0.001);  // and lost nothing by it
}

// After the climb has ended (frequency-heavy phase), a scan of fresh keys lasting about two
// samples is an excursion: ignored. A recency-heavy phase that lasts is a new workload: the climb
// restarts, away from the bound, and the window grows again.
TEST_CASE("w_tinylfu: a short scan does not restart the climb; a lasting change of workload does") {
    strata::cache<int, int, strata::w_tinylfu> c(1000);
    replay(c, skewed_trace(300'000, 10'000, 3));
    REQUIRE(c.policy().window_max() == 1);
    REQUIRE(c.policy().climb_step() == 0);
    const std::size_t climbs = c.policy().climbs();
    std::vector<int> excursion = scan_trace(20'000, 5'000'000);  // all misses: the sampled hit rate drops to 0
    const std::vector<int> after = skewed_trace(20'000, 10'000, 4);
    excursion.insert(excursion.end(), after.begin(), after.end());
    std::size_t largest_window = 0;
    for (std::size_t i = 0; i < excursion.size(); i += 1000) {
        replay(c, std::vector<int>(excursion.begin() + static_cast<std::ptrdiff_t>(i),
                                   excursion.begin() + static_cast<std::ptrdiff_t>(i + 1000)));
        largest_window = std::max(largest_window, c.policy().window_max());
    }
    CHECK(c.policy().climbs() >= climbs + 3);  // the scan's samples were judged...
    CHECK(largest_window == 1);                // ...and ignored (Caffeine's restart would move the window)
    CHECK(c.policy().climb_step() == 0);
    replay(c, recency_trace(200'000, 300, 5, 10'000'000));
    CHECK(c.policy().window_max() >= 100);
}

TEST_CASE("w_tinylfu: resize and clear restart the climber from the initial split") {
    strata::cache<int, int, strata::w_tinylfu> c(1000);
    replay(c, recency_trace(200'000, 300, 6, 1'000'000));
    REQUIRE(c.policy().window_max() > 10);
    c.resize(2000);
    CHECK(c.policy().window_max() == 20);
    CHECK(c.policy().protected_max() == 1584);
    CHECK(c.policy().climb_step() < 0);  // the first step shrinks
    replay(c, recency_trace(200'000, 600, 7, 2'000'000));
    REQUIRE(c.policy().window_max() > 20);
    c.clear();
    CHECK(c.policy().window_max() == 20);
    CHECK(c.policy().protected_max() == 1584);
}

TEST_CASE("w_tinylfu: agrees with the brute-force model on random traces") {
    // These traces resize every ~30 operations, and a resize restarts the climber: its samples
    // (80 requests or more) rarely end, so the climber is exercised by the next test case.
    reference::check_agreement_on_random_traces<strata::w_tinylfu, reference::w_tinylfu>();
    reference::check_agreement_on_random_traces<fixed_w_tinylfu, reference::basic_w_tinylfu<strata::w_tinylfu_options{.adaptive_window = false}>>();
}

TEST_CASE("w_tinylfu: the climber agrees with the brute-force model on long traces") {
    std::size_t moves = 0;
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        moves += reference::check_agreement<strata::w_tinylfu, reference::w_tinylfu>(
            {.seed = seed, .capacity = 16, .keys = 48, .operations = 30'000, .resizes = false});
        moves += reference::check_agreement<strata::w_tinylfu, reference::w_tinylfu>(
            {.seed = seed, .capacity = 40, .keys = 120, .max_weight = 9, .operations = 30'000, .resizes = false});
        // Caffeine's restart at once: more restarts, more moves in both directions
        moves += reference::check_agreement<strata::basic_w_tinylfu<strata::w_tinylfu_options{.climb_persistence = 1}>,
                                            reference::basic_w_tinylfu<strata::w_tinylfu_options{.climb_persistence = 1}>>(
            {.seed = seed, .capacity = 16, .keys = 64, .operations = 30'000, .resizes = false});
    }
    CAPTURE(moves);
    CHECK(moves >= 50);
}
