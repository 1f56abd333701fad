/**
 * @file
 * @brief `strata::sieve`: SIEVE eviction (Zhang, Yang, Yue, Vigfusson, Rashmi, "SIEVE is Simpler
 * than LRU: an Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI 2024).
 *
 * One FIFO queue, a visited bit per entry and a "hand":
 * - a new entry goes to the head, unvisited;
 * - a hit only sets the entry's visited bit (the entry does not move: a hit costs one store);
 * - to evict, the hand starts where it stopped last time (at the tail the first time) and moves
 *   toward the head; a visited entry it passes has its bit cleared, the first unvisited entry is
 *   the victim, and the hand stays at the victim's neighbour toward the head. Past the head the
 *   hand wraps around to the tail.
 * Entries that survive a pass of the hand keep their place, so popular entries settle near the
 * tail while new ones are sifted out quickly near the head. This follows the paper's Figure 1
 * and the authors' libCacheSim implementation (`Sieve.c`), including an erased entry under the
 * hand handing the hand on to its neighbour toward the head.
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/slot_lists.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {
inline namespace v1 {

/// SIEVE: a FIFO queue sifted by a hand that clears visited bits and evicts the first unvisited.
class sieve {
public:
    /// A new entry goes to the head, unvisited.
    void on_insert(slot_index slot, std::uint64_t /*hash*/, std::size_t /*weight*/) {
        if (visited_.size() <= slot) visited_.resize(std::size_t{slot} + 1);
        queue_.push_front(slot);
        visited_[slot] = 0;
    }
    /// A hit sets the visited bit; the entry does not move.
    void on_access(slot_index slot) noexcept { visited_[slot] = 1; }
    /// Forgets an erased entry; if the hand was on it, the hand moves on toward the head.
    void on_erase(slot_index slot) noexcept {
        if (slot == hand_) hand_ = queue_.prev(slot);
        queue_.remove(slot);
    }
    /// Moves the hand from where it stopped, clearing visited bits, to the first unvisited entry.
    slot_index evict() noexcept {
        slot_index s = hand_ != no_slot ? hand_ : queue_.back();
        while (visited_[s]) {
            visited_[s] = 0;
            s = queue_.prev(s);
            if (s == no_slot) s = queue_.back();  // past the head: wrap around to the tail
        }
        hand_ = queue_.prev(s);
        queue_.remove(s);
        return s;
    }
    /// Forgets every entry.
    void clear() {
        queue_.clear();
        hand_ = no_slot;
    }

    /// Where the hand will start the next eviction (`no_slot`: at the tail). For inspection.
    slot_index hand() const noexcept { return hand_; }
    /// Whether `slot`'s visited bit is set. For inspection.
    bool visited(slot_index slot) const noexcept { return visited_[slot] != 0; }
    /// The queue, newest first. For inspection.
    const slot_list& queue() const noexcept { return queue_; }

private:
    slot_list queue_;                    // front: head (newest); back: tail (oldest)
    std::vector<std::uint8_t> visited_;  // per slot
    slot_index hand_ = no_slot;
};

static_assert(check_eviction_policy<sieve>());

}  // namespace v1
}  // namespace strata
