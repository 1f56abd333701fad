// strata::cached: a backend (the conformance suite, run with small caches so that evictions
// happen), reads served from the cache, invalidation on put/erase/apply (a read after a write
// never returns stale data, even with readers running), errors from the backend, statistics.
#include <strata/cache/cached.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/s3_fifo.hpp>
#include <strata/cache/sieve.hpp>
#include <strata/cache/w_tinylfu.hpp>
#include <strata/error.hpp>
#include <strata/storage/memory.hpp>

// g++ 12 at -O3 warns falsely (-Wrestrict, GCC bug 105329) inside std::string::insert as the
// suite's paging case inlines it for these types.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <strata/testing/backend_conformance.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// A memory backend that counts reads and fails writes on demand.
class flaky_backend {
public:
    std::optional<std::string> get(std::string_view key) const {
        gets.fetch_add(1);
        return inner_.get(key);
    }
    void put(std::string_view key, std::string_view value) {
        if (fail_after_write) {
            inner_.put(key, value);  // e.g. the data reached the disk but the fsync failed
            throw strata::storage_error("put", std::string(key), "injected failure");
        }
        if (fail) throw strata::storage_error("put", std::string(key), "injected failure");
        inner_.put(key, value);
    }
    bool erase(std::string_view key) {
        if (fail) throw strata::storage_error("erase", std::string(key), "injected failure");
        return inner_.erase(key);
    }
    bool contains(std::string_view key) const { return inner_.contains(key); }
    std::vector<strata::key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                        std::size_t limit) const {
        return inner_.scan(prefix, after, limit);
    }
    std::size_t count(std::string_view prefix) const { return inner_.count(prefix); }
    void apply(const strata::write_batch& batch) {
        if (fail) throw strata::storage_error("apply batch", "", "injected failure");
        inner_.apply(batch);
    }

    mutable std::atomic<int> gets{0};
    bool fail = false;
    bool fail_after_write = false;

private:
    strata::memory_backend inner_;
};

// "k" + std::to_string(i), written so that g++ 12 -O3 does not warn (-Wrestrict, a false positive).
std::string key(int i) {
    std::string k = "k";
    k += std::to_string(i);
    return k;
}

using cached_memory = strata::cached<strata::memory_backend>;  // w_tinylfu, byte_sizer
using cached_flaky = strata::cached<flaky_backend, strata::lru>;

static_assert(strata::check_backend<cached_memory>());
static_assert(strata::check_backend<cached_flaky>());

}  // namespace

// The conformance suite, once per policy, each with a cache of 1 KiB: small enough that the
// suite's data keeps evicting, so every path (hit, miss and fill, eviction, invalidation) runs.
namespace {
using conformance_lru = strata::cached<strata::memory_backend, strata::lru>;
using conformance_sieve = strata::cached<strata::memory_backend, strata::sieve>;
using conformance_s3_fifo = strata::cached<strata::memory_backend, strata::s3_fifo>;
using conformance_w_tinylfu = strata::cached<strata::memory_backend, strata::w_tinylfu>;
}  // namespace
template <class E>
struct strata::testing::backend_factory<strata::cached<strata::memory_backend, E>> {
    static strata::cached<strata::memory_backend, E> make(const std::filesystem::path&) {
        return strata::cached<strata::memory_backend, E>(1024);
    }
};
STRATA_BACKEND_CONFORMANCE(conformance_lru, conformance_sieve, conformance_s3_fifo, conformance_w_tinylfu);

TEST_CASE("cached: a hit is served from the cache; a miss reads the backend once and fills the cache") {
    cached_flaky c(1 << 20);
    c.put("a", "1");  // "a" was not cached: the put does not add it
    CHECK(c.cache_stats().entries == 0);
    CHECK(c.get("a") == "1");
    CHECK(c.underlying().gets == 1);
    CHECK(c.get("a") == "1");
    CHECK(c.get("a") == "1");
    CHECK(c.underlying().gets == 1);
    const strata::cache_stats s = c.cache_stats();
    CHECK(s.hits == 2);
    CHECK(s.misses == 1);
    CHECK(s.entries == 1);
    CHECK(s.weight == 2);  // bytes of key and value
    CHECK(s.capacity == 1 << 20);
    CHECK(c.contains("a"));
}

TEST_CASE("cached: absent keys are not cached") {
    cached_flaky c(1 << 20);
    CHECK_FALSE(c.get("nope"));
    CHECK_FALSE(c.get("nope"));
    CHECK(c.underlying().gets == 2);
    c.put("nope", "now");
    CHECK(c.get("nope") == "now");
}

TEST_CASE("cached: put replaces a cached value, erase drops it, a batch does both: no read is ever stale") {
    cached_memory c(1 << 20);
    c.put("a", "1");
    c.put("b", "1");
    CHECK(c.get("a") == "1");
    CHECK(c.get("b") == "1");
    c.put("a", "2");
    CHECK(c.get("a") == "2");
    CHECK(c.erase("a"));
    CHECK_FALSE(c.get("a"));
    CHECK_FALSE(c.contains("a"));
    CHECK_FALSE(c.erase("a"));

    strata::write_batch batch;
    batch.put("b", "2");
    batch.put("c", "3");
    batch.erase("b");
    batch.put("b", "4");  // the last operation on b wins
    c.apply(batch);
    CHECK(c.get("b") == "4");
    CHECK(c.get("c") == "3");
    strata::write_batch erase_b;
    erase_b.put("b", "5");
    erase_b.erase("b");
    c.apply(erase_b);
    CHECK_FALSE(c.get("b"));
    CHECK(c.scan("", std::nullopt, strata::no_limit) == std::vector<strata::key_value>{{"c", "3"}});
    CHECK(c.count("") == 1);
}

TEST_CASE("cached: a write refreshes keys that were cached and does not add the others") {
    cached_flaky c(1 << 20);
    c.put("hot", "1");
    CHECK(c.get("hot") == "1");  // now cached
    c.put("hot", "2");
    c.put("cold", "1");
    CHECK(c.cache_stats().entries == 1);
    const int gets = c.underlying().gets;
    CHECK(c.get("hot") == "2");  // from the cache, refreshed
    CHECK(c.underlying().gets == gets);
    strata::write_batch batch;
    batch.put("hot", "3");
    batch.put("other", "x");
    c.apply(batch);
    CHECK(c.get("hot") == "3");
    CHECK(c.underlying().gets == gets);
    CHECK(c.cache_stats().entries == 1);
}

TEST_CASE("cached: when the backend fails, the error propagates and the key is not served from the cache") {
    cached_flaky c(1 << 20);
    c.put("a", "1");
    CHECK(c.get("a") == "1");
    auto& backend = const_cast<flaky_backend&>(c.underlying());

    backend.fail_after_write = true;  // the write happened, the backend still reports an error
    CHECK_THROWS_AS(c.put("a", "2"), strata::storage_error);
    backend.fail_after_write = false;
    CHECK(c.get("a") == "2");  // re-read from the backend: the cached "1" was dropped

    backend.fail = true;
    CHECK_THROWS_AS(c.erase("a"), strata::storage_error);
    strata::write_batch batch;
    batch.put("a", "3");
    CHECK_THROWS_AS(c.apply(batch), strata::storage_error);
    backend.fail = false;
    CHECK(c.get("a") == "2");
    // Fills work again after failed writes (the write was ended by the failure).
    CHECK(c.get("a") == "2");
    CHECK(c.cache_stats().entries == 1);
}

TEST_CASE("cached: resize, clear and the statistics of the cache") {
    cached_memory c(1 << 20);
    for (int i = 0; i < 100; ++i) c.put(key(i), std::string(97, 'v'));  // at most 100 bytes each
    for (int i = 0; i < 100; ++i) CHECK(c.get(key(i)));
    CHECK(c.cache_stats().entries == 100);
    c.resize_cache(1000);
    CHECK(c.cache_stats().weight <= 1000);
    CHECK(c.cache_stats().evictions > 0);
    c.clear_cache();
    CHECK(c.cache_stats().entries == 0);
    CHECK(c.count("k") == 100);  // the backend is untouched
    c.reset_cache_stats();
    CHECK(c.cache_stats().hits == 0);
}

// Readers check that a get never returns a value older than the last write that had returned
// before the get began; the writer bumps one key with puts and two keys together with batches
// (a reader that sees the batch's new value on one key must see it on the other, read after).
TEST_CASE("cached: concurrent readers never see a stale value or half a batch") {
    cached_memory c(4096);
    c.put("x", "0");
    c.put("p", "0");
    c.put("q", "0");
    std::atomic<long> written{0};  // the last value whose write has returned
    std::atomic<bool> done{false};
    std::atomic<int> stale{0};
    std::atomic<int> torn{0};
    std::atomic<long> reads{0};
    auto reader = [&] {
        while (!done.load()) {
            const long floor = written.load();
            const long x = std::stol(c.get("x").value());
            if (x < floor) stale.fetch_add(1);
            const long p = std::stol(c.get("p").value());
            const long q = std::stol(c.get("q").value());  // read after p: at least as new
            if (q < p || p < floor) torn.fetch_add(1);
            reads.fetch_add(1);
        }
    };
    std::vector<std::thread> readers;
    for (int i = 0; i < 3; ++i) readers.emplace_back(reader);
    for (long v = 1; v <= 3000 || reads.load() < 300; ++v) {
        c.put("x", std::to_string(v));
        strata::write_batch batch;
        batch.put("p", std::to_string(v));
        batch.put("q", std::to_string(v));
        c.apply(batch);
        written.store(v);
        if (v > 200000) break;
    }
    done.store(true);
    for (auto& t : readers) t.join();
    CHECK(stale.load() == 0);
    CHECK(torn.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(c.cache_stats().hits > 0);
}
