// Storage backends: get, put, paged scan and batch-put throughput per backend, and the SQLite
// backend's batched put against raw SQLite inserting the same rows in one transaction.
//
// Backends (the template argument): memory (memory_backend), filesystem (filesystem_backend,
// durable: fsync per file), sqlite_normal and sqlite_full (sqlite_backend with synchronous
// NORMAL / FULL). The argument is the value size: 1024 bytes, or 20480 (a sessions document is
// ~20 KB). Keys are "doc/000000".."doc/000999" (10 bytes). Each data set has `rows` rows: 1000,
// but 100 for the filesystem backend, whose every put costs two fsyncs (per-item rates are
// comparable, absolute scan sizes are not).
//
//   BM_get             get() of every key in a fixed shuffled order (one key per iteration)
//   BM_put             put() overwriting the keys in turn (one put, one commit per iteration),
//                      in a store first filled with one batch (so a SQLite WAL is already grown)
//   BM_scan            for_each_entry over the whole "doc/" prefix, 256 entries per scan page
//   BM_batch_put       apply() of one write_batch holding every row, into a fresh, empty store
//                      (store created and destroyed with the timer paused)
//   BM_raw_sqlite_batch_put
//                      the baseline: the same rows inserted with the plain sqlite3 API into a
//                      fresh file with the same table, the same pragmas (WAL, synchronous,
//                      busy_timeout) and one prepared INSERT, in one BEGIN IMMEDIATE … COMMIT
//
// Counters: items_per_second (rows), bytes_per_second (VALUE bytes). The writing benchmarks
// (BM_put, BM_batch_put, BM_raw_sqlite_batch_put) are timed in real time, since their cost is
// mostly waiting for the disk (fsync, the WAL checkpoint), which CPU time does not see; the
// reading ones in CPU time (their data sits in the OS page cache). Before timing, each
// benchmark checks its store against the reference rows (every value read back equal, a scan
// returning every row in order, a batch leaving exactly the rows); the program aborts with a
// message otherwise.
//
// Scratch files go to $STRATA_BENCH_DIR, else the system temp directory (put it on the disk you
// mean to measure), in a folder removed at exit.
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>
#if __has_include(<strata/storage/filesystem.hpp>)
#include <strata/storage/filesystem.hpp>
#define STRATA_BENCH_HAVE_FILESYSTEM 1
#endif

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench_storage: %s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
}

// --- scratch space ------------------------------------------------------------------------

/// The benchmark's scratch folder, removed at exit.
class scratch_root {
public:
    scratch_root() {
        const char* env = std::getenv("STRATA_BENCH_DIR");
        const fs::path base = env != nullptr && *env != '\0' ? fs::path(env) : fs::temp_directory_path();
        path_ = base / ("strata-bench-storage-" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    scratch_root(const scratch_root&) = delete;
    scratch_root& operator=(const scratch_root&) = delete;
    ~scratch_root() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    /// A new, empty directory.
    fs::path fresh() {
        fs::path p = path_ / std::to_string(next_++);
        fs::create_directories(p);
        return p;
    }

private:
    fs::path path_;
    unsigned next_ = 0;
};

scratch_root& scratch() {
    static scratch_root root;
    return root;
}

// --- the reference rows -------------------------------------------------------------------

struct rows {
    std::vector<std::string> keys;    // in key order
    std::vector<std::string> values;  // values[i] belongs to keys[i]
    std::vector<std::size_t> order;   // a fixed shuffle of the indexes, for gets
    std::size_t value_bytes = 0;
};

/// `count` rows with values of `size` pseudo-random bytes (every byte value occurs).
const rows& reference_rows(std::size_t count, std::size_t size) {
    static std::map<std::pair<std::size_t, std::size_t>, rows> cache;
    auto [it, added] = cache.try_emplace({count, size});
    rows& r = it->second;
    if (!added) return r;
    std::mt19937_64 rng(count * 1'000'003 + size);
    for (std::size_t i = 0; i < count; ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "doc/%06zu", i);
        r.keys.emplace_back(key);
        std::string v(size, '\0');
        for (std::size_t j = 0; j < size; j += 8) {
            const std::uint64_t word = rng();
            for (std::size_t b = 0; b < 8 && j + b < size; ++b) v[j + b] = static_cast<char>(word >> (8 * b));
        }
        r.values.push_back(std::move(v));
        r.order.push_back(i);
        r.value_bytes += size;
    }
    std::shuffle(r.order.begin(), r.order.end(), rng);
    return r;
}

strata::write_batch batch_of(const rows& r) {
    strata::write_batch batch;
    for (std::size_t i = 0; i < r.keys.size(); ++i) batch.put(r.keys[i], r.values[i]);
    return batch;
}

// --- the backends -------------------------------------------------------------------------

struct memory {
    using backend = strata::memory_backend;
    static constexpr std::size_t rows = 1000;
    static std::unique_ptr<backend> open(const fs::path&) { return std::make_unique<backend>(); }
};

#ifdef STRATA_BENCH_HAVE_FILESYSTEM
struct filesystem {
    using backend = strata::filesystem_backend;
    static constexpr std::size_t rows = 100;
    static std::unique_ptr<backend> open(const fs::path& dir) { return std::make_unique<backend>(dir / "store"); }
};
#endif

template <strata::sqlite_synchronous Sync>
struct sqlite_kind {
    using backend = strata::sqlite_backend;
    static constexpr std::size_t rows = 1000;
    static constexpr strata::sqlite_synchronous synchronous = Sync;
    static std::unique_ptr<backend> open(const fs::path& dir) {
        return std::make_unique<backend>(dir / "store.db", strata::sqlite_options{.synchronous = Sync});
    }
};
struct sqlite_normal : sqlite_kind<strata::sqlite_synchronous::normal> {};
struct sqlite_full : sqlite_kind<strata::sqlite_synchronous::full> {};

/// A store of kind `Kind` holding the reference rows: made, filled and checked once, then
/// shared by the read benchmarks (and their repetitions).
template <class Kind>
typename Kind::backend& filled_store(std::size_t size) {
    (void)scratch();  // made first, so it is removed only after the stores are closed
    static std::map<std::size_t, std::unique_ptr<typename Kind::backend>> stores;
    auto& store = stores[size];
    if (!store) {
        store = Kind::open(scratch().fresh());
        const rows& r = reference_rows(Kind::rows, size);
        store->apply(batch_of(r));
    }
    return *store;
}

/// Every value reads back equal to the reference, and a paged scan returns every row in order.
template <class B>
void check_store(const B& b, const rows& r, const char* what) {
    for (std::size_t i = 0; i < r.keys.size(); ++i) {
        if (b.get(r.keys[i]) != r.values[i]) fail(std::string(what) + ": get(" + r.keys[i] + ") differs");
    }
    std::size_t n = 0;
    bool in_order = true;
    strata::for_each_entry(b, "doc/", [&](const strata::key_value& e) {
        in_order = in_order && n < r.keys.size() && e.key == r.keys[n] && e.value == r.values[n];
        ++n;
    });
    if (!in_order || n != r.keys.size() || b.count("doc/") != r.keys.size()) {
        fail(std::string(what) + ": the scan does not return the reference rows (" + std::to_string(n) + " of " +
             std::to_string(r.keys.size()) + ")");
    }
}

void set_counters(benchmark::State& state, std::size_t items_per_iteration, std::size_t bytes_per_iteration) {
    const auto it = static_cast<std::int64_t>(state.iterations());
    state.SetItemsProcessed(it * static_cast<std::int64_t>(items_per_iteration));
    state.SetBytesProcessed(it * static_cast<std::int64_t>(bytes_per_iteration));
}

// --- the benchmarks -----------------------------------------------------------------------

template <class Kind>
void BM_get(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const rows& r = reference_rows(Kind::rows, size);
    auto& b = filled_store<Kind>(size);
    check_store(b, r, "get");
    std::size_t i = 0;
    for (auto _ : state) {
        auto v = b.get(r.keys[r.order[i]]);
        benchmark::DoNotOptimize(v);
        if (++i == r.order.size()) i = 0;
    }
    set_counters(state, 1, size);
}

template <class Kind>
void BM_put(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const rows& r = reference_rows(Kind::rows, size);
    auto b = Kind::open(scratch().fresh());
    b->apply(batch_of(r));  // untimed, then checked
    check_store(*b, r, "put");
    std::size_t i = 0;
    for (auto _ : state) {
        b->put(r.keys[r.order[i]], r.values[r.order[i]]);  // the same value again: the store stays the reference
        if (++i == r.order.size()) i = 0;
    }
    set_counters(state, 1, size);
    check_store(*b, r, "put (after)");  // the loop is over: no longer timed
}

template <class Kind>
void BM_scan(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const rows& r = reference_rows(Kind::rows, size);
    auto& b = filled_store<Kind>(size);
    check_store(b, r, "scan");
    for (auto _ : state) {
        std::size_t n = 0;
        strata::for_each_entry(b, "doc/", [&](const strata::key_value& e) {
            benchmark::DoNotOptimize(e.value.data());
            ++n;
        });
        if (n != r.keys.size()) fail("scan: wrong count");
    }
    set_counters(state, r.keys.size(), r.value_bytes);
}

template <class Kind>
void BM_batch_put(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const rows& r = reference_rows(Kind::rows, size);
    const strata::write_batch batch = batch_of(r);
    {
        const fs::path dir = scratch().fresh();
        auto b = Kind::open(dir);
        b->apply(batch);
        check_store(*b, r, "batch put");
        b.reset();
        fs::remove_all(dir);
    }
    for (auto _ : state) {
        state.PauseTiming();
        const fs::path dir = scratch().fresh();
        auto b = Kind::open(dir);
        state.ResumeTiming();
        b->apply(batch);
        state.PauseTiming();
        b.reset();
        fs::remove_all(dir);
        state.ResumeTiming();
    }
    set_counters(state, r.keys.size(), r.value_bytes);
}

// --- the raw SQLite baseline --------------------------------------------------------------

void raw_exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string m = message != nullptr ? message : "?";
        sqlite3_free(message);
        fail(std::string("raw sqlite: ") + sql + ": " + m);
    }
}

/// A fresh file set up as sqlite_backend sets one up, with one prepared plain INSERT.
struct raw_store {
    sqlite3* db = nullptr;
    sqlite3_stmt* insert = nullptr;

    raw_store(const fs::path& file, strata::sqlite_synchronous sync) {
        if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
            fail("raw sqlite: cannot open " + file.string());
        }
        sqlite3_busy_timeout(db, 5000);
        raw_exec(db, "PRAGMA journal_mode = WAL");
        raw_exec(db, sync == strata::sqlite_synchronous::full ? "PRAGMA synchronous = FULL"
                                                              : "PRAGMA synchronous = NORMAL");
        raw_exec(db, "CREATE TABLE kv(key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL)");
        raw_exec(db, "PRAGMA application_id = 1398035009");
        raw_exec(db, "PRAGMA user_version = 1");
        if (sqlite3_prepare_v2(db, "INSERT INTO kv(key, value) VALUES(?1, ?2)", -1, &insert, nullptr) != SQLITE_OK) {
            fail("raw sqlite: prepare");
        }
    }
    raw_store(const raw_store&) = delete;
    raw_store& operator=(const raw_store&) = delete;
    ~raw_store() {
        sqlite3_finalize(insert);
        sqlite3_close(db);
    }

    /// The timed part: every row in one transaction.
    void insert_all(const rows& r) {
        raw_exec(db, "BEGIN IMMEDIATE");
        for (std::size_t i = 0; i < r.keys.size(); ++i) {
            sqlite3_bind_blob64(insert, 1, r.keys[i].data(), r.keys[i].size(), SQLITE_STATIC);
            sqlite3_bind_blob64(insert, 2, r.values[i].data(), r.values[i].size(), SQLITE_STATIC);
            if (sqlite3_step(insert) != SQLITE_DONE) fail(std::string("raw sqlite: insert: ") + sqlite3_errmsg(db));
            sqlite3_reset(insert);
        }
        raw_exec(db, "COMMIT");
    }
};

template <class Kind>
void BM_raw_sqlite_batch_put(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const rows& r = reference_rows(Kind::rows, size);
    {
        // Check: the file the raw inserts leave is a strata store holding the reference rows.
        const fs::path dir = scratch().fresh();
        {
            raw_store raw(dir / "store.db", Kind::synchronous);
            raw.insert_all(r);
        }
        check_store(strata::sqlite_backend(dir / "store.db"), r, "raw sqlite batch put");
        fs::remove_all(dir);
    }
    for (auto _ : state) {
        state.PauseTiming();
        const fs::path dir = scratch().fresh();
        auto raw = std::make_unique<raw_store>(dir / "store.db", Kind::synchronous);
        state.ResumeTiming();
        raw->insert_all(r);
        state.PauseTiming();
        raw.reset();
        fs::remove_all(dir);
        state.ResumeTiming();
    }
    set_counters(state, r.keys.size(), r.value_bytes);
}

}  // namespace

// clang-format off
#define STRATA_STORAGE_BENCHMARKS(kind)                                                            \
    BENCHMARK_TEMPLATE(BM_get, kind)->Arg(1024)->Arg(20480)->Unit(benchmark::kMicrosecond);        \
    BENCHMARK_TEMPLATE(BM_put, kind)->Arg(1024)->Arg(20480)->Unit(benchmark::kMicrosecond)         \
        ->UseRealTime();                                                                           \
    BENCHMARK_TEMPLATE(BM_scan, kind)->Arg(1024)->Arg(20480)->Unit(benchmark::kMicrosecond);       \
    BENCHMARK_TEMPLATE(BM_batch_put, kind)->Arg(1024)->Arg(20480)->Unit(benchmark::kMillisecond)   \
        ->UseRealTime()

STRATA_STORAGE_BENCHMARKS(memory);
#ifdef STRATA_BENCH_HAVE_FILESYSTEM
STRATA_STORAGE_BENCHMARKS(filesystem);
#endif
STRATA_STORAGE_BENCHMARKS(sqlite_normal);
STRATA_STORAGE_BENCHMARKS(sqlite_full);
BENCHMARK_TEMPLATE(BM_raw_sqlite_batch_put, sqlite_normal)->Arg(1024)->Arg(20480)->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_raw_sqlite_batch_put, sqlite_full)->Arg(1024)->Arg(20480)->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// clang-format on
