// strata::s3_fifo: the small and main queues, the ghost queue, main's reinsertion, on traces
// whose outcomes are derived by hand from the SOSP'23 paper's algorithm (libCacheSim S3FIFOv0);
// agreement with the brute-force model on random traces.
#include "reference_models.hpp"

#include <strata/cache/cache.hpp>
#include <strata/cache/s3_fifo.hpp>

#include <doctest/doctest.h>

#include <vector>

using reference::evicted_by;
using reference::list_keys;
using reference::resident;
using ints = std::vector<int>;
using s3_cache = strata::cache<int, int, strata::s3_fifo>;
using queue = strata::s3_fifo::queue;

namespace {
// Capacity 10: S holds 1 (10%), M 9, the ghost 9 entries.
constexpr int universe = 200;
queue queue_of(const s3_cache& c, int key) { return c.policy().queue_of(c.slot_of(key)); }
unsigned freq(const s3_cache& c, int key) { return c.policy().frequency(c.slot_of(key)); }
bool in_ghost(const s3_cache& c, int key) { return c.policy().in_ghost(c.hash_function()(key)); }
ints main_queue(const s3_cache& c) { return list_keys(c, c.policy().queues(), queue::main, universe); }
}  // namespace

TEST_CASE("s3_fifo: one-hit wonders leave through the small queue into the ghost, never touching main") {
    s3_cache c(10);
    for (int k = 1; k <= 10; ++k) c.put(k, k);
    for (int k = 1; k <= 10; ++k) CHECK(queue_of(c, k) == queue::small);
    for (int k = 11; k <= 15; ++k) {
        CHECK(evicted_by(c, universe, [&] { c.put(k, k); }) == ints{k - 10});  // S's tail, in FIFO order
    }
    CHECK(c.policy().weight(queue::main) == 0);
    for (int k = 1; k <= 5; ++k) CHECK(in_ghost(c, k));
    CHECK_FALSE(in_ghost(c, 6));
    CHECK(c.policy().ghost_size() == 5);
}

TEST_CASE("s3_fifo: an entry hit more than once in S moves to M, frequency cleared; hit once, it goes to the ghost") {
    s3_cache c(10);
    for (int k = 1; k <= 10; ++k) c.put(k, k);
    CHECK(c.get(1) == 1);
    CHECK(c.get(1) == 1);
    CHECK(c.get(2) == 2);
    CHECK(freq(c, 1) == 2);
    CHECK(freq(c, 2) == 1);
    // S's tail is 1 (freq 2): to M; then 2 (freq 1): evicted into the ghost.
    CHECK(evicted_by(c, universe, [&] { c.put(11, 11); }) == ints{2});
    CHECK(queue_of(c, 1) == queue::main);
    CHECK(freq(c, 1) == 0);
    CHECK(in_ghost(c, 2));
    CHECK_FALSE(in_ghost(c, 1));

    SUBCASE("a ghost hit inserts into M and leaves the ghost") {
        CHECK(evicted_by(c, universe, [&] { c.put(2, 22); }) == ints{3});  // room made from S's tail
        CHECK(queue_of(c, 2) == queue::main);
        CHECK(freq(c, 2) == 0);
        CHECK_FALSE(in_ghost(c, 2));
        CHECK(in_ghost(c, 3));
        CHECK(main_queue(c) == ints{2, 1});
        CHECK(c.get(2) == 22);
    }
}

// Capacity 10. Fill S with 1..10, each hit twice. put 11: S's tail moves to M one by one (all
// have freq 2) until S is empty; then M's tail, 1, has freq 0 (cleared on the move): evicted.
// put 12: M is within its share (9), so S's tail 11 (freq 0) goes to the ghost. 12 is hit twice.
// Hits: 2 once, 3 twice. put 13: 12 moves to M (M now 10 > 9); S is empty, so M evicts: its tail
// 2 (freq 1) is reinserted at the head with freq 0, then 3 (freq 2) with freq 1, then 4 (freq 0)
// is evicted. M, head first: 3 2 12 10 9 8 7 6 5.
TEST_CASE("s3_fifo: main reinserts entries with frequency above 0, one less each time, and evicts the first at 0") {
    s3_cache c(10);
    for (int k = 1; k <= 10; ++k) c.put(k, k);
    for (int k = 1; k <= 10; ++k) {
        CHECK(c.get(k) == k);
        CHECK(c.get(k) == k);
    }
    CHECK(evicted_by(c, universe, [&] { c.put(11, 11); }) == ints{1});
    CHECK(main_queue(c) == ints{10, 9, 8, 7, 6, 5, 4, 3, 2});
    CHECK(queue_of(c, 11) == queue::small);

    CHECK(evicted_by(c, universe, [&] { c.put(12, 12); }) == ints{11});
    CHECK(in_ghost(c, 11));
    CHECK(c.get(12) == 12);
    CHECK(c.get(12) == 12);
    CHECK(c.get(2) == 2);
    CHECK(c.get(3) == 3);
    CHECK(c.get(3) == 3);

    CHECK(evicted_by(c, universe, [&] { c.put(13, 13); }) == ints{4});
    CHECK(main_queue(c) == ints{3, 2, 12, 10, 9, 8, 7, 6, 5});
    CHECK(freq(c, 3) == 1);
    CHECK(freq(c, 2) == 0);
    CHECK(freq(c, 12) == 0);

    SUBCASE("the frequency is capped at 3") {
        for (int i = 0; i < 5; ++i) CHECK(c.get(3) == 3);
        CHECK(freq(c, 3) == 3);
    }
    SUBCASE("a ghost hit joins M; then a stream of one-hit wonders passes through S only") {
        // put 11 (a ghost): S's tail 13 goes to the ghost; 11 joins M (M: 10, over its share).
        CHECK(evicted_by(c, universe, [&] { c.put(11, 11); }) == ints{13});
        CHECK(queue_of(c, 11) == queue::main);
        CHECK_FALSE(in_ghost(c, 11));
        // The first wonder finds M over its share: M's tail 5 (freq 0) goes. After that M is at its
        // share, and every wonder pushes the previous one out of S into the ghost.
        CHECK(evicted_by(c, universe, [&] { c.put(100, 100); }) == ints{5});
        for (int k = 101; k < 140; ++k) {
            CHECK(evicted_by(c, universe, [&] { c.put(k, k); }) == ints{k - 1});
        }
        CHECK(main_queue(c) == ints{11, 3, 2, 12, 10, 9, 8, 7, 6});
        CHECK(resident(c, universe) == ints{2, 3, 6, 7, 8, 9, 10, 11, 12, 139});
        for (int k = 130; k < 139; ++k) CHECK(in_ghost(c, k));  // the ghost keeps the last 9
        CHECK_FALSE(in_ghost(c, 129));
        CHECK(c.policy().ghost_size() == 9);
        CHECK(c.stats().evictions == 44);
    }
}

TEST_CASE("s3_fifo: queue weights follow inserts, moves, updates and erases") {
    strata::cache<int, std::size_t, strata::s3_fifo, reference::value_sizer> c(100);  // S 10, M 90
    c.put(1, 5);
    c.put(2, 7);
    CHECK(c.policy().weight(queue::small) == 12);
    c.put(2, 3);  // an update: 7 -> 3
    CHECK(c.policy().weight(queue::small) == 8);
    CHECK(c.erase(1));
    CHECK(c.policy().weight(queue::small) == 3);
    CHECK(c.weight() == 3);
}

TEST_CASE("s3_fifo: a resize recomputes the shares and evicts at once") {
    s3_cache c(20);
    for (int k = 0; k < 20; ++k) c.put(k, k);
    c.resize(5);
    CHECK(c.size() == 5);
    CHECK(c.stats().evictions == 15);
    CHECK(c.policy().ghost_weight() <= 4);  // 90% of 5
    CHECK(resident(c, universe) == ints{15, 16, 17, 18, 19});
}

TEST_CASE("s3_fifo: agrees with the brute-force model on random traces") {
    reference::check_agreement_on_random_traces<strata::s3_fifo, reference::s3_fifo>();
}
