// compare_and_put across processes on one SQLite file: forked children race to claim a key
// (exactly one wins), and increment a counter by read-compare-put (no increment is lost).
// The single-process cases are in the conformance suite (tests/storage/).
#include "../scratch_dir.hpp"

#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

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

namespace {

using strata_test::scratch;

std::string numbered(std::string prefix, int n) {
    prefix += std::to_string(n);
    return prefix;
}

/// Forks `children` processes that each open the store, wait at a common start line (a pipe
/// the parent closes), then run `body(store, index)` and exit with its status (99 when it
/// throws). Returns the exit statuses in child order (-1: not a normal exit).
template <class Body>
std::vector<int> race(const fs::path& file, int children, Body body) {
    int start[2];
    REQUIRE(::pipe(start) == 0);
    std::fflush(nullptr);
    std::vector<pid_t> pids;
    for (int i = 0; i < children; ++i) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(start[1]);
            int status = 99;
            try {
                strata::sqlite_backend store(file);
                char byte = 0;
                while (::read(start[0], &byte, 1) < 0 && errno == EINTR) {  // returns 0 once closed
                }
                status = body(store, i);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "child %d: %s\n", i, e.what());
            }
            ::_exit(status);
        }
        pids.push_back(pid);
    }
    ::close(start[0]);
    ::close(start[1]);  // go
    std::vector<int> statuses;
    for (const pid_t pid : pids) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        statuses.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return statuses;
}

}  // namespace

TEST_CASE("sqlite_backend compare_and_put: of processes racing to claim a key, exactly one wins") {
    const auto file = scratch("claim") / "store.db";
    { strata::sqlite_backend create(file); }  // made before the race: the children only open it
    constexpr int children = 4;
    for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        const auto key = numbered("claim/", round);
        const auto statuses = race(file, children, [&](strata::sqlite_backend& store, int i) {
            return store.compare_and_put(key, std::nullopt, numbered("child ", i)) ? 10 : 11;
        });
        int winners = 0;
        int winner = -1;
        for (int i = 0; i < children; ++i) {
            CHECK((statuses[static_cast<std::size_t>(i)] == 10 || statuses[static_cast<std::size_t>(i)] == 11));
            if (statuses[static_cast<std::size_t>(i)] == 10) {
                ++winners;
                winner = i;
            }
        }
        CHECK(winners == 1);
        strata::sqlite_backend store(file);
        CHECK(store.get(key) == numbered("child ", winner));
    }
}

TEST_CASE("sqlite_backend compare_and_put: processes incrementing one counter lose no increment") {
    const auto file = scratch("counter") / "store.db";
    {
        strata::sqlite_backend create(file);
        create.put("counter", "0");
    }
    constexpr int children = 3;
    constexpr int increments = 40;
    const auto statuses = race(file, children, [&](strata::sqlite_backend& store, int) {
        int done = 0;
        while (done < increments) {
            const auto current = store.get("counter");
            if (!current) return 12;
            const auto next = std::to_string(std::stoi(*current) + 1);
            if (store.compare_and_put("counter", std::optional<std::string_view>(*current), next)) {
                ++done;
            }  // else another process won this round: read again
        }
        return 0;
    });
    CHECK(statuses == std::vector<int>(children, 0));
    strata::sqlite_backend store(file);
    CHECK(store.get("counter") == std::to_string(children * increments));
}
