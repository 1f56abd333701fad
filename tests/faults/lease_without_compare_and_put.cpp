// A store lease needs compare_and_put: over a backend without it, store_lease says which
// backends have it and what to write. The twin adds the call and builds.
#include <strata/storage/lease.hpp>
#include <strata/storage/memory.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A backend that forwards to a memory_backend but (in the failing case) offers no compare_and_put.
struct plain_backend {
    strata::memory_backend inner;
    std::optional<std::string> get(std::string_view key) const { return inner.get(key); }
    void put(std::string_view key, std::string_view value) { inner.put(key, value); }
    bool erase(std::string_view key) { return inner.erase(key); }
    bool contains(std::string_view key) const { return inner.contains(key); }
    std::vector<strata::key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                        std::size_t limit) const {
        return inner.scan(prefix, after, limit);
    }
    std::size_t count(std::string_view prefix) const { return inner.count(prefix); }
    void apply(const strata::write_batch& batch) { inner.apply(batch); }
#if !STRATA_FAIL_CASE_LEASE_WITHOUT_COMPARE_AND_PUT
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value) {
        return inner.compare_and_put(key, expected, value);
    }
#endif
};

bool take(plain_backend& store) {
    return strata::store_lease<plain_backend>::try_acquire(store, {}).has_value();
}
