// Cache eviction: miss ratio per policy on Zipf traces and on a Zipf trace polluted by scans, and
// single-thread hit throughput per policy.
//
//   BM_miss_ratio<P>/trace/cache_pct   replays a trace through a strata::cache<uint64_t, uint64_t, P>
//                                      as a look-aside cache (get; on a miss, put) and reports
//                                      miss_ratio (misses / requests) and requests/s
//   BM_hits<P>                         100,000 entries of 8-byte keys and values, all resident;
//                                      each iteration is one get of a key drawn uniformly (from a
//                                      pre-drawn sequence): hits/s
//
// The traces (built once, on first use, deterministic: fixed seeds, our own sampling):
//   trace 0, 1, 2  Zipf over 100,000 keys with alpha 0.8, 1.0, 1.2; 2,000,000 requests; the
//                  ranks are mapped to keys through a fixed random permutation
//   trace 3        Zipf alpha 1.0 as above, with a scan of 20,000 fresh keys (never requested
//                  again) after every 100,000 requests: 2,400,000 requests, 1/6 of them scans
// cache_pct is the capacity in percent of the 100,000 keys: 1 (1,000 entries) or 10 (10,000).
// Miss ratios cover the whole trace, cold misses included (as libCacheSim reports them).
//
// At exit the program prints the miss ratios it measured as one table, with each policy's
// reduction of LRU's miss ratio in percent (the figures do not depend on timing: they are the
// same on every run and every machine).
#include <strata/cache.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr std::uint32_t key_space = 100'000;
constexpr std::size_t zipf_requests = 2'000'000;
constexpr std::size_t scan_every = 100'000;
constexpr std::uint32_t scan_length = 20'000;
constexpr std::array<double, 3> alphas = {0.8, 1.0, 1.2};
constexpr int scan_trace = 3;

// A uniform double in [0, 1) from 53 random bits (the same on every standard library).
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// `requests` Zipf(alpha) draws over key_space ranks, mapped to keys by a fixed permutation.
std::vector<std::uint32_t> zipf_trace(double alpha, std::size_t requests, std::uint64_t seed) {
    std::vector<double> cdf(key_space);
    double sum = 0;
    for (std::uint32_t r = 0; r < key_space; ++r) {
        sum += 1.0 / std::pow(static_cast<double>(r + 1), alpha);
        cdf[r] = sum;
    }
    for (double& c : cdf) c /= sum;
    std::mt19937_64 rng(seed);
    std::vector<std::uint32_t> permutation(key_space);
    for (std::uint32_t i = 0; i < key_space; ++i) permutation[i] = i;
    for (std::uint32_t i = key_space - 1; i > 0; --i) std::swap(permutation[i], permutation[rng() % (i + 1)]);
    std::vector<std::uint32_t> trace(requests);
    for (auto& key : trace) {
        const auto rank = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), uniform01(rng)) - cdf.begin());
        key = permutation[std::min<std::size_t>(rank, key_space - 1)];
    }
    return trace;
}

std::vector<std::uint32_t> scan_polluted_trace() {
    const std::vector<std::uint32_t> zipf = zipf_trace(1.0, zipf_requests, 4);
    std::vector<std::uint32_t> trace;
    trace.reserve(zipf.size() + zipf.size() / scan_every * scan_length);
    std::uint32_t next_cold = key_space;  // scanned keys: fresh, never seen again
    for (std::size_t i = 0; i < zipf.size(); ++i) {
        trace.push_back(zipf[i]);
        if ((i + 1) % scan_every == 0) {
            for (std::uint32_t j = 0; j < scan_length; ++j) trace.push_back(next_cold++);
        }
    }
    return trace;
}

const std::vector<std::uint32_t>& trace(int id) {
    static const std::array<std::vector<std::uint32_t>, 4> traces = [] {
        return std::array<std::vector<std::uint32_t>, 4>{zipf_trace(alphas[0], zipf_requests, 1),
                                                         zipf_trace(alphas[1], zipf_requests, 2),
                                                         zipf_trace(alphas[2], zipf_requests, 3),
                                                         scan_polluted_trace()};
    }();
    return traces.at(static_cast<std::size_t>(id));
}

std::string trace_name(int id) {
    if (id == scan_trace) return "zipf 1.0 + scans";
    char name[32];
    std::snprintf(name, sizeof name, "zipf %.1f", alphas.at(static_cast<std::size_t>(id)));
    return name;
}

template <class P>
const char* policy_name();
template <>
const char* policy_name<strata::lru>() { return "lru"; }
template <>
const char* policy_name<strata::sieve>() { return "sieve"; }
template <>
const char* policy_name<strata::s3_fifo>() { return "s3_fifo"; }
template <>
const char* policy_name<strata::w_tinylfu>() { return "w_tinylfu"; }
constexpr std::array<const char*, 4> policy_order = {"lru", "sieve", "s3_fifo", "w_tinylfu"};

// The miss ratios measured, printed as one table at exit.
struct summary {
    std::mutex mutex;
    std::map<std::pair<int, int>, std::map<std::string, double>> ratios;  // (trace, pct) -> policy -> ratio

    void record(int trace_id, int pct, const char* policy, double ratio) {
        std::lock_guard lock(mutex);
        ratios[{trace_id, pct}][policy] = ratio;
    }
    ~summary() {
        if (ratios.empty()) return;
        std::printf("\nMiss ratios (deterministic; in brackets: reduction of LRU's miss ratio)\n");
        std::printf("%-18s %5s", "trace", "cache");
        for (const char* p : policy_order) std::printf(" %20s", p);
        std::printf("\n");
        for (const auto& [where, by_policy] : ratios) {
            std::printf("%-18s %4d%%", trace_name(where.first).c_str(), where.second);
            const auto lru = by_policy.find("lru");
            for (const char* p : policy_order) {
                const auto it = by_policy.find(p);
                if (it == by_policy.end()) {
                    std::printf(" %20s", "-");
                } else if (lru == by_policy.end() || it == lru) {
                    std::printf(" %20.4f", it->second);
                } else {
                    std::printf("      %.4f (%+6.2f%%)", it->second, 100.0 * (lru->second - it->second) / lru->second);
                }
            }
            std::printf("\n");
        }
        std::fflush(stdout);
    }
};
summary results;

template <class P>
void BM_miss_ratio(benchmark::State& state) {
    const int trace_id = static_cast<int>(state.range(0));
    const int pct = static_cast<int>(state.range(1));
    const std::vector<std::uint32_t>& requests = trace(trace_id);
    const std::size_t capacity = std::size_t{key_space} * static_cast<std::size_t>(pct) / 100;
    std::uint64_t misses = 0;
    for (auto _ : state) {
        strata::cache<std::uint64_t, std::uint64_t, P> cache(capacity);
        for (const std::uint32_t key : requests) {
            if (!cache.find(key)) cache.put(key, key);
        }
        misses = cache.stats().misses;
        benchmark::DoNotOptimize(misses);
    }
    const double ratio = static_cast<double>(misses) / static_cast<double>(requests.size());
    results.record(trace_id, pct, policy_name<P>(), ratio);
    state.counters["miss_ratio"] = ratio;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(requests.size()));
    state.SetLabel(trace_name(trace_id) + ", cache " + std::to_string(pct) + "%");
}

template <class P>
void BM_hits(benchmark::State& state) {
    constexpr std::size_t entries = 100'000;
    constexpr std::size_t sequence = std::size_t{1} << 20;
    std::mt19937_64 rng(42);
    std::vector<std::uint64_t> keys(entries);
    for (auto& k : keys) k = rng();
    strata::cache<std::uint64_t, std::uint64_t, P> cache(entries);
    for (const std::uint64_t k : keys) cache.put(k, k ^ 1);
    std::vector<std::uint64_t> lookups(sequence);
    for (auto& k : lookups) k = keys[rng() % entries];
    // Checked before timing: every key is resident, so every lookup below is a hit.
    for (const std::uint64_t k : keys) {
        if (cache.peek(k) == nullptr || *cache.peek(k) != (k ^ 1)) {
            state.SkipWithError("a key is not resident");
            return;
        }
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto v = cache.get(lookups[i++ & (sequence - 1)]);
        benchmark::DoNotOptimize(v);
    }
    if (cache.stats().misses != 0) state.SkipWithError("a lookup missed");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void miss_ratio_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"trace", "cache_pct"});
    for (int t = 0; t < 4; ++t) {
        for (int pct : {1, 10}) b->Args({t, pct});
    }
    b->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_miss_ratio, strata::lru)->Apply(miss_ratio_args);
BENCHMARK_TEMPLATE(BM_miss_ratio, strata::sieve)->Apply(miss_ratio_args);
BENCHMARK_TEMPLATE(BM_miss_ratio, strata::s3_fifo)->Apply(miss_ratio_args);
BENCHMARK_TEMPLATE(BM_miss_ratio, strata::w_tinylfu)->Apply(miss_ratio_args);

BENCHMARK_TEMPLATE(BM_hits, strata::lru);
BENCHMARK_TEMPLATE(BM_hits, strata::sieve);
BENCHMARK_TEMPLATE(BM_hits, strata::s3_fifo);
BENCHMARK_TEMPLATE(BM_hits, strata::w_tinylfu);
