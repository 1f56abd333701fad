/**
 * @file
 * @brief `strata::s3_fifo`: S3-FIFO eviction (Yang, Zhang, Qiu, Yue, Rashmi, "FIFO queues are all
 * you need for cache eviction", SOSP 2023).
 *
 * Three FIFO queues: a small queue S (10% of the capacity), a main queue M (the other 90%) and a
 * ghost queue G that remembers the hashes of entries recently evicted from S (no values; as much
 * weight as 90% of the capacity). Each resident entry has a 2-bit frequency, capped at 3.
 * - Insert: into M if the key is in G (it was evicted from S lately and is wanted again; it
 *   leaves G), else into S. Frequency 0.
 * - Hit: frequency + 1, capped at 3. Nothing moves.
 * - Evict: from M if M is over its share or S is empty, else from S.
 *   - From S, the tail: if it was hit at least `move_to_main_threshold` times (default 2, i.e. more
 *     than once) it moves to M's head with its frequency cleared, and the next tail is looked
 *     at; otherwise it is evicted and its hash goes to G (oldest ghosts fall off G's end).
 *     One-hit wonders thus leave through S without ever touching M.
 *   - From M, the tail: if its frequency is above 0 it is reinserted at M's head with its
 *     frequency decremented (FIFO-reinsertion with a 2-bit counter); the first tail with
 *     frequency 0 is evicted.
 *
 * Which version: this is the paper's algorithm as the authors' reference simulator implements it
 * (libCacheSim `S3FIFOv0.c`, "the original S3FIFO implementation used in" the paper): small 10%,
 * ghost 90%, move-to-main threshold 2 (`freq >= 2`, Algorithm 1's `t.freq > 1`), queue shares
 * counted in weight. Two deliberate differences: an entry at least as heavy as S is still admitted
 * (into S, where it is the next victim; libCacheSim refuses it, which would make a cache smaller
 * than ten entries refuse everything), and the ghost is looked up when the new entry is linked,
 * after room was made for it (libCacheSim looks at lookup time; the two differ only when the key
 * was the very oldest ghost and fell off G while room was being made).
 * Later blog posts and libCacheSim's newer `S3FIFO.c` use other variants (threshold 1, filling M
 * directly before the first eviction); pick the threshold with `s3_fifo_options`.
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/slot_lists.hpp>
#include <strata/detail/ghost_queue.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {
inline namespace v1 {

/// S3-FIFO's knobs (a class-type template argument: `basic_s3_fifo<s3_fifo_options{...}>`).
struct s3_fifo_options {
    unsigned small_percent = 10;          ///< S's share of the capacity, in percent
    unsigned ghost_percent = 90;          ///< G's weight budget, in percent of the capacity
    unsigned move_to_main_threshold = 2;  ///< hits while in S needed to move to M (1 to 3)
};

/**
 * @brief S3-FIFO: a small probationary FIFO, a main FIFO with reinsertion, a ghost FIFO.
 * @tparam Options the queue shares and the move-to-main threshold
 */
template <s3_fifo_options Options = s3_fifo_options{}>
class basic_s3_fifo {
    static_assert(Options.small_percent <= 100 && Options.ghost_percent <= 100,
                  "strata: s3_fifo_options percentages must be at most 100");
    static_assert(Options.move_to_main_threshold >= 1 && Options.move_to_main_threshold <= 3,
                  "strata: s3_fifo_options::move_to_main_threshold must be 1, 2 or 3 (2-bit counters)");

public:
    /// The two resident queues.
    enum queue : std::uint8_t { small = 0, main = 1 };

    /// Splits the capacity: S `small_percent`, M the rest, G `ghost_percent`.
    void set_capacity(std::size_t capacity) noexcept {
        small_max_ = percent(capacity, Options.small_percent);
        main_max_ = capacity - small_max_;
        ghost_max_ = percent(capacity, Options.ghost_percent);
        ghost_.trim(ghost_max_);
    }

    /// A new entry goes to M's head if its key is a ghost (which it then leaves), else to S's.
    void on_insert(slot_index slot, std::uint64_t hash, std::size_t weight) {
        if (state_.size() <= slot) {
            state_.resize(std::size_t{slot} + 1);
            cold_.resize(std::size_t{slot} + 1);
        }
        const queue q = ghost_.contains(hash) ? main : small;
        queues_.push_front(slot, q);  // the last call that may throw
        ghost_.erase(hash);
        state_[slot] = static_cast<std::uint8_t>(q << 2);  // frequency 0
        cold_[slot] = {hash, weight};
        weight_[q] += weight;
    }

    /// A hit adds one to the entry's frequency, up to 3; nothing moves.
    void on_access(slot_index slot) noexcept {
        std::uint8_t& s = state_[slot];
        if ((s & 3) != 3) ++s;
    }

    /// A replaced value: a hit, and the entry's queue changes weight.
    void on_update(slot_index slot, std::size_t old_weight, std::size_t new_weight) noexcept {
        weight_[queue_of(slot)] += new_weight - old_weight;  // modular: exact once both are added
        cold_[slot].weight = new_weight;
        on_access(slot);
    }

    /// Forgets an erased entry (it does not become a ghost).
    void on_erase(slot_index slot) noexcept {
        queues_.remove(slot);
        weight_[queue_of(slot)] -= cold_[slot].weight;
    }

    /// Evicts from M if M is over its share or S is empty, else from S (see the file comment).
    slot_index evict() {
        if (weight_[main] > main_max_ || queues_.empty(small)) return evict_main();
        while (!queues_.empty(small)) {
            const slot_index s = queues_.back(small);
            const std::size_t w = cold_[s].weight;
            if (frequency(s) >= Options.move_to_main_threshold) {
                queues_.remove(s);
                queues_.push_front(s, main);  // no allocation: s is already known
                state_[s] = static_cast<std::uint8_t>(main << 2);
                weight_[small] -= w;
                weight_[main] += w;
                continue;
            }
            ghost_.push(cold_[s].hash, w);  // may throw: before anything changes
            ghost_.trim(ghost_max_);
            queues_.remove(s);
            weight_[small] -= w;
            return s;
        }
        return evict_main();  // every entry of S moved to M
    }

    /// Forgets every entry and every ghost.
    void clear() {
        queues_.clear();
        ghost_.clear();
        weight_[small] = weight_[main] = 0;
    }

    // --- inspection (tests, debugging) ---

    /// The queue that holds `slot`.
    queue queue_of(slot_index slot) const noexcept { return static_cast<queue>(state_[slot] >> 2); }
    /// `slot`'s frequency (0 to 3).
    unsigned frequency(slot_index slot) const noexcept { return state_[slot] & 3u; }
    /// Whether the key whose hash is `hash` is in the ghost queue.
    bool in_ghost(std::uint64_t hash) const noexcept { return ghost_.contains(hash); }
    /// The weight held in `q`.
    std::size_t weight(queue q) const noexcept { return weight_[q]; }
    /// The weight and number of the ghosts.
    std::size_t ghost_weight() const noexcept { return ghost_.weight(); }
    std::size_t ghost_size() const noexcept { return ghost_.size(); }
    /// The queues (`small`, `main`), newest first.
    const slot_lists<2>& queues() const noexcept { return queues_; }

private:
    struct cold_data {
        std::uint64_t hash;
        std::size_t weight;
    };

    static std::size_t percent(std::size_t n, unsigned p) noexcept { return n / 100 * p + n % 100 * p / 100; }

    slot_index evict_main() noexcept {
        for (;;) {
            const slot_index s = queues_.back(main);
            const unsigned f = frequency(s);
            if (f == 0) {
                queues_.remove(s);
                weight_[main] -= cold_[s].weight;
                return s;
            }
            state_[s] = static_cast<std::uint8_t>((main << 2) | (f - 1));
            queues_.move_to_front(s, main);
        }
    }

    slot_lists<2> queues_;              // small, main; front: head (newest)
    std::vector<std::uint8_t> state_;   // per slot: queue << 2 | frequency
    std::vector<cold_data> cold_;       // per slot, off the hit path
    detail::ghost_queue ghost_;
    std::size_t weight_[2] = {0, 0};
    std::size_t small_max_ = 0;
    std::size_t main_max_ = 0;
    std::size_t ghost_max_ = 0;
};

/// S3-FIFO with the paper's settings: S 10%, G 90%, move to M after two hits in S.
using s3_fifo = basic_s3_fifo<>;

static_assert(check_eviction_policy<s3_fifo>());

}  // namespace v1
}  // namespace strata
