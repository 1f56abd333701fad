/**
 * @file
 * @brief `strata::cache<Key, Value, Eviction, Sizer>`: a bounded in-memory cache with a
 * pluggable eviction policy, a capacity in entries or bytes, and statistics.
 *
 * @code
 * strata::cache<std::string, std::string, strata::s3_fifo, strata::byte_sizer> c(64 << 20);  // 64 MiB
 * c.put("user/42", payload);
 * if (auto v = c.get("user/42")) use(*v);          // a copy; c.find(key) gives a pointer instead
 * c.stats().hit_rate();
 * @endcode
 *
 * - **Capacity** is a total weight; the `Sizer` weighs each entry (sizer.hpp): `entry_sizer`
 *   counts entries, `byte_sizer` bytes of key and value. A put never leaves the cache over its
 *   capacity: it evicts as the policy says. An entry heavier than the whole capacity is not
 *   cached (and a value it replaces is dropped, so a stale value is never served).
 * - **Eviction** is a policy type (eviction_policy.hpp): `lru`, `sieve`, `s3_fifo`, `w_tinylfu`,
 *   or your own. The cache owns keys and values; the policy orders slot numbers.
 * - **Lookups** (`get`, `find`) count as hits or misses and tell the policy; `contains` and
 *   `peek` look without either. A put of a key already cached replaces its value and counts as a
 *   use for the policy (`on_update`), not as a hit. `resize` changes the capacity at run time;
 *   shrinking evicts at once.
 * - **Keys** are stored once. String-like keys (`std::string`) are looked up by
 *   `std::string_view`, without building a string.
 *
 * **Not thread-safe.** Every lookup changes the policy's state (a hit moves an LRU entry, sets a
 * SIEVE bit, counts in W-TinyLFU's sketch), so even `get` is a write: guard a shared cache with a
 * mutex, as `strata::cached` does. `contains`, `peek`, `stats` and the other `const` members only
 * read.
 *
 * The hot path: the key is hashed once; a hit is one probe of a `boost::unordered_flat_set` of
 * 4-byte slot numbers (its hash and equality read keys from the slots, so keys are stored once),
 * one read of the slot and the policy's `on_access` (given the hash, if it wants it); no
 * allocation. 10 to 45 ns a hit on 100,000 entries, by policy: see benchmarks/README.md.
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/hash.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/sizer.hpp>

#include <boost/unordered/unordered_flat_set.hpp>

#include <algorithm>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// A cache's counters and size, as `cache::stats()` reports them.
struct cache_stats {
    std::uint64_t hits = 0;       ///< lookups (`get`, `find`) that found the key
    std::uint64_t misses = 0;     ///< lookups that did not
    std::uint64_t evictions = 0;  ///< entries the policy evicted (for room, or on a shrinking resize)
    std::size_t entries = 0;      ///< entries resident now
    std::size_t weight = 0;       ///< their total weight now (bytes with `byte_sizer`)
    std::size_t capacity = 0;     ///< the capacity, in the same unit as `weight`

    /// hits / (hits + misses); 0 before any lookup.
    double hit_rate() const noexcept {
        const std::uint64_t lookups = hits + misses;
        return lookups == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(lookups);
    }
    friend bool operator==(const cache_stats&, const cache_stats&) = default;
};

namespace detail {

// The keys and values, in slots; free slots are reused first (slot numbers stay dense).
template <class Key, class Value>
struct cache_store {
    struct entry {
        Key key;
        Value value;
        std::size_t weight;
    };

    std::vector<std::optional<entry>> slots;
    std::vector<slot_index> free;  // capacity kept >= slots.size(), so release never allocates

    // The largest slot count: slot numbers stay clear of no_slot and of slot_lists' sentinels.
    static constexpr std::size_t max_slots = std::numeric_limits<slot_index>::max() - 64;

    slot_index allocate(Key&& key, Value&& value, std::size_t weight) {
        if (!free.empty()) {
            const slot_index s = free.back();
            slots[s].emplace(entry{std::move(key), std::move(value), weight});
            free.pop_back();
            return s;
        }
        if (slots.size() >= max_slots) throw std::length_error("strata: cache: too many entries");
        if (free.capacity() < slots.size() + 1) free.reserve(std::max<std::size_t>(16, 2 * (slots.size() + 1)));
        slots.emplace_back(std::in_place, entry{std::move(key), std::move(value), weight});
        return static_cast<slot_index>(slots.size() - 1);
    }
    void release(slot_index s) noexcept {
        slots[s].reset();
        free.push_back(s);  // never reallocates (see allocate)
    }
    void clear() noexcept {
        slots.clear();
        free.clear();
    }
    const Key& key(slot_index s) const noexcept { return slots[s]->key; }
};

// What the table holds: a slot number.
struct slot_ref {
    slot_index index;
};

// How a key is passed: by string view for string-like keys, else by const reference.
template <class Key>
using cache_key_arg = std::conditional_t<string_like_key<Key>, std::string_view, const Key&>;

// A key looked up with its hash computed once by the cache, which also hands it to the policy.
template <class Key>
struct hashed_key {
    cache_key_arg<Key> key;
    std::size_t hash;
};

// The table's hash and equality read keys from the store, so that keys are stored once.
template <class Key, class Value, class Hash>
struct slot_hash {
    using is_transparent = void;
    using is_avalanching = void;
    const cache_store<Key, Value>* store;
    Hash hash;
    std::size_t operator()(slot_ref r) const {
        const cache_key_arg<Key> key = store->key(r.index);
        return hash(key);
    }
    std::size_t operator()(const hashed_key<Key>& k) const noexcept { return k.hash; }
};

template <class Key, class Value>
struct slot_equal {
    using is_transparent = void;
    const cache_store<Key, Value>* store;
    bool operator()(slot_ref a, slot_ref b) const { return a.index == b.index || store->key(a.index) == store->key(b.index); }
    bool operator()(const hashed_key<Key>& k, slot_ref r) const { return store->key(r.index) == k.key; }
    bool operator()(slot_ref r, const hashed_key<Key>& k) const { return store->key(r.index) == k.key; }
};

}  // namespace detail

/**
 * @brief A bounded cache from `Key` to `Value`: a capacity in entries or bytes, an eviction
 * policy, hit/miss/eviction statistics. Not thread-safe (see the file comment).
 * @tparam Key      the key type (hashable with `Hash`, equality-comparable)
 * @tparam Value    the value type (move-constructible)
 * @tparam Eviction the eviction policy: `lru` (default), `sieve`, `s3_fifo`, `w_tinylfu` or yours
 * @tparam Sizer    what an entry weighs: `entry_sizer` (default, capacity in entries) or
 *                  `byte_sizer` (capacity in bytes) or yours
 * @tparam Hash     the hash (`cache_hash<Key>`: 64 well-mixed bits; a replacement should mix as well)
 */
template <class Key, class Value, class Eviction = lru, class Sizer = entry_sizer, class Hash = cache_hash<Key>>
class cache {
    static_assert(check_eviction_policy<Eviction>());
    static_assert(cache_sizer<Sizer, Key, Value>,
                  "strata: a cache sizer must be callable as `std::size_t operator()(const Key&, const Value&) const`");
    static_assert(std::equality_comparable<Key>, "strata: a cache key must be equality-comparable");

    using store_type = detail::cache_store<Key, Value>;
    using table_type = boost::unordered_flat_set<detail::slot_ref, detail::slot_hash<Key, Value, Hash>,
                                                 detail::slot_equal<Key, Value>>;
    static constexpr bool inserts_first = eviction_inserts_first<Eviction>;

public:
    using key_type = Key;
    using mapped_type = Value;
    using policy_type = Eviction;
    using sizer_type = Sizer;
    using hasher = Hash;
    /// How keys are passed: `std::string_view` for string-like keys, `const Key&` otherwise.
    using key_arg = detail::cache_key_arg<Key>;

    /// The largest capacity (larger ones are clamped): half the range of `std::size_t`.
    static constexpr std::size_t max_capacity = std::numeric_limits<std::size_t>::max() / 2;

    /// A cache holding at most `capacity` of weight (entries with `entry_sizer`, bytes with `byte_sizer`).
    explicit cache(std::size_t capacity, Sizer sizer = Sizer{}, Hash hash = Hash{})
        : store_(std::make_unique<store_type>()),
          table_(0, detail::slot_hash<Key, Value, Hash>{store_.get(), hash}, detail::slot_equal<Key, Value>{store_.get()}),
          sizer_(std::move(sizer)),
          hash_(std::move(hash)),
          capacity_(std::min(capacity, max_capacity)) {
        if constexpr (has_set_capacity<Eviction>) policy_.set_capacity(capacity_);
    }

    cache(const cache&) = delete;
    cache& operator=(const cache&) = delete;
    /// Moves keep working: the table reads keys through a pointer to the heap-allocated store.
    /// A moved-from cache may only be destroyed or assigned to.
    cache(cache&&) noexcept = default;
    cache& operator=(cache&&) noexcept = default;
    ~cache() = default;

    /// A copy of the value cached under `key`, or `std::nullopt`. Counts a hit or a miss.
    std::optional<Value> get(key_arg key) {
        if (const Value* v = find(key)) return *v;
        return std::nullopt;
    }

    /**
     * @brief The value cached under `key`, or `nullptr`. Counts a hit or a miss. The pointer is
     * valid until the next call that is not `const`.
     */
    const Value* find(key_arg key) {
        const detail::hashed_key<Key> k = hashed(key);
        const auto it = table_.find(k);
        if (it == table_.end()) {
            ++misses_;
            return nullptr;
        }
        ++hits_;
        const slot_index s = it->index;
        access(s, k.hash);
        return &store_->slots[s]->value;
    }

    /**
     * @brief Caches `value` under `key`, replacing any value there, and evicts as the policy says
     * until the cache is within its capacity. Returns whether the key is cached afterwards: false
     * when the entry is heavier than the capacity (any old value is then dropped too) or when the
     * policy turned it away (W-TinyLFU's admission).
     */
    bool put(key_arg key, Value value) {
        const detail::hashed_key<Key> hk = hashed(key);
        if (const auto it = table_.find(hk); it != table_.end()) return update(it->index, hk.hash, std::move(value));
        Key k(key);
        const std::size_t w = weigh(k, value);
        if (w > capacity_) return false;
        const auto h = static_cast<std::uint64_t>(hk.hash);
        if constexpr (!inserts_first) {
            while (capacity_ - weight_ < w) evict_one();
        }
        const slot_index s = store_->allocate(std::move(k), std::move(value), w);
        try {
            table_.insert(detail::slot_ref{s});
        } catch (...) {
            store_->release(s);
            throw;
        }
        try {
            policy_.on_insert(s, h, w);
        } catch (...) {
            table_.erase(cache_key(s));
            store_->release(s);
            throw;
        }
        weight_ += w;
        if constexpr (inserts_first) {
            while (weight_ > capacity_) evict_one();
            return store_->slots[s].has_value();
        } else {
            return true;
        }
    }

    /// Removes `key`; returns whether it was cached. Not an eviction.
    bool erase(key_arg key) {
        const auto it = table_.find(hashed(key));
        if (it == table_.end()) return false;
        const slot_index s = it->index;
        policy_.on_erase(s);
        weight_ -= store_->slots[s]->weight;
        table_.erase(it);
        store_->release(s);
        return true;
    }

    /// Whether `key` is cached. Neither a hit nor a miss; the policy is not told.
    bool contains(key_arg key) const { return table_.contains(hashed(key)); }

    /// The value cached under `key` or `nullptr`, without counting or telling the policy.
    const Value* peek(key_arg key) const {
        const auto it = table_.find(hashed(key));
        return it == table_.end() ? nullptr : &store_->slots[it->index]->value;
    }

    /// Empties the cache. The statistics' counters are kept (see `reset_stats`).
    void clear() {
        table_.clear();
        store_->clear();
        if constexpr (has_clear<Eviction>) {
            policy_.clear();
        } else {
            policy_ = Eviction{};
            if constexpr (has_set_capacity<Eviction>) policy_.set_capacity(capacity_);
        }
        weight_ = 0;
    }

    /// Changes the capacity; shrinking evicts at once, as the policy says.
    void resize(std::size_t capacity) {
        capacity_ = std::min(capacity, max_capacity);
        if constexpr (has_set_capacity<Eviction>) policy_.set_capacity(capacity_);
        while (weight_ > capacity_) evict_one();
    }

    /// The capacity, in the sizer's unit.
    std::size_t capacity() const noexcept { return capacity_; }
    /// The total weight of the entries (bytes with `byte_sizer`, entries with `entry_sizer`).
    std::size_t weight() const noexcept { return weight_; }
    /// The number of entries.
    std::size_t size() const noexcept { return table_.size(); }
    /// Whether there is no entry.
    bool empty() const noexcept { return table_.empty(); }

    /// The counters and the current size.
    cache_stats stats() const noexcept {
        return {hits_, misses_, evictions_, table_.size(), weight_, capacity_};
    }
    /// Zeroes the hit, miss and eviction counters.
    void reset_stats() noexcept { hits_ = misses_ = evictions_ = 0; }

    /// Calls `fn(const Key&, const Value&)` for every entry, in no particular order.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (const auto& slot : store_->slots) {
            if (slot) fn(slot->key, slot->value);
        }
    }

    /// The eviction policy (for inspection: each policy offers read-only views of its state).
    const Eviction& policy() const noexcept { return policy_; }
    /// The slot of `key`, or `no_slot` (for inspecting the policy's view of an entry).
    slot_index slot_of(key_arg key) const {
        const auto it = table_.find(hashed(key));
        return it == table_.end() ? no_slot : it->index;
    }
    /// The hash function (the policy sees keys as `hash_function()(key)`).
    const Hash& hash_function() const noexcept { return hash_; }

private:
    detail::hashed_key<Key> hashed(key_arg key) const { return {key, hash_(key)}; }
    // The slot's key, for erasing it from the table.
    detail::hashed_key<Key> cache_key(slot_index s) const { return hashed(store_->key(s)); }

    // Tells the policy of a use: on_access(slot, hash) if it takes the hash, else on_access(slot).
    void access(slot_index s, std::size_t hash) {
        if constexpr (has_on_access_hashed<Eviction>) {
            policy_.on_access(s, static_cast<std::uint64_t>(hash));
        } else if constexpr (has_on_access<Eviction>) {
            policy_.on_access(s);
        }
    }

    std::size_t weigh(const Key& key, const Value& value) const {
        return std::max<std::size_t>(1, static_cast<std::size_t>(sizer_(key, value)));
    }

    bool update(slot_index s, std::size_t hash, Value&& value) {
        auto& e = *store_->slots[s];
        const std::size_t w = weigh(e.key, value);
        if (w > capacity_) {  // the new value cannot be cached: never keep the old one
            policy_.on_erase(s);
            weight_ -= e.weight;
            table_.erase(cache_key(s));
            store_->release(s);
            return false;
        }
        const std::size_t old = e.weight;
        e.value = std::move(value);
        e.weight = w;
        weight_ = weight_ - old + w;
        if constexpr (has_on_update<Eviction>) {
            policy_.on_update(s, old, w);
        } else {
            access(s, hash);
        }
        while (weight_ > capacity_) evict_one();
        return store_->slots[s].has_value();
    }

    void evict_one() {
        assert(!table_.empty());
        const slot_index v = policy_.evict();
        assert(v < store_->slots.size() && store_->slots[v].has_value());
        weight_ -= store_->slots[v]->weight;
        table_.erase(cache_key(v));
        store_->release(v);
        ++evictions_;
    }

    std::unique_ptr<store_type> store_;  // on the heap: the table's functors point at it
    table_type table_;
    Eviction policy_{};
    Sizer sizer_;
    Hash hash_;
    std::size_t capacity_;
    std::size_t weight_ = 0;
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
    std::uint64_t evictions_ = 0;
};

}  // namespace v1
}  // namespace strata
