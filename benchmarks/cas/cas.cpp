// The content store's put: a stream of attachments of which 60% repeat earlier ones (the issue's
// mix), put with their reference into batches of 64 (one document's worth), on memory and on
// SQLite, hashed with SHA-256 or XXH3-128; against the same bytes put under plain keys with no
// hashing and no deduplication (every copy written).
//
//   BM_cas_put<Backend, Hash>   cas_writer::put + add_ref per attachment, apply per 64
//   BM_plain_put<Backend>       batch.put(key, bytes) per attachment, apply per 64
//
// The stream: 2,000 attachments of 4 KiB to 64 KiB (log-uniform, pseudo-random bytes that do not
// compress), 800 distinct; each of the other 1,200 repeats one of the distinct ones drawn before
// it. Each iteration puts the whole stream into a fresh store (created with the timer paused).
// Counters: items_per_second (attachments put), bytes_per_second (attachment bytes put, the
// duplicates included), and stored_MB (what the store holds at the end).
//
// Scratch files go to $STRATA_BENCH_DIR, else the system temp directory.
#include <strata/cas/cas_store.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/hash/xxh3.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

constexpr std::size_t stream_length = 2000;
constexpr std::size_t distinct = 800;  // 60% of the puts are duplicates
constexpr std::size_t batch_size = 64;

struct stream {
    std::vector<std::string> blobs;     // the distinct contents
    std::vector<std::size_t> order;     // which content each put puts
    std::uint64_t bytes = 0;            // Σ size over the puts
};

const stream& the_stream() {
    static const stream s = [] {
        stream st;
        std::mt19937_64 rng(2026);
        std::uniform_real_distribution<double> log_size(std::log(4096.0), std::log(65536.0));
        for (std::size_t i = 0; i < distinct; ++i) {
            std::string b(static_cast<std::size_t>(std::exp(log_size(rng))), '\0');
            for (auto& c : b) c = static_cast<char>(rng() >> 56);
            st.blobs.push_back(std::move(b));
        }
        // Distinct contents appear in order; duplicates are drawn among those already seen.
        std::vector<bool> is_new(stream_length, false);
        for (std::size_t i = 0; i < distinct; ++i) is_new[i * stream_length / distinct] = true;
        std::size_t seen = 0;
        for (std::size_t i = 0; i < stream_length; ++i) {
            const std::size_t which = is_new[i] ? seen++ : std::uniform_int_distribution<std::size_t>(0, seen - 1)(rng);
            st.order.push_back(which);
            st.bytes += st.blobs[which].size();
        }
        return st;
    }();
    return s;
}

fs::path scratch_root() {
    const char* env = std::getenv("STRATA_BENCH_DIR");
    return fs::path(env ? env : fs::temp_directory_path().string()) /
           ("strata-bench-cas-" + std::to_string(::getpid()));
}

struct memory_store {
    std::unique_ptr<strata::memory_backend> db = std::make_unique<strata::memory_backend>();
};
struct sqlite_store {
    std::unique_ptr<strata::sqlite_backend> db;
    sqlite_store() {
        fs::create_directories(scratch_root());
        const fs::path file = scratch_root() / "cas.db";
        fs::remove(file);
        fs::remove(file.string() + "-wal");
        fs::remove(file.string() + "-shm");
        db = std::make_unique<strata::sqlite_backend>(file);
    }
};

std::uint64_t stored_bytes(const auto& db) {
    std::uint64_t n = 0;
    strata::for_each_entry(db, "", [&](const strata::key_value& e) { n += e.key.size() + e.value.size(); });
    return n;
}

template <class Store, class Hash>
void BM_cas_put(benchmark::State& state) {
    const stream& s = the_stream();
    std::uint64_t stored = 0;
    for (auto _ : state) {
        state.PauseTiming();
        Store store;
        strata::cas_store<std::remove_reference_t<decltype(*store.db)>, Hash> cas(*store.db);
        state.ResumeTiming();
        for (std::size_t start = 0; start < s.order.size(); start += batch_size) {
            strata::write_batch batch;
            auto writer = cas.writer(batch);
            const std::string owner = "doc-" + std::to_string(start / batch_size);
            for (std::size_t i = start; i < start + batch_size && i < s.order.size(); ++i) {
                const auto d = writer.put(s.blobs[s.order[i]]);
                writer.add_ref(d, owner, std::to_string(i));
            }
            store.db->apply(batch);
        }
        state.PauseTiming();
        if (cas.stats().blobs != distinct || cas.stats().references != stream_length) {
            state.SkipWithError("the store does not hold the distinct blobs and every reference");
        }
        stored = stored_bytes(*store.db);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.order.size()));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.bytes));
    state.counters["stored_MB"] = static_cast<double>(stored) / 1e6;
}

template <class Store>
void BM_plain_put(benchmark::State& state) {
    const stream& s = the_stream();
    std::uint64_t stored = 0;
    for (auto _ : state) {
        state.PauseTiming();
        Store store;
        state.ResumeTiming();
        for (std::size_t start = 0; start < s.order.size(); start += batch_size) {
            strata::write_batch batch;
            for (std::size_t i = start; i < start + batch_size && i < s.order.size(); ++i) {
                batch.put("blob/" + std::to_string(i), s.blobs[s.order[i]]);
            }
            store.db->apply(batch);
        }
        state.PauseTiming();
        stored = stored_bytes(*store.db);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.order.size()));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.bytes));
    state.counters["stored_MB"] = static_cast<double>(stored) / 1e6;
}

struct cleanup {
    ~cleanup() {
        std::error_code ec;
        fs::remove_all(scratch_root(), ec);
    }
} const at_exit;

}  // namespace

BENCHMARK(BM_cas_put<memory_store, strata::sha256>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_cas_put<memory_store, strata::xxh3_128>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_plain_put<memory_store>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_cas_put<sqlite_store, strata::sha256>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_cas_put<sqlite_store, strata::xxh3_128>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_plain_put<sqlite_store>)->Unit(benchmark::kMillisecond)->UseRealTime();
