// strata::sieve: the visited bit and the hand, on a trace whose evictions are derived by hand
// from the NSDI'24 paper's algorithm; agreement with the brute-force model on random traces.
#include "reference_models.hpp"

#include <strata/cache/cache.hpp>
#include <strata/cache/sieve.hpp>

#include <doctest/doctest.h>

#include <vector>

using reference::evicted_by;
using reference::list_keys;
using reference::resident;
using ints = std::vector<int>;
using sieve_cache = strata::cache<int, int, strata::sieve>;

namespace {
ints queue_of(const sieve_cache& c) { return list_keys(c, c.policy().queue(), 0, 100); }  // head first
int hand_key(const sieve_cache& c) {
    for (int k = 0; k < 100; ++k) {
        if (c.policy().hand() != strata::no_slot && c.slot_of(k) == c.policy().hand()) return k;
    }
    return -1;  // the hand is at the tail ("null" in the paper)
}
bool visited(const sieve_cache& c, int key) { return c.policy().visited(c.slot_of(key)); }
}  // namespace

// The trace, capacity 4 (head on the left, tail on the right; * = visited):
//   put 1 2 3 4          queue 4 3 2 1, hand at the tail
//   get 1, get 2, get 1  queue 4 3 2* 1* (hits set the bit; nothing moves)
//   put 5                hand from the tail: 1* cleared, 2* cleared, 3 evicted; hand -> 4
//                        queue 5 4 2 1
//   get 4, put 6         4* cleared, 5 evicted (5 was the head: the hand goes back to the tail)
//                        queue 6 4 2 1
//   put 7                1 (cleared by the first pass) evicted; hand -> 2; queue 7 6 4 2
//   get 2 6 7 4, put 8   2* 4* 6* 7* cleared, past the head the hand wraps to the tail, 2 evicted;
//                        hand -> 4; queue 8 7 6 4
//   erase 4              the hand moves on to 6; queue 8 7 6
//   put 9                room for it: nothing evicted; queue 9 8 7 6
//   put 10               6 (cleared by the last pass) evicted; hand -> 7
// Evictions: 3, 5, 1, 2, 6.
TEST_CASE("sieve: hits set the visited bit without moving; the hand clears bits, evicts the first unvisited, wraps around") {
    sieve_cache c(4);
    for (int k = 1; k <= 4; ++k) c.put(k, k);
    CHECK(queue_of(c) == ints{4, 3, 2, 1});
    CHECK(hand_key(c) == -1);

    CHECK(c.get(1) == 1);
    CHECK(c.get(2) == 2);
    CHECK(c.get(1) == 1);
    CHECK(queue_of(c) == ints{4, 3, 2, 1});  // a hit does not move an object
    CHECK(visited(c, 1));
    CHECK(visited(c, 2));
    CHECK_FALSE(visited(c, 3));

    CHECK(evicted_by(c, 100, [&] { c.put(5, 5); }) == ints{3});
    CHECK(queue_of(c) == ints{5, 4, 2, 1});
    CHECK(hand_key(c) == 4);
    CHECK_FALSE(visited(c, 1));  // cleared by the hand
    CHECK_FALSE(visited(c, 2));

    CHECK(c.get(4) == 4);
    CHECK(evicted_by(c, 100, [&] { c.put(6, 6); }) == ints{5});
    CHECK(queue_of(c) == ints{6, 4, 2, 1});
    CHECK(hand_key(c) == -1);

    CHECK(evicted_by(c, 100, [&] { c.put(7, 7); }) == ints{1});
    CHECK(queue_of(c) == ints{7, 6, 4, 2});
    CHECK(hand_key(c) == 2);

    for (int k : {2, 6, 7, 4}) CHECK(c.get(k) == k);
    CHECK(evicted_by(c, 100, [&] { c.put(8, 8); }) == ints{2});  // wrapped around to the tail
    CHECK(queue_of(c) == ints{8, 7, 6, 4});
    CHECK(hand_key(c) == 4);
    for (int k : {4, 6, 7}) CHECK_FALSE(visited(c, k));

    CHECK(c.erase(4));
    CHECK(hand_key(c) == 6);
    CHECK(evicted_by(c, 100, [&] { c.put(9, 9); }).empty());
    CHECK(queue_of(c) == ints{9, 8, 7, 6});
    CHECK(evicted_by(c, 100, [&] { c.put(10, 10); }) == ints{6});
    CHECK(hand_key(c) == 7);
    CHECK(resident(c, 100) == ints{7, 8, 9, 10});
    CHECK(c.stats().evictions == 5);
}

TEST_CASE("sieve: a visited entry survives a pass of the hand while new, unvisited ones are sifted out") {
    sieve_cache c(10);
    for (int k = 0; k < 10; ++k) c.put(k, k);
    CHECK(c.get(0) == 0);  // the oldest, but visited
    for (int k = 10; k < 19; ++k) c.put(k, k);  // nine one-hit wonders
    CHECK(c.contains(0));
    CHECK_FALSE(visited(c, 0));  // its bit was cleared by the pass that spared it
    CHECK(c.stats().evictions == 9);
}

TEST_CASE("sieve: an update counts as a visit") {
    sieve_cache c(2);
    c.put(1, 1);
    c.put(2, 2);
    c.put(1, 11);
    CHECK(evicted_by(c, 100, [&] { c.put(3, 3); }) == ints{2});
    CHECK(c.get(1) == 11);
}

TEST_CASE("sieve: agrees with the brute-force model on random traces") {
    reference::check_agreement_on_random_traces<strata::sieve, reference::sieve>();
}
