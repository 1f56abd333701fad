/**
 * @file
 * @brief `strata::lru`: least recently used eviction.
 *
 * One list in recency order: an insert or a hit moves the entry to the front; the victim is the
 * back. The baseline every other policy is measured against; on workloads with scans or many
 * one-hit wonders it does worse than SIEVE, S3-FIFO and W-TinyLFU (see benchmarks/README.md).
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/slot_lists.hpp>

#include <cstddef>
#include <cstdint>

namespace strata {
inline namespace v1 {

/// Least recently used: evicts the entry whose last use is oldest.
class lru {
public:
    /// A new entry is the most recent.
    void on_insert(slot_index slot, std::uint64_t /*hash*/, std::size_t /*weight*/) { order_.push_front(slot); }
    /// A hit makes the entry the most recent.
    void on_access(slot_index slot) noexcept { order_.move_to_front(slot); }
    /// Forgets an erased entry.
    void on_erase(slot_index slot) noexcept { order_.remove(slot); }
    /// The least recently used entry.
    slot_index evict() noexcept { return order_.pop_back(); }
    /// Forgets every entry.
    void clear() { order_.clear(); }

    /// The recency order, most recent first (for inspection and tests).
    const slot_list& order() const noexcept { return order_; }

private:
    slot_list order_;  // front: most recently used
};

static_assert(check_eviction_policy<lru>());

}  // namespace v1
}  // namespace strata
