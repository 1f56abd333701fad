/**
 * @file
 * @brief `strata::cached<Backend, Eviction>`: a backend decorator that serves reads from a
 * `strata::cache` and writes through to the backend, invalidating what it writes.
 *
 * @code
 * // A SQLite store with 64 MiB of S3-FIFO cache in front (the capacity counts key + value bytes).
 * strata::cached<strata::sqlite_backend, strata::s3_fifo> store(64 << 20, "/data/store.db");
 * store.put("sessions/s-1", bytes);        // to SQLite; the cached copy (if any) is replaced
 * auto doc = store.get("sessions/s-1");    // from the cache when it is there
 * store.cache_stats().hit_rate();
 * @endcode
 *
 * It is a backend itself (`static_assert(strata::check_backend<cached<B>>())`), so it plugs in
 * wherever a backend does. It owns its backend, built in place from the constructor's arguments
 * after the capacity: writes that bypassed the decorator would leave stale entries behind.
 *
 * - `get`: a hit is served from the cache; a miss reads the backend and caches the value found.
 *   Absent keys are not cached (a get of an absent key always asks the backend), so there is no
 *   negative entry to invalidate.
 * - `put`, `erase`, `apply`: written through to the backend. The keys written are dropped from
 *   the cache *before* the backend is written, and, once it has been, the keys that were cached
 *   get their new values (a key erased stays out; keys that were not cached are not added, so a
 *   bulk import does not flush the cache). If the backend throws, the keys stay out of the cache
 *   (the write may or may not have happened) and the error propagates.
 * - `contains` answers from the cache when the key is there, else asks the backend; `scan` and
 *   `count` go to the backend.
 *
 * Thread safety, like the other backends: any number of readers with one writer at a time
 * (writers are serialised by the decorator). One mutex guards the cache (every lookup updates the
 * eviction policy); the backend is read outside it. A miss fills the cache only if no write began
 * since the miss was seen, so a value read from the backend before a write is never cached after
 * it; and since written keys leave the cache before the backend changes, a reader never sees a
 * batch half applied (old values from the cache next to new ones from the backend).
 */
#pragma once

#include <strata/cache/cache.hpp>
#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/sizer.hpp>
#include <strata/cache/w_tinylfu.hpp>
#include <strata/storage/backend.hpp>

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief A backend with a cache in front: reads from the cache, writes through with invalidation.
 * @tparam Backend  the backend it owns
 * @tparam Eviction the cache's eviction policy (default `w_tinylfu`: scan-resistant)
 * @tparam Sizer    what a cached entry weighs (default `byte_sizer`: the capacity counts bytes of
 *                  keys and values)
 */
template <backend Backend, class Eviction = w_tinylfu, class Sizer = byte_sizer>
class cached {
public:
    using backend_type = Backend;
    using cache_type = cache<std::string, std::string, Eviction, Sizer>;

    /// A cache of `cache_capacity` (bytes with `byte_sizer`) in front of `Backend(args...)`.
    template <class... Args>
    explicit cached(std::size_t cache_capacity, Args&&... backend_args)
        : backend_(std::forward<Args>(backend_args)...), cache_(cache_capacity) {}

    cached(const cached&) = delete;
    cached& operator=(const cached&) = delete;

    /// The value: from the cache on a hit; on a miss from the backend, then cached.
    std::optional<std::string> get(std::string_view key) const {
        std::uint64_t seen = 0;
        {
            std::lock_guard lock(mutex_);
            if (const std::string* v = cache_.find(key)) return *v;
            seen = generation_;
        }
        std::optional<std::string> value = backend_.get(key);
        if (value) {
            std::lock_guard lock(mutex_);
            if (generation_ == seen && !writing_) fill(key, *value);
        }
        return value;
    }

    /// Writes through; a cached value of `key` is replaced, an uncached key is not added.
    void put(std::string_view key, std::string_view value) {
        std::lock_guard writer(write_mutex_);
        write_guard guard(*this);
        const bool was_cached = guard.begin(key);
        backend_.put(key, value);
        std::lock_guard lock(mutex_);
        guard.end_locked();
        if (was_cached) fill(key, value);
    }

    /// Erases from the backend and from the cache.
    bool erase(std::string_view key) {
        std::lock_guard writer(write_mutex_);
        write_guard guard(*this);
        guard.begin(key);
        return backend_.erase(key);  // the guard ends the write, the key stays out of the cache
    }

    /// From the cache when the key is there (not counted as a hit), else from the backend.
    bool contains(std::string_view key) const {
        {
            std::lock_guard lock(mutex_);
            if (cache_.contains(key)) return true;
        }
        return backend_.contains(key);
    }

    /// The backend's scan.
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        return backend_.scan(prefix, after, limit);
    }

    /// The backend's count.
    std::size_t count(std::string_view prefix) const { return backend_.count(prefix); }

    /// Applies the batch to the backend; its keys that were cached get their final values.
    void apply(const write_batch& batch) {
        std::lock_guard writer(write_mutex_);
        write_guard guard(*this);
        // The keys that were cached (views into the batch), to refresh once the batch is applied.
        boost::unordered_flat_set<std::string_view, std::hash<std::string_view>> refresh;
        guard.begin_batch(batch, refresh);
        backend_.apply(batch);
        std::lock_guard lock(mutex_);
        guard.end_locked();
        if (refresh.empty()) return;
        for (const auto& op : batch.operations()) {  // in order: a later operation wins
            if (op.what == write_batch::operation::kind::erase) {
                cache_.erase(op.key);
            } else if (refresh.contains(op.key)) {
                fill(op.key, op.value);
            }
        }
    }

    // --- the cache ---

    /// The cache's counters and size.
    strata::cache_stats cache_stats() const {
        std::lock_guard lock(mutex_);
        return cache_.stats();
    }
    /// Zeroes the cache's hit, miss and eviction counters.
    void reset_cache_stats() {
        std::lock_guard lock(mutex_);
        cache_.reset_stats();
    }
    /// Changes the cache's capacity; shrinking evicts at once.
    void resize_cache(std::size_t capacity) {
        std::lock_guard lock(mutex_);
        cache_.resize(capacity);
    }
    /// Empties the cache (the backend is untouched).
    void clear_cache() {
        std::lock_guard lock(mutex_);
        cache_.clear();
    }
    /// The backend, to read (writes must go through the decorator to keep the cache right).
    const Backend& underlying() const noexcept { return backend_; }

private:
    // A write in progress: begin() drops the keys from the cache and stops fills; the write ends
    // (fills resume) at end_locked(), or in the destructor if the backend threw.
    class write_guard {
    public:
        explicit write_guard(cached& self) noexcept : self_(self) {}
        write_guard(const write_guard&) = delete;
        write_guard& operator=(const write_guard&) = delete;
        ~write_guard() {
            if (!active_) return;
            std::lock_guard lock(self_.mutex_);
            end_locked();
        }
        // Starts the write of one key; returns whether it was cached.
        bool begin(std::string_view key) {
            std::lock_guard lock(self_.mutex_);
            start();
            return self_.cache_.erase(key);
        }
        template <class Set>
        void begin_batch(const write_batch& batch, Set& cached_keys) {
            std::lock_guard lock(self_.mutex_);
            start();
            for (const auto& op : batch.operations()) {
                if (self_.cache_.erase(op.key)) cached_keys.insert(std::string_view(op.key));
            }
        }
        // Ends the write; `mutex_` must be held.
        void end_locked() noexcept {
            ++self_.generation_;  // fills that saw a miss before this point must not cache what they read
            self_.writing_ = false;
            active_ = false;
        }

    private:
        void start() noexcept {
            ++self_.generation_;
            self_.writing_ = true;
            active_ = true;
        }
        cached& self_;
        bool active_ = false;
    };

    // Caches a value (best effort: running out of memory only means it is not cached).
    void fill(std::string_view key, std::string_view value) const {
        try {
            cache_.put(key, std::string(value));
        } catch (const std::bad_alloc&) {  // NOLINT(bugprone-empty-catch)
        }
    }

    Backend backend_;
    mutable std::mutex mutex_;     // guards cache_, generation_, writing_
    std::mutex write_mutex_;       // one writer at a time
    mutable cache_type cache_;
    std::uint64_t generation_ = 0;  // bumped when a write begins and when it ends
    bool writing_ = false;
};

}  // namespace v1
}  // namespace strata
