/**
 * @file
 * @brief `strata::frequency_sketch`: a count-min sketch of 4-bit counters with periodic aging,
 * the popularity estimate behind W-TinyLFU's admission.
 *
 * The design is TinyLFU's (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache
 * Admission Policy", ACM Transactions on Storage 13(4), 2017) as Caffeine lays it out in memory
 * (`FrequencySketch.java`): four counters per key (depth 4), 4 bits each (a count saturates at
 * 15), sixteen counters to a 64-bit word. A key's four counters all lie in one 64-byte block of
 * eight words (aligned to a cache line), one counter in each pair of words, so an increment or an
 * estimate touches one cache line. The estimate is the smallest of the four counters (count-min: hash collisions can
 * only make it larger).
 *
 * Aging (TinyLFU's "reset"): after `sample_size()` increments (ten times the table's length in
 * words, i.e. about ten per entry the sketch is sized for) every counter is halved, so that old
 * popularity fades and a formerly hot key must keep earning its place.
 *
 * The sketch sees keys only through the cache's 64-bit hash: the upper 32 bits choose the block,
 * the lower 32 (mixed once more) choose the four counters. It is deterministic: the same hashes in
 * the same order give the same counts.
 */
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace strata {
inline namespace v1 {
namespace detail {
/// Allocates on 64-byte boundaries, so that each of the sketch's blocks is one cache line.
template <class T>
struct cache_line_allocator {
    using value_type = T;
    static constexpr std::align_val_t alignment{64};
    cache_line_allocator() = default;
    template <class U>
    constexpr cache_line_allocator(const cache_line_allocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }
    template <class U>
    friend bool operator==(const cache_line_allocator&, const cache_line_allocator<U>&) noexcept {
        return true;
    }
};
}  // namespace detail

/// A 4-bit count-min sketch with aging: estimates how often a key was seen lately (0 to 15).
class frequency_sketch {
public:
    /// The largest count a counter holds.
    static constexpr unsigned max_count = 15;

    /// An empty sketch: it counts nothing until `ensure_capacity` sizes it.
    frequency_sketch() = default;

    /**
     * @brief Sizes the table for about `entries` keys (its length in words becomes the next power
     * of two, at least 8). Only grows; growing forgets every count, as Caffeine's does.
     */
    void ensure_capacity(std::size_t entries) {
        entries = std::clamp<std::size_t>(entries, 1, std::size_t{1} << 30);
        if (table_.size() >= entries) return;
        const std::size_t words = std::max<std::size_t>(std::bit_ceil(entries), 8);
        table_.assign(words, 0);
        block_mask_ = words / 8 - 1;
        sample_size_ = 10 * words;
        additions_ = 0;
    }

    /// The table's length in words: the number of keys it is sized for (0 when not sized).
    std::size_t capacity() const noexcept { return table_.size(); }
    /// How many increments between two agings.
    std::size_t sample_size() const noexcept { return sample_size_; }
    /// Increments counted toward the next aging.
    std::size_t additions() const noexcept { return additions_; }

    /// The estimated count of the key whose hash is `hash` (0 to 15).
    unsigned frequency(std::uint64_t hash) const noexcept {
        if (table_.empty()) return 0;
        const position p = locate(hash);
        unsigned f = max_count;
        for (int i = 0; i < 4; ++i) {
            f = std::min(f, static_cast<unsigned>((table_[p.word[i]] >> p.shift[i]) & 0xf));
        }
        return f;
    }

    /// Counts one more sighting of the key whose hash is `hash`; ages the sketch when due.
    void increment(std::uint64_t hash) noexcept {
        if (table_.empty()) return;
        const position p = locate(hash);
        bool added = false;
        for (int i = 0; i < 4; ++i) {
            std::uint64_t& w = table_[p.word[i]];
            const std::uint64_t mask = std::uint64_t{0xf} << p.shift[i];
            if ((w & mask) != mask) {
                w += std::uint64_t{1} << p.shift[i];
                added = true;
            }
        }
        if (added && ++additions_ == sample_size_) age();
    }

    /**
     * @brief Halves every counter (TinyLFU's reset). Called by `increment` every
     * `sample_size()` increments; public so that tests and callers can age on demand.
     */
    void age() noexcept {
        std::size_t odd = 0;
        for (std::uint64_t& w : table_) {
            odd += static_cast<std::size_t>(std::popcount(w & 0x1111111111111111ULL));
            w = (w >> 1) & 0x7777777777777777ULL;
        }
        // Each halving loses the odd counters' halves: a quarter of them per key (four counters).
        const std::size_t lost = odd / 4;
        additions_ = (additions_ > lost ? additions_ - lost : 0) / 2;
    }

    /// Forgets every count (keeps the size).
    void clear() noexcept {
        std::fill(table_.begin(), table_.end(), 0);
        additions_ = 0;
    }

private:
    struct position {
        std::size_t word[4];
        unsigned shift[4];
    };

    position locate(std::uint64_t hash) const noexcept {
        const std::size_t block = (static_cast<std::size_t>(hash >> 32) & block_mask_) * 8;
        auto counters = static_cast<std::uint32_t>(hash) * 0x31848babU;
        counters ^= counters >> 14;
        position p{};
        for (unsigned i = 0; i < 4; ++i) {
            const unsigned byte = (counters >> (8 * i)) & 0xff;
            p.word[i] = block + 2 * i + (byte & 1);   // one counter in each pair of words
            p.shift[i] = ((byte >> 1) & 15) * 4;      // which of the word's sixteen counters
        }
        return p;
    }

    std::vector<std::uint64_t, detail::cache_line_allocator<std::uint64_t>> table_;
    std::size_t block_mask_ = 0;
    std::size_t sample_size_ = 0;
    std::size_t additions_ = 0;
};

}  // namespace v1
}  // namespace strata
