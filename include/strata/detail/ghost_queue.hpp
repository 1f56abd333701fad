// Internal: S3-FIFO's ghost queue. A FIFO of the hashes of entries evicted from the small queue,
// bounded by the sum of their weights, with O(1) membership tests and removal (a hit on a ghost
// removes it). Removed entries are deleted lazily from the FIFO and compacted when they outnumber
// the live ones, so memory stays proportional to the live ghosts.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>

namespace strata {
inline namespace v1 {
namespace detail {

class ghost_queue {
public:
    /// Adds `hash` (weighing `weight`) as the newest ghost; a ghost already there is renewed.
    void push(std::uint64_t hash, std::size_t weight) {
        fifo_.push_back({hash, next_seq_});  // first: if it throws, nothing changed
        auto [it, inserted] = live_.try_emplace(hash, entry{next_seq_, weight});
        if (!inserted) {
            weight_ -= it->second.weight;
            it->second = entry{next_seq_, weight};
        }
        weight_ += weight;
        ++next_seq_;
        compact_if_sparse();
    }

    /// Removes `hash` if it is a ghost; returns whether it was.
    bool erase(std::uint64_t hash) noexcept {
        auto it = live_.find(hash);
        if (it == live_.end()) return false;
        weight_ -= it->second.weight;
        live_.erase(it);
        compact_if_sparse();
        return true;
    }

    bool contains(std::uint64_t hash) const noexcept { return live_.contains(hash); }

    /// Drops the oldest ghosts until their weight is at most `max_weight`.
    void trim(std::size_t max_weight) noexcept {
        while (weight_ > max_weight && !fifo_.empty()) {
            const record r = fifo_.front();
            fifo_.pop_front();
            auto it = live_.find(r.hash);
            if (it != live_.end() && it->second.seq == r.seq) {
                weight_ -= it->second.weight;
                live_.erase(it);
            }
        }
    }

    void clear() {
        fifo_.clear();
        live_.clear();
        weight_ = 0;
    }

    std::size_t weight() const noexcept { return weight_; }
    std::size_t size() const noexcept { return live_.size(); }

private:
    struct record {
        std::uint64_t hash;
        std::uint64_t seq;
    };
    struct entry {
        std::uint64_t seq;
        std::size_t weight;
    };
    // The hashes are already well mixed: use them as they are.
    struct identity_hash {
        using is_avalanching = void;
        std::size_t operator()(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h); }
    };

    // Drops the stale records once they outnumber the live ones (amortised O(1) per call). A
    // failure to allocate only postpones it.
    void compact_if_sparse() noexcept {
        if (fifo_.size() <= 64 || fifo_.size() <= 2 * live_.size()) return;
        try {
            std::deque<record> kept;
            for (const record& r : fifo_) {
                auto it = live_.find(r.hash);
                if (it != live_.end() && it->second.seq == r.seq) kept.push_back(r);
            }
            fifo_.swap(kept);
        } catch (...) {  // NOLINT(bugprone-empty-catch): compaction is an optimisation
        }
    }

    std::deque<record> fifo_;  // oldest first; may hold stale records (erased or renewed)
    boost::unordered_flat_map<std::uint64_t, entry, identity_hash> live_;
    std::size_t weight_ = 0;
    std::uint64_t next_seq_ = 0;
};

}  // namespace detail
}  // namespace v1
}  // namespace strata
