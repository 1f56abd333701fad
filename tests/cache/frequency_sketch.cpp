// strata::frequency_sketch: counts, saturation at 15, aging (halving), sizing.
#include <strata/cache/frequency_sketch.hpp>
#include <strata/cache/hash.hpp>

#include <doctest/doctest.h>

#include <cstdint>

namespace {
std::uint64_t h(int key) { return strata::cache_hash<int>{}(key); }
}  // namespace

TEST_CASE("frequency_sketch: an unsized sketch counts nothing") {
    strata::frequency_sketch s;
    s.increment(h(1));
    CHECK(s.frequency(h(1)) == 0);
    CHECK(s.capacity() == 0);
}

TEST_CASE("frequency_sketch: counts each key, saturating at 15") {
    strata::frequency_sketch s;
    s.ensure_capacity(64);
    CHECK(s.capacity() == 64);
    CHECK(s.sample_size() == 640);
    for (int i = 0; i < 10; ++i) s.increment(h(1));
    for (int i = 0; i < 3; ++i) s.increment(h(2));
    CHECK(s.frequency(h(1)) == 10);
    CHECK(s.frequency(h(2)) == 3);
    CHECK(s.frequency(h(3)) == 0);
    for (int i = 0; i < 20; ++i) s.increment(h(1));
    CHECK(s.frequency(h(1)) == 15);
    CHECK(s.additions() == 18);  // increments of a saturated key do not count toward aging
}

TEST_CASE("frequency_sketch: aging halves every count") {
    strata::frequency_sketch s;
    s.ensure_capacity(64);
    for (int i = 0; i < 10; ++i) s.increment(h(1));
    for (int i = 0; i < 7; ++i) s.increment(h(2));
    s.age();
    CHECK(s.frequency(h(1)) == 5);
    CHECK(s.frequency(h(2)) == 3);
    s.age();
    CHECK(s.frequency(h(1)) == 2);
    CHECK(s.frequency(h(2)) == 1);
}

TEST_CASE("frequency_sketch: ages by itself after sample_size increments") {
    strata::frequency_sketch s;
    s.ensure_capacity(1024);
    for (int i = 0; i < 15; ++i) s.increment(h(1));
    REQUIRE(s.frequency(h(1)) == 15);
    std::size_t before = s.additions();
    int key = 2;
    for (; s.additions() >= before; ++key) {  // until the count toward aging drops: it aged
        before = s.additions();
        s.increment(h(key));
    }
    CHECK(key > 9000);  // about sample_size (10240) increments
    CHECK(s.frequency(h(1)) == 7);  // 15 halved (collisions cannot push a counter past 15)
}

TEST_CASE("frequency_sketch: growing forgets, a smaller size keeps the table") {
    strata::frequency_sketch s;
    s.ensure_capacity(100);
    CHECK(s.capacity() == 128);
    s.increment(h(1));
    s.ensure_capacity(50);
    CHECK(s.capacity() == 128);
    CHECK(s.frequency(h(1)) == 1);
    s.ensure_capacity(129);
    CHECK(s.capacity() == 256);
    CHECK(s.frequency(h(1)) == 0);
    s.increment(h(1));
    s.clear();
    CHECK(s.frequency(h(1)) == 0);
    CHECK(s.capacity() == 256);
}
