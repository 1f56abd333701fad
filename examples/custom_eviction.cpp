// A custom eviction policy (the README shows this file; keep them in sync): FIFO, the simplest
// there is. A policy orders slot numbers that the cache hands it; strata::slot_list keeps them in
// an intrusive list, so the policy allocates nothing per entry. Three members are required:
// on_insert, on_erase and evict. A hit is not reported to a FIFO (it defines no on_access).
#include <strata/cache.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

struct fifo {
    strata::slot_list queue;  // newest at the front

    void on_insert(strata::slot_index slot, std::uint64_t /*hash*/, std::size_t /*weight*/) {
        queue.push_front(slot);
    }
    void on_erase(strata::slot_index slot) { queue.remove(slot); }
    strata::slot_index evict() { return queue.pop_back(); }  // the oldest goes first
};

static_assert(strata::check_eviction_policy<fifo>());  // says what is missing, if anything is

int main() {
    strata::cache<std::string, std::string, fifo> cache(2);  // two entries
    cache.put("a", "first");
    cache.put("b", "second");
    (void)cache.get("a");        // a hit: a FIFO does not care
    cache.put("c", "third");     // evicts "a", the oldest, although it was just used

    const bool ok = !cache.contains("a") && cache.get("b") == "second" && cache.get("c") == "third";
    const strata::cache_stats stats = cache.stats();
    std::printf("fifo: a %s, b and c cached; %llu hits, %llu misses, %llu eviction(s)\n",
                cache.contains("a") ? "still cached" : "evicted", static_cast<unsigned long long>(stats.hits),
                static_cast<unsigned long long>(stats.misses), static_cast<unsigned long long>(stats.evictions));
    return ok && stats.evictions == 1 ? 0 : 1;
}
