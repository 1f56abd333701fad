// Transient errors and retry with backoff: which errors are transient (SQLite's SQLITE_BUSY
// under a lock held by another connection), the delays with_retry waits (a fake sleep), what
// it retries and what it rethrows, and retries over faulty_backend's transient faults.
#include "../scratch_dir.hpp"

#include <strata/storage/memory.hpp>
#include <strata/storage/retry.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/testing/backend_conformance.hpp>
#include <strata/testing/fault_injection.hpp>

#include <doctest/doctest.h>

#include "../storage/expect_storage_error.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

namespace {

using strata_test::scratch;

/// Records the delays it is asked to sleep, and sleeps not at all.
struct fake_sleep {
    std::vector<ms>* slept;
    void operator()(ms delay) const { slept->push_back(delay); }
};

/// One logged retry.
struct retry_record {
    unsigned attempt;
    ms delay;
    std::string what;
};

/// A second, raw connection to a store file that takes the write lock and holds it.
class lock_holder {
public:
    explicit lock_holder(const fs::path& file) {
        REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    lock_holder(const lock_holder&) = delete;
    lock_holder& operator=(const lock_holder&) = delete;
    ~lock_holder() {
        unlock();
        sqlite3_close(db_);
    }
    void unlock() {
        if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    }

private:
    sqlite3* db_ = nullptr;
};


/// A retrying_backend over a memory_backend of its own (the inner store is a base: built first).
struct owned_memory {
    strata::memory_backend inner_store;
};
struct retrying_memory : owned_memory, strata::retrying_backend<strata::memory_backend> {
    retrying_memory() : retrying_backend(inner_store) {}
};
static_assert(strata::has_compare_and_put<retrying_memory>);
static_assert(strata::has_compare_and_erase<retrying_memory>);

}  // namespace

TYPE_TO_STRING(retrying_memory);
STRATA_BACKEND_CONFORMANCE(retrying_memory);

TEST_CASE("retrying_backend: every kind of call is retried through transient faults") {
    strata::memory_backend store;
    strata::testing::faulty_backend faulty(store);
    strata::retrying_backend retrying(faulty, {.attempts = 3, .first_delay = 1ms, .jitter = false});
    using strata::testing::fault_action;
    auto flaky_next = [&](std::uint64_t times) {
        faulty.arm({.at_write = faulty.writes() + 1, .action = fault_action::throw_transient, .times = times});
    };
    flaky_next(2);
    retrying.put("a", "1");
    flaky_next(2);
    CHECK(retrying.compare_and_put("a", "1", "2"));
    flaky_next(2);
    strata::write_batch batch;
    batch.put("b", "3");
    retrying.apply(batch);
    flaky_next(2);
    CHECK(retrying.erase("b"));
    CHECK(store.scan("", std::nullopt, strata::no_limit) == std::vector<strata::key_value>{{"a", "2"}});
    CHECK(faulty.faults() == 8);
    flaky_next(3);  // more faults than attempts: the last one reaches the caller
    const auto e = expect_storage_error([&] { retrying.put("c", "4"); });
    CHECK(e.transient());
    CHECK(e.reason() == "injected fault at write 15");
    CHECK_FALSE(store.contains("c"));
}

TEST_CASE("storage_error: permanent unless made transient") {
    const strata::storage_error plain("put", "k", "disk full");
    CHECK_FALSE(plain.transient());
    CHECK(std::string(plain.what()) == "storage: put \"k\": disk full");
    const auto busy = strata::storage_error::transient_failure("put", "k", "locked");
    CHECK(busy.transient());
    CHECK(busy.operation() == "put");
    CHECK(busy.key() == "k");
    CHECK(std::string(busy.what()) == "storage: put \"k\": locked");
    CHECK(strata::storage_error("get", "", "x", true).transient());

    CHECK(strata::is_transient(busy));
    CHECK_FALSE(strata::is_transient(plain));
    CHECK_FALSE(strata::is_transient(std::runtime_error("not a storage error")));
    const strata::error& as_base = busy;  // found through the base class too
    CHECK(strata::is_transient(as_base));
}

TEST_CASE("sqlite_backend: a write under another connection's lock fails as transient, and changes nothing") {
    const auto file = scratch("busy") / "store.db";
    strata::sqlite_backend store(file, {.busy_timeout = 20ms});
    store.put("k", "before");
    {
        lock_holder other(file);
        const auto put = expect_storage_error([&] { store.put("k", "after"); });
        CHECK(put.transient());
        CHECK(put.operation() == "put");
        CHECK(put.key() == "k");
        CHECK(put.reason().find("SQLITE_BUSY") != std::string::npos);

        strata::write_batch batch;
        batch.put("a", "1");
        batch.erase("k");
        const auto apply = expect_storage_error([&] { store.apply(batch); });
        CHECK(apply.transient());
        CHECK(apply.operation() == "apply batch");

        const auto cas = expect_storage_error([&] { (void)store.compare_and_put("k", "before", "after"); });
        CHECK(cas.transient());
        CHECK(cas.operation() == "compare_and_put");
        const auto cae = expect_storage_error([&] { (void)store.compare_and_erase("k", "before"); });
        CHECK(cae.transient());

        // Reads go on meanwhile (WAL), and see nothing of the failed writes.
        CHECK(store.get("k") == "before");
        CHECK_FALSE(store.contains("a"));
    }
    // Once the lock is gone the same calls succeed.
    CHECK(store.compare_and_put("k", "before", "after"));
    CHECK(store.get("k") == "after");
}

TEST_CASE("sqlite_backend: errors that retrying cannot fix are not transient") {
    const auto dir = scratch("permanent");
    {
        std::ofstream(dir / "not-a-db") << "this is not a SQLite database, not even close, it is text";
    }
    const auto open = expect_storage_error([&] { strata::sqlite_backend store(dir / "not-a-db"); });
    CHECK(open.reason().find("SQLITE_NOTADB") != std::string::npos);
    CHECK_FALSE(open.transient());
    CHECK_FALSE(strata::detail::sqlite_transient(SQLITE_FULL));
    CHECK_FALSE(strata::detail::sqlite_transient(SQLITE_IOERR_WRITE));
    CHECK_FALSE(strata::detail::sqlite_transient(SQLITE_INTERRUPT));
    CHECK(strata::detail::sqlite_transient(SQLITE_BUSY_SNAPSHOT));
    CHECK(strata::detail::sqlite_transient(SQLITE_LOCKED_SHAREDCACHE));
    CHECK(strata::detail::sqlite_transient(SQLITE_PROTOCOL));
}

TEST_CASE("retry_delay: exponential from first_delay, capped at max_delay") {
    const strata::retry_policy p{.attempts = 10, .first_delay = 10ms, .max_delay = 300ms, .multiplier = 2.0};
    CHECK(strata::retry_delay(p, 1) == 10ms);
    CHECK(strata::retry_delay(p, 2) == 20ms);
    CHECK(strata::retry_delay(p, 3) == 40ms);
    CHECK(strata::retry_delay(p, 5) == 160ms);
    CHECK(strata::retry_delay(p, 6) == 300ms);     // 320 capped
    CHECK(strata::retry_delay(p, 5000) == 300ms);  // no overflow however far
    const strata::retry_policy constant{.first_delay = 7ms, .multiplier = 1.0};
    CHECK(strata::retry_delay(constant, 9) == 7ms);
}

TEST_CASE("with_retry: retries transient errors with the policy's delays, then returns the result") {
    std::vector<ms> slept;
    std::vector<retry_record> log;
    int calls = 0;
    const strata::retry_policy p{.attempts = 5, .first_delay = 10ms, .max_delay = 25ms, .jitter = false};
    const int result = strata::with_retry(
        p,
        [&] {
            if (++calls < 4) throw strata::storage_error::transient_failure("put", "k", "busy " + std::to_string(calls));
            return 42;
        },
        fake_sleep{&slept},
        [&](unsigned attempt, ms delay, const strata::storage_error& e) { log.push_back({attempt, delay, e.what()}); });
    CHECK(result == 42);
    CHECK(calls == 4);
    CHECK(slept == std::vector<ms>{10ms, 20ms, 25ms});
    REQUIRE(log.size() == 3);
    CHECK(log[0].attempt == 1);
    CHECK(log[0].delay == 10ms);
    CHECK(log[0].what == "storage: put \"k\": busy 1");
    CHECK(log[2].attempt == 3);
    CHECK(log[2].delay == 25ms);
}

TEST_CASE("with_retry: after `attempts` tries the last transient error is rethrown") {
    std::vector<ms> slept;
    int calls = 0;
    const strata::retry_policy p{.attempts = 3, .first_delay = 1ms, .jitter = false};
    const auto e = expect_storage_error([&] {
        strata::with_retry(
            p, [&] { throw strata::storage_error::transient_failure("get", "k", "try " + std::to_string(++calls)); },
            fake_sleep{&slept});
    });
    CHECK(calls == 3);
    CHECK(e.reason() == "try 3");
    CHECK(slept == std::vector<ms>{1ms, 2ms});

    const auto once = expect_storage_error([&] {  // attempts = 0 still tries once
        strata::with_retry({.attempts = 0}, [&] { throw strata::storage_error::transient_failure("get", "", "x"); },
                           fake_sleep{&slept});
    });
    CHECK(once.transient());
}

TEST_CASE("with_retry: other errors pass through at once") {
    std::vector<ms> slept;
    int calls = 0;
    const auto e = expect_storage_error([&] {
        strata::with_retry({}, [&] {
            ++calls;
            throw strata::storage_error("put", "k", "no space left");
        }, fake_sleep{&slept});
    });
    CHECK(calls == 1);
    CHECK(e.reason() == "no space left");
    CHECK(slept.empty());
    calls = 0;
    CHECK_THROWS_AS(strata::with_retry({}, [&] {
                        ++calls;
                        throw std::logic_error("a bug");
                    }, fake_sleep{&slept}),
                    std::logic_error);
    CHECK(calls == 1);
    CHECK(slept.empty());
}

TEST_CASE("with_retry: jitter draws each delay from [delay/2, delay]") {
    std::vector<ms> slept;
    const strata::retry_policy p{.attempts = 60, .first_delay = 100ms, .max_delay = 100ms, .multiplier = 1.0};
    int calls = 0;
    strata::with_retry(p, [&] {
        if (++calls < 60) throw strata::storage_error::transient_failure("put", "", "busy");
    }, fake_sleep{&slept});
    REQUIRE(slept.size() == 59);
    bool varied = false;
    for (auto d : slept) {
        CHECK(d >= 50ms);
        CHECK(d <= 100ms);
        varied = varied || d != slept.front();
    }
    CHECK(varied);  // 59 equal draws out of 51 values: 51^-58, i.e. never
}

TEST_CASE("with_retry over faulty_backend: transient faults are retried, the write lands once") {
    strata::memory_backend store;
    strata::testing::faulty_backend faulty(store);
    faulty.put("a", "1");
    faulty.arm({.at_write = 2, .action = strata::testing::fault_action::throw_transient, .times = 2});
    std::vector<ms> slept;
    std::vector<unsigned> attempts;
    strata::with_retry({.first_delay = 5ms, .jitter = false}, [&] { faulty.put("b", "2"); }, fake_sleep{&slept},
                       [&](unsigned attempt, ms, const strata::storage_error& e) {
                           attempts.push_back(attempt);
                           CHECK(e.transient());
                       });
    CHECK(store.get("b") == "2");
    CHECK(faulty.writes() == 4);
    CHECK(faulty.faults() == 2);
    CHECK(attempts == std::vector<unsigned>{1, 2});
    CHECK(slept == std::vector<ms>{5ms, 10ms});

    // A permanent fault is not retried.
    faulty.arm({.at_write = 5, .action = strata::testing::fault_action::throw_error, .times = 3});
    const auto e = expect_storage_error([&] { strata::with_retry({}, [&] { faulty.put("c", "3"); }, fake_sleep{&slept}); });
    CHECK(e.reason() == "injected fault at write 5");
    CHECK(faulty.writes() == 5);
    CHECK_FALSE(store.contains("c"));
}

TEST_CASE("with_retry over sqlite_backend: a write retried until another connection lets go") {
    const auto file = scratch("retry_busy") / "store.db";
    strata::sqlite_backend store(file, {.busy_timeout = 10ms});
    std::optional<lock_holder> other(std::in_place, file);
    std::vector<ms> slept;
    // The fake sleep lets the other connection go on the second retry: deterministic.
    auto sleep = [&](ms delay) {
        slept.push_back(delay);
        if (slept.size() == 2) other.reset();
    };
    strata::with_retry({.jitter = false}, [&] { store.put("k", "v"); }, sleep);
    CHECK(slept.size() == 2);
    CHECK(store.get("k") == "v");
}
