// strata::lru: recency order, and agreement with the brute-force model on random traces.
#include "reference_models.hpp"

#include <strata/cache/cache.hpp>
#include <strata/cache/lru.hpp>

#include <doctest/doctest.h>

#include <vector>

using reference::evicted_by;
using reference::list_keys;
using reference::resident;
using ints = std::vector<int>;

TEST_CASE("lru: the least recently used entry goes first; a hit or an update makes an entry the most recent") {
    strata::cache<int, int, strata::lru> c(3);
    c.put(1, 10);
    c.put(2, 20);
    c.put(3, 30);
    CHECK(list_keys(c, c.policy().order(), 0, 10) == ints{3, 2, 1});
    CHECK(c.get(1) == 10);
    CHECK(list_keys(c, c.policy().order(), 0, 10) == ints{1, 3, 2});
    CHECK(evicted_by(c, 10, [&] { c.put(4, 40); }) == ints{2});
    CHECK(c.put(3, 31));  // an update is a use
    CHECK(list_keys(c, c.policy().order(), 0, 10) == ints{3, 4, 1});
    CHECK(evicted_by(c, 10, [&] { c.put(5, 50); }) == ints{1});
    CHECK(resident(c, 10) == ints{3, 4, 5});
    CHECK(c.get(3) == 31);
    CHECK(c.stats().evictions == 2);
}

TEST_CASE("lru: peek and contains do not refresh an entry") {
    strata::cache<int, int, strata::lru> c(2);
    c.put(1, 1);
    c.put(2, 2);
    CHECK(c.contains(1));
    CHECK(*c.peek(1) == 1);
    CHECK(evicted_by(c, 10, [&] { c.put(3, 3); }) == ints{1});
}

TEST_CASE("lru: an erase unlinks the entry; the order of the others is kept") {
    strata::cache<int, int, strata::lru> c(3);
    for (int k = 1; k <= 3; ++k) c.put(k, k);
    CHECK(c.erase(2));
    c.put(4, 4);
    CHECK(list_keys(c, c.policy().order(), 0, 10) == ints{4, 3, 1});
    CHECK(evicted_by(c, 10, [&] { c.put(5, 5); }) == ints{1});
}

TEST_CASE("lru: agrees with the brute-force model on random traces") {
    reference::check_agreement_on_random_traces<strata::lru, reference::lru>();
}
