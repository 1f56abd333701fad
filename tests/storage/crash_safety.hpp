// Crash safety (test-only): a child process applies batches to a store and is killed with
// SIGKILL at random moments; after each kill the parent reopens the store and checks that it
// holds exactly the state after some whole number of batches (every batch whole or absent, never
// torn), that no batch the child saw committed was lost, and at the end that the store still
// takes a new batch.
//
// The workload makes a torn batch visible: batch i puts "last" = i, puts four keys b/<i>/<j>,
// erases the four keys of batch i-3 and overwrites ring/<i mod 5>; values name their batch and
// key, carry a checksum and have varied lengths with binary bytes. The state after N batches is
// therefore a function of N alone (`expected_state`), and the store must equal it for the N it
// names in "last".
//
// POSIX only (fork, pipes, signals). Call `run` from a process that has started no thread (the
// child runs the backend in the forked copy); the child never returns into the test runner: it
// applies batches until it is killed, reporting each committed batch through a pipe.
#pragma once

#include <strata/storage/backend.hpp>

#include <boost/crc.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace strata::test::crash {

/// How many kills, how late, and from which seed.
struct options {
    std::size_t kills = 50;
    /// Kill delays are log-uniform between 1 µs and this, or three batches' time if longer
    /// (measured by the first child, which is killed once it has reported three batches).
    std::chrono::microseconds max_delay{4000};
    /// One kill in `early_every` does not wait for the child to have opened the store, so it
    /// lands in the open (and whatever recovery the backend does there).
    std::size_t early_every = 4;
    std::uint32_t seed = 20240604;
    /// How long the child may take to open the store (generous: ASan, a loaded machine).
    std::chrono::seconds ready_timeout{30};
};

/// What happened. `problems` is empty when the backend is crash-safe.
struct result {
    std::size_t kills = 0;                ///< children killed
    std::size_t kills_while_opening = 0;  ///< kills before the child had opened the store
    std::size_t unacknowledged = 0;       ///< recoveries that found a batch the child did not report
    std::uint64_t batches = 0;            ///< batches in the store at the end
    std::chrono::microseconds first_batch_time{0};  ///< the first child's first batch
    std::chrono::microseconds batch_time{0};  ///< its next two batches, on average
    std::chrono::microseconds max_delay{0};   ///< the longest kill delay drawn from
    std::uint32_t seed = 0;
    std::vector<std::string> problems;
    std::string summary() const {
        return "seed " + std::to_string(seed) + ": " + std::to_string(kills) + " kills (" +
               std::to_string(kills_while_opening) + " while opening), " + std::to_string(batches) +
               " batches (the first " + std::to_string(first_batch_time.count()) + " µs, then " +
               std::to_string(batch_time.count()) + " µs each; delays up to " +
               std::to_string(max_delay.count()) + " µs), " + std::to_string(unacknowledged) +
               " committed but unreported at the kill";
    }
};

// --- The workload -------------------------------------------------------------------------

inline constexpr std::uint64_t keys_per_batch = 4;
inline constexpr std::uint64_t erase_lag = 3;  // batch i erases the keys of batch i - erase_lag
inline constexpr std::uint64_t ring_size = 5;
inline constexpr std::uint64_t ring_slot = 99;  // the j of ring values

inline std::string batch_key(std::uint64_t i, std::uint64_t j) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "b/%010llu/%llu", static_cast<unsigned long long>(i),
                  static_cast<unsigned long long>(j));
    return buf;
}
inline std::string ring_key(std::uint64_t slot) {
    std::string k = "ring/";
    k += std::to_string(slot);
    return k;
}

/// "i:j:crc:" then 16 to 1,039 pseudo-random bytes (NUL and 0xFF among them).
inline std::string batch_value(std::uint64_t i, std::uint64_t j) {
    std::uint64_t x = i * 0x9e3779b97f4a7c15ull + j * 0xbf58476d1ce4e5b9ull + 1;
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    std::string payload(16 + next() % 1024, '\0');
    for (auto& c : payload) c = static_cast<char>(next() & 0xff);
    boost::crc_32_type crc;
    crc.process_bytes(payload.data(), payload.size());
    std::string v = std::to_string(i);
    v += ':';
    v += std::to_string(j);
    v += ':';
    v += std::to_string(crc.checksum());
    v += ':';
    v += payload;
    return v;
}

/// Batch i (from 1).
inline write_batch make_batch(std::uint64_t i) {
    write_batch b;
    b.put("last", std::to_string(i));
    for (std::uint64_t j = 0; j < keys_per_batch; ++j) b.put(batch_key(i, j), batch_value(i, j));
    if (i > erase_lag) {
        for (std::uint64_t j = 0; j < keys_per_batch; ++j) b.erase(batch_key(i - erase_lag, j));
    }
    b.put(ring_key(i % ring_size), batch_value(i, ring_slot));
    return b;
}

/// The whole store after batches 1..n, in key order.
inline std::vector<key_value> expected_state(std::uint64_t n) {
    std::map<std::string, std::string> state;
    if (n == 0) return {};
    state["last"] = std::to_string(n);
    for (std::uint64_t i = n >= erase_lag ? n - erase_lag + 1 : 1; i <= n; ++i) {
        for (std::uint64_t j = 0; j < keys_per_batch; ++j) state[batch_key(i, j)] = batch_value(i, j);
    }
    for (std::uint64_t i = n >= ring_size ? n - ring_size + 1 : 1; i <= n; ++i)
        state[ring_key(i % ring_size)] = batch_value(i, ring_slot);
    std::vector<key_value> out;
    for (auto& [k, v] : state) out.push_back({k, v});
    return out;
}

/// Printable key for messages.
inline std::string show(std::string_view s, std::size_t max = 40) {
    std::string out;
    for (char ch : s.substr(0, max)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f) {
            out += ch;
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (s.size() > max) out += "...";
    return out;
}

/// Differences between a store's contents and the state after n batches ("" when none).
inline std::string compare(const std::vector<key_value>& actual, std::uint64_t n) {
    const auto expected = expected_state(n);
    std::string diff;
    std::size_t shown = 0;
    auto note = [&](const std::string& line) {
        if (shown++ < 6) diff += "\n    " + line;
    };
    std::size_t a = 0, e = 0;
    while (a < actual.size() || e < expected.size()) {
        if (e == expected.size() || (a < actual.size() && actual[a].key < expected[e].key)) {
            note("unexpected key " + show(actual[a].key) + " = " + show(actual[a].value, 24));
            ++a;
        } else if (a == actual.size() || expected[e].key < actual[a].key) {
            note("missing key " + show(expected[e].key));
            ++e;
        } else {
            if (actual[a].value != expected[e].value)
                note("key " + show(actual[a].key) + " = " + show(actual[a].value, 24) + ", expected " +
                     show(expected[e].value, 24));
            ++a;
            ++e;
        }
    }
    if (shown > 6) diff += "\n    (" + std::to_string(shown - 6) + " more)";
    return diff;
}

/// The default workload: batch i is `make_batch(i)`; the store must be `expected_state(n)` for
/// the n in "last". Another workload (e.g. documents with their content-store references) gives
/// the same two calls: `apply(store, i)` commits batch i; `check(store, n)` reads the number of
/// batches the store holds into n and returns "" or what is wrong with the store.
struct batches_workload {
    template <class Store>
    void apply(Store& store, std::uint64_t i) const {
        store.apply(make_batch(i));
    }
    template <class Store>
    std::string check(Store& store, std::uint64_t& n) const {
        const auto last = store.get("last");
        n = 0;
        if (last) {
            char* end = nullptr;
            n = std::strtoull(last->c_str(), &end, 10);
            if (last->empty() || *end != '\0') return "\"last\" holds " + show(*last);
        }
        const auto diff = compare(store.scan("", std::nullopt, no_limit), n);
        if (!diff.empty()) return "the store is not the state after batch " + std::to_string(n) + ":" + diff;
        return {};
    }
};

// --- The processes ------------------------------------------------------------------------

inline constexpr std::uint64_t ready_marker = ~std::uint64_t{0};

/// What the child reports through the pipe (16 bytes: written atomically): a batch it has
/// applied, or `ready_marker`, and when (the steady clock is the same in both processes).
struct report {
    std::uint64_t value = 0;
    std::int64_t time_ns = 0;
};

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline bool write_all(int fd, const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

/// The child: open, report ready, apply batches start+1, start+2, ... reporting each.
template <class Open, class Workload>
[[noreturn]] void child_main(Open& open, const Workload& workload, int report_fd, std::uint64_t start) {
    try {
        auto store = open();
        report ready{ready_marker, now_ns()};
        if (!write_all(report_fd, &ready, sizeof ready)) ::_exit(4);
        for (std::uint64_t i = start + 1; i <= start + 1'000'000; ++i) {
            workload.apply(store, i);
            const report done{i, now_ns()};
            if (!write_all(report_fd, &done, sizeof done)) ::_exit(4);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crash-safety child: %s\n", e.what());
        ::_exit(3);
    } catch (...) {
        ::_exit(3);
    }
    ::_exit(0);  // not killed within a million batches: the parent reports it
}

/// Waits log-uniformly between 1 µs and `max` (spinning below 200 µs, where sleeps are coarse).
inline void random_pause(std::mt19937& rng, std::chrono::microseconds max) {
    std::uniform_real_distribution<double> exponent(0.0, std::log(static_cast<double>(max.count())));
    const auto wait = std::chrono::microseconds(static_cast<long long>(std::exp(exponent(rng))));
    if (wait < std::chrono::microseconds(200)) {
        const auto until = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < until) {
        }
    } else {
        std::this_thread::sleep_for(wait);
    }
}

/// Reads the store's batch number and checks its whole contents; "" or a problem.
template <class Open, class Workload>
std::string verify(Open& open, const Workload& workload, std::uint64_t& n) {
    try {
        auto store = open();
        return workload.check(store, n);
    } catch (const std::exception& e) {
        return std::string("reopening the store threw: ") + e.what();
    }
}

/**
 * @brief Runs the kill-and-recover loop against the store that `open()` opens (a callable
 * returning a fresh backend object for the same location, e.g.
 * `[&] { return strata::sqlite_backend(file); }`); the location should start empty. The
 * `workload` says what each batch is and what a whole state looks like (batches_workload).
 */
template <class Open, class Workload = batches_workload>
result run(Open open, const options& opt = {}, const Workload& workload = {}) {
    result r;
    r.seed = opt.seed;
    if (const char* s = std::getenv("STRATA_CRASH_SEED")) r.seed = static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10));
    std::mt19937 rng(r.seed);
    std::uint64_t committed = 0;  // batches in the store, as last verified
    r.max_delay = opt.max_delay;

    for (std::size_t kill = 0; kill < opt.kills; ++kill) {
        const std::string at = "kill " + std::to_string(kill + 1) + " (" + r.summary() + "): ";
        int fds[2];
        if (::pipe(fds) != 0) {
            r.problems.push_back(at + "pipe: " + std::strerror(errno));
            return r;
        }
        std::fflush(nullptr);
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid < 0) {
            r.problems.push_back(at + "fork: " + std::strerror(errno));
            ::close(fds[0]);
            ::close(fds[1]);
            return r;
        }
        if (pid == 0) {
            ::close(fds[0]);
#if defined(__linux__)
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test runner that died
#endif
            if (::getppid() != parent) ::_exit(5);
            child_main(open, workload, fds[1], committed);
        }
        ::close(fds[1]);

        const bool calibrate = kill == 0;
        const bool early = !calibrate && opt.early_every != 0 && kill % opt.early_every == opt.early_every - 1;
        std::uint64_t acknowledged = committed;
        bool ready = false;
        auto next_report = [&](report& got) {
            pollfd p{fds[0], POLLIN, 0};
            const int timeout = static_cast<int>(std::chrono::milliseconds(opt.ready_timeout).count());
            int polled = 0;
            do polled = ::poll(&p, 1, timeout);
            while (polled < 0 && errno == EINTR);
            return polled == 1 && ::read(fds[0], &got, sizeof got) == sizeof got;
        };
        report ready_report;
        if (!early) ready = next_report(ready_report) && ready_report.value == ready_marker;
        if (calibrate && ready) {  // the first child runs three batches: how long is one?
            report got;
            std::int64_t first_done = 0;
            int batches = 0;
            while (batches < 3 && next_report(got)) {
                acknowledged = got.value;
                if (++batches == 1) first_done = got.time_ns;
            }
            if (batches == 3) {
                r.first_batch_time = std::chrono::microseconds((first_done - ready_report.time_ns) / 1000);
                r.batch_time = std::chrono::microseconds((got.time_ns - first_done) / 2000);
                r.max_delay = std::min(std::max({opt.max_delay, 2 * r.first_batch_time, 3 * r.batch_time}),
                                       std::chrono::microseconds(std::chrono::milliseconds(200)));
            }
        } else if (early || ready) {
            random_pause(rng, r.max_delay);
        }
        ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        bool opened = ready;
        for (;;) {
            report got;
            const ssize_t n = ::read(fds[0], &got, sizeof got);
            if (n < 0 && errno == EINTR) continue;
            if (n != sizeof got) break;
            if (got.value == ready_marker) {
                opened = true;
            } else {
                acknowledged = got.value;
            }
        }
        ::close(fds[0]);
        ++r.kills;
        if (!opened) ++r.kills_while_opening;

        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
            r.problems.push_back(at + "the child was not killed but ended on its own (status " +
                                 std::to_string(status) + "; its error, if any, is on stderr)");
            return r;
        }
        if (!early && !ready) {
            r.problems.push_back(at + "the child did not open the store within the timeout");
            return r;
        }

        std::uint64_t n = 0;
        if (auto problem = verify(open, workload, n); !problem.empty()) {
            r.problems.push_back(at + problem);
            return r;
        }
        if (n < acknowledged) {
            r.problems.push_back(at + "batch " + std::to_string(acknowledged) +
                                 " was committed (apply returned) but the store holds only " + std::to_string(n));
            return r;
        }
        if (n > acknowledged + 1) {
            r.problems.push_back(at + "the store holds batch " + std::to_string(n) + " but at most " +
                                 std::to_string(acknowledged + 1) + " was applied");
            return r;
        }
        if (n == acknowledged + 1) ++r.unacknowledged;
        committed = n;
        r.batches = n;
    }

    // Still usable: a new batch applies, and is there when the store is opened again.
    try {
        {
            auto store = open();
            workload.apply(store, committed + 1);
        }
        std::uint64_t n = 0;
        if (auto problem = verify(open, workload, n); !problem.empty()) {
            r.problems.push_back("after the kills, a new batch: " + problem);
        } else if (n != committed + 1) {
            r.problems.push_back("after the kills, a new batch did not land (the store holds " + std::to_string(n) + ")");
        }
        r.batches = n;
    } catch (const std::exception& e) {
        r.problems.push_back(std::string("after the kills, applying a new batch threw: ") + e.what());
    }
    return r;
}

}  // namespace strata::test::crash
