// The eviction-policy concept: each requirement on its own, the optional members, insert_first.
#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/s3_fifo.hpp>
#include <strata/cache/sieve.hpp>
#include <strata/cache/w_tinylfu.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>

namespace {
struct minimal {  // the three required members
    void on_insert(strata::slot_index, std::uint64_t, std::size_t) {}
    void on_erase(strata::slot_index) {}
    strata::slot_index evict() { return 0; }
};
struct no_insert {
    void on_erase(strata::slot_index) {}
    strata::slot_index evict() { return 0; }
};
struct no_erase {
    void on_insert(strata::slot_index, std::uint64_t, std::size_t) {}
    strata::slot_index evict() { return 0; }
};
struct evict_returns_int {
    void on_insert(strata::slot_index, std::uint64_t, std::size_t) {}
    void on_erase(strata::slot_index) {}
    int evict() { return 0; }
};
struct needs_capacity : minimal {
    explicit needs_capacity(std::size_t) {}
};
struct admits : minimal {
    static constexpr bool insert_first = true;
};
}  // namespace

TEST_CASE("eviction_policy: each requirement is its own concept") {
    static_assert(strata::check_eviction_policy<minimal>());
    static_assert(strata::eviction_policy<minimal>);
    static_assert(!strata::has_on_access<minimal>);
    static_assert(!strata::has_set_capacity<minimal>);
    static_assert(!strata::has_on_insert<no_insert> && !strata::eviction_policy<no_insert>);
    static_assert(!strata::has_on_erase<no_erase> && !strata::eviction_policy<no_erase>);
    static_assert(!strata::has_evict<evict_returns_int> && !strata::eviction_policy<evict_returns_int>);
    static_assert(!strata::eviction_policy<needs_capacity>);
    CHECK(strata::eviction_policy<minimal>);
}

TEST_CASE("eviction_policy: the library's policies, their optional members and insert_first") {
    static_assert(strata::eviction_policy<strata::lru> && strata::has_on_access<strata::lru>);
    static_assert(strata::eviction_policy<strata::sieve> && strata::has_on_access<strata::sieve>);
    static_assert(strata::eviction_policy<strata::s3_fifo> && strata::has_on_update<strata::s3_fifo> &&
                  strata::has_set_capacity<strata::s3_fifo>);
    static_assert(strata::eviction_policy<strata::w_tinylfu> && strata::has_on_update<strata::w_tinylfu> &&
                  strata::has_on_access_hashed<strata::w_tinylfu> && !strata::has_on_access<strata::w_tinylfu>);
    static_assert(!strata::eviction_inserts_first<strata::lru>);
    static_assert(!strata::eviction_inserts_first<strata::s3_fifo>);
    static_assert(strata::eviction_inserts_first<strata::w_tinylfu>);
    static_assert(strata::eviction_inserts_first<admits>);
    static_assert(!strata::eviction_inserts_first<minimal>);
    CHECK(strata::eviction_inserts_first<strata::w_tinylfu>);
}
