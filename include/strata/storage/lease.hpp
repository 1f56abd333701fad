/**
 * @file
 * @brief `store_lease`: a lease kept in the store itself, with a heartbeat, so that one process
 * at a time does a job on a store (e.g. the background migration runner), and a process that
 * died does not block the job forever. Needs strata::json (the record is JSON).
 *
 * @code
 * strata::sqlite_backend store("data/store.db");
 * auto lease = strata::store_lease<strata::sqlite_backend>::acquire(store, {.ttl = std::chrono::seconds(30)},
 *                                                                  std::chrono::seconds(5));
 * lease.start_heartbeat(std::chrono::seconds(10));   // renews every 10 s on a thread of its own
 * while (more_work() && !lease.lost()) do_a_batch(store);
 * // the destructor stops the heartbeat and releases the lease
 * @endcode
 *
 * **The record.** The lease is one key (`"strata/lease"` by default) whose value is a small
 * JSON object, readable by `inspect` and by any tool:
 * `{"owner":"build-7:4242:9f2c61d0a7b3e815","acquired_ms":1718000000000,"heartbeat_ms":1718000012000,"expires_ms":1718000042000}`
 * (times in milliseconds since the Unix epoch, from `lease_options::now_ms`). Every change is a
 * `compare_and_put` against the exact bytes last seen, so of two processes racing to take or
 * renew the lease, exactly one wins, whichever backend (memory, filesystem, SQLite across
 * processes). Releasing erases the key with `compare_and_erase` (a backend without it gets a
 * "released" record instead, owner empty, which `inspect` reports as free).
 *
 * **Expiry.** A holder renews (`renew`, or the heartbeat thread) before `ttl` runs out; each
 * renewal sets `expires_ms = now + ttl`. A record whose `expires_ms` has passed belongs to a
 * holder that stopped renewing (it died, hung or lost the store): `try_acquire` takes it over
 * and says so (`taken_over()`). The holder finds out at its next renewal (`lease_lost`, or
 * `lost()` with the heartbeat). Choose `ttl` several heartbeats long (3 or more), so one slow
 * heartbeat does not lose the lease. Processes on different machines must have clocks that
 * agree to well within `ttl`.
 */
#pragma once

#include <strata/clock.hpp>
#include <strata/detail/hex16.hpp>
#include <strata/error.hpp>
#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>
#include <strata/reflection.hpp>
#include <strata/storage/backend.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#if defined(_WIN32)
#include <process.h>
#else
#include <cerrno>
#include <signal.h>
#include <unistd.h>
#endif

namespace strata {
inline namespace v1 {

/** @brief Who holds a store lease, and until when (times in ms since the Unix epoch). */
struct lease_holder {
    std::string owner;             ///< the holder's name (`lease_options::owner`)
    std::int64_t acquired_ms = 0;  ///< when it took the lease
    std::int64_t heartbeat_ms = 0; ///< its last renewal (or the taking)
    std::int64_t expires_ms = 0;   ///< when the lease lapses unless renewed again
    friend bool operator==(const lease_holder&, const lease_holder&) = default;
};

}  // namespace v1
}  // namespace strata

BOOST_HANA_ADAPT_STRUCT(strata::lease_holder, owner, acquired_ms, heartbeat_ms, expires_ms);

namespace strata {
inline namespace v1 {

/** @brief How a `store_lease` is taken and kept. */
struct lease_options {
    /** @brief The key holding the lease record (one lease per key). */
    std::string key = "strata/lease";
    /** @brief How long the lease lasts after each renewal. */
    std::chrono::milliseconds ttl{30000};
    /** @brief This holder's name; empty: `"<hostname>:<pid>:<random hex>"`, unique per lease. */
    std::string owner{};
    /** @brief The clock, in ms since the Unix epoch; empty: the system clock. Tests pass a fake. */
    std::function<std::int64_t()> now_ms{};
};

/**
 * @brief A lease could not be taken (held by a live other owner) or kept. `holder()` names who
 * holds it, when known.
 */
class lease_error : public error {
public:
    /** @brief An error with its message and the holder at the time, when known. */
    lease_error(const std::string& message, std::optional<lease_holder> holder)
        : error(message), holder_(std::move(holder)) {}
    /** @brief Who held the lease when the error was raised (`nullopt`: nobody, or unknown). */
    const std::optional<lease_holder>& holder() const noexcept { return holder_; }

private:
    std::optional<lease_holder> holder_;
};

/** @brief A renewal found the lease taken over by another owner (or removed): it is not held. */
class lease_lost : public lease_error {
public:
    using lease_error::lease_error;
};

/// @cond internal
namespace detail {

/// This machine's name, as default lease owners give it.
inline std::string lease_host() {
    std::string host = "localhost";
#if defined(_WIN32)
    if (const char* name = std::getenv("COMPUTERNAME")) host = name;
#else
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') host = name;
#endif
    return host;
}

/// "<hostname>:<pid>:<16 random hex digits>".
inline std::string default_lease_owner() {
#if defined(_WIN32)
    const long long pid = _getpid();
#else
    const long long pid = static_cast<long long>(::getpid());
#endif
    std::random_device entropy;
    const std::uint64_t nonce = (std::uint64_t{entropy()} << 32) ^ entropy();
    return lease_host() + ':' + std::to_string(pid) + ':' + hex16(nonce);
}

/// Whether `owner`, a default owner name, is a process of this machine (not this one) that no
/// longer runs. Other names, other machines and live processes: false.
inline bool lease_owner_gone(std::string_view owner) {
#if defined(_WIN32)
    (void)owner;
    return false;
#else
    const auto nonce_at = owner.rfind(':');
    if (nonce_at == std::string_view::npos || nonce_at == 0) return false;
    const auto pid_at = owner.rfind(':', nonce_at - 1);
    if (pid_at == std::string_view::npos || owner.substr(0, pid_at) != lease_host()) return false;
    const std::string_view digits = owner.substr(pid_at + 1, nonce_at - pid_at - 1);
    long long pid = 0;
    const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size() || pid <= 0) return false;
    if (pid == static_cast<long long>(::getpid())) return false;
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
#endif
}

/// The record as stored, or `nullopt` for a released one; a record that is not a lease's is a
/// `storage_error` naming the key.
inline std::optional<lease_holder> parse_lease(std::string_view key, std::string_view bytes) {
    lease_holder h;
    try {
        h = json::decode<lease_holder>(bytes);
    } catch (const document_error& e) {
        throw storage_error("read lease", std::string(key),
                            std::string("not a lease record (") + e.what() +
                                "); erase the key to reset the lease once no process uses it");
    }
    if (h.owner.empty()) return std::nullopt;
    return h;
}

/// "\"owner\" (acquired at …, last heartbeat N ms ago, expires in M ms)".
inline std::string describe_holder(const lease_holder& h, std::int64_t now) {
    std::string s;
    append_quoted_bytes(s, h.owner);
    s += " (acquired at " + std::to_string(h.acquired_ms) + " ms, last heartbeat " +
         std::to_string(now - h.heartbeat_ms) + " ms ago, ";
    s += h.expires_ms > now ? "expires in " + std::to_string(h.expires_ms - now) + " ms)"
                            : "expired " + std::to_string(now - h.expires_ms) + " ms ago)";
    return s;
}

}  // namespace detail
/// @endcond

/**
 * @brief A lease on a store, held in the store (see the file comment): taken with `try_acquire`
 * or `acquire`, kept with `renew` or `start_heartbeat`, given back with `release` or by the
 * destructor. Move-only.
 * @tparam B a backend with `compare_and_put` (memory, filesystem and SQLite have it)
 */
template <backend B>
class store_lease {
    static_assert(has_compare_and_put<B>,
                  "strata: store_lease needs a backend with compare_and_put: memory_backend, filesystem_backend "
                  "and sqlite_backend have it (and faulty_backend over them); a backend of your own needs "
                  "`bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, "
                  "std::string_view value)`, atomic");

public:
    /**
     * @brief Takes the lease when it is free, released, expired, or already this owner's;
     * `nullopt` when a live other owner holds it (or won a race for it just now).
     * @throws storage_error when the store fails or the key holds something else than a lease
     * @throws lease_error when `options.ttl` is not positive
     */
    static std::optional<store_lease> try_acquire(B& store, lease_options options) {
        auto s = std::make_unique<state>(store, std::move(options));
        if (!s->take()) return std::nullopt;
        return store_lease(std::move(s));
    }

    /**
     * @brief Takes the lease, waiting up to `wait` for it to be released or to expire (trying
     * again every `ttl / 10`, between 5 ms and 1 s).
     * @throws lease_error naming the holder when `wait` ran out
     */
    static store_lease acquire(B& store, lease_options options, std::chrono::milliseconds wait) {
        const auto deadline = std::chrono::steady_clock::now() + wait;
        const auto poll = std::clamp(options.ttl / 10, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
        auto s = std::make_unique<state>(store, std::move(options));
        for (;;) {
            if (s->take()) return store_lease(std::move(s));
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) {
                const auto holder = inspect(store, s->options.key);
                std::string message = "strata: lease ";
                detail::append_quoted_bytes(message, s->options.key);
                message += holder ? " is held by " + detail::describe_holder(*holder, s->now())
                                  : std::string(" was contended");
                message += "; waited " + std::to_string(wait.count()) + " ms";
                throw lease_error(message, holder);
            }
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(poll, deadline - now));
        }
    }

    /**
     * @brief Releases the lease under `key` when its holder, named in the default form, is a
     * process of this machine that no longer runs (killed, crashed), instead of waiting for its
     * ttl; whether it did. A live holder, one named otherwise, or one on another machine is left
     * alone (it expires as usual).
     * @throws storage_error when the store fails or the key holds something else than a lease
     */
    static bool release_if_holder_gone(B& store, std::string_view key = "strata/lease") {
        const auto bytes = store.get(key);
        if (!bytes) return false;
        const auto holder = detail::parse_lease(key, *bytes);
        if (!holder || !detail::lease_owner_gone(holder->owner)) return false;
        return erase_record(store, key, *bytes);
    }

    /** @brief Who holds the lease under `key` (`nullopt`: nobody; an expired holder is returned,
     * compare its `expires_ms` with the clock). */
    static std::optional<lease_holder> inspect(const B& store, std::string_view key = "strata/lease") {
        const auto bytes = store.get(key);
        if (!bytes) return std::nullopt;
        return detail::parse_lease(key, *bytes);
    }

    store_lease(store_lease&&) noexcept = default;
    store_lease& operator=(store_lease&& other) noexcept {
        if (this != &other) {
            release_quietly();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    store_lease(const store_lease&) = delete;
    store_lease& operator=(const store_lease&) = delete;
    /** @brief Stops the heartbeat and releases the lease (errors are swallowed: call `release`
     * first to see them). */
    ~store_lease() { release_quietly(); }

    /**
     * @brief Renews the lease now: `heartbeat_ms = now`, `expires_ms = now + ttl`.
     * @throws lease_lost when another owner took the lease (or it was removed); then `held()` is
     * false and `lost()` true
     * @throws lease_error when the lease was released
     * @throws storage_error when the store fails (the lease may still be held: try again)
     */
    void renew() { get_state("renew").renew(); }

    /** @brief Stops the heartbeat and gives the lease back, if still ours (no-op when not held). */
    void release() {
        if (!state_) return;
        state_->stop_heartbeat();
        state_->release();
    }

    /** @brief Whether this object holds the lease (taken, not released, not found lost). */
    bool held() const noexcept { return state_ && state_->held.load(); }
    /** @brief Whether a renewal (yours or the heartbeat's) found the lease taken by another. */
    bool lost() const noexcept { return state_ && state_->lost.load(); }

    /** @brief The record as this holder last wrote it. */
    lease_holder holder() const {
        const auto& s = get_state("holder");
        std::lock_guard lock(s.mutex);
        return s.mine;
    }
    /** @brief The expired holder this lease was taken over from (`nullopt`: the lease was free). */
    const std::optional<lease_holder>& taken_over() const { return get_state("taken_over").previous; }
    /** @brief The options in force (with the owner and the clock filled in). */
    const lease_options& options() const { return get_state("options").options; }

    /**
     * @brief Renews the lease every `every` on a thread of its own until `release`, destruction,
     * or a renewal finding the lease lost (then `lost()` turns true). A renewal that fails in
     * the store is tried again at the next beat (`heartbeat_error()` says why). Calling it again
     * replaces the period.
     * @throws lease_error when the lease is not held
     */
    void start_heartbeat(std::chrono::milliseconds every) {
        auto& s = get_state("start_heartbeat");
        if (!s.held.load()) throw lease_error("strata: start_heartbeat on a lease that is not held", std::nullopt);
        s.stop_heartbeat();
        s.start_heartbeat(every);
    }

    /** @brief Why the last heartbeat's renewal failed in the store ("" when it did not). */
    std::string heartbeat_error() const {
        const auto& s = get_state("heartbeat_error");
        std::lock_guard lock(s.mutex);
        return s.heartbeat_error;
    }

private:
    /// Erases the lease record when it still holds `written` (a backend without
    /// compare_and_erase gets a "released" record, owner empty); whether it did.
    static bool erase_record(B& store, std::string_view key, std::string_view written) {
        if constexpr (has_compare_and_erase<B>) {
            return store.compare_and_erase(key, written);
        } else {
            const lease_holder released{};
            return store.compare_and_put(key, std::optional<std::string_view>(written), json::encode(released));
        }
    }

    // Everything lives behind a pointer: the object moves, the heartbeat thread's state does not.
    struct state {
        B* store;
        lease_options options;
        mutable std::mutex mutex;  // the record and the store calls that change it
        std::string written;       // the exact bytes of our record in the store
        lease_holder mine;
        std::optional<lease_holder> previous;
        std::atomic<bool> held{false};
        std::atomic<bool> lost{false};
        std::string heartbeat_error;
        std::mutex beat_mutex;
        std::condition_variable beat_cv;
        bool stopping = false;
        std::thread beat;

        state(B& b, lease_options o) : store(&b), options(std::move(o)) {
            if (options.ttl.count() <= 0) {
                throw lease_error("strata: lease ttl must be positive (got " + std::to_string(options.ttl.count()) +
                                      " ms)",
                                  std::nullopt);
            }
            if (options.owner.empty()) options.owner = detail::default_lease_owner();
            if (!options.now_ms) options.now_ms = system_now_ms;
        }
        state(const state&) = delete;
        state& operator=(const state&) = delete;
        ~state() { stop_heartbeat(); }

        std::int64_t now() const { return options.now_ms(); }

        lease_holder record(std::int64_t acquired, std::int64_t at) const {
            return {options.owner, acquired, at, at + static_cast<std::int64_t>(options.ttl.count())};
        }

        bool take() {
            std::lock_guard lock(mutex);
            const std::int64_t at = now();
            const auto current = store->get(options.key);
            std::optional<lease_holder> stale;
            if (current) {
                const auto holder = detail::parse_lease(options.key, *current);
                if (holder && holder->owner != options.owner) {
                    if (at < holder->expires_ms) return false;  // a live other owner
                    stale = holder;
                }
            }
            lease_holder next = record(at, at);
            std::string bytes = json::encode(next);
            // Two calls rather than one with a conditional optional, on which g++ 12 warns
            // falsely (-Wmaybe-uninitialized) once compare_and_put is inlined.
            const bool won = current ? store->compare_and_put(options.key, std::string_view(*current), bytes)
                                     : store->compare_and_put(options.key, std::nullopt, bytes);
            if (!won) return false;  // another process took it first
            written = std::move(bytes);
            mine = std::move(next);
            previous = std::move(stale);
            held.store(true);
            return true;
        }

        void renew() {
            std::lock_guard lock(mutex);
            if (lost.load()) throw lease_lost(lost_message(), current_holder());
            if (!held.load()) throw lease_error("strata: renew on a lease that was released", std::nullopt);
            lease_holder next = record(mine.acquired_ms, now());
            std::string bytes = json::encode(next);
            if (!store->compare_and_put(options.key, std::optional<std::string_view>(written), bytes)) {
                lost.store(true);
                held.store(false);
                throw lease_lost(lost_message(), current_holder());
            }
            written = std::move(bytes);
            mine = std::move(next);
        }

        void release() {
            std::lock_guard lock(mutex);
            if (!held.load()) return;
            // A store error leaves the lease held (the destructor tries again; else it expires).
            const bool ours = erase_record(*store, options.key, written);
            held.store(false);
            if (!ours) lost.store(true);  // taken over meanwhile: left to its new holder
        }

        std::optional<lease_holder> current_holder() const {
            try {
                return inspect(*store, options.key);
            } catch (const std::exception&) {
                return std::nullopt;  // the lost lease is the error to report
            }
        }

        std::string lost_message() const {
            std::string m = "strata: lease ";
            detail::append_quoted_bytes(m, options.key);
            m += " held by ";
            detail::append_quoted_bytes(m, options.owner);
            m += " was lost: ";
            const auto holder = current_holder();
            m += holder ? "it is now held by " + detail::describe_holder(*holder, now())
                        : std::string("it was removed or released by another process");
            return m;
        }

        void start_heartbeat(std::chrono::milliseconds every) {
            {
                std::lock_guard lock(beat_mutex);
                stopping = false;
            }
            beat = std::thread([this, every] { heartbeat_loop(every); });
        }

        void heartbeat_loop(std::chrono::milliseconds every) {
            std::unique_lock lock(beat_mutex);
            for (;;) {
                if (beat_cv.wait_for(lock, every, [&] { return stopping; })) return;
                lock.unlock();
                bool done = false;
                try {
                    renew();
                    std::lock_guard guard(mutex);
                    heartbeat_error.clear();
                } catch (const lease_error&) {
                    done = true;  // lost (lost() is set) or released: nothing left to renew
                } catch (const std::exception& e) {
                    std::lock_guard guard(mutex);
                    heartbeat_error = e.what();
                }
                lock.lock();
                if (done) return;
            }
        }

        void stop_heartbeat() noexcept {
            {
                std::lock_guard lock(beat_mutex);
                stopping = true;
            }
            beat_cv.notify_all();
            if (beat.joinable() && beat.get_id() != std::this_thread::get_id()) beat.join();
        }
    };

    explicit store_lease(std::unique_ptr<state> s) noexcept : state_(std::move(s)) {}

    state& get_state(const char* call) const {
        if (!state_) throw lease_error(std::string("strata: ") + call + " on a moved-from store_lease", std::nullopt);
        return *state_;
    }

    void release_quietly() noexcept {
        if (!state_) return;
        try {
            release();
        } catch (...) {  // a lease not released expires after its ttl
        }
    }

    std::unique_ptr<state> state_;
};

}  // namespace v1
}  // namespace strata
