/**
 * @file
 * @brief `slot_lists`: intrusive doubly linked lists over slot numbers, the building block of
 * every eviction policy (and of yours).
 *
 * A policy keeps its queues as lists of slot numbers. The links live in one vector indexed by
 * slot, so moving an entry costs no allocation, and an entry is in at most one of the `Lists`
 * lists at a time (LRU uses one list; S3-FIFO two: small and main; W-TinyLFU three: window,
 * probation, protected). Each list is circular around its own sentinel, so linking and unlinking
 * have no branches.
 *
 * Orientation: `front` is the head (where `push_front` puts the newest entry), `back` the tail
 * (the oldest). `next(slot)` moves toward the back, `prev(slot)` toward the front; both return
 * `no_slot` past the end.
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief `Lists` intrusive doubly linked lists sharing one link per slot.
 * @tparam Lists how many lists (each slot is in at most one of them)
 */
template <std::size_t Lists = 1>
class slot_lists {
    static_assert(Lists >= 1, "strata: slot_lists needs at least one list");

public:
    /// Empty lists.
    slot_lists() { clear(); }

    /// Links `slot` (not in any list) at the front of `list`.
    void push_front(slot_index slot, std::size_t list = 0) {
        grow(slot);
        link_after(node(slot), static_cast<std::uint32_t>(list));
    }
    /// Links `slot` (not in any list) at the back of `list`.
    void push_back(slot_index slot, std::size_t list = 0) {
        grow(slot);
        link_after(node(slot), links_[list].prev);
    }
    /// Unlinks `slot` from the list that holds it.
    void remove(slot_index slot) noexcept {
        const std::uint32_t n = node(slot);
        assert(n < links_.size());
        const link l = links_[n];
        links_[l.prev].next = l.next;
        links_[l.next].prev = l.prev;
    }
    /// Moves `slot` (in any list) to the front of `list`.
    void move_to_front(slot_index slot, std::size_t list = 0) noexcept {
        const std::uint32_t n = node(slot);
        const auto head = static_cast<std::uint32_t>(list);
        if (links_[head].next == n) return;
        remove(slot);
        link_after(n, head);
    }
    /// Unlinks and returns the back of `list` (`no_slot` when it is empty).
    slot_index pop_back(std::size_t list = 0) noexcept {
        const slot_index slot = back(list);
        if (slot != no_slot) remove(slot);
        return slot;
    }

    /// The front (newest) of `list`, or `no_slot`.
    slot_index front(std::size_t list = 0) const noexcept { return to_slot(links_[list].next); }
    /// The back (oldest) of `list`, or `no_slot`.
    slot_index back(std::size_t list = 0) const noexcept { return to_slot(links_[list].prev); }
    /// The entry after `slot`, toward the back, or `no_slot`.
    slot_index next(slot_index slot) const noexcept { return to_slot(links_[node(slot)].next); }
    /// The entry before `slot`, toward the front, or `no_slot`.
    slot_index prev(slot_index slot) const noexcept { return to_slot(links_[node(slot)].prev); }
    /// Whether `list` is empty.
    bool empty(std::size_t list = 0) const noexcept { return links_[list].next == list; }

    /// Empties every list (and releases nothing: the vector keeps its capacity).
    void clear() {
        links_.resize(Lists);
        for (std::uint32_t i = 0; i < Lists; ++i) links_[i] = {i, i};
    }

private:
    struct link {
        std::uint32_t prev;
        std::uint32_t next;
    };

    static std::uint32_t node(slot_index slot) noexcept { return slot + static_cast<std::uint32_t>(Lists); }
    static slot_index to_slot(std::uint32_t n) noexcept {
        return n < Lists ? no_slot : n - static_cast<std::uint32_t>(Lists);
    }
    void grow(slot_index slot) {
        const std::size_t need = std::size_t{slot} + Lists + 1;
        if (links_.size() < need) links_.resize(need);
    }
    // Links node n after node `at` (a sentinel or an entry).
    void link_after(std::uint32_t n, std::uint32_t at) noexcept {
        const std::uint32_t after = links_[at].next;
        links_[n] = {at, after};
        links_[after].prev = n;
        links_[at].next = n;
    }

    std::vector<link> links_;
};

/// One intrusive list over slot numbers: `slot_lists<1>`.
using slot_list = slot_lists<1>;

}  // namespace v1
}  // namespace strata
