// Conditional writes and what is built on them: the cost of compare_and_put against a plain put
// of the same key, of a store lease's renewal (one heartbeat), and of the fault-injecting and
// retrying decorators when nothing fails (what a test or a runner pays for wrapping a store).
//
//   BM_put<B>              put() overwriting one 64-byte value (one commit per iteration)
//   BM_compare_and_put<B>  compare_and_put() of the same key, expecting the value last written
//                          (always wins: the read, the compare and the write, one commit)
//   BM_lease_renew<B>      store_lease::renew(): the record re-encoded as JSON, then a
//                          compare_and_put against the bytes last written (a clock moving 1 ms
//                          per call, so every renewal writes new bytes)
//   BM_faulty_put          faulty_backend<memory_backend>::put, unarmed, against BM_put<memory>
//   BM_retrying_put        retrying_backend<memory_backend>::put, nothing to retry
//
// B is memory (memory_backend) or sqlite (sqlite_backend on a file, WAL, synchronous NORMAL).
// Timed in real time (a SQLite commit waits on the file system). Before timing, each benchmark
// checks that its write landed (the program aborts with a message otherwise). Scratch files go
// to $STRATA_BENCH_DIR, else the system temp directory, in a folder removed at exit.
#include <strata/storage/lease.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/retry.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/testing/fault_injection.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

/// `prefix` then the decimal `n` (appended: g++ 12 -O3 warns falsely, -Wrestrict, on
/// `"literal" + std::to_string(n)`).
std::string numbered(std::string prefix, long long n) {
    prefix += std::to_string(n);
    return prefix;
}

/// The scratch folder, removed at exit.
struct scratch_dir {
    fs::path path;
    scratch_dir() {
        const char* env = std::getenv("STRATA_BENCH_DIR");
        path = (env != nullptr ? fs::path(env) : fs::temp_directory_path()) /
               numbered("strata-bench-conditional-", ::getpid());
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};
const fs::path& scratch() {
    static scratch_dir dir;
    return dir.path;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "bench_conditional: check failed: %s\n", what);
    std::abort();
}

struct memory_store {
    strata::memory_backend store;
};
struct sqlite_store {
    strata::sqlite_backend store;
    sqlite_store() : store(fresh()) {}
    static fs::path fresh() {
        static int n = 0;
        const auto file = scratch() / (numbered("store-", n++) += ".db");
        fs::remove(file);
        return file;
    }
};

/// A 64-byte value numbered `i` (so each write changes the stored bytes).
std::string value_of(std::uint64_t i) {
    std::string v = std::to_string(i);
    v.resize(64, '.');
    return v;
}

template <class S>
void BM_put(benchmark::State& state) {
    S s;
    std::uint64_t i = 0;
    for (auto _ : state) s.store.put("k", value_of(++i));
    if (s.store.get("k") != value_of(i)) die("put did not land");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <class S>
void BM_compare_and_put(benchmark::State& state) {
    S s;
    std::uint64_t i = 0;
    std::string last = value_of(0);
    s.store.put("k", last);
    for (auto _ : state) {
        std::string next = value_of(++i);
        if (!s.store.compare_and_put("k", std::optional<std::string_view>(last), next)) die("compare_and_put lost");
        last = std::move(next);
    }
    if (s.store.get("k") != last) die("compare_and_put did not land");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <class S>
void BM_lease_renew(benchmark::State& state) {
    S s;
    // A clock that moves 1 ms per call, so each renewal writes new bytes (with the system clock,
    // renewals within one millisecond would write identical records, which SQLite can skip).
    std::int64_t ms = 1'700'000'000'000;
    auto lease = strata::store_lease<decltype(s.store)>::try_acquire(
        s.store, {.ttl = std::chrono::seconds(30), .now_ms = [&ms] { return ++ms; }});
    if (!lease) die("lease not taken");
    for (auto _ : state) lease->renew();
    if (strata::store_lease<decltype(s.store)>::inspect(s.store) != lease->holder()) die("renewal did not land");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_faulty_put(benchmark::State& state) {
    strata::memory_backend inner;
    strata::testing::faulty_backend faulty(inner);
    std::uint64_t i = 0;
    for (auto _ : state) faulty.put("k", value_of(++i));
    if (inner.get("k") != value_of(i) || faulty.writes() != i) die("faulty put did not land");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_retrying_put(benchmark::State& state) {
    strata::memory_backend inner;
    strata::retrying_backend retrying(inner);
    std::uint64_t i = 0;
    for (auto _ : state) retrying.put("k", value_of(++i));
    if (inner.get("k") != value_of(i)) die("retrying put did not land");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK_TEMPLATE(BM_put, memory_store)->UseRealTime();
BENCHMARK_TEMPLATE(BM_compare_and_put, memory_store)->UseRealTime();
BENCHMARK_TEMPLATE(BM_lease_renew, memory_store)->UseRealTime();
BENCHMARK(BM_faulty_put)->UseRealTime();
BENCHMARK(BM_retrying_put)->UseRealTime();
BENCHMARK_TEMPLATE(BM_put, sqlite_store)->UseRealTime();
BENCHMARK_TEMPLATE(BM_compare_and_put, sqlite_store)->UseRealTime();
BENCHMARK_TEMPLATE(BM_lease_renew, sqlite_store)->UseRealTime();
