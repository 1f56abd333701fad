// write_behind: what a put costs the caller through the queue, against the same put made
// directly on the inner backend.
//
//   BM_put<memory>                  memory_backend::put
//   BM_put<write_behind_memory>     write_behind<memory_backend>::put (default options)
//   BM_put<sqlite>                  sqlite_backend::put (synchronous NORMAL: one commit each)
//   BM_put<write_behind_sqlite>     write_behind<sqlite_backend>::put
//
// One put per iteration, 100-byte values, keys cycling over 4,096 ("k/0000".."k/4095"), so a
// queue that the worker cannot keep up with stays bounded (writes to a queued key coalesce).
// Timed in real time (the worker thread's work is not the caller's). After the loop, `flush()`
// drains the queue (not timed; reported as `drain_ms`) and every key is checked against the
// last value put (the program aborts otherwise); `flushes` counts the inner applies.
//
// Scratch files go to $STRATA_BENCH_DIR, else the system temp directory.
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/storage/write_behind.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr std::size_t key_count = 4096;

const std::vector<std::string>& keys() {
    static const std::vector<std::string> k = [] {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < key_count; ++i) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "k/%04zu", i);
            out.emplace_back(buf);
        }
        return out;
    }();
    return k;
}

/// The scratch folder, removed at exit.
struct scratch_folder {
    fs::path path;
    scratch_folder() {
        const char* dir = std::getenv("STRATA_BENCH_DIR");
        path = dir != nullptr ? fs::path(dir) : fs::temp_directory_path();
        path /= "strata-bench-write-behind-" + std::to_string(::getpid());
        fs::create_directories(path);
    }
    ~scratch_folder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

fs::path scratch_file(const char* name) {
    static scratch_folder folder;
    const fs::path file = folder.path / name;
    fs::remove(file);
    fs::remove(fs::path(file.string() + "-wal"));
    fs::remove(fs::path(file.string() + "-shm"));
    return file;
}

struct memory {
    strata::memory_backend b;
    void flush() {}
    std::uint64_t flushes() const { return 0; }
};
struct write_behind_memory {
    strata::write_behind<strata::memory_backend> b;
    void flush() { b.flush(); }
    std::uint64_t flushes() const { return b.stats().flushed_batches; }
};
struct sqlite {
    strata::sqlite_backend b{scratch_file("direct.sqlite")};
    void flush() {}
    std::uint64_t flushes() const { return 0; }
};
struct write_behind_sqlite {
    strata::write_behind<strata::sqlite_backend> b{strata::write_behind_options{}, scratch_file("queued.sqlite")};
    void flush() { b.flush(); }
    std::uint64_t flushes() const { return b.stats().flushed_batches; }
};

template <class Store>
void BM_put(benchmark::State& state) {
    Store s;
    const auto& k = keys();
    std::string value(100, 'v');
    std::size_t i = 0;
    for (auto _ : state) {
        value[i % value.size()] = static_cast<char>('a' + i % 26);
        s.b.put(k[i % key_count], value);
        ++i;
    }
    const auto start = std::chrono::steady_clock::now();
    s.flush();
    const auto drain = std::chrono::steady_clock::now() - start;
    // Check: every key holds the last value put to it (replayed without the store).
    std::string expected(100, 'v');
    std::vector<std::string> last(std::min(i, key_count));
    for (std::size_t j = 0; j < i; ++j) {
        expected[j % expected.size()] = static_cast<char>('a' + j % 26);
        if (j + key_count >= i) last[j % key_count] = expected;
    }
    for (std::size_t j = 0; j < last.size(); ++j) {
        if (s.b.get(k[j]) != last[j]) {
            std::fprintf(stderr, "bench_write_behind: key %s does not hold the last value put\n", k[j].c_str());
            std::abort();
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(i));
    state.counters["drain_ms"] = std::chrono::duration<double, std::milli>(drain).count();
    state.counters["flushes"] = static_cast<double>(s.flushes());
}

BENCHMARK_TEMPLATE(BM_put, memory)->UseRealTime();
BENCHMARK_TEMPLATE(BM_put, write_behind_memory)->UseRealTime();
BENCHMARK_TEMPLATE(BM_put, sqlite)->UseRealTime();
BENCHMARK_TEMPLATE(BM_put, write_behind_sqlite)->UseRealTime();

}  // namespace
