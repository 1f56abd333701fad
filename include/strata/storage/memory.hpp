/**
 * @file
 * @brief `memory_backend`: an ordered map in memory. The test double for every other part, and
 * a real choice for ephemeral stores (caches, tests, a dry run's scratch space).
 *
 * Safe for concurrent use: readers share a lock, writers take it alone (and a waiting writer
 * goes before new readers), so a batch is seen whole or not at all.
 */
#pragma once

#include <strata/detail/writer_priority_mutex.hpp>
#include <strata/storage/backend.hpp>

#include <map>
#include <mutex>
#include <shared_mutex>

namespace strata {
inline namespace v1 {

/// A backend that keeps everything in an ordered map; nothing survives the process.
class memory_backend {
public:
    std::optional<std::string> get(std::string_view key) const {
        std::shared_lock lock(mutex_);
        auto it = map_.find(key);
        if (it == map_.end()) return std::nullopt;
        return it->second;
    }

    void put(std::string_view key, std::string_view value) {
        std::unique_lock lock(mutex_);
        put_locked(key, value);
    }

    bool erase(std::string_view key) {
        std::unique_lock lock(mutex_);
        return erase_locked(key);
    }

    bool contains(std::string_view key) const {
        std::shared_lock lock(mutex_);
        return map_.find(key) != map_.end();
    }

    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        std::vector<key_value> out;
        if (limit == 0) return out;
        std::shared_lock lock(mutex_);
        auto it = after && *after >= prefix ? map_.upper_bound(*after) : map_.lower_bound(prefix);
        for (; it != map_.end() && it->first.starts_with(prefix) && out.size() < limit; ++it) {
            out.push_back({it->first, it->second});
        }
        return out;
    }

    std::size_t count(std::string_view prefix) const {
        std::shared_lock lock(mutex_);
        std::size_t n = 0;
        for (auto it = map_.lower_bound(prefix); it != map_.end() && it->first.starts_with(prefix); ++it) ++n;
        return n;
    }

    /// When `key`'s value is `expected` (`std::nullopt`: absent), stores `value` and returns
    /// `true`; else changes nothing and returns `false`. Atomic: under the exclusive lock.
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value) {
        std::unique_lock lock(mutex_);
        auto it = map_.find(key);
        const bool matches = it == map_.end() ? !expected.has_value() : expected && it->second == *expected;
        if (matches) put_locked(key, value);
        return matches;
    }

    /// When `key` is present with the value `expected`, erases it and returns `true`; else
    /// changes nothing and returns `false`. Atomic: under the exclusive lock.
    bool compare_and_erase(std::string_view key, std::string_view expected) {
        std::unique_lock lock(mutex_);
        auto it = map_.find(key);
        if (it == map_.end() || it->second != expected) return false;
        map_.erase(it);
        return true;
    }

    /// Applies every operation under one exclusive lock. Copying into a map cannot fail halfway
    /// in any way but `std::bad_alloc`; the map is then restored from a snapshot of the keys
    /// the batch touched, so the batch is still all or nothing.
    void apply(const write_batch& batch) {
        std::unique_lock lock(mutex_);
        std::map<std::string, std::optional<std::string>, std::less<>> before;
        for (const auto& op : batch.operations()) {
            if (before.contains(op.key)) continue;
            auto it = map_.find(op.key);
            before.emplace(op.key, it == map_.end() ? std::nullopt : std::optional<std::string>(it->second));
        }
        try {
            for (const auto& op : batch.operations()) {
                if (op.what == write_batch::operation::kind::put) {
                    put_locked(op.key, op.value);
                } else {
                    erase_locked(op.key);
                }
            }
        } catch (...) {
            for (auto& [key, value] : before) {
                if (value) {
                    map_.insert_or_assign(key, std::move(*value));
                } else {
                    map_.erase(key);
                }
            }
            throw;
        }
    }

private:
    void put_locked(std::string_view key, std::string_view value) {
        auto it = map_.find(key);
        if (it != map_.end()) {
            it->second.assign(value);
        } else {
            map_.emplace(std::string(key), std::string(value));
        }
    }
    bool erase_locked(std::string_view key) {
        auto it = map_.find(key);
        if (it == map_.end()) return false;
        map_.erase(it);
        return true;
    }

    mutable detail::writer_priority_mutex mutex_;
    std::map<std::string, std::string, std::less<>> map_;
};

static_assert(check_backend<memory_backend>());

}  // namespace v1
}  // namespace strata
