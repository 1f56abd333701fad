// Fault injection over whole migration runs (issue 6, item 12): the store fails (throws) at
// every write N of a run, or the process ends at every write N (SQLite and filesystem stores, a
// forked child); after a rerun the store's documents equal a clean run's byte for byte, and no
// backup, blob or journal entry is orphaned or missing. A transient failure is retried by the runner.
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/migration/runner.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/testing/fault_injection.hpp>

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using strata::testing::fault_action;
using strata::testing::faulty_backend;

namespace {

/// The corpus of `count` documents (12 by default; fewer where each write is slow).
const std::vector<sessions_corpus::document>& corpus(std::size_t count = 12) {
    static std::map<std::size_t, std::vector<sessions_corpus::document>> corpora;
    auto it = corpora.find(count);
    if (it == corpora.end()) {
        it = corpora.emplace(count, sessions_corpus::generate({.count = count, .seed = 5, .big = 0, .v2_share = 0.25})).first;
    }
    return it->second;
}

strata::run_options small_batches() {
    strata::run_options run;
    run.batch_documents = 3;
    return run;
}

/// Every document's stored bytes, by id.
template <class M>
std::map<std::string, std::string> export_stored(M& m, std::size_t count = 12) {
    std::map<std::string, std::string> out;
    for (const auto& d : corpus(count)) out[d.id] = m.stored_bytes(d.id).value_or("<missing>");
    return out;
}

/// The documents of a clean run, for comparison.
const std::map<std::string, std::string>& clean_export(std::size_t count = 12) {
    static std::map<std::size_t, std::map<std::string, std::string>> exports;
    auto it = exports.find(count);
    if (it == exports.end()) {
        strata::memory_backend db;
        strata::migrator<sessions::session_plan, strata::memory_backend> m(db);
        for (const auto& d : corpus(count)) m.import(d.id, d.json);
        m.migrate_all(small_batches());
        it = exports.emplace(count, export_stored(m, count)).first;
    }
    return it->second;
}

/// Nothing orphaned, nothing missing: one backup per document, whose bytes are there and
/// match; one "migrated" journal entry per document; the content store whole, every blob
/// referenced, the references those of the documents' screenshots.
template <class M>
void check_consistent(M& m, std::size_t count = 12) {
    const auto& docs = corpus(count);
    const auto backups = m.backups();
    CHECK(backups.size() == docs.size());
    for (const auto& b : backups) {
        CAPTURE(b.document);
        const auto bytes = m.staged().get(b.key);
        REQUIRE(bytes.has_value());
        CHECK(strata::sha256::hash(*bytes).to_string() == b.checksum);
    }
    std::map<std::string, int> migrated;
    for (const auto& e : m.journal_with_outcome("migrated")) ++migrated[e.document];
    CHECK(migrated.size() == docs.size());
    for (const auto& [id, n] : migrated) CHECK(n == 1);
    CHECK(m.plan().cas().verify().ok());
    strata::gc_options gc;
    gc.grace = std::chrono::milliseconds(0);
    gc.dry_run = true;
    CHECK(m.plan().cas().collect_garbage(gc).blobs_removed == 0);
    std::size_t screenshots = 0;
    for (const auto& d : docs) screenshots += m.read(d.id)->screenshots.size();
    CHECK(m.plan().cas().stats().references == screenshots);
    CHECK(m.status().at_latest == docs.size());
    CHECK_FALSE(m.status().run_in_progress.has_value());
}

}  // namespace

TEST_CASE("a store that fails at write N of a run, for every N: the rerun ends as a clean run") {
    // How many writes a whole run makes.
    std::uint64_t run_writes = 0;
    {
        strata::memory_backend inner;
        faulty_backend<strata::memory_backend> store(inner);
        strata::migrator<sessions::session_plan, faulty_backend<strata::memory_backend>> m(store);
        for (const auto& d : corpus()) m.import(d.id, d.json);
        const auto before = store.writes();
        m.migrate_all(small_batches());
        run_writes = store.writes() - before;
    }
    REQUIRE(run_writes >= 5);
    for (std::uint64_t n = 1; n <= run_writes; ++n) {
        CAPTURE(n);
        strata::memory_backend inner;
        faulty_backend<strata::memory_backend> store(inner);
        strata::migrator<sessions::session_plan, faulty_backend<strata::memory_backend>> m(store);
        for (const auto& d : corpus()) m.import(d.id, d.json);
        store.arm({.at_write = store.writes() + n, .action = fault_action::throw_error, .times = 1});
        CHECK_THROWS_AS(m.migrate_all(small_batches()), strata::storage_error);
        store.disarm();
        // A new migrator, as after a restart, finishes the job.
        strata::migrator<sessions::session_plan, faulty_backend<strata::memory_backend>> again(store);
        again.migrate_all(small_batches());
        CHECK(export_stored(again) == clean_export());
        check_consistent(again);
    }
}

namespace {

/// The stores a crashed process leaves behind, reopened by the next: SQLite and the filesystem.
struct sqlite_kind {
    static constexpr const char* name = "sqlite";
    static constexpr std::size_t documents = 12;
    using backend_type = strata::sqlite_backend;
    static backend_type open(const fs::path& dir) { return backend_type(dir / "store.db"); }
};
struct filesystem_kind {
    static constexpr const char* name = "filesystem";
    // Each key is a file, each read an open (~0.1 ms here, far more under load): half the
    // corpus, still two batches.
    static constexpr std::size_t documents = 6;
    using backend_type = strata::filesystem_backend;
    // Without fsync (what an OS crash needs): a process that ends loses nothing all the same.
    static backend_type open(const fs::path& dir) { return backend_type(dir / "store", {.durable = false}); }
};

}  // namespace

TEST_CASE_TEMPLATE("a process that ends at write N of a run, for every N: the rerun ends as a clean run", K, sqlite_kind,
                   filesystem_kind) {
    using B = typename K::backend_type;
    CAPTURE(K::name);
    const fs::path dir = fs::path(STRATA_TEST_WORK_DIR) / (std::string("faults-abort-") + K::name);
    for (fault_action action : {fault_action::abort_before, fault_action::abort_after}) {
        bool finished = false;
        for (std::uint64_t n = 1; !finished && n < 100; ++n) {
            CAPTURE(n);
            CAPTURE(static_cast<int>(action));
            fs::remove_all(dir);
            fs::create_directories(dir);
            {
                B db = K::open(dir);
                strata::migrator<sessions::session_plan, B> m(db);
                for (const auto& d : corpus(K::documents)) m.import(d.id, d.json);
            }
            const pid_t child = fork();
            REQUIRE(child >= 0);
            if (child == 0) {
                try {
                    B db = K::open(dir);
                    faulty_backend<B> store(db, {.at_write = n, .action = action, .times = 1});
                    strata::migrator<sessions::session_plan, faulty_backend<B>> m(store);
                    m.migrate_all(small_batches());
                } catch (...) {
                    std::_Exit(1);
                }
                std::_Exit(0);
            }
            int status = 0;
            ::waitpid(child, &status, 0);
            REQUIRE(WIFEXITED(status));
            const int code = WEXITSTATUS(status);
            REQUIRE((code == 0 || code == strata::testing::fault_exit_status));
            finished = code == 0;  // the run made fewer than n writes: every N was tried
            B db = K::open(dir);  // the filesystem store recovers an interrupted batch on open
            strata::migrator<sessions::session_plan, B> m(db);
            m.migrate_all(small_batches());
            CHECK(export_stored(m, K::documents) == clean_export(K::documents));
            check_consistent(m, K::documents);
        }
        CHECK(finished);
    }
}

TEST_CASE("the runner retries a transient failure and completes") {
    strata::memory_backend inner;
    faulty_backend<strata::memory_backend> store(inner);
    strata::migrator<sessions::session_plan, faulty_backend<strata::memory_backend>> m(store);
    for (const auto& d : corpus()) m.import(d.id, d.json);
    strata::runner_options options;
    options.run = small_batches();
    options.retry.first_delay = std::chrono::milliseconds(1);
    options.retry.jitter = false;
    // Writes 3 and 4 after the start fail (a batch's commit and its first retry).
    store.arm({.at_write = store.writes() + 3, .action = fault_action::throw_transient, .times = 2});
    strata::background_runner runner(m, options);
    runner.start();
    runner.wait();
    CHECK(runner.state() == strata::runner_state::completed);
    CHECK(store.faults() == 2);
    CHECK(export_stored(m) == clean_export());
    check_consistent(m);
}
