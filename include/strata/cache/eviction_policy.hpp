/**
 * @file
 * @brief The eviction-policy concept: what `strata::cache` asks of a policy, and the check that
 * says what a policy of your own is missing.
 *
 * A `strata::cache` owns the keys and values; a policy only orders them. The cache gives each
 * resident entry a *slot*: a small number (`slot_index`) that stays the entry's while it is
 * resident and is reused after it leaves. Slot numbers are dense: a new slot number is at most one
 * more than the largest handed out so far, so a policy keeps its per-entry data in vectors indexed
 * by slot (`strata::slot_lists` is an intrusive list over slot numbers for that purpose). The
 * cache tells the policy what happens and asks it for victims:
 *
 * | member                                   | required | the cache calls it when                       |
 * |------------------------------------------|----------|-----------------------------------------------|
 * | `void on_insert(slot_index, std::uint64_t hash, std::size_t weight)` | yes | a new entry became resident |
 * | `void on_erase(slot_index)`              | yes      | the user erased an entry (not an eviction)    |
 * | `slot_index evict()`                     | yes      | it must free room: unlink one entry, return it|
 * | `void on_access(slot_index)`             | no       | a lookup hit the entry                        |
 * | `void on_access(slot_index, std::uint64_t hash)` | no | the same, with the key's hash (preferred when both exist) |
 * | `void on_update(slot_index, std::size_t old_weight, std::size_t new_weight)` | no | a put replaced the entry's value (default: `on_access`, if any) |
 * | `void set_capacity(std::size_t)`         | no       | at construction and on every `resize`         |
 * | `void clear()`                           | no       | the cache was cleared (default: the policy is replaced by a fresh one) |
 * | `static constexpr bool insert_first`     | no       | see below (default `false`)                   |
 *
 * `hash` is the cache's 64-bit hash of the key (well mixed), for policies that remember keys
 * they no longer hold (S3-FIFO's ghost queue) or count them (W-TinyLFU's sketch). `weight` is
 * what the cache's sizer says the entry weighs (at least 1). `evict` is only called while the
 * policy holds at least one entry; the slot it returns must be one it holds, and after returning
 * it the policy must have forgotten it (the cache does not call `on_erase` for it).
 *
 * Order of a put of a new key: by default the cache first calls `evict` until the new entry fits,
 * then `on_insert`, so the new entry is never its own victim (the papers' order for LRU, SIEVE and
 * S3-FIFO). A policy that declares `static constexpr bool insert_first = true;` gets `on_insert`
 * first and `evict` afterwards while the cache is over capacity; the new entry may then be chosen,
 * which is how an admission policy (W-TinyLFU) turns a newcomer away.
 *
 * If `on_insert` throws (e.g. `std::bad_alloc` while growing a vector), it must leave the policy
 * as it was; the cache then drops the entry and rethrows.
 *
 * Policies are not thread-safe; neither is `strata::cache` (see cache.hpp).
 *
 * Check a policy of your own with `static_assert(strata::check_eviction_policy<P>());`.
 */
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

namespace strata {
inline namespace v1 {

/// The number the cache gives a resident entry; policies index their per-entry data with it.
using slot_index = std::uint32_t;

/// "No slot": what `slot_lists::front` and friends return for an empty list.
inline constexpr slot_index no_slot = static_cast<slot_index>(-1);

// One requirement per concept, so that the compiler names the missing one.

/// `p.on_insert(slot, hash, weight)`: a new entry became resident.
template <class P>
concept has_on_insert = requires(P& p, slot_index slot, std::uint64_t hash, std::size_t weight) {
    p.on_insert(slot, hash, weight);
};
/// `p.on_erase(slot)`: the user erased an entry.
template <class P>
concept has_on_erase = requires(P& p, slot_index slot) { p.on_erase(slot); };
/// `p.evict()` unlinks one entry and returns its slot.
template <class P>
concept has_evict = requires(P& p) {
    { p.evict() } -> std::same_as<slot_index>;
};
/// Optional: `p.on_access(slot)`: a lookup hit the entry.
template <class P>
concept has_on_access = requires(P& p, slot_index slot) { p.on_access(slot); };
/// Optional: `p.on_access(slot, hash)`: a lookup hit the entry whose key hashes to `hash` (the
/// cache computed it for the lookup anyway; a policy that counts keys needs no table of hashes).
template <class P>
concept has_on_access_hashed = requires(P& p, slot_index slot, std::uint64_t hash) { p.on_access(slot, hash); };
/// Optional: `p.on_update(slot, old_weight, new_weight)`: a put replaced the entry's value.
template <class P>
concept has_on_update = requires(P& p, slot_index slot, std::size_t w) { p.on_update(slot, w, w); };
/// Optional: `p.set_capacity(capacity)`: the cache's capacity, at construction and on resize.
template <class P>
concept has_set_capacity = requires(P& p, std::size_t capacity) { p.set_capacity(capacity); };
/// Optional: `p.clear()`: forget every entry.
template <class P>
concept has_clear = requires(P& p) { p.clear(); };

/**
 * @brief An eviction policy for `strata::cache`: default-constructible, told about inserts and
 * erases, and able to name a victim. See the file comment for the whole protocol.
 */
template <class P>
concept eviction_policy = std::default_initializable<P> && has_on_insert<P> && has_on_erase<P> && has_evict<P>;

/// Whether the cache calls `on_insert` before evicting (`P::insert_first`, default `false`).
template <class P>
inline constexpr bool eviction_inserts_first = [] {
    if constexpr (requires { P::insert_first; }) {
        return static_cast<bool>(P::insert_first);
    } else {
        return false;
    }
}();

/**
 * @brief Checks that `P` is an eviction policy, with one `strata:` message per missing member
 * that shows the signature to write. `static_assert(strata::check_eviction_policy<P>());`
 */
template <class P>
consteval bool check_eviction_policy() {
    static_assert(std::default_initializable<P>,
                  "strata: an eviction policy must be default-constructible; take the capacity in "
                  "`void set_capacity(std::size_t capacity)` instead of a constructor argument");
    static_assert(has_on_insert<P>,
                  "strata: eviction policy lacks on_insert; write "
                  "`void on_insert(strata::slot_index slot, std::uint64_t hash, std::size_t weight)`");
    static_assert(has_on_erase<P>,
                  "strata: eviction policy lacks on_erase; write `void on_erase(strata::slot_index slot)`");
    static_assert(has_evict<P>,
                  "strata: eviction policy lacks evict; write `strata::slot_index evict()` (unlink one "
                  "entry and return its slot)");
    return eviction_policy<P>;
}

}  // namespace v1
}  // namespace strata
