// The inverted index (strata::inverted_index) against a linear scan and against SQLite FTS5 over
// the same text, in one binary, on sessions of the corpus's shape.
//
//   BM_rebuild/<backend>            rebuild() of the whole index from the sessions (documents/s)
//   BM_update/<backend>             update() of one session (new text) in an index of them all,
//                                   in a batch of its own: the per-document cost as the store grows
//   BM_query/<engine>/<kind>        the queries of one kind, one after another; counters
//                                   median_us and p99_us are per query (total count + first page
//                                   of 10 hits); engines: index over memory_backend, index over
//                                   sqlite_backend, fts5 (SQLite FTS5, count(*) + ORDER BY rank
//                                   LIMIT 10), scan (a linear scan: tokenize every session's text
//                                   in memory, BM25 not computed: a lower bound for any scan);
//                                   kinds: and1, and2, and3 (1-3 terms ANDed), or2 (2 terms ORed),
//                                   tag_date (a tag and a 30-day start_time range, newest first)
//
// Corpus: STRATA_BENCH_INDEX_SESSIONS sessions (default 100,000) built directly as v3 structs
// (sessions::session_v3) by a light generator with the corpus's shape (examples/sessions/
// corpus.hpp: its 37-word vocabulary, sentence lengths, 0-12 screenshots with an AI analysis,
// 0-20 transcribed audio segments, 70% summaries, 30% audio insights, labels -> tags, start
// times over 300 days of 2025), without attachments (the index never reads them). Indexed: the
// sessions declaration of examples/sessions/search_fields.hpp. Checked before timing: every
// tenth query's total is the same from the index (both backends, which also agree on the
// page) and from FTS5, and the first two of each kind also from the scan.
//
// Scratch files go to $STRATA_BENCH_DIR, else the system temp directory.
#include "sessions/corpus.hpp"
#include "sessions/search_fields.hpp"

#include <strata/index.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sessions::session_v3;
template <class B>
using session_index = sessions::session_index<B>;

constexpr const char* words[] = {
    "focus",    "editor",   "terminal", "compile",  "debugger",  "profiler",  "outline",  "drafting",
    "sketch",   "revise",   "budget",   "invoice",  "contract",  "feedback",  "lecture",  "tutorial",
    "workshop", "webinar",  "dashboard", "analytics", "schema",  "shard",     "replica",  "snapshot",
    "archive",  "upload",   "commit",   "branch",   "merge",     "ticket",    "triage",   "estimate",
    "backlog",  "kickoff",  "prototype", "handoff", "agenda"};
constexpr std::size_t word_count = sizeof words / sizeof words[0];

std::size_t sessions_wanted() {
    if (const char* s = std::getenv("STRATA_BENCH_INDEX_SESSIONS")) return std::strtoull(s, nullptr, 10);
    return 100'000;
}

std::vector<session_v3> make_sessions(std::size_t count) {
    sessions_corpus::prng rng(42);
    auto sentence = [&](std::uint64_t lo, std::uint64_t hi) {
        std::string s;
        for (std::uint64_t n = rng.between(lo, hi); n > 0; --n) {
            if (!s.empty()) s += ' ';
            s += words[rng.below(word_count)];
        }
        return s;
    };
    static constexpr const char* statuses[] = {"active", "paused", "completed", "interrupted"};
    static constexpr const char* labels[] = {"writing", "Team-B", " health", "side project", "ops", "later ", "H2", "OPS", ""};
    std::vector<session_v3> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        session_v3 s;
        char id[32];
        std::snprintf(id, sizeof id, "session-%06zu", i);
        s.id = id;
        s.name = sentence(2, 5);
        s.description = sentence(0, 20);
        s.status = statuses[rng.below(4)];
        const auto start = 1735689600 + static_cast<std::int64_t>(rng.between(0, 300 * 86400));
        s.start_time = sessions_corpus::iso8601(start);
        if (s.status != "active") s.end_time = sessions_corpus::iso8601(start + static_cast<std::int64_t>(rng.between(60, 8 * 3600)));
        std::string label_text;
        for (std::uint64_t n = rng.between(0, 4), k = 0; k < n; ++k) {
            if (k > 0) label_text += ',';
            label_text += labels[rng.below(9)];
        }
        s.tags = sessions_corpus::labels_to_tags(label_text);
        s.folder = "inbox";
        s.screenshots.resize(static_cast<std::size_t>(rng.between(0, 12)));
        for (auto& shot : s.screenshots) shot.ai_analysis = sentence(3, 12);
        s.audio_segments.resize(static_cast<std::size_t>(rng.between(0, 20)));
        for (auto& a : s.audio_segments) a.transcription = sentence(4, 30);
        if (rng.chance(0.7)) s.summary = sessions::narrative_v2{sentence(10, 60), {}};
        if (rng.chance(0.3)) s.audio_insights = sessions::narrative_v2{sentence(5, 30), {}};
        out.push_back(std::move(s));
    }
    return out;
}

// The text FTS5 indexes and the scan reads: every text field, space-separated.
std::string text_of(const session_v3& s) {
    std::string t = s.name + ' ' + s.description;
    for (const auto& shot : s.screenshots) (t += ' ') += shot.ai_analysis;
    for (const auto& a : s.audio_segments) (t += ' ') += a.transcription;
    if (s.summary) (t += ' ') += s.summary->narrative;
    if (s.audio_insights) (t += ' ') += s.audio_insights->narrative;
    return t;
}

enum class kind { and1, and2, and3, or2, tag_date };
constexpr const char* kind_names[] = {"and1", "and2", "and3", "or2", "tag_date"};

std::vector<strata::query> make_queries(kind k, std::size_t n) {
    sessions_corpus::prng rng(1000 + static_cast<std::uint64_t>(k));
    std::vector<strata::query> out;
    static constexpr const char* tags[] = {"ops", "writing", "health", "later", "h2"};
    for (std::size_t i = 0; i < n; ++i) {
        strata::query q;
        q.limit = 10;
        const std::size_t terms = k == kind::and1 ? 1 : k == kind::and3 ? 3 : k == kind::tag_date ? 0 : 2;
        while (q.terms.size() < terms) {
            std::string w = words[rng.below(word_count)];
            if (std::find(q.terms.begin(), q.terms.end(), w) == q.terms.end()) q.terms.push_back(w);
        }
        if (k == kind::or2) q.mode = strata::match_mode::any;
        if (k == kind::tag_date) {
            q.tags.push_back({"", tags[rng.below(5)]});
            q.from = (1735689600 + static_cast<std::int64_t>(rng.between(0, 270)) * 86400) * 1000;
            q.to = *q.from + 30LL * 86'400'000 - 1;
            q.order = strata::result_order::newest;
        }
        out.push_back(q);
    }
    return out;
}

// --- SQLite FTS5 ------------------------------------------------------------------------------------
struct fts5 {
    sqlite3* db = nullptr;
    sqlite3_stmt* count = nullptr;
    sqlite3_stmt* page = nullptr;
    sqlite3_stmt* tag_count = nullptr;
    sqlite3_stmt* tag_page = nullptr;

    void exec(const char* sql) const {
        char* error = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
            std::fprintf(stderr, "fts5: %s: %s\n", sql, error);
            std::abort();
        }
    }
    sqlite3_stmt* prepare(const char* sql) const {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "fts5: %s: %s\n", sql, sqlite3_errmsg(db));
            std::abort();
        }
        return s;
    }
    fts5(const fs::path& file, const std::vector<session_v3>& docs) {
        if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) std::abort();
        exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        exec("CREATE VIRTUAL TABLE fts USING fts5(body, tags, tokenize = 'unicode61 remove_diacritics 0');"
             "CREATE TABLE meta(id INTEGER PRIMARY KEY, name TEXT, start INTEGER);"
             "CREATE INDEX meta_start ON meta(start);");
        exec("BEGIN");
        sqlite3_stmt* put = prepare("INSERT INTO fts(rowid, body, tags) VALUES (?, ?, ?)");
        sqlite3_stmt* put_meta = prepare("INSERT INTO meta(id, name, start) VALUES (?, ?, ?)");
        for (std::size_t i = 0; i < docs.size(); ++i) {
            const std::string body = text_of(docs[i]);
            std::string tags;
            for (const auto& t : docs[i].tags) (tags += tags.empty() ? "" : " ") += '_' + t + '_';
            sqlite3_bind_int64(put, 1, static_cast<sqlite3_int64>(i + 1));
            sqlite3_bind_text(put, 2, body.c_str(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(put, 3, tags.c_str(), static_cast<int>(tags.size()), SQLITE_TRANSIENT);
            if (sqlite3_step(put) != SQLITE_DONE) std::abort();
            sqlite3_reset(put);
            sqlite3_bind_int64(put_meta, 1, static_cast<sqlite3_int64>(i + 1));
            sqlite3_bind_text(put_meta, 2, docs[i].id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(put_meta, 3, strata::parse_iso8601_ms(docs[i].start_time));
            if (sqlite3_step(put_meta) != SQLITE_DONE) std::abort();
            sqlite3_reset(put_meta);
        }
        sqlite3_finalize(put);
        sqlite3_finalize(put_meta);
        exec("COMMIT");
        exec("INSERT INTO fts(fts) VALUES('optimize')");
        count = prepare("SELECT count(*) FROM fts WHERE fts MATCH ?");
        page = prepare("SELECT meta.name FROM fts JOIN meta ON meta.id = fts.rowid WHERE fts MATCH ? ORDER BY rank LIMIT 10");
        tag_count = prepare("SELECT count(*) FROM fts JOIN meta ON meta.id = fts.rowid WHERE fts MATCH ? AND meta.start BETWEEN ? AND ?");
        tag_page = prepare("SELECT meta.name FROM fts JOIN meta ON meta.id = fts.rowid WHERE fts MATCH ? AND meta.start BETWEEN ? AND ? "
                           "ORDER BY meta.start DESC LIMIT 10");
    }
    ~fts5() {
        for (auto* s : {count, page, tag_count, tag_page}) sqlite3_finalize(s);
        sqlite3_close(db);
    }
    fts5(const fts5&) = delete;
    fts5& operator=(const fts5&) = delete;

    static std::string match_of(const strata::query& q) {
        std::string m;
        for (const auto& t : q.terms) {
            if (!m.empty()) m += q.mode == strata::match_mode::any ? " OR " : " AND ";
            m += t;
        }
        for (const auto& t : q.tags) {
            if (!m.empty()) m += " AND ";
            m += "tags:\"_" + t.value + "_\"";
        }
        return m;
    }
    // Total and first page, like the index's search.
    std::size_t search(const strata::query& q, std::vector<std::string>& hits) const {
        const std::string m = match_of(q);
        const bool dated = q.from.has_value();
        sqlite3_stmt* c = dated ? tag_count : count;
        sqlite3_stmt* p = dated ? tag_page : page;
        for (auto* s : {c, p}) {
            sqlite3_bind_text(s, 1, m.c_str(), static_cast<int>(m.size()), SQLITE_TRANSIENT);
            if (dated) {
                sqlite3_bind_int64(s, 2, *q.from);
                sqlite3_bind_int64(s, 3, *q.to);
            }
        }
        if (sqlite3_step(c) != SQLITE_ROW) std::abort();
        const auto total = static_cast<std::size_t>(sqlite3_column_int64(c, 0));
        sqlite3_reset(c);
        hits.clear();
        while (sqlite3_step(p) == SQLITE_ROW) hits.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(p, 0)));
        sqlite3_reset(p);
        return total;
    }
};

// --- the linear scan -----------------------------------------------------------------------------
std::size_t scan_search(const std::vector<session_v3>& docs, const strata::query& q, std::vector<std::string>& hits) {
    std::size_t total = 0;
    hits.clear();
    std::vector<std::string> wanted;
    for (const auto& t : q.terms) wanted.push_back(t);
    std::vector<bool> seen(wanted.size());
    for (const auto& s : docs) {
        bool ok = true;
        for (const auto& t : q.tags) ok = ok && std::find(s.tags.begin(), s.tags.end(), t.value) != s.tags.end();
        if (ok && q.from) {
            const auto start = strata::parse_iso8601_ms(s.start_time);
            ok = start >= *q.from && start <= *q.to;
        }
        if (!ok) continue;
        if (!wanted.empty()) {
            std::fill(seen.begin(), seen.end(), false);
            auto look = [&](const std::string& text) {
                strata::for_each_token(text, [&](std::string_view token) {
                    for (std::size_t i = 0; i < wanted.size(); ++i) {
                        if (token == wanted[i]) seen[i] = true;
                    }
                });
            };
            look(s.name);
            look(s.description);
            for (const auto& shot : s.screenshots) look(shot.ai_analysis);
            for (const auto& a : s.audio_segments) look(a.transcription);
            if (s.summary) look(s.summary->narrative);
            if (s.audio_insights) look(s.audio_insights->narrative);
            const auto n = static_cast<std::size_t>(std::count(seen.begin(), seen.end(), true));
            ok = q.mode == strata::match_mode::all ? n == wanted.size() : n > 0;
        }
        if (!ok) continue;
        if (++total <= 10) hits.push_back(s.id);
    }
    return total;
}

// --- the world, built once ------------------------------------------------------------------------
struct world {
    fs::path dir;
    std::vector<session_v3> docs;
    std::uint64_t text_bytes = 0;
    strata::memory_backend memory;
    std::unique_ptr<strata::sqlite_backend> sqlite;
    std::unique_ptr<session_index<strata::memory_backend>> memory_index;
    std::unique_ptr<session_index<strata::sqlite_backend>> sqlite_index;
    std::unique_ptr<fts5> fts;
    std::vector<std::vector<strata::query>> queries;
    double memory_rebuild_s = 0, sqlite_rebuild_s = 0, fts_build_s = 0;

    world() {
        const char* base = std::getenv("STRATA_BENCH_DIR");
        dir = fs::path(base ? base : fs::temp_directory_path().string()) / ("strata-bench-index-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        docs = make_sessions(sessions_wanted());
        for (const auto& s : docs) {
            text_bytes += text_of(s).size();
            for (const auto& t : s.tags) text_bytes += t.size();
        }
        auto seconds = [](auto start) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
        auto t0 = std::chrono::steady_clock::now();
        memory_index = std::make_unique<session_index<strata::memory_backend>>(memory);
        memory_index->rebuild(docs);
        memory_rebuild_s = seconds(t0);
        sqlite = std::make_unique<strata::sqlite_backend>(dir / "index.db");
        sqlite_index = std::make_unique<session_index<strata::sqlite_backend>>(*sqlite);
        t0 = std::chrono::steady_clock::now();
        sqlite_index->rebuild(docs);
        sqlite_rebuild_s = seconds(t0);
        t0 = std::chrono::steady_clock::now();
        fts = std::make_unique<fts5>(dir / "fts5.db", docs);
        fts_build_s = seconds(t0);
        std::size_t n = docs.size() >= 10'000 ? 200 : 20;
        for (std::size_t k = 0; k < 5; ++k) queries.push_back(make_queries(static_cast<kind>(k), n));
        check();
        const auto s = memory_index->stats();
        std::fprintf(stderr,
                     "index: %zu sessions, %.1f MB of indexed text; index %.1f MB (%.1f%% of the text; postings "
                     "%.1f MB); rebuild %.2f s in memory, %.2f s into SQLite; FTS5 build %.2f s\n",
                     docs.size(), static_cast<double>(text_bytes) / 1e6, static_cast<double>(s.bytes) / 1e6,
                     100.0 * static_cast<double>(s.bytes) / static_cast<double>(text_bytes),
                     static_cast<double>(s.posting_bytes) / 1e6, memory_rebuild_s, sqlite_rebuild_s, fts_build_s);
    }
    ~world() {
        sqlite_index.reset();
        sqlite.reset();
        fts.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    // Every engine agrees on the totals of every tenth query (the scan: of the first two of each kind).
    void check() const {
        std::vector<std::string> hits;
        for (std::size_t k = 0; k < queries.size(); ++k) {
            for (std::size_t i = 0; i < queries[k].size(); i += 10) {  // the scan for the first two only
                const auto& q = queries[k][i];
                const auto a = memory_index->search(q);
                const auto b = sqlite_index->search(q);
                const auto c = fts->search(q, hits);
                const auto d = i < 20 ? scan_search(docs, q, hits) : a.total;
                if (a.total != b.total || a.total != c || a.total != d || a.hits != b.hits) {
                    std::fprintf(stderr, "index: query %s #%zu: totals differ: index %zu, sqlite index %zu, fts5 %zu, scan %zu\n",
                                 kind_names[k], i, a.total, b.total, c, d);
                    std::abort();
                }
            }
        }
    }
};

world& the_world() {
    static world w;
    return w;
}

void report(benchmark::State& state, std::vector<double>& us) {
    std::sort(us.begin(), us.end());
    if (us.empty()) return;
    state.counters["median_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

template <class Fn>
void run_queries(benchmark::State& state, const std::vector<strata::query>& qs, Fn&& fn) {
    std::vector<double> us;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(fn(qs[i++ % qs.size()]));
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    report(state, us);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_query_index_memory(benchmark::State& state) {
    auto& w = the_world();
    run_queries(state, w.queries[static_cast<std::size_t>(state.range(0))], [&](const strata::query& q) { return w.memory_index->search(q).total; });
}
void BM_query_index_sqlite(benchmark::State& state) {
    auto& w = the_world();
    run_queries(state, w.queries[static_cast<std::size_t>(state.range(0))], [&](const strata::query& q) { return w.sqlite_index->search(q).total; });
}
void BM_query_fts5(benchmark::State& state) {
    auto& w = the_world();
    std::vector<std::string> hits;
    run_queries(state, w.queries[static_cast<std::size_t>(state.range(0))], [&](const strata::query& q) { return w.fts->search(q, hits); });
}
void BM_query_scan(benchmark::State& state) {
    auto& w = the_world();
    std::vector<std::string> hits;
    run_queries(state, w.queries[static_cast<std::size_t>(state.range(0))], [&](const strata::query& q) { return scan_search(w.docs, q, hits); });
}

template <class Index>
void update_one(benchmark::State& state, Index& index, const std::vector<session_v3>& docs) {
    sessions_corpus::prng rng(9);
    std::vector<double> us;
    for (auto _ : state) {
        session_v3 s = docs[rng.below(docs.size())];
        s.name = std::string(words[rng.below(word_count)]) + " " + words[rng.below(word_count)] + " renamed";
        const auto t0 = std::chrono::steady_clock::now();
        index.update(s);
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    report(state, us);
}
void BM_update_memory(benchmark::State& state) { update_one(state, *the_world().memory_index, the_world().docs); }
void BM_update_sqlite(benchmark::State& state) { update_one(state, *the_world().sqlite_index, the_world().docs); }

void BM_rebuild_memory(benchmark::State& state) {
    auto& w = the_world();
    for (auto _ : state) {
        strata::memory_backend store;
        session_index<strata::memory_backend> index(store);
        benchmark::DoNotOptimize(index.rebuild(w.docs).documents);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.docs.size()));
    state.counters["index_share_of_text"] = static_cast<double>(w.memory_index->stats().bytes) / static_cast<double>(w.text_bytes);
    state.counters["sqlite_rebuild_s"] = w.sqlite_rebuild_s;
    state.counters["fts5_build_s"] = w.fts_build_s;
}

void kinds(benchmark::internal::Benchmark* b) {
    for (int k = 0; k < 5; ++k) b->Arg(k);
    b->ArgName("kind");
}

}  // namespace

BENCHMARK(BM_rebuild_memory)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_query_index_memory)->Apply(kinds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_query_index_sqlite)->Apply(kinds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_query_fts5)->Apply(kinds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_query_scan)->Apply(kinds)->Iterations(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_update_memory)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_update_sqlite)->Unit(benchmark::kMicrosecond)->UseRealTime();
