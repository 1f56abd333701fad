// faulty_backend: the conformance suite while unarmed (over memory and SQLite, compare_and_put
// forwarded), the write count, each action, and the abort actions in forked children whose
// store is then reopened and checked.
#include "../scratch_dir.hpp"

#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/testing/backend_conformance.hpp>
#include <strata/testing/fault_injection.hpp>

#include <doctest/doctest.h>

#include "../storage/expect_storage_error.hpp"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
using strata::testing::fault_action;
using strata::testing::faulty_backend;

namespace {

using strata_test::scratch;

/// `prefix` then the decimal `n` (appended: g++ 12 warns falsely, -Wrestrict, on
/// `"literal" + std::to_string(n)`).
std::string numbered(std::string prefix, std::uint64_t n) {
    prefix += std::to_string(n);
    return prefix;
}

/// The inner backend first (a base, so it is built before the decorator that refers to it).
template <class B>
struct owned {
    B inner_store;
};

/// A faulty_backend over a memory_backend of its own.
struct faulty_memory : owned<strata::memory_backend>, faulty_backend<strata::memory_backend> {
    faulty_memory() : faulty_backend(inner_store) {}
};

/// A faulty_backend over a SQLite store of its own.
struct faulty_sqlite : owned<strata::sqlite_backend>, faulty_backend<strata::sqlite_backend> {
    explicit faulty_sqlite(const fs::path& file)
        : owned<strata::sqlite_backend>{strata::sqlite_backend(file)}, faulty_backend(inner_store) {}
};

static_assert(strata::backend<faulty_backend<strata::memory_backend>>);
static_assert(strata::has_compare_and_put<faulty_backend<strata::memory_backend>>);
static_assert(strata::has_compare_and_erase<faulty_backend<strata::sqlite_backend>>);

/// A backend without the optional calls: faulty_backend does not invent them.
struct plain_backend {
    strata::memory_backend inner;
    std::optional<std::string> get(std::string_view key) const { return inner.get(key); }
    void put(std::string_view key, std::string_view value) { inner.put(key, value); }
    bool erase(std::string_view key) { return inner.erase(key); }
    bool contains(std::string_view key) const { return inner.contains(key); }
    std::vector<strata::key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                        std::size_t limit) const {
        return inner.scan(prefix, after, limit);
    }
    std::size_t count(std::string_view prefix) const { return inner.count(prefix); }
    void apply(const strata::write_batch& batch) { inner.apply(batch); }
};
static_assert(strata::backend<faulty_backend<plain_backend>>);
static_assert(!strata::has_compare_and_put<faulty_backend<plain_backend>>);
static_assert(!strata::has_compare_and_erase<faulty_backend<plain_backend>>);


/// Runs `body()` in a forked child and returns its exit status (-1: it did not exit normally).
/// The child ends with status 0 if `body` returns, 3 if it throws.
template <class Body>
int in_child(Body&& body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
            ::_exit(3);
        }
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

template <>
struct strata::testing::backend_factory<faulty_sqlite> {
    static faulty_sqlite make(const fs::path& dir) { return faulty_sqlite(dir / "store.db"); }
};

TYPE_TO_STRING(faulty_memory);
TYPE_TO_STRING(faulty_sqlite);
STRATA_BACKEND_CONFORMANCE(faulty_memory, faulty_sqlite);

TEST_CASE("faulty_backend: put, erase, apply and conditional writes count one write each; reads none") {
    strata::memory_backend store;
    faulty_backend faulty(store);
    CHECK(faulty.writes() == 0);
    faulty.put("a", "1");
    CHECK(faulty.erase("a"));
    CHECK_FALSE(faulty.erase("a"));  // erasing nothing is still a write call
    strata::write_batch batch;
    batch.put("b", "2");
    batch.put("c", "3");
    batch.erase("b");
    faulty.apply(batch);  // one batch, one write, whatever its size
    CHECK(faulty.compare_and_put("d", std::nullopt, "4"));
    CHECK_FALSE(faulty.compare_and_put("d", std::nullopt, "5"));
    CHECK(faulty.compare_and_erase("d", "4"));
    CHECK(faulty.writes() == 7);
    (void)faulty.get("c");
    (void)faulty.contains("c");
    (void)faulty.scan("", std::nullopt, strata::no_limit);
    (void)faulty.count("");
    CHECK(faulty.writes() == 7);
    CHECK(faulty.faults() == 0);
    CHECK(store.scan("", std::nullopt, strata::no_limit) == std::vector<strata::key_value>{{"c", "3"}});
    CHECK(&faulty.inner() == &store);
}

TEST_CASE("faulty_backend: throw_error fails the N-th write only, the inner backend untouched") {
    strata::memory_backend store;
    faulty_backend faulty(store, {.at_write = 3});
    faulty.put("k1", "1");
    faulty.put("k2", "2");
    const auto e = expect_storage_error([&] { faulty.put("k3", "3"); });
    CHECK(e.operation() == "put");
    CHECK(e.key() == "k3");
    CHECK(e.reason() == "injected fault at write 3");
    CHECK(std::string(e.what()) == "storage: put \"k3\": injected fault at write 3");
    CHECK_FALSE(e.transient());
    CHECK_FALSE(store.contains("k3"));
    faulty.put("k4", "4");  // times = 1: the next write goes through
    CHECK(store.get("k4") == "4");
    CHECK(store.count("") == 3);
    CHECK(faulty.writes() == 4);
    CHECK(faulty.faults() == 1);
}

TEST_CASE("faulty_backend: every kind of write fails alike, and times counts consecutive writes") {
    strata::memory_backend store;
    store.put("x", "0");
    faulty_backend faulty(store, {.at_write = 1, .action = fault_action::throw_transient, .times = 5});
    strata::write_batch batch;
    batch.put("y", "1");
    const auto put = expect_storage_error([&] { faulty.put("x", "1"); });
    const auto erase = expect_storage_error([&] { (void)faulty.erase("x"); });
    const auto apply = expect_storage_error([&] { faulty.apply(batch); });
    const auto cas = expect_storage_error([&] { (void)faulty.compare_and_put("x", "0", "2"); });
    const auto cae = expect_storage_error([&] { (void)faulty.compare_and_erase("x", "0"); });
    for (const auto* e : {&put, &erase, &apply, &cas, &cae}) CHECK(e->transient());
    CHECK(erase.operation() == "erase");
    CHECK(apply.operation() == "apply batch");
    CHECK(apply.reason() == "injected fault at write 3");
    CHECK(cas.operation() == "compare_and_put");
    CHECK(cae.reason() == "injected fault at write 5");
    CHECK(store.scan("", std::nullopt, strata::no_limit) == std::vector<strata::key_value>{{"x", "0"}});
    CHECK(faulty.compare_and_put("x", "0", "2"));  // the window has passed
    CHECK(store.get("x") == "2");
    CHECK(faulty.faults() == 5);
}

TEST_CASE("faulty_backend: arm counts from the backend's first write; disarm stops the faults") {
    strata::memory_backend store;
    faulty_backend faulty(store);
    for (int i = 0; i < 5; ++i) faulty.put(numbered("k", static_cast<std::uint64_t>(i)), "v");
    faulty.arm({.at_write = faulty.writes() + 2, .times = 2});
    CHECK(faulty.plan().at_write == 7);
    faulty.put("a", "1");  // write 6
    CHECK_THROWS_AS(faulty.put("b", "2"), strata::storage_error);
    faulty.disarm();
    faulty.put("c", "3");  // write 8 would have failed
    CHECK(store.contains("a"));
    CHECK_FALSE(store.contains("b"));
    CHECK(store.contains("c"));
    CHECK(faulty.writes() == 8);
}

TEST_CASE("faulty_backend: abort_before ends the process before the N-th write lands") {
    const auto file = scratch("abort_before") / "store.db";
    const int status = in_child([&] {
        strata::sqlite_backend store(file);
        faulty_backend faulty(store, {.at_write = 3, .action = fault_action::abort_before});
        faulty.put("k1", "1");
        faulty.put("k2", "2");
        faulty.put("k3", "3");  // never returns
        faulty.put("k4", "4");
    });
    CHECK(status == strata::testing::fault_exit_status);
    strata::sqlite_backend store(file);
    CHECK(store.get("k1") == "1");
    CHECK(store.get("k2") == "2");
    CHECK_FALSE(store.contains("k3"));
    CHECK_FALSE(store.contains("k4"));
}

TEST_CASE("faulty_backend: abort_after ends the process right after the N-th write landed") {
    const auto file = scratch("abort_after") / "store.db";
    const int status = in_child([&] {
        strata::sqlite_backend store(file);
        faulty_backend faulty(store, {.at_write = 2, .action = fault_action::abort_after});
        faulty.put("k1", "1");
        strata::write_batch batch;  // the whole batch lands, then the crash
        batch.put("b1", "x");
        batch.put("b2", "y");
        batch.erase("k1");
        faulty.apply(batch);
        faulty.put("k3", "3");
    });
    CHECK(status == strata::testing::fault_exit_status);
    strata::sqlite_backend store(file);
    CHECK(store.scan("", std::nullopt, strata::no_limit) ==
          std::vector<strata::key_value>{{"b1", "x"}, {"b2", "y"}});
}

TEST_CASE("faulty_backend: a crash at every write of a sequence leaves each prefix of it") {
    // The pattern a fault-injection suite follows: for every N, crash at write N in a child,
    // then check the store holds exactly the writes before N (abort_before).
    const auto dir = scratch("every_n");
    constexpr std::uint64_t writes = 6;
    for (std::uint64_t n = 1; n <= writes; ++n) {
        CAPTURE(n);
        const auto file = dir / (numbered("store-", n) + ".db");
        const int status = in_child([&] {
            strata::sqlite_backend store(file);
            faulty_backend faulty(store, {.at_write = n, .action = fault_action::abort_before});
            for (std::uint64_t i = 1; i <= writes; ++i) faulty.put(numbered("k", static_cast<std::uint64_t>(i)), std::to_string(i));
        });
        CHECK(status == strata::testing::fault_exit_status);
        strata::sqlite_backend store(file);
        CHECK(store.count("") == n - 1);
        CHECK(store.contains(numbered("k", n - 1)) == (n > 1));
    }
}
