// The background runner: a run to completion with its events; pause and resume; cancel and a
// later run that resumes it; the lease that keeps a second runner off the store; a process
// killed mid-run whose store a new process finishes — no document migrated twice, none skipped.
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/error.hpp>
#include <strata/migration/runner.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::vector<sessions_corpus::document>& corpus() {
    static const auto docs = sessions_corpus::generate({.count = 30, .seed = 11, .big = 0, .v2_share = 0.2});
    return docs;
}

template <class M>
void import_all(M& m) {
    for (const auto& d : corpus()) m.import(d.id, d.json);
}

/// Each document has exactly one "migrated" journal entry.
template <class M>
void check_migrated_once(M& m) {
    std::map<std::string, int> migrated;
    for (const auto& e : m.journal_with_outcome("migrated")) ++migrated[e.document];
    CHECK(migrated.size() == corpus().size());
    for (const auto& [id, n] : migrated) {
        CAPTURE(id);
        CHECK(n == 1);
    }
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (pred()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

/// Starts `runner` once the store's lease is free (a killed holder's expires); whether it did.
template <class Runner>
bool start_when_free(Runner& runner) {
    for (int i = 0; i < 100; ++i) {
        try {
            runner.start();
            return true;
        } catch (const strata::lease_error&) {
            std::this_thread::sleep_for(50ms);
        }
    }
    return false;
}

using memory_migrator = strata::migrator<sessions::session_plan, strata::memory_backend>;

}  // namespace

TEST_CASE("a background run completes, with its events in order") {
    strata::memory_backend db;
    memory_migrator m(db);
    import_all(m);
    std::mutex mutex;
    std::vector<strata::runner_event> events;
    strata::runner_options options;
    options.run.batch_documents = 4;
    options.progress_every = 0ms;
    strata::background_runner runner(m, options, [&](const strata::runner_event& e) {
        std::lock_guard lock(mutex);
        events.push_back(e);
    });
    runner.start();
    const auto& result = runner.wait();
    CHECK(runner.state() == strata::runner_state::completed);
    CHECK(result.migrated == corpus().size());
    CHECK_FALSE(result.cancelled);
    REQUIRE(events.size() >= 3);
    CHECK(events.front().kind == strata::progress_kind::started);
    CHECK(events.front().progress.total == corpus().size());
    CHECK(events.back().kind == strata::progress_kind::completed);
    CHECK(events.back().progress.done == corpus().size());
    CHECK(events.back().progress.percent() == doctest::Approx(100.0));
    CHECK(m.status().at_latest == corpus().size());
    check_migrated_once(m);
    // The lease is released at the end.
    CHECK_FALSE(db.contains(m.keys().lease()));
}

TEST_CASE("pause stops between batches; resume goes on") {
    strata::memory_backend db;
    memory_migrator m(db);
    import_all(m);
    std::atomic<int> paused{0}, resumed{0};
    strata::runner_options options;
    options.run.batch_documents = 2;
    options.delay_between_batches = 20ms;
    strata::background_runner runner(m, options, [&](const strata::runner_event& e) {
        if (e.kind == strata::progress_kind::paused) ++paused;
        if (e.kind == strata::progress_kind::resumed) ++resumed;
    });
    runner.start();
    runner.pause();
    REQUIRE(eventually([&] { return runner.state() == strata::runner_state::paused; }));
    const auto at = db.count(m.keys().catalogue());  // nothing moves while paused
    const auto journal = m.journal_with_outcome("migrated").size();
    std::this_thread::sleep_for(60ms);
    CHECK(m.journal_with_outcome("migrated").size() == journal);
    CHECK(journal < corpus().size());
    runner.resume();
    runner.wait();
    CHECK(runner.state() == strata::runner_state::completed);
    CHECK(paused == 1);
    CHECK(resumed == 1);
    CHECK(at == corpus().size());
    check_migrated_once(m);
}

TEST_CASE("a cancelled run is resumed by the next one") {
    strata::memory_backend db;
    memory_migrator m(db);
    import_all(m);
    strata::runner_options options;
    options.run.batch_documents = 3;
    options.delay_between_batches = 10ms;
    std::string run_id;
    {
        strata::background_runner runner(m, options);
        runner.start();
        REQUIRE(eventually([&] { return !m.journal_with_outcome("migrated").empty(); }));
        runner.cancel();
        const auto& result = runner.wait();
        CHECK(runner.state() == strata::runner_state::cancelled);
        CHECK(result.migrated < corpus().size());
        run_id = result.run;
    }
    const auto status = m.status();
    REQUIRE(status.run_in_progress.has_value());
    CHECK(status.run_in_progress->run == run_id);
    strata::background_runner again(m, options);
    again.start();
    const auto& result = again.wait();
    CHECK(again.state() == strata::runner_state::completed);
    CHECK(result.run == run_id);
    CHECK(result.migrated == corpus().size());
    check_migrated_once(m);
}

TEST_CASE("a second runner cannot take a store that a live runner holds") {
    strata::memory_backend db;
    memory_migrator m(db);
    import_all(m);
    strata::runner_options options;
    options.run.batch_documents = 1;
    options.delay_between_batches = 50ms;
    strata::background_runner first(m, options);
    first.start();
    memory_migrator other(db);
    strata::background_runner second(other, options);
    CHECK_THROWS_AS(second.start(), strata::lease_error);
    first.cancel();
    first.wait();
    // Released: now it can.
    second.start();
    second.wait();
    CHECK(second.state() == strata::runner_state::completed);
}

TEST_CASE("a process killed during a background run: a new process resumes it on SQLite") {
    const fs::path dir = fs::path(STRATA_TEST_WORK_DIR) / "runner-crash";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path file = dir / "store.db";
    {
        strata::sqlite_backend db(file);
        strata::migrator<sessions::session_plan, strata::sqlite_backend> m(db);
        import_all(m);
    }
    strata::runner_options options;
    options.run.batch_documents = 2;
    options.delay_between_batches = 15ms;
    options.lease.ttl = 300ms;
    options.heartbeat = 50ms;
    std::vector<std::size_t> migrated_after_kill;
    // Each child is killed once the store shows it migrated this many (the second child first
    // waits out the first's lease).
    for (std::size_t kill_at : {4u, 14u}) {
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            try {
                strata::sqlite_backend db(file);
                strata::migrator<sessions::session_plan, strata::sqlite_backend> m(db);
                strata::background_runner runner(m, options);
                start_when_free(runner);
                runner.wait();
            } catch (...) {
                std::_Exit(1);
            }
            std::_Exit(0);
        }
        {
            strata::sqlite_backend db(file);
            strata::migrator<sessions::session_plan, strata::sqlite_backend> watcher(db);
            CHECK(eventually([&] { return watcher.journal_with_outcome("migrated").size() >= kill_at; }, 30s));
        }
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFSIGNALED(status));  // killed mid-run, not finished
        strata::sqlite_backend db(file);
        strata::migrator<sessions::session_plan, strata::sqlite_backend> m(db);
        migrated_after_kill.push_back(m.journal_with_outcome("migrated").size());
    }
    // Each child got some way, none got to the end.
    REQUIRE(migrated_after_kill.size() == 2);
    CHECK(migrated_after_kill[0] > 0);
    CHECK(migrated_after_kill[1] > migrated_after_kill[0]);
    CHECK(migrated_after_kill[1] < corpus().size());
    strata::sqlite_backend db(file);
    strata::migrator<sessions::session_plan, strata::sqlite_backend> m(db);
    strata::background_runner runner(m, options);
    REQUIRE(start_when_free(runner));  // the dead process's lease expires after its ttl
    runner.wait();
    CHECK(runner.state() == strata::runner_state::completed);
    CHECK(m.status().at_latest == corpus().size());
    check_migrated_once(m);
    CHECK(m.plan().cas().verify().ok());
}

TEST_CASE("a background run's result lists the outcomes of every batch") {
    strata::memory_backend db;
    memory_migrator m(db);
    import_all(m);
    strata::runner_options options;
    options.run.batch_documents = 4;
    strata::background_runner runner(m, options);
    runner.start();
    const auto& result = runner.wait();
    REQUIRE(result.documents.size() == corpus().size());
    for (std::size_t i = 0; i < corpus().size(); ++i) {
        CHECK(result.documents[i].document == corpus()[i].id);
        CHECK(result.documents[i].outcome == "migrated");
    }
}

namespace {

/// A memory store whose conditional writes (the lease's) fail while `fail_leases` is set.
struct lease_failing_backend : strata::memory_backend {
    std::atomic<bool> fail_leases{false};
    std::atomic<int> lease_failures{0};

    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value) {
        if (fail_leases) {
            ++lease_failures;
            throw strata::storage_error("compare_and_put", std::string(key), "injected: the lease's write fails");
        }
        return memory_backend::compare_and_put(key, expected, value);
    }
    bool compare_and_erase(std::string_view key, std::string_view expected) {
        if (fail_leases) {
            ++lease_failures;
            throw strata::storage_error("compare_and_erase", std::string(key), "injected: the lease's write fails");
        }
        return memory_backend::compare_and_erase(key, expected);
    }
};

}  // namespace

TEST_CASE("a runner whose expired lease another runner took stops after the batch, failed") {
    strata::memory_backend db;
    memory_migrator m(db);
    import_all(m);
    std::atomic<std::int64_t> now{1'700'000'000'000};
    strata::runner_options options;
    options.run.batch_documents = 3;
    options.lease.ttl = 1000ms;
    options.lease.now_ms = [&] { return now.load(); };
    options.heartbeat = 1h;  // no heartbeat during the test: the lease runs out on the fake clock
    std::optional<strata::store_lease<strata::memory_backend>> other;
    strata::background_runner runner(m, options, [&](const strata::runner_event& e) {
        if (e.kind != strata::progress_kind::started) return;
        // Before the first batch: the lease expires, and another runner takes it over.
        now += 5000;
        other = strata::store_lease<strata::memory_backend>::try_acquire(
            db, {.key = m.keys().lease(), .ttl = std::chrono::milliseconds(60000), .owner = "other-runner",
                 .now_ms = [&] { return now.load(); }});
    });
    runner.start();
    const auto& result = runner.wait();
    REQUIRE(other.has_value());
    CHECK(other->taken_over().has_value());
    CHECK(runner.state() == strata::runner_state::failed);
    CHECK_MESSAGE(runner.error_message().find("lease was lost") != std::string::npos, runner.error_message());
    CHECK_MESSAGE(runner.error_message().find("other-runner") != std::string::npos, runner.error_message());
    // It stopped after the batch in flight, and the run stays resumable.
    CHECK(result.migrated == 3);
    CHECK(m.journal_with_outcome("migrated").size() == 3);
    REQUIRE(m.status().run_in_progress.has_value());
    // The new holder's lease is untouched; once it lets go, a runner finishes the run.
    CHECK(strata::store_lease<strata::memory_backend>::inspect(db, m.keys().lease())->owner == "other-runner");
    other.reset();
    strata::runner_options later;
    later.run.batch_documents = 3;
    strata::background_runner again(m, later);
    again.start();
    again.wait();
    CHECK(again.state() == strata::runner_state::completed);
    check_migrated_once(m);
}

TEST_CASE("a runner whose lease's heartbeat fails stops after the batch, failed") {
    lease_failing_backend db;
    strata::migrator<sessions::session_plan, lease_failing_backend> m(db);
    import_all(m);
    strata::runner_options options;
    options.run.batch_documents = 3;
    options.lease.ttl = 10min;
    options.heartbeat = 5ms;
    options.retry.first_delay = 1ms;
    bool heartbeat_failed = false;
    strata::background_runner runner(m, options, [&](const strata::runner_event& e) {
        if (e.kind != strata::progress_kind::started) return;
        // Before the first batch: the store refuses the lease's writes, and a heartbeat fails.
        db.fail_leases = true;
        heartbeat_failed = eventually([&] { return db.lease_failures.load() > 0; });
    });
    runner.start();
    const auto& result = runner.wait();
    CHECK(heartbeat_failed);
    CHECK(runner.state() == strata::runner_state::failed);
    const std::string message = runner.error_message();
    CHECK_MESSAGE(message.find("lease was lost") != std::string::npos, message);
    CHECK_MESSAGE(message.find("heartbeat failed") != std::string::npos, message);
    CHECK_MESSAGE(message.find("injected: the lease's write fails") != std::string::npos, message);
    CHECK(result.migrated == 3);
    CHECK(m.journal_with_outcome("migrated").size() == 3);
    db.fail_leases = false;
}

TEST_CASE("a runner whose heartbeat failed once but whose lease renews goes on") {
    lease_failing_backend db;
    strata::migrator<sessions::session_plan, lease_failing_backend> m(db);
    import_all(m);
    strata::runner_options options;
    options.run.batch_documents = 3;
    options.lease.ttl = 10min;
    options.heartbeat = 5ms;
    bool heartbeat_failed = false;
    strata::background_runner runner(m, options, [&](const strata::runner_event& e) {
        if (e.kind != strata::progress_kind::started) return;
        db.fail_leases = true;
        heartbeat_failed = eventually([&] { return db.lease_failures.load() > 0; });
        db.fail_leases = false;  // the store is back before the check after the batch
    });
    runner.start();
    runner.wait();
    CHECK(heartbeat_failed);
    CHECK(runner.state() == strata::runner_state::completed);
    check_migrated_once(m);
}
