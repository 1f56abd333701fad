/**
 * @file
 * @brief `write_behind<Backend>`: a backend decorator whose writes return at once; a worker
 * thread applies them to the inner backend in batches.
 *
 * @code
 * strata::write_behind<strata::sqlite_backend> store({.max_latency = std::chrono::milliseconds(5)},
 *                                                    "store.sqlite");
 * store.put("sessions/s-0001", document);   // queued: returns without touching SQLite
 * auto again = store.get("sessions/s-0001"); // reads see queued writes
 * store.flush();                              // blocks until durable; throws if applying failed
 * @endcode
 *
 * How it works. Queued operations live in an ordered overlay (key -> value, or an erase mark):
 * reads consult it first and merge it into the inner backend's scans and counts, so a reader
 * sees every write that returned, and sees each `apply(batch)` whole or not at all. The worker
 * flushes when the overlay reaches `max_pending_ops` keys or `max_pending_bytes` bytes, when the
 * oldest queued write has waited `max_latency`, or when `flush()` asks; a flush hands everything
 * queued to the inner backend as ONE `apply`, so the inner backend's atomic batches keep the
 * user's batches atomic, and later writes to a key simply replace earlier queued ones
 * (operations on one key coalesce while queued).
 *
 * Failures are kept, never dropped. When the inner `apply` throws, the operations stay queued
 * (and visible to reads) and are retried: after `retry_interval`, or at once by `flush()`.
 * The error is passed to `on_error` (if set), kept in `last_error()`, and counted in
 * `stats().failed_flushes`; `flush()` throws it. The destructor drains the queue; if the inner
 * backend still fails after `drain_attempts` attempts, the operations are lost and this is
 * reported, with their count, to `on_error` (or, without one, to stderr). Call `flush()` before
 * destruction to handle such errors yourself.
 *
 * Costs. `put`, `apply` and `erase` of a key with a queued operation take one short lock.
 * `get`, `contains`, `scan` and `erase` of a key without a queued operation read the inner
 * backend without waiting for a flush (`scan` and `erase` retry when a flush lands during their
 * read, and after three tries hold the inner backend still, which a flush then waits for).
 * `count` waits while a flush is being applied. Do not write to `inner()` directly while the
 * decorator is in use.
 */
#pragma once

#include <strata/storage/backend.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// When a `write_behind` flushes, and what it does when flushing fails.
struct write_behind_options {
    /// Flush once this many keys have queued operations.
    std::size_t max_pending_ops = 4096;
    /// ... or once the queued keys and values hold this many bytes.
    std::size_t max_pending_bytes = std::size_t{4} << 20;
    /// ... or once the oldest queued operation has waited this long.
    std::chrono::microseconds max_latency = std::chrono::milliseconds(5);
    /// After a failed flush, wait this long before the next attempt (`flush()` does not wait).
    std::chrono::microseconds retry_interval = std::chrono::milliseconds(100);
    /// Failed attempts after which the destructor gives up (reporting what is lost); at least 1.
    unsigned drain_attempts = 3;
    /// Called on the worker thread with each failed flush's error (must not block for long nor
    /// call `flush()`; what it throws is ignored).
    std::function<void(const storage_error&)> on_error = {};
};

/// What a `write_behind` has queued, flushed and failed to flush.
struct write_behind_stats {
    std::size_t pending_ops = 0;          ///< keys with a queued operation (coalesced)
    std::size_t pending_bytes = 0;        ///< bytes of their keys and values
    std::uint64_t flushed_ops = 0;        ///< operations applied to the inner backend
    std::uint64_t flushed_batches = 0;    ///< successful flushes (one inner `apply` each)
    std::uint64_t failed_flushes = 0;     ///< flushes whose inner `apply` threw
    std::size_t failed_ops = 0;           ///< operations of the last flush if it failed; 0 once one succeeds
};

/**
 * @brief A backend that queues writes and applies them to `Backend` from a worker thread.
 * Itself a `strata::backend` (see the file comment for the guarantees and costs).
 * @tparam Backend the inner backend, owned and constructed in place
 */
template <backend Backend>
class write_behind {
public:
    /// Default options and a default-constructed inner backend.
    write_behind()
        requires std::default_initializable<Backend>
        : write_behind(write_behind_options{}) {}

    /// The given options; the inner backend is constructed from `args`.
    template <class... Args>
        requires std::constructible_from<Backend, Args...>
    explicit write_behind(write_behind_options options, Args&&... args)
        : options_(std::move(options)), inner_(std::forward<Args>(args)...), worker_([this] { run(); }) {}

    write_behind(const write_behind&) = delete;
    write_behind& operator=(const write_behind&) = delete;

    /// Drains the queue (see the file comment for what happens when the inner backend fails).
    ~write_behind() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        work_cv_.notify_all();
        worker_.join();
    }

    /// The value, queued or stored.
    std::optional<std::string> get(std::string_view key) const {
        {
            std::lock_guard lock(mutex_);
            if (auto it = overlay_.find(key); it != overlay_.end()) return it->second.value;
        }
        return inner_.get(key);
    }

    /// Whether the key is there, queued or stored.
    bool contains(std::string_view key) const {
        {
            std::lock_guard lock(mutex_);
            if (auto it = overlay_.find(key); it != overlay_.end()) return it->second.value.has_value();
        }
        return inner_.contains(key);
    }

    /// Queues a put; returns at once.
    void put(std::string_view key, std::string_view value) {
        std::lock_guard lock(mutex_);
        queue_locked(key, value);
        queued_locked();
    }

    /// Queues an erase; returns whether the key was there (reading the inner backend when the
    /// key has no queued operation).
    bool erase(std::string_view key) {
        for (unsigned tries = 0;; ++tries) {
            std::shared_lock<std::shared_mutex> hold_inner;  // only after optimistic tries failed
            if (tries >= optimistic_tries) hold_inner = std::shared_lock(inner_mutex_);
            std::uint64_t landed = 0;
            {
                std::lock_guard lock(mutex_);
                if (auto it = overlay_.find(key); it != overlay_.end()) {
                    const bool existed = it->second.value.has_value();
                    queue_locked(key, std::nullopt);
                    queued_locked();
                    return existed;
                }
                landed = landed_;
            }
            const bool stored = inner_.contains(key);
            std::lock_guard lock(mutex_);
            auto it = overlay_.find(key);
            // The key had no queued operation, so no flush in flight touches it; only a flush
            // that landed (and whose queued operations left the overlay) meanwhile could have.
            if (it == overlay_.end() && !hold_inner.owns_lock() && landed_ != landed) continue;
            const bool existed = it != overlay_.end() ? it->second.value.has_value() : stored;
            if (existed || it != overlay_.end()) {  // erasing an absent key queues nothing
                queue_locked(key, std::nullopt);
                queued_locked();
            }
            return existed;
        }
    }

    /// Queues every operation of the batch, all under one lock (readers see all or none).
    void apply(const write_batch& batch) {
        if (batch.empty()) return;
        std::lock_guard lock(mutex_);
        for (const auto& op : batch.operations()) {
            queue_locked(op.key, op.what == write_batch::operation::kind::put
                                     ? std::optional<std::string_view>(op.value)
                                     : std::nullopt);
        }
        queued_locked();
    }

    /// The inner backend's scan with the queued operations merged in.
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        std::vector<key_value> out;
        if (limit == 0) return out;
        std::size_t want = 0;
        for (unsigned tries = 0;; ++tries) {
            std::shared_lock<std::shared_mutex> hold_inner;  // only after optimistic tries failed
            if (tries >= optimistic_tries) hold_inner = std::shared_lock(inner_mutex_);
            std::uint64_t landed = 0;
            {
                // Each queued erase in the range may hide one stored entry: ask for that many more.
                std::lock_guard lock(mutex_);
                landed = landed_;
                std::size_t erases = 0;
                for (auto it = range_begin(prefix, after); it != overlay_.end() && it->first.starts_with(prefix); ++it)
                    if (!it->second.value) ++erases;
                want = std::max(want, limit > no_limit - erases ? no_limit : limit + erases);
            }
            auto stored = inner_.scan(prefix, after, want);
            const bool exhausted = stored.size() < want;
            std::lock_guard lock(mutex_);
            // Valid unless a flush landed meanwhile: the inner scan saw the state before or after
            // the one flush that may be in flight, and the overlay still holds all of that flush.
            if (!hold_inner.owns_lock() && landed_ != landed) continue;
            out.clear();
            const std::string* bound = exhausted ? nullptr : &stored.back().key;
            auto it = range_begin(prefix, after);
            std::size_t i = 0;
            while (out.size() < limit) {
                const bool queued = it != overlay_.end() && it->first.starts_with(prefix) &&
                                    (bound == nullptr || it->first <= *bound);
                if (!queued && i == stored.size()) break;
                if (queued && (i == stored.size() || it->first <= stored[i].key)) {
                    if (i < stored.size() && it->first == stored[i].key) ++i;  // the queued one wins
                    if (it->second.value) out.push_back({it->first, *it->second.value});
                    ++it;
                } else {
                    out.push_back(std::move(stored[i++]));
                }
            }
            if (out.size() == limit || exhausted) return out;
            want = want > no_limit / 2 ? no_limit : want * 2;  // erases queued meanwhile hid more
        }
    }

    /// The inner backend's count, corrected for the queued operations. Waits while a flush is
    /// being applied (the inner count and the presence of each queued key must be read from one
    /// state of the inner backend).
    std::size_t count(std::string_view prefix) const {
        for (unsigned tries = 0;; ++tries) {
            std::shared_lock<std::shared_mutex> hold_inner;  // only after optimistic tries failed
            if (tries >= optimistic_tries) hold_inner = std::shared_lock(inner_mutex_);
            std::uint64_t attempts = 0;
            {
                std::lock_guard lock(mutex_);
                if (!hold_inner.owns_lock() && applying_) {
                    tries = optimistic_tries - 1;  // a flush is in flight: wait for it
                    continue;
                }
                attempts = attempts_;
            }
            std::size_t n = inner_.count(prefix);
            std::vector<std::pair<std::string, bool>> queued;  // key, whether it is a put
            {
                std::lock_guard lock(mutex_);
                for (auto it = overlay_.lower_bound(prefix); it != overlay_.end() && it->first.starts_with(prefix); ++it)
                    queued.emplace_back(it->first, it->second.value.has_value());
            }
            for (const auto& [key, is_put] : queued) {
                const bool stored = inner_.contains(key);
                if (is_put && !stored) ++n;
                if (!is_put && stored) --n;
            }
            std::lock_guard lock(mutex_);
            if (!hold_inner.owns_lock() && attempts_ != attempts) continue;  // the inner backend moved
            return n;
        }
    }

    /**
     * @brief Blocks until every operation queued before the call is applied to the inner backend.
     * @throws storage_error the error of a flush attempted for this call that failed (the
     * operations stay queued; a later `flush()` or the worker's retry tries again).
     */
    void flush() {
        std::unique_lock lock(mutex_);
        const std::uint64_t target = queued_;
        if (applied_ >= target) return;
        const std::uint64_t wanted = attempts_ + 1;  // an attempt that starts after this call
        if (flush_wanted_ < wanted) flush_wanted_ = wanted;
        work_cv_.notify_all();
        done_cv_.wait(lock, [&] { return applied_ >= target || last_failed_attempt_ >= wanted; });
        if (applied_ < target) throw *last_error_;
    }

    /// Counters and the queue's size.
    write_behind_stats stats() const {
        std::lock_guard lock(mutex_);
        return {overlay_.size(), overlay_bytes_, flushed_ops_, flushed_batches_, failed_flushes_, failed_ops_};
    }

    /// The error of the most recent failed flush (kept after later flushes succeed).
    std::optional<storage_error> last_error() const {
        std::lock_guard lock(mutex_);
        return last_error_;
    }

    /// The inner backend (reading it directly misses queued writes; do not write to it).
    Backend& inner() noexcept { return inner_; }
    /// The inner backend.
    const Backend& inner() const noexcept { return inner_; }
    /// The options given at construction.
    const write_behind_options& options() const noexcept { return options_; }

private:
    using clock = std::chrono::steady_clock;

    /// A queued operation: the value to put, or `nullopt` to erase; `seq` numbers the last
    /// operation queued on the key.
    struct pending {
        std::optional<std::string> value;
        std::uint64_t seq = 0;
    };
    using overlay_map = std::map<std::string, pending, std::less<>>;

    /// Reads that merge the overlay into the inner backend's state first try without holding
    /// the inner backend still (retrying when a flush lands meanwhile), then hold it.
    static constexpr unsigned optimistic_tries = 3;

    overlay_map::const_iterator range_begin(std::string_view prefix, std::optional<std::string_view> after) const {
        return after && *after >= prefix ? overlay_.upper_bound(*after) : overlay_.lower_bound(prefix);
    }

    void queue_locked(std::string_view key, std::optional<std::string_view> value) {
        auto it = overlay_.find(key);
        if (it == overlay_.end()) {
            it = overlay_.emplace(std::string(key), pending{}).first;
            overlay_bytes_ += key.size();
        } else if (it->second.value) {
            overlay_bytes_ -= it->second.value->size();
        }
        if (!value) {
            it->second.value.reset();
        } else if (it->second.value) {
            it->second.value->assign(*value);
        } else {
            it->second.value.emplace(*value);
        }
        if (value) overlay_bytes_ += value->size();
        it->second.seq = ++queued_;
    }

    /// After queueing: starts the latency clock, wakes the worker when it has work to start.
    void queued_locked() {
        const bool was_idle = !dirty_since_;
        if (was_idle) dirty_since_ = clock::now();
        if (was_idle || overlay_.size() >= options_.max_pending_ops ||
            overlay_bytes_ >= options_.max_pending_bytes) {
            work_cv_.notify_one();
        }
    }

    /// Whether the worker should flush now; otherwise when it should look again.
    bool due_locked(clock::time_point now, clock::time_point& next) const {
        if (flush_wanted_ > attempts_) return true;
        if (failing_) {
            next = retry_at_;
            return now >= retry_at_;
        }
        if (stop_ || overlay_.size() >= options_.max_pending_ops || overlay_bytes_ >= options_.max_pending_bytes)
            return true;
        next = dirty_since_.value_or(now) + options_.max_latency;
        return now >= next;
    }

    void report(const storage_error& e) {
        if (!options_.on_error) return;
        try {
            options_.on_error(e);
        } catch (...) {  // a callback's failure must not stop the worker
        }
    }

    void run() {
        std::unique_lock lock(mutex_);
        unsigned drain_failures = 0;
        for (;;) {
            if (overlay_.empty()) {
                if (stop_) return;
                work_cv_.wait(lock);
                continue;
            }
            clock::time_point next{};
            if (!due_locked(clock::now(), next)) {
                work_cv_.wait_until(lock, next);
                continue;
            }

            // Everything queued goes to the inner backend as one batch; the overlay keeps it
            // visible to readers until it has landed.
            const std::uint64_t covered = queued_;
            const std::uint64_t attempt = ++attempts_;
            applying_ = true;
            std::optional<storage_error> failure;
            write_batch batch;
            try {
                for (const auto& [key, op] : overlay_) {
                    if (op.value) {
                        batch.put(key, *op.value);
                    } else {
                        batch.erase(key);
                    }
                }
            } catch (const std::exception& e) {
                failure.emplace("apply batch", "", e.what());
            }
            dirty_since_.reset();
            lock.unlock();
            {
                std::unique_lock hold_inner(inner_mutex_);
                if (!failure) {
                    try {
                        inner_.apply(batch);
                    } catch (const storage_error& e) {
                        failure = e;
                    } catch (const std::exception& e) {
                        failure.emplace("apply batch", "", e.what());
                    } catch (...) {
                        failure.emplace("apply batch", "", "unknown exception");
                    }
                }
                lock.lock();
                if (!failure) {
                    for (const auto& op : batch.operations()) {  // what was overwritten meanwhile stays
                        auto it = overlay_.find(op.key);
                        if (it == overlay_.end() || it->second.seq > covered) continue;
                        overlay_bytes_ -= it->first.size() + (it->second.value ? it->second.value->size() : 0);
                        overlay_.erase(it);
                    }
                    applied_ = covered;
                    ++landed_;
                    flushed_ops_ += batch.size();
                    ++flushed_batches_;
                    failing_ = false;
                    failed_ops_ = 0;
                    drain_failures = 0;
                    if (!overlay_.empty() && !dirty_since_) dirty_since_ = clock::now();
                } else {
                    failing_ = true;
                    retry_at_ = clock::now() + options_.retry_interval;
                    last_error_ = *failure;
                    ++failed_flushes_;
                    failed_ops_ = batch.size();
                    last_failed_attempt_ = attempt;
                    if (stop_) ++drain_failures;
                }
                applying_ = false;
            }
            done_cv_.notify_all();
            if (!failure) continue;

            lock.unlock();
            report(*failure);
            lock.lock();
            if (stop_ && drain_failures >= std::max(options_.drain_attempts, 1u)) {
                storage_error lost("drain", failure->key(),
                                   std::to_string(overlay_.size()) +
                                       " queued operations are lost: the inner backend failed " +
                                       std::to_string(drain_failures) + " times: " + failure->reason());
                overlay_.clear();
                overlay_bytes_ = 0;
                lock.unlock();
                if (options_.on_error) {
                    report(lost);
                } else {
                    std::fprintf(stderr, "strata::write_behind: %s\n", lost.what());
                }
                return;
            }
        }
    }

    write_behind_options options_;
    Backend inner_;

    mutable std::mutex mutex_;                // the overlay, counters and worker state
    mutable std::shared_mutex inner_mutex_;   // exclusive while a flush applies to inner_;
                                              // shared by reads that must see it hold still
    std::condition_variable work_cv_;         // wakes the worker
    std::condition_variable done_cv_;         // a flush attempt ended

    overlay_map overlay_;
    std::size_t overlay_bytes_ = 0;
    std::uint64_t queued_ = 0;               // operations queued so far (the last one's seq)
    std::uint64_t applied_ = 0;              // operations with seq <= applied_ are in inner_
    std::uint64_t attempts_ = 0;             // flush attempts started
    std::uint64_t flush_wanted_ = 0;         // flush() wants attempt number >= this
    std::uint64_t last_failed_attempt_ = 0;
    std::uint64_t landed_ = 0;               // flushes that landed and left the overlay
    bool applying_ = false;                  // a flush is being applied to inner_
    std::optional<clock::time_point> dirty_since_;  // when the oldest unflushed write was queued
    bool failing_ = false;
    clock::time_point retry_at_{};
    bool stop_ = false;

    std::uint64_t flushed_ops_ = 0;
    std::uint64_t flushed_batches_ = 0;
    std::uint64_t failed_flushes_ = 0;
    std::size_t failed_ops_ = 0;
    std::optional<storage_error> last_error_;

    std::thread worker_;  // last: starts once everything above exists
};

}  // namespace v1
}  // namespace strata
