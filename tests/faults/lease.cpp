// store_lease: acquire, renew, release; a second acquirer refused while the holder lives;
// takeover after expiry (fake clocks); lost-lease detection by renew and by the heartbeat;
// the record as inspect reads it; and across processes on SQLite, a holder killed with SIGKILL
// whose lease another process takes over once it expired.
#include "../scratch_dir.hpp"

#include <strata/storage/filesystem.hpp>
#include <strata/storage/lease.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <functional>
#include <new>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#if !defined(_WIN32)
#include <signal.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#endif

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using strata_test::scratch;

/// A clock the test moves by hand (shared by the leases given `options(...)`).
struct fake_clock {
    std::atomic<std::int64_t> now{1'000'000};
    std::function<std::int64_t()> fn() {
        return [this] { return now.load(); };
    }
};

strata::lease_options options(std::string owner, fake_clock& clock, std::chrono::milliseconds ttl = 1000ms) {
    return {.key = "strata/lease", .ttl = ttl, .owner = std::move(owner), .now_ms = clock.fn()};
}

/// Waits (in real time, generously) until `done()`; the test then checks `done()` itself, so a
/// slow machine makes it slower, never wrong.
template <class Done>
void wait_until(Done&& done) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
}

using memory_lease = strata::store_lease<strata::memory_backend>;

}  // namespace

TEST_CASE("store_lease: acquire, renew and release write the record inspect reads") {
    strata::memory_backend store;
    fake_clock clock;
    CHECK(memory_lease::inspect(store) == std::nullopt);

    auto lease = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(lease.has_value());
    CHECK(lease->held());
    CHECK_FALSE(lease->lost());
    CHECK_FALSE(lease->taken_over().has_value());
    const strata::lease_holder first{"worker-a", 1'000'000, 1'000'000, 1'001'000};
    CHECK(lease->holder() == first);
    CHECK(memory_lease::inspect(store) == first);
    // The record is small JSON, readable by any tool.
    CHECK(store.get("strata/lease") ==
          R"({"owner":"worker-a","acquired_ms":1000000,"heartbeat_ms":1000000,"expires_ms":1001000})");

    clock.now += 400;
    lease->renew();
    const strata::lease_holder renewed{"worker-a", 1'000'000, 1'000'400, 1'001'400};
    CHECK(lease->holder() == renewed);
    CHECK(memory_lease::inspect(store) == renewed);

    lease->release();
    CHECK_FALSE(lease->held());
    CHECK_FALSE(lease->lost());
    CHECK_FALSE(store.contains("strata/lease"));  // released: the key is gone
    CHECK_THROWS_AS(lease->renew(), strata::lease_error);
    lease->release();  // twice is harmless
}

TEST_CASE("store_lease: a second acquirer is refused while the holder is alive") {
    strata::memory_backend store;
    fake_clock clock;
    auto a = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(a.has_value());
    clock.now += 999;  // one millisecond before expiry
    CHECK_FALSE(memory_lease::try_acquire(store, options("worker-b", clock)).has_value());
    try {
        (void)memory_lease::acquire(store, options("worker-b", clock), 0ms);
        FAIL("acquire took a live lease");
    } catch (const strata::lease_error& e) {
        REQUIRE(e.holder().has_value());
        CHECK(e.holder()->owner == "worker-a");
        const std::string what = e.what();
        CHECK(what.find("strata: lease \"strata/lease\" is held by \"worker-a\"") != std::string::npos);
        CHECK(what.find("expires in 1 ms") != std::string::npos);
    }
    CHECK(a->held());
    CHECK(memory_lease::inspect(store)->owner == "worker-a");

    // Another key is another lease.
    auto other = memory_lease::try_acquire(store, {.key = "jobs/other", .owner = "worker-b", .now_ms = clock.fn()});
    CHECK(other.has_value());
}

TEST_CASE("store_lease: an expired lease is taken over, and its old holder finds it lost") {
    strata::memory_backend store;
    fake_clock clock;
    auto a = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(a.has_value());
    const auto a_record = a->holder();
    clock.now += 1000;  // expires_ms reached: expired
    auto b = memory_lease::try_acquire(store, options("worker-b", clock, 5000ms));
    REQUIRE(b.has_value());
    CHECK(b->taken_over() == a_record);  // says whom it took over from
    CHECK(memory_lease::inspect(store)->owner == "worker-b");
    CHECK(memory_lease::inspect(store)->expires_ms == clock.now + 5000);

    CHECK(a->held());  // a does not know yet
    try {
        a->renew();
        FAIL("renew kept a lease taken over");
    } catch (const strata::lease_lost& e) {
        REQUIRE(e.holder().has_value());
        CHECK(e.holder()->owner == "worker-b");
        CHECK(std::string(e.what()).find("was lost: it is now held by \"worker-b\"") != std::string::npos);
    }
    CHECK(a->lost());
    CHECK_FALSE(a->held());
    CHECK_THROWS_AS(a->renew(), strata::lease_lost);
    a.reset();  // a's destructor leaves b's lease alone
    CHECK(memory_lease::inspect(store)->owner == "worker-b");
    CHECK(b->held());
    b->renew();
}

TEST_CASE("store_lease: the same owner takes its own lease back; the older object then finds it lost") {
    strata::memory_backend store;
    fake_clock clock;
    auto first = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(first.has_value());
    clock.now += 10;
    // A restarted process with the same (explicit) owner name reclaims it at once.
    auto again = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(again.has_value());
    CHECK_FALSE(again->taken_over().has_value());
    CHECK(again->holder().acquired_ms == clock.now);
    CHECK_THROWS_AS(first->renew(), strata::lease_lost);
    again->renew();
}

TEST_CASE("store_lease: acquire waits until the holder releases") {
    strata::memory_backend store;
    fake_clock clock;
    auto a = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(a.has_value());
    std::thread releaser([&] {
        std::this_thread::sleep_for(20ms);
        a->release();
    });
    auto b = memory_lease::acquire(store, options("worker-b", clock), 60s);
    releaser.join();
    CHECK(b.held());
    CHECK_FALSE(b.taken_over().has_value());  // released, not expired
    CHECK(memory_lease::inspect(store)->owner == "worker-b");
}

TEST_CASE("store_lease: moves keep the lease; destruction releases it") {
    strata::memory_backend store;
    fake_clock clock;
    {
        auto a = memory_lease::try_acquire(store, options("worker-a", clock));
        REQUIRE(a.has_value());
        memory_lease moved = std::move(*a);
        CHECK(moved.held());
        CHECK_FALSE(a->held());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
        CHECK(store.contains("strata/lease"));
    }
    CHECK_FALSE(store.contains("strata/lease"));
}

TEST_CASE("store_lease: the default owner is host:pid:random, unique per lease") {
    strata::memory_backend store;
    auto a = memory_lease::try_acquire(store, {.key = "one"});
    auto b = memory_lease::try_acquire(store, {.key = "two"});
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    const auto owner = a->holder().owner;
#if !defined(_WIN32)
    CHECK(owner.find(":" + std::to_string(::getpid()) + ":") != std::string::npos);
#endif
    CHECK(owner.size() > 17);
    CHECK(owner != b->holder().owner);
    // The system clock by default: the record's times are now-ish (ms since the epoch, > 2020).
    CHECK(a->holder().acquired_ms > 1'577'836'800'000);
    CHECK(a->holder().expires_ms - a->holder().heartbeat_ms == 30000);
}

TEST_CASE("store_lease: a bad ttl or a record that is not a lease is a clear error") {
    strata::memory_backend store;
    fake_clock clock;
    CHECK_THROWS_WITH_AS(memory_lease::try_acquire(store, options("w", clock, 0ms)),
                         "strata: lease ttl must be positive (got 0 ms)", strata::lease_error);
    store.put("strata/lease", "not json at all");
    try {
        (void)memory_lease::try_acquire(store, options("w", clock));
        FAIL("a foreign value was taken for a lease");
    } catch (const strata::storage_error& e) {
        CHECK(e.key() == "strata/lease");
        CHECK(e.operation() == "read lease");
        CHECK(e.reason().find("not a lease record") != std::string::npos);
    }
    CHECK(store.get("strata/lease") == "not json at all");  // left as it was
}

TEST_CASE("store_lease: the heartbeat renews on its own thread") {
    strata::memory_backend store;
    fake_clock clock;
    auto a = memory_lease::try_acquire(store, options("worker-a", clock));
    REQUIRE(a.has_value());
    a->start_heartbeat(1ms);
    clock.now += 500;
    wait_until([&] { return memory_lease::inspect(store)->heartbeat_ms == clock.now; });
    CHECK(memory_lease::inspect(store)->heartbeat_ms == clock.now);
    CHECK(memory_lease::inspect(store)->expires_ms == clock.now + 1000);
    CHECK(a->heartbeat_error().empty());
    a->release();  // stops the heartbeat first
    CHECK_FALSE(store.contains("strata/lease"));
}

TEST_CASE("store_lease: the heartbeat finds the lease lost once another took it over") {
    strata::memory_backend store;
    fake_clock a_clock;  // a's clock stands still, as if its process were stuck in the past
    fake_clock b_clock;
    b_clock.now = a_clock.now + 1000;
    auto a = memory_lease::try_acquire(store, options("worker-a", a_clock));
    REQUIRE(a.has_value());
    a->start_heartbeat(1ms);
    auto b = memory_lease::try_acquire(store, options("worker-b", b_clock));
    REQUIRE(b.has_value());
    CHECK(b->taken_over()->owner == "worker-a");
    wait_until([&] { return a->lost(); });
    CHECK(a->lost());
    CHECK_FALSE(a->held());
    a.reset();
    CHECK(memory_lease::inspect(store)->owner == "worker-b");
}

TEST_CASE("store_lease: over the filesystem and SQLite backends too") {
    const auto dir = scratch("backends");
    fake_clock clock;
    {
        strata::filesystem_backend store(dir / "fs", {.durable = false});
        using lease = strata::store_lease<strata::filesystem_backend>;
        auto a = lease::try_acquire(store, options("worker-a", clock));
        REQUIRE(a.has_value());
        CHECK_FALSE(lease::try_acquire(store, options("worker-b", clock)).has_value());
        a->release();
        CHECK(lease::try_acquire(store, options("worker-b", clock)).has_value());
    }
    {
        strata::sqlite_backend store(dir / "store.db");
        using lease = strata::store_lease<strata::sqlite_backend>;
        auto a = lease::try_acquire(store, options("worker-a", clock));
        REQUIRE(a.has_value());
        CHECK_FALSE(lease::try_acquire(store, options("worker-b", clock)).has_value());
        clock.now += 1000;
        auto b = lease::try_acquire(store, options("worker-b", clock));
        REQUIRE(b.has_value());
        CHECK_THROWS_AS(a->renew(), strata::lease_lost);
    }
}

#if !defined(_WIN32)

namespace {

/// Forks a child that takes the lease on the SQLite store `file`, heartbeats, says so on a
/// pipe, and then waits to be killed. Returns its pid once it holds the lease (0 on failure).
pid_t lease_holding_child(const fs::path& file, strata::lease_options opt) {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    std::fflush(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(ready[0]);
#if defined(__linux__)
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (::getppid() != parent) ::_exit(5);
        try {
            strata::sqlite_backend store(file);
            auto lease = strata::store_lease<strata::sqlite_backend>::try_acquire(store, std::move(opt));
            if (!lease) ::_exit(6);
            lease->start_heartbeat(5ms);
            const char ok = 'y';
            if (::write(ready[1], &ok, 1) != 1) ::_exit(7);
            for (;;) ::pause();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "lease child: %s\n", e.what());
        }
        ::_exit(8);
    }
    ::close(ready[1]);
    char got = 0;
    ssize_t n = 0;
    do n = ::read(ready[0], &got, 1);
    while (n < 0 && errno == EINTR);
    ::close(ready[0]);
    if (n != 1) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        return 0;
    }
    return pid;
}

void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CHECK(WIFSIGNALED(status));
}

}  // namespace

TEST_CASE("store_lease across processes: a holder killed with SIGKILL is taken over once its lease expired") {
    const auto file = scratch("killed") / "store.db";
    { strata::sqlite_backend create(file); }
    using lease = strata::store_lease<strata::sqlite_backend>;

    // A clock in memory shared with the child (MAP_SHARED survives fork): time moves only when
    // the test says, so "not yet expired" and "expired" are certain, not races with a timer.
    void* shared = ::mmap(nullptr, sizeof(std::atomic<std::int64_t>), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(shared != MAP_FAILED);
    auto* clock = new (shared) std::atomic<std::int64_t>(5'000'000);
    auto shared_now = [clock] { return clock->load(); };

    const pid_t child = lease_holding_child(file, {.ttl = 2000ms, .owner = {}, .now_ms = shared_now});
    REQUIRE(child > 0);
    kill_and_reap(child);

    strata::sqlite_backend store(file);
    const auto holder = lease::inspect(store);
    REQUIRE(holder.has_value());
    CHECK(holder->owner.find(":" + std::to_string(child) + ":") != std::string::npos);  // the dead child's
    CHECK_FALSE(lease::try_acquire(store, {.ttl = 2000ms, .now_ms = shared_now}).has_value());  // not expired yet

    clock->store(holder->expires_ms);  // the ttl has run out
    auto taken = lease::try_acquire(store, {.ttl = 2000ms, .now_ms = shared_now});
    REQUIRE(taken.has_value());
    REQUIRE(taken->taken_over().has_value());
    CHECK(taken->taken_over()->owner == holder->owner);
    taken->release();
    ::munmap(shared, sizeof(std::atomic<std::int64_t>));
}

TEST_CASE("store_lease across processes: a killed holder of this machine is released at once; a live one is not") {
    const auto file = scratch("gone") / "store.db";
    { strata::sqlite_backend create(file); }
    using lease = strata::store_lease<strata::sqlite_backend>;

    // A live holder in another process: left alone.
    const pid_t child = lease_holding_child(file, {.ttl = std::chrono::milliseconds(600'000), .owner = {}, .now_ms = {}});
    REQUIRE(child > 0);
    {
        strata::sqlite_backend store(file);
        CHECK_FALSE(lease::release_if_holder_gone(store));
        REQUIRE(lease::inspect(store).has_value());
    }
    kill_and_reap(child);

    strata::sqlite_backend store(file);
    const auto holder = lease::inspect(store);
    REQUIRE(holder.has_value());
    CHECK(holder->owner.find(":" + std::to_string(child) + ":") != std::string::npos);
    CHECK(lease::try_acquire(store, {}) == std::nullopt);  // its ttl (10 minutes) has not run out
    CHECK(lease::release_if_holder_gone(store));               // but its process is gone
    CHECK_FALSE(lease::inspect(store).has_value());
    CHECK_FALSE(lease::release_if_holder_gone(store));         // nothing left to release
    CHECK(lease::try_acquire(store, {}).has_value());
}

TEST_CASE("store_lease: release_if_holder_gone leaves this process, other names and other machines alone") {
    strata::memory_backend store;
    auto mine = memory_lease::try_acquire(store, {});
    REQUIRE(mine.has_value());
    CHECK_FALSE(memory_lease::release_if_holder_gone(store));  // this process: alive
    mine->release();
    for (const char* owner : {"worker-7", "some-other-host:999999:0123456789abcdef", ":1:x", "host:notapid:x"}) {
        CAPTURE(owner);
        auto other = memory_lease::try_acquire(store, {.key = "strata/lease", .ttl = std::chrono::milliseconds(600'000),
                                                       .owner = owner, .now_ms = {}});
        REQUIRE(other.has_value());
        CHECK_FALSE(memory_lease::release_if_holder_gone(store));
        CHECK(memory_lease::inspect(store)->owner == owner);
        other->release();
    }
}

TEST_CASE("store_lease across processes: acquire waits out a killed holder's short ttl (real clock)") {
    const auto file = scratch("killed_real") / "store.db";
    { strata::sqlite_backend create(file); }
    using lease = strata::store_lease<strata::sqlite_backend>;
    const pid_t child = lease_holding_child(file, {.ttl = 150ms});
    REQUIRE(child > 0);
    kill_and_reap(child);
    strata::sqlite_backend store(file);
    const auto dead = lease::inspect(store);
    REQUIRE(dead.has_value());
    auto taken = lease::acquire(store, {.ttl = 5000ms}, 60s);  // bounded generously; takes ~150 ms
    REQUIRE(taken.taken_over().has_value());
    CHECK(taken.taken_over()->owner == dead->owner);
    CHECK(lease::inspect(store)->owner == taken.holder().owner);
}

#endif
