// Chunked documents (strata::chunked_store) against the same sessions stored whole ("monolithic":
// the v3 JSON as one value per session), on memory_backend and on sqlite_backend (a file in a
// scratch folder, default options: WAL, synchronous NORMAL).
//
//   BM_scan_metadata<backend>        for_each_metadata over every session of the corpus: the
//                                    metadata only (one paged scan of the "m/" range, decode)
//   BM_load_monolithic<backend>      the listing done the monolithic way: get + json::decode of
//                                    every whole session (what a listing costs without chunks)
//   BM_load_chunked<backend>         load() of every whole session from the chunked store (for
//                                    reference: what reading everything costs in chunks)
//   BM_append_chunked<backend, S>/N  append<"screenshots">() of one screenshot (with the adjust
//                                    callback counting it in stats.screenshotCount) to a session
//                                    of N screenshots stored in chunks of S (16; with
//                                    STRATA_BENCH_CHUNK_SWEEP=1 also 8, 32, 64, 128, 256)
//   BM_append_monolithic<backend>/N  the same append as a read-modify-write of the whole value:
//                                    get, json::decode, push_back, ++stats, json::encode, put
//   BM_load_session_chunked<backend, S>/N, BM_load_session_monolithic<backend>/N
//                                    load() of that one session from chunks of S, and get +
//                                    decode of it whole (the read side of the chunk size choice;
//                                    S = 16, and 64, 256 with STRATA_BENCH_CHUNK_SWEEP=1)
//   BM_last_chunk_extend/n / BM_last_chunk_reencode/n
//                                    how append rewrites a last chunk of n screenshots (15,
//                                    63): extending its JSON text (what chunked_store does) or
//                                    decoding it, push_back, encoding it again
//
// Corpus of the scan and load benchmarks: sessions_corpus (examples/sessions/corpus.hpp) with
// count = 200 and big = 200 (every session "big": 300 to 1,200 screenshots and 400 audio
// segments), upgraded to v3 once at start-up, stored chunked with the sessions layout
// (examples/sessions/chunked_layout.hpp: screenshots and audio segments in chunks of 16) and
// monolithic. STRATA_BENCH_SESSIONS=default uses the default corpus instead (1,000 sessions,
// 2 big), for the small-session case.
//
// Append: the session is the corpus's first without its audio segments, its screenshots cycled to
// N (ids made unique), saved once; every `reset` appends (16, or N/10 when larger) it is saved
// again with the timer paused, so it holds N to N + reset screenshots throughout. Appends are timed
// in real time (their cost is mostly SQLite's commit), the reads in CPU time.
//
// Checked before timing: every session loaded from the chunked store equals (as JSON) the
// monolithic one, the scan lists every session with its screenshot count, each append setup
// loads back as the session plus the appended screenshot; the program aborts otherwise.
//
// Scratch files go to $STRATA_BENCH_DIR, else the system temp directory, in a folder removed at
// exit.
#include "sessions/chunked_layout.hpp"
#include "sessions/corpus.hpp"
#include "sessions/schema.hpp"

#include <strata/chunked.hpp>
#include <strata/dual_read.hpp>
#include <strata/json.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {

using session = sessions::session_v3;

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench_chunked: %s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
}

// --- scratch space and backends -------------------------------------------------------------

class scratch_root {
public:
    scratch_root() {
        const char* env = std::getenv("STRATA_BENCH_DIR");
        const fs::path base =
            env != nullptr && *env != '\0' ? fs::path(env) : fs::temp_directory_path();
        path_ = base / ("strata-bench-chunked-" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    scratch_root(const scratch_root&) = delete;
    scratch_root& operator=(const scratch_root&) = delete;
    ~scratch_root() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    fs::path fresh(const std::string& name) {
        const fs::path p = path_ / (name + "-" + std::to_string(counter_++));
        fs::create_directories(p);
        return p;
    }

private:
    fs::path path_;
    int counter_ = 0;
};

scratch_root& scratch() {
    static scratch_root root;
    return root;
}

struct memory_kind {
    using backend = strata::memory_backend;
    static std::unique_ptr<backend> make() { return std::make_unique<backend>(); }
};
struct sqlite_kind {
    using backend = strata::sqlite_backend;
    static std::unique_ptr<backend> make() {
        return std::make_unique<backend>(scratch().fresh("sqlite") / "store.db");
    }
};

// --- the corpus -------------------------------------------------------------------------------

const std::vector<session>& corpus() {
    static const std::vector<session> upgraded = [] {
        const char* which = std::getenv("STRATA_BENCH_SESSIONS");
        sessions_corpus::options options;
        if (which == nullptr || std::string_view(which) != "default") {
            options.count = 200;
            options.big = 200;
        }
        sessions::memory_content_store blobs;
        sessions::session_chain<sessions::memory_content_store> chain{
            sessions::session_v1_to_v2{},
            sessions::session_v2_to_v3<sessions::memory_content_store>{&blobs}};
        strata::dual_reader reader{chain, sessions::session_version{}};
        std::vector<session> out;
        for (sessions_corpus::generator g(options); !g.done();) {
            const sessions_corpus::document d = g.next();
            out.push_back(reader.read(d.id, d.json));
        }
        std::size_t shots = 0, bytes = 0;
        for (const session& s : out) {
            shots += s.screenshots.size();
            bytes += strata::json::encode(s).size();
        }
        std::fprintf(
            stderr,
            "bench_chunked: corpus of %zu sessions, %zu screenshots, %zu bytes of v3 JSON\n",
            out.size(), shots, bytes);
        return out;
    }();
    return upgraded;
}

// Both stores of the corpus on one backend, filled once.
template <class Kind>
struct corpus_stores {
    std::unique_ptr<typename Kind::backend> backend = Kind::make();
    strata::chunked_store<session, typename Kind::backend> chunked{*backend, "sessions/"};
    std::vector<std::string> ids;

    corpus_stores() {
        strata::write_batch whole;
        for (const session& s : corpus()) {
            chunked.save(s);
            whole.put("whole/" + s.id, strata::json::encode(s));
            ids.push_back(s.id);
        }
        backend->apply(whole);
        // Checked: every session reads back equal both ways.
        for (const session& s : corpus()) {
            const std::string expected = strata::json::encode(s);
            const auto loaded = chunked.load(s.id);
            if (!loaded || strata::json::encode(*loaded) != expected)
                fail("chunked load differs for " + s.id);
            if (backend->get("whole/" + s.id) != expected)
                fail("monolithic value differs for " + s.id);
        }
        std::size_t listed = 0;
        chunked.for_each_metadata([&](const strata::chunked_metadata<session>& m) {
            if (m.length<"screenshots">() != corpus()[listed].screenshots.size())
                fail("scan: wrong length");
            ++listed;
        });
        if (listed != corpus().size()) fail("scan: wrong count");
    }
};

template <class Kind>
corpus_stores<Kind>& stores() {
    static corpus_stores<Kind> s;
    return s;
}

// --- scan and load ------------------------------------------------------------------------

template <class Kind>
void BM_scan_metadata(benchmark::State& state) {
    auto& s = stores<Kind>();
    std::size_t screenshots = 0;
    for (auto _ : state) {
        s.chunked.for_each_metadata([&](const strata::chunked_metadata<session>& m) {
            screenshots += m.length<"screenshots">();
        });
    }
    benchmark::DoNotOptimize(screenshots);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.ids.size()));
}

template <class Kind>
void BM_load_monolithic(benchmark::State& state) {
    auto& s = stores<Kind>();
    strata::json::decoder decoder;
    std::size_t screenshots = 0;
    for (auto _ : state) {
        for (const std::string& id : s.ids) {
            const std::optional<std::string> bytes = s.backend->get("whole/" + id);
            const session doc = decoder.decode<session>(*bytes);
            screenshots += doc.screenshots.size();
        }
    }
    benchmark::DoNotOptimize(screenshots);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.ids.size()));
}

template <class Kind>
void BM_load_chunked(benchmark::State& state) {
    auto& s = stores<Kind>();
    std::size_t screenshots = 0;
    for (auto _ : state) {
        for (const std::string& id : s.ids) screenshots += s.chunked.load(id)->screenshots.size();
    }
    benchmark::DoNotOptimize(screenshots);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.ids.size()));
}

// --- append -------------------------------------------------------------------------------

// session_v3's members under another type, so that one program can lay it out with several
// chunk sizes (a layout is per type). Same JSON as session_v3.
template <std::size_t ChunkSize>
struct sized_session {
    static constexpr unsigned version = 3;
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = sessions::camel;
    BOOST_HANA_DEFINE_STRUCT(sized_session, (std::string, id), (std::string, name),
                             (std::string, description), (std::string, status),
                             (std::string, start_time), (std::optional<std::string>, end_time),
                             (std::vector<std::string>, tags), (std::string, folder),
                             (sessions::config_v2, config),
                             (std::vector<sessions::screenshot_v3>, screenshots),
                             (std::vector<sessions::audio_segment_v2>, audio_segments),
                             (std::vector<sessions::video_chunk_v2>, video_chunks),
                             (std::optional<sessions::narrative_v2>, summary),
                             (std::optional<sessions::narrative_v2>, audio_insights),
                             (sessions::stats_v3, stats), (strata::unknown_fields, extra));
};

}  // namespace

template <std::size_t ChunkSize>
struct strata::chunk_layout<sized_session<ChunkSize>>
    : strata::chunked<"id", ChunkSize, "screenshots", "audio_segments"> {};

namespace {

template <class To, class From>
To copy_members(const From& from) {
    To to;
    strata::for_each_member_index<To>([&](auto i) {
        strata::get_member<decltype(i)::value>(to) = strata::get_member<decltype(i)::value>(from);
    });
    return to;
}

// The corpus's first session with its screenshots cycled to n (unique ids), without its audio
// segments (so that its size is the screenshots').
session session_of(std::size_t n) {
    session s = corpus().front();
    s.audio_segments.clear();
    s.stats.audio_segment_count = 0;
    const std::vector<sessions::screenshot_v3> pool = s.screenshots;
    s.screenshots.clear();
    for (std::size_t i = 0; i < n; ++i) {
        s.screenshots.push_back(pool[i % pool.size()]);
        s.screenshots.back().id = "shot-" + std::to_string(i);
    }
    s.stats.screenshot_count = n;
    return s;
}

std::size_t reset_every(std::size_t n) {
    return std::max<std::size_t>(16, n / 10);
}

template <class Kind, std::size_t ChunkSize>
void BM_append_chunked(benchmark::State& state) {
    using doc = sized_session<ChunkSize>;
    const auto n = static_cast<std::size_t>(state.range(0));
    const doc base = copy_members<doc>(session_of(n));
    const auto extra = corpus().front().screenshots;
    auto backend = Kind::make();
    strata::chunked_store<doc, typename Kind::backend> store(*backend, "sessions/");
    const auto count_it = [](doc& meta) { ++meta.stats.screenshot_count; };

    // Checked: one append reads back as the session plus the screenshot.
    store.save(base);
    store.template append<"screenshots">(base.id, extra[0], count_it);
    doc expected = base;
    expected.screenshots.push_back(extra[0]);
    ++expected.stats.screenshot_count;
    if (strata::json::encode(*store.load(base.id)) != strata::json::encode(expected))
        fail("append differs");
    store.save(base);

    const std::size_t reset = reset_every(n);
    std::size_t since = 0, next = 0;
    for (auto _ : state) {
        store.template append<"screenshots">(base.id, extra[next], count_it);
        next = next + 1 == extra.size() ? 0 : next + 1;
        if (++since == reset) {
            state.PauseTiming();
            store.save(base);
            since = 0;
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <class Kind>
void BM_append_monolithic(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const session base = session_of(n);
    const std::string base_json = strata::json::encode(base);
    const auto extra = corpus().front().screenshots;
    auto backend = Kind::make();
    const std::string key = "whole/" + base.id;
    strata::json::decoder decoder;
    const auto append = [&](const sessions::screenshot_v3& shot) {
        session doc = decoder.decode<session>(*backend->get(key));
        doc.screenshots.push_back(shot);
        ++doc.stats.screenshot_count;
        backend->put(key, strata::json::encode(doc));
    };

    backend->put(key, base_json);
    append(extra[0]);
    session expected = base;
    expected.screenshots.push_back(extra[0]);
    ++expected.stats.screenshot_count;
    if (backend->get(key) != strata::json::encode(expected)) fail("monolithic append differs");
    backend->put(key, base_json);

    const std::size_t reset = reset_every(n);
    std::size_t since = 0, next = 0;
    for (auto _ : state) {
        append(extra[next]);
        next = next + 1 == extra.size() ? 0 : next + 1;
        if (++since == reset) {
            state.PauseTiming();
            backend->put(key, base_json);
            since = 0;
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// Reading one whole session of N screenshots: from chunks of S, and monolithic.
template <class Kind, std::size_t ChunkSize>
void BM_load_session_chunked(benchmark::State& state) {
    using doc = sized_session<ChunkSize>;
    const auto n = static_cast<std::size_t>(state.range(0));
    const doc base = copy_members<doc>(session_of(n));
    auto backend = Kind::make();
    strata::chunked_store<doc, typename Kind::backend> store(*backend, "sessions/");
    store.save(base);
    if (strata::json::encode(*store.load(base.id)) != strata::json::encode(base))
        fail("load differs");
    for (auto _ : state) benchmark::DoNotOptimize(store.load(base.id));
    state.SetItemsProcessed(state.iterations());
}

template <class Kind>
void BM_load_session_monolithic(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const session base = session_of(n);
    auto backend = Kind::make();
    backend->put("whole/" + base.id, strata::json::encode(base));
    strata::json::decoder decoder;
    for (auto _ : state)
        benchmark::DoNotOptimize(decoder.decode<session>(*backend->get("whole/" + base.id)));
    state.SetItemsProcessed(state.iterations());
}

// --- how the last chunk is rewritten ---------------------------------------------------------

// A chunk of n screenshots (n + 1 is appended).
std::vector<sessions::screenshot_v3> chunk_of(std::size_t n) {
    const auto& pool = corpus().front().screenshots;
    return {pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(n)};
}

void BM_last_chunk_extend(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::string chunk = strata::json::encode(chunk_of(n));
    const auto& shot = corpus().front().screenshots[n];
    std::string out;
    for (auto _ : state) {
        out.assign(chunk, 0, chunk.size() - 1);
        out += ',';
        strata::json::encode_to(out, shot);
        out += ']';
        benchmark::DoNotOptimize(out.data());
    }
    if (out != strata::json::encode(chunk_of(n + 1))) fail("extend differs");
}

void BM_last_chunk_reencode(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::string chunk = strata::json::encode(chunk_of(n));
    const auto& shot = corpus().front().screenshots[n];
    strata::json::decoder decoder;
    std::string out;
    for (auto _ : state) {
        auto elements = decoder.decode<std::vector<sessions::screenshot_v3>>(chunk);
        elements.push_back(shot);
        out.clear();
        strata::json::encode_to(out, elements);
        benchmark::DoNotOptimize(out.data());
    }
    if (out != strata::json::encode(chunk_of(n + 1))) fail("reencode differs");
}

const auto sizes = [](benchmark::internal::Benchmark* b) {
    for (int n : {10, 100, 1000, 10000}) b->Arg(n);
    b->UseRealTime()->Unit(benchmark::kMicrosecond);
};

}  // namespace

BENCHMARK_TEMPLATE(BM_scan_metadata, memory_kind)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_load_monolithic, memory_kind)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_load_chunked, memory_kind)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_scan_metadata, sqlite_kind)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_load_monolithic, sqlite_kind)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_load_chunked, sqlite_kind)->Unit(benchmark::kMillisecond);

BENCHMARK_TEMPLATE(BM_append_chunked, sqlite_kind, 16)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_append_monolithic, sqlite_kind)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_append_chunked, memory_kind, 16)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_append_monolithic, memory_kind)->Apply(sizes);

// The chunk size sweep that chose strata::default_chunk_size (16): run with
// STRATA_BENCH_CHUNK_SWEEP=1 (left out by default: it triples the run and the smoke test).
template <class Kind, std::size_t ChunkSize>
void register_sweep(const char* name) {
    benchmark::RegisterBenchmark(
        (std::string("BM_append_chunked<") + name + ", " + std::to_string(ChunkSize) + ">").c_str(),
        BM_append_chunked<Kind, ChunkSize>)
        ->Apply(sizes);
}
template <std::size_t ChunkSize>
void register_load_sweep() {
    benchmark::RegisterBenchmark(
        ("BM_load_session_chunked<sqlite_kind, " + std::to_string(ChunkSize) + ">").c_str(),
        BM_load_session_chunked<sqlite_kind, ChunkSize>)
        ->Arg(1000)
        ->Unit(benchmark::kMicrosecond);
}
const bool sweep_registered = [] {
    const char* sweep = std::getenv("STRATA_BENCH_CHUNK_SWEEP");
    if (sweep == nullptr || std::string_view(sweep) != "1") return false;
    register_sweep<sqlite_kind, 8>("sqlite_kind");
    register_sweep<sqlite_kind, 32>("sqlite_kind");
    register_sweep<sqlite_kind, 64>("sqlite_kind");
    register_sweep<sqlite_kind, 128>("sqlite_kind");
    register_sweep<sqlite_kind, 256>("sqlite_kind");
    register_sweep<memory_kind, 64>("memory_kind");
    register_sweep<memory_kind, 256>("memory_kind");
    register_load_sweep<64>();
    register_load_sweep<256>();
    return true;
}();

BENCHMARK_TEMPLATE(BM_load_session_chunked, sqlite_kind, 16)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_load_session_monolithic, sqlite_kind)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_last_chunk_extend)->Arg(15)->Arg(63);
BENCHMARK(BM_last_chunk_reencode)->Arg(15)->Arg(63);
