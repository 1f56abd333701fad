/**
 * @file
 * @brief `strata::w_tinylfu`: W-TinyLFU eviction (Einziger, Friedman, Manes, "TinyLFU: A Highly
 * Efficient Cache Admission Policy", ACM Transactions on Storage 13(4), 2017), laid out as in
 * Caffeine.
 *
 * Three LRU lists and a frequency sketch:
 * - the *window* (1% of the capacity) takes every new entry;
 * - the *main* space (the other 99%) is a segmented LRU: *probation* and *protected* (protected
 *   holds at most 80% of main);
 * - a `frequency_sketch` (4-bit count-min with aging) counts every insert and every hit.
 *
 * A hit moves the entry to the front of its list; a hit in probation promotes the entry to
 * protected, whose overflow (its least recent entries) is demoted to the front of probation.
 * While the window is over its share, its least recent entry (the *candidate*) must leave: if
 * the cache still has room it simply moves to probation; if the cache is full, TinyLFU's
 * admission compares the candidate with the main space's victim (probation's least recent entry,
 * or protected's if probation is empty) by estimated frequency: the candidate is admitted to
 * probation, and the victim evicted, only if its frequency is strictly higher; otherwise the
 * candidate is evicted. So a burst of one-hit wonders passes through the small window and out,
 * while the frequently used entries in main stay. When the window is within its share, the victim
 * is main's, as in an SLRU.
 *
 * The window is an LRU "to deal with bursts" (sparse recency), main is frequency-filtered; the
 * split (1% / 99%, protected 80% of main) is the paper's and Caffeine's default. Caffeine's
 * later refinements are not here: hill-climbing of the window size, a random admission of warm
 * candidates against hash flooding, and the optional doorkeeper Bloom filter (the sketch's aging
 * alone filters one-hit wonders here). The sketch grows with the number of resident entries
 * (like Caffeine's for weighted caches), so its memory follows the entries, not the capacity.
 *
 * `insert_first`: the cache links a new entry first, then evicts; the new entry may itself be
 * the candidate that loses (only when it alone is heavier than the window's share).
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/frequency_sketch.hpp>
#include <strata/cache/slot_lists.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {
inline namespace v1 {

/// W-TinyLFU's knobs (a class-type template argument: `basic_w_tinylfu<w_tinylfu_options{...}>`).
struct w_tinylfu_options {
    unsigned window_percent = 1;      ///< the window's share of the capacity, in percent
    unsigned protected_percent = 80;  ///< protected's share of the main space, in percent
};

/**
 * @brief W-TinyLFU: an LRU window, a segmented-LRU main space and TinyLFU admission between them.
 * @tparam Options the window and protected shares
 */
template <w_tinylfu_options Options = w_tinylfu_options{}>
class basic_w_tinylfu {
    static_assert(Options.window_percent <= 100 && Options.protected_percent <= 100,
                  "strata: w_tinylfu_options percentages must be at most 100");

public:
    /// The cache links a new entry before evicting: the admission may turn it away.
    static constexpr bool insert_first = true;

    /// The three lists.
    enum segment : std::uint8_t { window = 0, probation = 1, protected_ = 2 };

    /// Splits the capacity: the window `window_percent`, main the rest, protected
    /// `protected_percent` of main.
    void set_capacity(std::size_t capacity) noexcept {
        capacity_ = capacity;
        const std::size_t main_max = percent(capacity, 100 - Options.window_percent);
        window_max_ = capacity - main_max;
        protected_max_ = percent(main_max, Options.protected_percent);
        demote_protected();
        if (total_ <= capacity_) shed_window();
    }

    /// A new entry goes to the window's front and is counted in the sketch.
    void on_insert(slot_index slot, std::uint64_t hash, std::size_t weight) {
        if (segment_.size() <= slot) {
            segment_.resize(std::size_t{slot} + 1);
            cold_.resize(std::size_t{slot} + 1);
        }
        if (entries_ + 1 > sketch_.capacity()) sketch_.ensure_capacity(entries_ + 1);
        lists_.push_front(slot, window);  // the last call that may throw
        segment_[slot] = window;
        cold_[slot] = {hash, weight};
        weight_[window] += weight;
        total_ += weight;
        ++entries_;
        sketch_.increment(hash);
        if (total_ <= capacity_) shed_window();
    }

    /// A hit is counted in the sketch and moves the entry to the front of its list (from
    /// probation: to protected's front).
    void on_access(slot_index slot, std::uint64_t hash) noexcept {
        sketch_.increment(hash);  // the hash comes with the lookup: no load of cold_ on a hit
        switch (segment_[slot]) {
        case window:
            lists_.move_to_front(slot, window);
            break;
        case probation:  // promotion
            lists_.remove(slot);
            lists_.push_front(slot, protected_);  // no allocation: the slot is known
            segment_[slot] = protected_;
            weight_[probation] -= cold_[slot].weight;
            weight_[protected_] += cold_[slot].weight;
            demote_protected();
            break;
        default:
            lists_.move_to_front(slot, protected_);
            break;
        }
    }

    /// A replaced value: a hit, and the entry's list changes weight.
    void on_update(slot_index slot, std::size_t old_weight, std::size_t new_weight) noexcept {
        weight_[segment_[slot]] += new_weight - old_weight;  // modular: exact once both are added
        total_ += new_weight - old_weight;
        cold_[slot].weight = new_weight;
        on_access(slot, cold_[slot].hash);
        if (total_ <= capacity_) shed_window();
    }

    /// Forgets an erased entry (the sketch keeps its count).
    void on_erase(slot_index slot) noexcept {
        lists_.remove(slot);
        weight_[segment_[slot]] -= cold_[slot].weight;
        total_ -= cold_[slot].weight;
        --entries_;
    }

    /// While the window is over its share, its least recent entry duels main's victim (the
    /// lower estimated frequency is evicted, the candidate on a tie); then main's victim.
    slot_index evict() noexcept {
        while (weight_[window] > window_max_) {
            const slot_index candidate = lists_.back(window);
            const slot_index victim = main_victim();
            if (victim == no_slot) {  // main is empty: the candidate just moves there
                move(candidate, probation);
                continue;
            }
            if (sketch_.frequency(cold_[candidate].hash) > sketch_.frequency(cold_[victim].hash)) {
                move(candidate, probation);  // admitted
                return unlink(victim);
            }
            return unlink(candidate);  // rejected
        }
        const slot_index victim = main_victim();
        return unlink(victim != no_slot ? victim : lists_.back(window));
    }

    /// Forgets every entry and every count.
    void clear() {
        lists_.clear();
        sketch_.clear();
        weight_[window] = weight_[probation] = weight_[protected_] = 0;
        total_ = 0;
        entries_ = 0;
    }

    // --- inspection (tests, debugging) ---

    /// The list that holds `slot`.
    segment segment_of(slot_index slot) const noexcept { return static_cast<segment>(segment_[slot]); }
    /// The weight held in `s`.
    std::size_t weight(segment s) const noexcept { return weight_[s]; }
    /// The window's and protected's shares, in weight.
    std::size_t window_max() const noexcept { return window_max_; }
    std::size_t protected_max() const noexcept { return protected_max_; }
    /// The frequency sketch.
    const frequency_sketch& sketch() const noexcept { return sketch_; }
    /// The lists (`window`, `probation`, `protected_`), most recent first.
    const slot_lists<3>& lists() const noexcept { return lists_; }

private:
    struct cold_data {
        std::uint64_t hash;
        std::size_t weight;
    };

    static std::size_t percent(std::size_t n, unsigned p) noexcept { return n / 100 * p + n % 100 * p / 100; }

    slot_index main_victim() const noexcept {
        const slot_index v = lists_.back(probation);
        return v != no_slot ? v : lists_.back(protected_);
    }

    // Moves `slot` to the front of `to`.
    void move(slot_index slot, segment to) noexcept {
        lists_.remove(slot);
        lists_.push_front(slot, to);
        weight_[segment_[slot]] -= cold_[slot].weight;
        weight_[to] += cold_[slot].weight;
        segment_[slot] = to;
    }

    slot_index unlink(slot_index slot) noexcept {
        lists_.remove(slot);
        weight_[segment_[slot]] -= cold_[slot].weight;
        total_ -= cold_[slot].weight;
        --entries_;
        return slot;
    }

    // While the cache has room, the window's overflow moves to probation without a duel.
    void shed_window() noexcept {
        while (weight_[window] > window_max_) move(lists_.back(window), probation);
    }

    void demote_protected() noexcept {
        while (weight_[protected_] > protected_max_) move(lists_.back(protected_), probation);
    }

    slot_lists<3> lists_;               // window, probation, protected; front: most recent
    std::vector<std::uint8_t> segment_;  // per slot
    std::vector<cold_data> cold_;        // per slot
    frequency_sketch sketch_;
    std::size_t weight_[3] = {0, 0, 0};
    std::size_t total_ = 0;
    std::size_t entries_ = 0;
    std::size_t capacity_ = 0;
    std::size_t window_max_ = 0;
    std::size_t protected_max_ = 0;
};

/// W-TinyLFU with the paper's and Caffeine's split: window 1%, protected 80% of main.
using w_tinylfu = basic_w_tinylfu<>;

static_assert(check_eviction_policy<w_tinylfu>());

}  // namespace v1
}  // namespace strata
