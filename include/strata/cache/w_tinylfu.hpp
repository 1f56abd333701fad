/**
 * @file
 * @brief `strata::w_tinylfu`: W-TinyLFU eviction (Einziger, Friedman, Manes, "TinyLFU: A Highly
 * Efficient Cache Admission Policy", ACM Transactions on Storage 13(4), 2017), laid out as in
 * Caffeine.
 *
 * Three LRU lists and a frequency sketch:
 * - the *window* (1% of the capacity at first; see "Adaptive window" below) takes every new entry;
 * - the *main* space (the rest) is a segmented LRU: *probation* and *protected* (protected
 *   holds at most 80% of main at first);
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
 * The window is an LRU "to deal with bursts" (sparse recency), main is frequency-filtered. The
 * split starts as the paper's and Caffeine's default (window 1%, protected 80% of main).
 *
 * **Adaptive window** (Caffeine's hill climbing; Einziger, Eytan, Friedman, Manes, "Adaptive
 * Software Cache Management", Middleware 2018). A recency-biased workload wants a large window, a
 * frequency-biased one a small window; the climber looks for the best split by sampling the hit
 * rate. A sample is `sketch().sample_size()` requests (about ten per entry), counted once the cache
 * is full: a hit (`on_access`) or an insert (`on_insert`: a look-aside cache inserts after a
 * miss). At the end of each sample the climber compares the sample's hit rate with the previous
 * sample's and moves weight between the window's share and protected's: on in the same direction
 * while the hit rate does not fall, back when it falls. The first step shrinks the window by 6.25%
 * of the capacity; each step is 0.98 of the previous one. Growing the window moves main's least
 * recent entries into it; shrinking moves the window's least recent entries to probation. The
 * window keeps at least 1; protected may shrink to 0. These are Caffeine's constants. Two rules
 * differ from Caffeine's, because on stationary and scan-polluted traces its climber follows the
 * samples' noise (see benchmarks/README.md):
 * - a step that cannot move anything (the window at 1, or protected at 0) ends the climb, as a
 *   step that has decayed below one entry does in Caffeine;
 * - a change of the hit rate of 5% or more is a change of workload only if it lasts
 *   `climb_persistence` (4) samples in a row: then the climb restarts with a full step (away from
 *   the bound where it ended, or as Caffeine does). Shorter excursions, such as a scan of fresh keys,
 *   are ignored (Caffeine restarts at once, and a scan pulls its window back and forth).
 * `basic_w_tinylfu<w_tinylfu_options{.adaptive_window = false}>` keeps the initial split fixed,
 * as in the paper. The climber costs a hit one decrement and a test; a climb moves at most the
 * step's weight of entries, once per sample.
 *
 * Not here from Caffeine: a random admission of warm candidates against hash flooding, and the
 * optional doorkeeper Bloom filter (the sketch's aging alone filters one-hit wonders here). The
 * sketch grows with the number of resident entries (like Caffeine's for weighted caches), so its
 * memory follows the entries, not the capacity.
 *
 * `insert_first`: the cache links a new entry first, then evicts; the new entry may itself be
 * the candidate that loses (only when it alone is heavier than the window's share).
 */
#pragma once

#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/frequency_sketch.hpp>
#include <strata/cache/slot_lists.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief W-TinyLFU's knobs (a class-type template argument: `basic_w_tinylfu<w_tinylfu_options{...}>`).
 *
 * The climber's defaults are Caffeine's (first and restart step 6.25% of the capacity, decay 0.98,
 * restart at a 5% change of the hit rate) plus strata's excursion rule (`climb_persistence`).
 */
struct w_tinylfu_options {
    unsigned window_percent = 1;      ///< the window's share of the capacity, in percent (initially, if adaptive)
    unsigned protected_percent = 80;  ///< protected's share of the main space, in percent (initially, if adaptive)
    /// Whether hill climbing moves capacity between the window and protected; `false` keeps the
    /// shares fixed, as in the TinyLFU paper.
    bool adaptive_window = true;
    /// The climber's first step and restart step, in hundredths of a percent of the capacity.
    unsigned climb_step_basis_points = 625;
    /// Each step is this many per mille of the previous one.
    unsigned climb_decay_per_mille = 980;
    /// A change of the sampled hit rate of at least this many percent is a change of workload.
    unsigned climb_restart_percent = 5;
    /// How many samples in a row such a change must last to restart the climb (shorter ones, such
    /// as a scan, are ignored); 1 restarts at once, as Caffeine does.
    unsigned climb_persistence = 4;
};

/**
 * @brief W-TinyLFU: an LRU window, a segmented-LRU main space and TinyLFU admission between them,
 * the window's share adapted by hill climbing (unless `Options.adaptive_window` is false).
 * @tparam Options the initial shares and the climber's knobs
 */
template <w_tinylfu_options Options = w_tinylfu_options{}>
class basic_w_tinylfu {
    static_assert(Options.window_percent <= 100 && Options.protected_percent <= 100,
                  "strata: w_tinylfu_options percentages must be at most 100");
    static_assert(Options.climb_step_basis_points <= 10000 && Options.climb_decay_per_mille <= 1000,
                  "strata: w_tinylfu_options climb_step_basis_points must be at most 10000 and "
                  "climb_decay_per_mille at most 1000");
    static_assert(Options.climb_persistence >= 1, "strata: w_tinylfu_options climb_persistence must be at least 1");

public:
    /// The cache links a new entry before evicting: the admission may turn it away.
    static constexpr bool insert_first = true;
    /// Whether the window's share adapts (`Options.adaptive_window`).
    static constexpr bool adaptive = Options.adaptive_window;

    /// The three lists.
    enum segment : std::uint8_t { window = 0, probation = 1, protected_ = 2 };

    /// Splits the capacity: the window `window_percent`, main the rest, protected
    /// `protected_percent` of main; restarts the climber from these shares.
    void set_capacity(std::size_t capacity) noexcept {
        capacity_ = capacity;
        const std::size_t main_max = percent(capacity, 100 - Options.window_percent);
        window_max_ = capacity - main_max;
        protected_max_ = percent(main_max, Options.protected_percent);
        restart_climber();
        demote_protected();
        if (total_ <= capacity_) shed_window();
    }

    /// A new entry goes to the window's front and is counted in the sketch (and, for the
    /// climber, as a miss: a look-aside cache inserts after a miss).
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
        if constexpr (adaptive) {
            ++sample_misses_;
            if (--sample_left_ == 0) climb();
        }
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
        if constexpr (adaptive) {
            if (--sample_left_ == 0) climb();  // a hit: the sample's hits are its requests less its misses
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
        full_ = true;  // the climber samples only a full cache
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

    /// Forgets every entry and every count; the shares return to their initial values.
    void clear() {
        lists_.clear();
        sketch_.clear();
        weight_[window] = weight_[probation] = weight_[protected_] = 0;
        total_ = 0;
        entries_ = 0;
        set_capacity(capacity_);
    }

    // --- inspection (tests, debugging) ---

    /// The list that holds `slot`.
    segment segment_of(slot_index slot) const noexcept { return static_cast<segment>(segment_[slot]); }
    /// The weight held in `s`.
    std::size_t weight(segment s) const noexcept { return weight_[s]; }
    /// The window's and protected's shares, in weight (the climber moves weight between them).
    std::size_t window_max() const noexcept { return window_max_; }
    std::size_t protected_max() const noexcept { return protected_max_; }
    /// The climber's next step, in weight: positive grows the window, negative shrinks it.
    double climb_step() const noexcept { return step_; }
    /// How many samples of a full cache the climber has judged so far.
    std::size_t climbs() const noexcept { return climbs_; }
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

    // --- the hill climber (see the file comment) ---

    double restart_step() const noexcept {
        return static_cast<double>(capacity_) * Options.climb_step_basis_points / 10000.0;
    }

    // Back to the first step (a shrinking one), taken after the first sample of a full cache.
    void restart_climber() noexcept {
        full_ = false;
        step_ = -restart_step();
        baseline_ = -1.0;
        excursions_ = 0;
        sample_size_ = sample_left_ = std::max<std::size_t>(sketch_.sample_size(), 1);
        sample_misses_ = 0;
    }

    // The end of a sample: one step of the climb.
    void climb() noexcept {
        const std::size_t requests = sample_size_;
        const std::size_t misses = sample_misses_;
        sample_size_ = sample_left_ = std::max<std::size_t>(sketch_.sample_size(), 1);
        sample_misses_ = 0;
        if (!full_) return;  // filling up: the hit rate rises whatever the shares
        ++climbs_;
        const double hit_rate = static_cast<double>(requests - misses) / static_cast<double>(requests);
        double amount = 0;
        if (baseline_ < 0) {  // the first sample of a full cache: the first step
            amount = step_;
            step_ = step_ * Options.climb_decay_per_mille / 1000.0;
            baseline_ = hit_rate;
        } else {
            const double change = hit_rate - baseline_;
            if (std::abs(change) * 100 >= Options.climb_restart_percent) {
                if (++excursions_ < Options.climb_persistence) return;  // an excursion: ignored
                // The workload changed: restart with a full step (toward the middle if the climb had ended).
                excursions_ = 0;
                if (step_ == 0) {
                    amount = window_max_ <= 1 ? restart_step() : -restart_step();
                } else {
                    amount = change >= 0 ? step_ : -step_;
                }
                step_ = amount >= 0 ? restart_step() : -restart_step();
            } else {
                excursions_ = 0;
                amount = change >= 0 ? step_ : -step_;  // on while the hit rate does not fall
                step_ = amount * Options.climb_decay_per_mille / 1000.0;
            }
            baseline_ = hit_rate;
        }
        if (amount >= 1.0) {
            if (grow_window(static_cast<std::size_t>(amount)) == 0) step_ = 0;  // at the bound: the climb ends
        } else if (amount <= -1.0) {
            if (shrink_window(static_cast<std::size_t>(-amount)) == 0) step_ = 0;
        }
    }

    // Takes up to `quota` of weight from protected's share and gives it to the window; main's
    // least recent entries (probation's, then protected's) move to the window's front to fill it.
    // Returns the weight moved between the shares.
    std::size_t grow_window(std::size_t quota) noexcept {
        quota = std::min(quota, protected_max_);
        protected_max_ -= quota;
        window_max_ += quota;
        demote_protected();
        while (weight_[window] < window_max_) {
            slot_index s = lists_.back(probation);
            if (s == no_slot || weight_[window] + cold_[s].weight > window_max_) s = lists_.back(protected_);
            if (s == no_slot || weight_[window] + cold_[s].weight > window_max_) break;
            move(s, window);
        }
        return quota;
    }

    // Gives up to `quota` of the window's share (which keeps at least 1) to protected; the
    // window's overflow moves to probation. Returns the weight moved between the shares.
    std::size_t shrink_window(std::size_t quota) noexcept {
        quota = std::min(quota, window_max_ > 1 ? window_max_ - 1 : 0);
        window_max_ -= quota;
        protected_max_ += quota;
        shed_window();
        return quota;
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
    // the climber
    std::size_t sample_left_ = 1;    // requests (hits and inserts) left in the sample
    std::size_t sample_size_ = 1;    // requests in the sample
    std::size_t sample_misses_ = 0;  // inserts in the sample
    std::size_t climbs_ = 0;
    double step_ = 0.0;       // the next step, in weight: > 0 grows the window; 0: the climb ended
    double baseline_ = -1.0;  // the hit rate the next sample is compared with (< 0: none yet)
    unsigned excursions_ = 0;  // samples in a row whose hit rate is far from the baseline
    bool full_ = false;        // whether the cache has evicted since the climber (re)started
};

/// W-TinyLFU with the paper's and Caffeine's split: window 1%, protected 80% of main.
using w_tinylfu = basic_w_tinylfu<>;

static_assert(check_eviction_policy<w_tinylfu>());

}  // namespace v1
}  // namespace strata
