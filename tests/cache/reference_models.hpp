// Brute-force reference models of the four eviction policies, and the driver that runs a
// strata::cache and a model side by side on random traces.
//
// Each model is a whole cache written the slow, obvious way: std::vector / std::deque in queue
// order, linear searches, keys instead of slots, and the algorithm as the paper states it. It
// follows the same protocol as strata::cache (evict until the new entry fits, then insert; a
// W-TinyLFU insert comes first; a put of a cached key is a use of it, then evict while over;
// an entry heavier than the capacity is not cached and drops the old value), so that both must
// give the same hit/miss sequence and the same resident set after every operation.
#pragma once

#include <strata/cache/cache.hpp>
#include <strata/cache/frequency_sketch.hpp>
#include <strata/cache/hash.hpp>
#include <strata/cache/w_tinylfu.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace reference {

// The trace's values are their weights: the cache weighs an entry by its value.
struct value_sizer {
    std::size_t operator()(int, std::size_t weight) const noexcept { return weight; }
};

inline std::size_t percent(std::size_t n, unsigned p) { return n / 100 * p + n % 100 * p / 100; }

struct entry {
    int key;
    std::size_t weight;
    unsigned freq = 0;  // SIEVE: visited bit; S3-FIFO: 2-bit frequency
};

// Finds `key` in a queue; returns its index or -1.
template <class Queue>
long find(const Queue& q, int key) {
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i].key == key) return static_cast<long>(i);
    }
    return -1;
}

template <class Queue>
void erase_at(Queue& q, long i) {
    q.erase(q.begin() + i);
}

// --- LRU: one vector, most recent first ---------------------------------------------------------
class lru {
public:
    void set_capacity(std::size_t c) { capacity = c; }
    bool get(int key) {
        const long i = find(q, key);
        if (i < 0) return false;
        std::rotate(q.begin(), q.begin() + i, q.begin() + i + 1);
        return true;
    }
    bool update(int key, std::size_t w) {  // key cached: a use
        const long i = find(q, key);
        total = total - q[static_cast<std::size_t>(i)].weight + w;
        q[static_cast<std::size_t>(i)].weight = w;
        get(key);
        return true;
    }
    void insert(int key, std::size_t w) {
        q.insert(q.begin(), entry{key, w});
        total += w;
    }
    int evict() {
        const entry e = q.back();
        q.pop_back();
        total -= e.weight;
        return e.key;
    }
    void erase(int key) {
        const long i = find(q, key);
        total -= q[static_cast<std::size_t>(i)].weight;
        erase_at(q, i);
    }
    bool contains(int key) const { return find(q, key) >= 0; }
    template <class F>
    void for_each_key(F&& f) const {
        for (const entry& e : q) f(e.key);
    }

    static constexpr bool insert_first = false;
    std::vector<entry> q;
    std::size_t total = 0;
    std::size_t capacity = 0;
};

// --- SIEVE: the paper's queue, the tail at index 0, the head at the back; the hand as a key -------
class sieve {
public:
    void set_capacity(std::size_t c) { capacity = c; }
    bool get(int key) {
        const long i = find(q, key);
        if (i < 0) return false;
        q[static_cast<std::size_t>(i)].freq = 1;  // visited; the object does not move
        return true;
    }
    bool update(int key, std::size_t w) {
        const auto i = static_cast<std::size_t>(find(q, key));
        total = total - q[i].weight + w;
        q[i].weight = w;
        q[i].freq = 1;
        return true;
    }
    void insert(int key, std::size_t w) {
        q.push_back(entry{key, w, 0});  // at the head
        total += w;
    }
    int evict() {
        std::size_t p = hand ? static_cast<std::size_t>(find(q, *hand)) : 0;
        while (q[p].freq != 0) {
            q[p].freq = 0;
            p = p + 1 == q.size() ? 0 : p + 1;  // toward the head; past it, back to the tail
        }
        hand = p + 1 < q.size() ? std::optional<int>(q[p + 1].key) : std::nullopt;
        const entry e = q[p];
        erase_at(q, static_cast<long>(p));
        total -= e.weight;
        return e.key;
    }
    void erase(int key) {
        const auto p = static_cast<std::size_t>(find(q, key));
        if (hand == key) hand = p + 1 < q.size() ? std::optional<int>(q[p + 1].key) : std::nullopt;
        total -= q[p].weight;
        erase_at(q, static_cast<long>(p));
    }
    bool contains(int key) const { return find(q, key) >= 0; }
    template <class F>
    void for_each_key(F&& f) const {
        for (const entry& e : q) f(e.key);
    }

    static constexpr bool insert_first = false;
    std::vector<entry> q;  // q[0]: tail (oldest); q.back(): head (newest)
    std::optional<int> hand;
    std::size_t total = 0;
    std::size_t capacity = 0;
};

// --- S3-FIFO: libCacheSim's S3FIFOv0 as three deques (front: head / newest) ----------------------
class s3_fifo {
public:
    void set_capacity(std::size_t c) {
        capacity = c;
        small_max = percent(c, 10);
        main_max = c - small_max;
        ghost_max = percent(c, 90);
        trim_ghost();
    }
    bool get(int key) {
        for (auto* q : {&small, &main}) {
            const long i = find(*q, key);
            if (i >= 0) {
                auto& f = (*q)[static_cast<std::size_t>(i)].freq;
                f = std::min(f + 1, 3u);
                return true;
            }
        }
        return false;
    }
    bool update(int key, std::size_t w) {
        for (auto* q : {&small, &main}) {
            const long i = find(*q, key);
            if (i < 0) continue;
            entry& e = (*q)[static_cast<std::size_t>(i)];
            (q == &small ? small_w : main_w) += w - e.weight;
            total = total - e.weight + w;
            e.weight = w;
            e.freq = std::min(e.freq + 1, 3u);
        }
        return true;
    }
    void insert(int key, std::size_t w) {
        const long g = find(ghost, key);
        if (g >= 0) {  // a ghost hit: straight into main
            ghost_w -= ghost[static_cast<std::size_t>(g)].weight;
            erase_at(ghost, g);
            main.push_front(entry{key, w, 0});
            main_w += w;
        } else {
            small.push_front(entry{key, w, 0});
            small_w += w;
        }
        total += w;
    }
    int evict() {
        if (main_w > main_max || small.empty()) return evict_main();
        while (!small.empty()) {
            entry t = small.back();
            small.pop_back();
            small_w -= t.weight;
            if (t.freq >= 2) {  // accessed more than once: to main, frequency cleared
                t.freq = 0;
                main.push_front(t);
                main_w += t.weight;
            } else {
                push_ghost(t.key, t.weight);
                total -= t.weight;
                return t.key;
            }
        }
        return evict_main();
    }
    void erase(int key) {
        for (auto* q : {&small, &main}) {
            const long i = find(*q, key);
            if (i < 0) continue;
            const std::size_t w = (*q)[static_cast<std::size_t>(i)].weight;
            (q == &small ? small_w : main_w) -= w;
            total -= w;
            erase_at(*q, i);
        }
    }
    bool contains(int key) const { return find(small, key) >= 0 || find(main, key) >= 0; }
    bool in_ghost(int key) const { return find(ghost, key) >= 0; }
    template <class F>
    void for_each_key(F&& f) const {
        for (const entry& e : small) f(e.key);
        for (const entry& e : main) f(e.key);
    }

    static constexpr bool insert_first = false;
    std::deque<entry> small, main, ghost;  // ghost: front = newest
    std::size_t small_w = 0, main_w = 0, ghost_w = 0, total = 0;
    std::size_t capacity = 0, small_max = 0, main_max = 0, ghost_max = 0;

private:
    int evict_main() {
        for (;;) {
            entry t = main.back();
            main.pop_back();
            if (t.freq > 0) {  // reinserted with one less
                --t.freq;
                main.push_front(t);
            } else {
                main_w -= t.weight;
                total -= t.weight;
                return t.key;
            }
        }
    }
    void push_ghost(int key, std::size_t w) {
        const long g = find(ghost, key);
        if (g >= 0) {
            ghost_w -= ghost[static_cast<std::size_t>(g)].weight;
            erase_at(ghost, g);
        }
        ghost.push_front(entry{key, w});
        ghost_w += w;
        trim_ghost();
    }
    void trim_ghost() {
        while (ghost_w > ghost_max) {
            ghost_w -= ghost.back().weight;
            ghost.pop_back();
        }
    }
};

// --- W-TinyLFU: three deques (front: most recent), the same sketch class fed the same hashes -----
// With the adaptive window (Options.adaptive_window), the climber as the header's comment states
// it: samples of sketch.sample_size() requests (hits and inserts) once the model has evicted; its
// floating-point expressions are written in the same order as the policy's, so both round alike.
template <strata::w_tinylfu_options Options = strata::w_tinylfu_options{}>
class basic_w_tinylfu {
public:
    void set_capacity(std::size_t c) {
        capacity = c;
        const std::size_t main_max = percent(c, 100 - Options.window_percent);
        window_max = c - main_max;
        protected_max = percent(main_max, Options.protected_percent);
        // the climber starts over
        full = false;
        step = -full_step();
        baseline = -1.0;
        excursions = 0;
        sample_size = std::max<std::size_t>(sketch.sample_size(), 1);
        sample_hits = sample_misses = 0;
        demote();
        if (total <= capacity) shed();
    }
    bool get(int key) {
        if (!contains(key)) return false;
        touch(key);
        return true;
    }
    bool update(int key, std::size_t w) {
        for (auto* q : {&window, &probation, &protect}) {
            const long i = find(*q, key);
            if (i < 0) continue;
            entry& e = (*q)[static_cast<std::size_t>(i)];
            weight_of(*q) += w - e.weight;
            total = total - e.weight + w;
            e.weight = w;
        }
        touch(key);
        if (total <= capacity) shed();
        return true;
    }
    void insert(int key, std::size_t w) {
        if (entries + 1 > sketch.capacity()) sketch.ensure_capacity(entries + 1);
        window.push_front(entry{key, w});
        window_w += w;
        total += w;
        ++entries;
        sketch.increment(hash(key));
        if (Options.adaptive_window) {
            ++sample_misses;
            end_sample_if_due();
        }
        if (total <= capacity) shed();
    }
    int evict() {
        full = true;
        while (window_w > window_max) {
            const entry c = window.back();
            std::deque<entry>* vq = !probation.empty() ? &probation : !protect.empty() ? &protect : nullptr;
            if (vq == nullptr) {
                move_back_to_front(window, probation);
                continue;
            }
            const entry v = vq->back();
            if (sketch.frequency(hash(c.key)) > sketch.frequency(hash(v.key))) {
                remove_back(*vq);
                move_back_to_front(window, probation);
                return v.key;
            }
            remove_back(window);
            return c.key;
        }
        std::deque<entry>& vq = !probation.empty() ? probation : !protect.empty() ? protect : window;
        const int k = vq.back().key;
        remove_back(vq);
        return k;
    }
    void erase(int key) {
        for (auto* q : {&window, &probation, &protect}) {
            const long i = find(*q, key);
            if (i < 0) continue;
            const std::size_t w = (*q)[static_cast<std::size_t>(i)].weight;
            weight_of(*q) -= w;
            total -= w;
            --entries;
            erase_at(*q, i);
        }
    }
    bool contains(int key) const {
        return find(window, key) >= 0 || find(probation, key) >= 0 || find(protect, key) >= 0;
    }
    template <class F>
    void for_each_key(F&& f) const {
        for (const auto* q : {&window, &probation, &protect}) {
            for (const entry& e : *q) f(e.key);
        }
    }

    static constexpr bool insert_first = true;
    std::deque<entry> window, probation, protect;
    std::size_t window_w = 0, probation_w = 0, protect_w = 0, total = 0, entries = 0;
    std::size_t capacity = 0, window_max = 0, protected_max = 0;
    strata::frequency_sketch sketch;
    // the climber
    bool full = false;                    // evicted since the climber started
    double step = 0.0;                    // next step in weight; 0: the climb ended at a bound
    double baseline = -1.0;               // the previous sample's hit rate (< 0: none)
    unsigned excursions = 0;              // samples in a row far from the baseline
    std::size_t sample_size = 1, sample_hits = 0, sample_misses = 0;
    std::size_t moves = 0;                // climbs that changed the shares (for the tests)

private:
    static std::uint64_t hash(int key) { return strata::cache_hash<int>{}(key); }
    double full_step() const { return static_cast<double>(capacity) * Options.climb_step_basis_points / 10000.0; }
    std::size_t& weight_of(const std::deque<entry>& q) {
        return &q == &window ? window_w : &q == &probation ? probation_w : protect_w;
    }
    void touch(int key) {
        sketch.increment(hash(key));
        if (const long i = find(window, key); i >= 0) {
            const entry e = window[static_cast<std::size_t>(i)];
            erase_at(window, i);
            window.push_front(e);
        } else if (const long j = find(probation, key); j >= 0) {  // promotion
            const entry e = probation[static_cast<std::size_t>(j)];
            erase_at(probation, j);
            probation_w -= e.weight;
            protect.push_front(e);
            protect_w += e.weight;
            demote();
        } else {
            const long k = find(protect, key);
            const entry e = protect[static_cast<std::size_t>(k)];
            erase_at(protect, k);
            protect.push_front(e);
        }
        if (Options.adaptive_window) {
            ++sample_hits;
            end_sample_if_due();
        }
    }
    void end_sample_if_due() {
        if (sample_hits + sample_misses < sample_size) return;
        const double rate = static_cast<double>(sample_hits) / static_cast<double>(sample_hits + sample_misses);
        sample_hits = sample_misses = 0;
        sample_size = std::max<std::size_t>(sketch.sample_size(), 1);
        if (!full) return;  // samples count once the model has evicted
        double amount = 0;
        if (baseline < 0) {  // the first step
            amount = step;
            step = step * Options.climb_decay_per_mille / 1000.0;
        } else {
            const double change = rate - baseline;
            const bool jump = std::abs(change) * 100 >= Options.climb_restart_percent;
            if (jump && ++excursions < Options.climb_persistence) return;  // ignored
            excursions = 0;
            if (jump) {  // restart
                amount = step != 0 ? (change >= 0 ? step : -step) : window_max <= 1 ? full_step() : -full_step();
                step = amount >= 0 ? full_step() : -full_step();
            } else {
                amount = change >= 0 ? step : -step;
                step = amount * Options.climb_decay_per_mille / 1000.0;
            }
        }
        baseline = rate;
        if (amount >= 1.0) {
            const std::size_t q = std::min(static_cast<std::size_t>(amount), protected_max);
            protected_max -= q;
            window_max += q;
            demote();
            for (;;) {  // main's least recent entries fill the window (probation's first)
                std::deque<entry>* from = nullptr;
                for (auto* m : {&probation, &protect}) {
                    if (from == nullptr && !m->empty() && window_w + m->back().weight <= window_max) from = m;
                }
                if (from == nullptr) break;
                move_back_to_front(*from, window);
            }
            if (q == 0) step = 0;
            if (q != 0) ++moves;
        } else if (amount <= -1.0) {
            const std::size_t q = std::min(static_cast<std::size_t>(-amount), window_max > 1 ? window_max - 1 : 0);
            window_max -= q;
            protected_max += q;
            shed();
            if (q == 0) step = 0;
            if (q != 0) ++moves;
        }
    }
    void move_back_to_front(std::deque<entry>& from, std::deque<entry>& to) {
        const entry e = from.back();
        from.pop_back();
        weight_of(from) -= e.weight;
        to.push_front(e);
        weight_of(to) += e.weight;
    }
    void remove_back(std::deque<entry>& q) {
        weight_of(q) -= q.back().weight;
        total -= q.back().weight;
        --entries;
        q.pop_back();
    }
    void shed() {
        while (window_w > window_max) move_back_to_front(window, probation);
    }
    void demote() {
        while (protect_w > protected_max) move_back_to_front(protect, probation);
    }
};
using w_tinylfu = basic_w_tinylfu<>;

// --- the cache protocol around a model --------------------------------------------------------
template <class Model>
class model_cache {
public:
    explicit model_cache(std::size_t capacity) { model.set_capacity(capacity); }

    bool get(int key) { return model.get(key); }
    bool put(int key, std::size_t w) {
        if (model.contains(key)) {
            if (w > model.capacity) {
                model.erase(key);
                return false;
            }
            model.update(key, w);
            evict_while_over();
            return model.contains(key);
        }
        if (w > model.capacity) return false;
        if constexpr (Model::insert_first) {
            model.insert(key, w);
            evict_while_over();
            return model.contains(key);
        } else {
            while (model.capacity - model.total < w) evicted.push_back(model.evict());
            model.insert(key, w);
            return true;
        }
    }
    bool erase(int key) {
        if (!model.contains(key)) return false;
        model.erase(key);
        return true;
    }
    void resize(std::size_t capacity) {
        model.set_capacity(capacity);
        evict_while_over();
    }

    Model model;
    std::vector<int> evicted;

private:
    void evict_while_over() {
        while (model.total > model.capacity) evicted.push_back(model.evict());
    }
};

// One random trace: gets (with a put after most misses, as a look-aside cache does), puts of
// cached and new keys, erases and the odd resize; keys skewed toward small numbers so that there
// are hits; weights 1 or random. After every operation the cache and the model must agree on the
// result, the resident set, the total weight and the number of evictions.
struct trace_options {
    std::uint64_t seed = 1;
    std::size_t capacity = 32;
    int keys = 64;
    std::size_t max_weight = 1;
    int operations = 4000;
    bool resizes = true;
};

// Returns how many climbs changed W-TinyLFU's shares (0 for the other policies), so that a test can
// check that the traces exercised its climber.
template <class Policy, class Model>
std::size_t check_agreement(const trace_options& opt) {
    CAPTURE(opt.seed);
    CAPTURE(opt.capacity);
    CAPTURE(opt.max_weight);
    strata::cache<int, std::size_t, Policy, value_sizer> cache(opt.capacity);
    model_cache<Model> model(opt.capacity);
    std::mt19937_64 rng(opt.seed);
    auto uniform = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
    auto pick_key = [&] {  // skewed: small keys are much more frequent
        const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
        return static_cast<int>(static_cast<double>(opt.keys) * u * u * u);
    };
    auto pick_weight = [&] { return opt.max_weight == 1 ? std::size_t{1} : 1 + uniform(opt.max_weight); };

    for (int op = 0; op < opt.operations; ++op) {
        CAPTURE(op);
        const std::size_t what = uniform(100);
        const int key = pick_key();
        if (what < 60) {
            const bool hit = cache.get(key).has_value();
            if (hit != model.get(key)) FAIL("get " << key << ": the cache says " << (hit ? "hit" : "miss"));
            if (!hit && uniform(4) != 0) {
                const std::size_t w = pick_weight();
                if (cache.put(key, w) != model.put(key, w)) FAIL("put " << key << " (weight " << w << ") differs");
            }
        } else if (what < 85) {
            const std::size_t w = pick_weight();
            if (cache.put(key, w) != model.put(key, w)) FAIL("put " << key << " (weight " << w << ") differs");
        } else if (what < 97 || !opt.resizes) {
            if (cache.erase(key) != model.erase(key)) FAIL("erase " << key << " differs");
        } else {
            const std::size_t c = opt.capacity / 2 + uniform(opt.capacity + 1);
            cache.resize(c);
            model.resize(c);
        }
        // The same resident set: as many entries, and every entry of the model in the cache.
        std::size_t n = 0;
        int missing = -1;
        model.model.for_each_key([&](int k) {
            ++n;
            if (missing < 0 && !cache.contains(k)) missing = k;
        });
        if (n != cache.size() || missing >= 0) {
            FAIL("resident sets differ: cache " << cache.size() << " entries, model " << n
                                                 << "; first model key not in the cache: " << missing);
        }
        if (cache.weight() != model.model.total || cache.stats().evictions != model.evicted.size()) {
            FAIL("weights or evictions differ: cache " << cache.weight() << " / " << cache.stats().evictions
                                                      << ", model " << model.model.total << " / "
                                                      << model.evicted.size());
        }
        if constexpr (requires { model.model.window_max; }) {  // W-TinyLFU: the same shares
            if (cache.policy().window_max() != model.model.window_max ||
                cache.policy().protected_max() != model.model.protected_max) {
                FAIL("shares differ: cache window " << cache.policy().window_max() << " protected "
                                                    << cache.policy().protected_max() << ", model window "
                                                    << model.model.window_max << " protected " << model.model.protected_max);
            }
        }
    }
    CHECK(cache.stats().hits > 0);  // the trace exercised hits, misses and evictions
    CHECK(cache.stats().misses > 0);
    CHECK(cache.stats().evictions > 0);
    if constexpr (requires { model.model.moves; }) {
        return model.model.moves;
    } else {
        return 0;
    }
}

// The agreement check over several seeds, capacities and weight ranges.
// Returns the sum of check_agreement's counts.
template <class Policy, class Model>
std::size_t check_agreement_on_random_traces() {
    std::size_t moves = 0;
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        moves += check_agreement<Policy, Model>({.seed = seed, .capacity = 16, .keys = 48});
        moves += check_agreement<Policy, Model>({.seed = seed, .capacity = 100, .keys = 300});
        moves += check_agreement<Policy, Model>({.seed = seed, .capacity = 40, .keys = 80, .max_weight = 9});
        moves += check_agreement<Policy, Model>({.seed = seed, .capacity = 7, .keys = 20, .max_weight = 3});
    }
    return moves;
}

// --- helpers for the scripted tests -----------------------------------------------------------

// The keys in [0, universe) that `cache` holds, ascending.
template <class Cache>
std::vector<int> resident(const Cache& cache, int universe) {
    std::vector<int> keys;
    for (int k = 0; k < universe; ++k) {
        if (cache.contains(k)) keys.push_back(k);
    }
    return keys;
}

// The keys of list `list` of a policy's `slot_lists`, front (newest) first.
template <class Cache, class Lists>
std::vector<int> list_keys(const Cache& cache, const Lists& lists, std::size_t list, int universe) {
    std::vector<int> key_of_slot;
    for (int k = 0; k < universe; ++k) {
        const strata::slot_index s = cache.slot_of(k);
        if (s == strata::no_slot) continue;
        if (key_of_slot.size() <= s) key_of_slot.resize(s + 1, -1);
        key_of_slot[s] = k;
    }
    std::vector<int> keys;
    for (strata::slot_index s = lists.front(list); s != strata::no_slot; s = lists.next(s)) keys.push_back(key_of_slot.at(s));
    return keys;
}

// Runs `fn` and returns the keys in [0, universe) it evicted (resident before, gone after,
// not erased by `fn` itself), ascending.
template <class Cache, class Fn>
std::vector<int> evicted_by(Cache& cache, int universe, Fn&& fn) {
    const std::vector<int> before = resident(cache, universe);
    fn();
    std::vector<int> gone;
    for (int k : before) {
        if (!cache.contains(k)) gone.push_back(k);
    }
    return gone;
}

}  // namespace reference
