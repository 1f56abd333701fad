// A cache eviction policy must name its victims: check_eviction_policy says which member is
// missing and what to write.
#include <strata/cache/cache.hpp>

#include <cstddef>
#include <cstdint>

struct fifo_without_evict {
    strata::slot_list queue;
    void on_insert(strata::slot_index slot, std::uint64_t, std::size_t) { queue.push_front(slot); }
    void on_erase(strata::slot_index slot) { queue.remove(slot); }
#if !STRATA_FAIL_CASE_EVICTION_POLICY_LACKS_EVICT
    strata::slot_index evict() { return queue.pop_back(); }
#endif
};

static_assert(strata::check_eviction_policy<fifo_without_evict>());
