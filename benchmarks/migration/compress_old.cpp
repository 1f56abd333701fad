// The migrator's "compress old items" stage (issue 6, item 11) on a SQLite store of the sessions
// corpus: COUNT sessions are imported and migrated as if 31 days ago (the migrator's clock set
// back), then compressed with zstd (level 3) by `compress_old(30 days)`; a program rather than
// a Google Benchmark, since each pass changes the store. Prints the dry run's estimate, the
// pass's time, MB/s of stored bytes rewritten and bytes saved, a second (idle) pass, and the
// time to read every document back before and after compression.
//
//   bench_compress_old STORE.db COUNT [BIG]
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/compression/zstd.hpp>
#include <strata/json/encode.hpp>
#include <strata/migration/migrator.hpp>
#include <strata/storage/sqlite.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

template <class Backend>
using zstd_plan = sessions::basic_session_plan<Backend, strata::zstd_compression>;
using store_migrator = strata::migrator<zstd_plan, strata::sqlite_backend>;

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Reads every document; the bytes of their JSON (a check that both reads agree).
std::uint64_t read_all(store_migrator& m, const std::vector<std::string>& ids, double& seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t bytes = 0;
    for (const auto& id : ids) bytes += strata::json::encode(*m.read(id)).size();
    seconds = since(t0);
    return bytes;
}

void print_pass(const char* what, const strata::compress_result& r) {
    const double mb_in = static_cast<double>(r.stats.bytes_in) / 1e6;
    std::printf("%-12s %6.3f s: %llu values rewritten, %.1f MB -> %.1f MB (saved %.1f MB, %.1f%%), %.0f MB/s; "
                "blobs: %llu rewritten, %llu marked incompressible\n",
                what, r.stats.seconds, static_cast<unsigned long long>(r.stats.documents), mb_in,
                static_cast<double>(r.stats.bytes_out) / 1e6, static_cast<double>(r.bytes_saved()) / 1e6,
                r.stats.bytes_in == 0 ? 0.0 : 100.0 * static_cast<double>(r.bytes_saved()) / static_cast<double>(r.stats.bytes_in),
                r.stats.seconds > 0 ? mb_in / r.stats.seconds : 0.0,
                static_cast<unsigned long long>(r.blobs ? r.blobs->rewritten : 0),
                static_cast<unsigned long long>(r.blobs ? r.blobs->marked : 0));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_compress_old STORE.db COUNT [BIG]\n");
        return 2;
    }
    const char* file = argv[1];
    const std::size_t count = std::strtoull(argv[2], nullptr, 10);
    const std::size_t big = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 2;
    std::remove(file);
    strata::sqlite_backend db(file);
    std::int64_t offset = -31 * day_ms;  // a month ago
    strata::migration_options options;
    options.now_ms = [&] { return strata::system_now_ms() + offset; };
    store_migrator m(db, options);
    std::vector<std::string> ids;
    {
        const auto all = sessions_corpus::generate({.count = count, .seed = 42, .big = big, .v2_share = 0.1});
        for (const auto& d : all) {
            m.import(d.id, d.json);
            ids.push_back(d.id);
        }
    }
    strata::run_options run;
    run.outcomes = strata::keep_outcomes::failures;
    const auto migrated = m.migrate_all(run);
    std::printf("%llu sessions migrated (as 31 days ago), %.1f MB in\n", static_cast<unsigned long long>(migrated.migrated),
                static_cast<double>(migrated.bytes_in) / 1e6);
    offset = 0;  // today

    double read_before = 0;
    const auto bytes_before = read_all(m, ids, read_before);
    print_pass("dry run", m.compress_old(std::chrono::hours(24 * 30), {.dry_run = true}));
    const auto pass = m.compress_old(std::chrono::hours(24 * 30));
    print_pass("compress", pass);
    print_pass("second pass", m.compress_old(std::chrono::hours(24 * 30)));
    double read_after = 0;
    const auto bytes_after = read_all(m, ids, read_after);
    std::printf("read every document: %.3f s uncompressed, %.3f s compressed (%.1f MB of JSON, %s)\n", read_before,
                read_after, static_cast<double>(bytes_before) / 1e6, bytes_before == bytes_after ? "same" : "DIFFERENT");
    return bytes_before == bytes_after && pass.finished ? 0 : 1;
}
