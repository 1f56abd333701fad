// Whole-run benchmark of the migrator (issue 6, item 13): the sessions corpus of the project's
// own generator, imported into SQLite, then migrated with verification and backups on, in a
// process of its own so that its peak RSS is the migration's.
//
//   bench_migrate prepare STORE.db COUNT [BIG]   generate COUNT sessions (BIG large ones) and import them
//   bench_migrate migrate STORE.db [BATCH] [no-index]
//                                                migrate --all; print documents/s, MB/s of input, peak RSS
//                                                (no-index: skip the search-index stage)
//   bench_migrate sqlite-floor STORE.db          insert every document's bytes again in one
//                                                transaction, raw SQLite: the storage floor
//
// benchmarks/migration/run.sh runs the whole comparison (1,000 and 10,000 documents).
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/migration/migrator.hpp>
#include <strata/storage/sqlite.hpp>

#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using store_migrator = strata::migrator<sessions::session_plan, strata::sqlite_backend>;

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

int prepare(const char* file, std::size_t count, std::size_t big) {
    std::remove(file);
    strata::sqlite_backend db(file);
    store_migrator m(db);
    // (This process holds the whole corpus; the migration runs in a process of its own.)
    std::size_t done = 0;
    std::uint64_t bytes = 0;
    const auto all = sessions_corpus::generate({.count = count, .seed = 42, .big = big, .v2_share = 0.1});
    for (const auto& d : all) {
        m.import(d.id, d.json);
        bytes += d.json.size();
        ++done;
    }
    std::printf("prepared %zu documents, %.1f MB, in %s\n", done, static_cast<double>(bytes) / 1e6, file);
    return 0;
}

int migrate(const char* file, std::size_t batch, bool index) {
    strata::sqlite_backend db(file);
    store_migrator m(db);
    strata::run_options run;
    run.batch_documents = batch;
    run.outcomes = strata::keep_outcomes::failures;
    run.index = index;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = m.migrate_all(run);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("migrated %llu (failed %llu) in %.3f s: %.0f documents/s, %.1f MB/s of input (%.1f MB in, %.1f MB "
                "written), peak RSS %.1f MB\n",
                static_cast<unsigned long long>(r.migrated), static_cast<unsigned long long>(r.failed), s,
                static_cast<double>(r.migrated) / s, static_cast<double>(r.bytes_in) / 1e6 / s,
                static_cast<double>(r.bytes_in) / 1e6, static_cast<double>(r.bytes_out) / 1e6, peak_rss_mb());
    for (const auto& [name, st] : r.stages) {
        std::printf("  stage %-8s %8llu docs %8.3f s%s\n", name.c_str(), static_cast<unsigned long long>(st.documents),
                    st.seconds, st.skipped ? " (skipped)" : "");
    }
    return r.failed == 0 ? 0 : 1;
}

int sqlite_floor(const char* file) {
    // Read every document's bytes, then insert them into a fresh table in one transaction.
    sqlite3* db = nullptr;
    if (sqlite3_open(file, &db) != SQLITE_OK) return 3;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; DROP TABLE IF EXISTS floor; "
                     "CREATE TABLE floor(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID;",
                 nullptr, nullptr, nullptr);
    std::vector<std::pair<std::string, std::string>> rows;
    sqlite3_stmt* read = nullptr;
    sqlite3_prepare_v2(db, "SELECT key, value FROM kv WHERE key >= X'646f632f' AND key < X'646f6330'", -1, &read, nullptr);
    std::uint64_t bytes = 0;
    while (read && sqlite3_step(read) == SQLITE_ROW) {
        rows.emplace_back(std::string(static_cast<const char*>(sqlite3_column_blob(read, 0)), static_cast<std::size_t>(sqlite3_column_bytes(read, 0))),
                          std::string(static_cast<const char*>(sqlite3_column_blob(read, 1)), static_cast<std::size_t>(sqlite3_column_bytes(read, 1))));
        bytes += rows.back().second.size();
    }
    sqlite3_finalize(read);
    const auto t0 = std::chrono::steady_clock::now();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* put = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO floor(k, v) VALUES (?, ?)", -1, &put, nullptr);
    for (const auto& [k, v] : rows) {
        sqlite3_bind_blob(put, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
        sqlite3_bind_blob(put, 2, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        sqlite3_step(put);
        sqlite3_reset(put);
    }
    sqlite3_finalize(put);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("raw SQLite: %zu rows, %.1f MB in one transaction in %.3f s: %.1f MB/s\n", rows.size(),
                static_cast<double>(bytes) / 1e6, s, static_cast<double>(bytes) / 1e6 / s);
    sqlite3_exec(db, "DROP TABLE floor", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "prepare" && argc >= 4) {
        return prepare(argv[2], std::strtoull(argv[3], nullptr, 10), argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 2);
    }
    if (mode == "migrate" && argc >= 3) {
        return migrate(argv[2], argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 64,
                       !(argc > 4 && std::string(argv[4]) == "no-index"));
    }
    if (mode == "sqlite-floor" && argc >= 3) return sqlite_floor(argv[2]);
    std::fprintf(stderr, "usage: bench_migrate prepare STORE.db COUNT [BIG] | migrate STORE.db [BATCH] [no-index] | "
                         "sqlite-floor STORE.db\n");
    return 2;
}
