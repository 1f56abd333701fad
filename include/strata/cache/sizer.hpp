/**
 * @file
 * @brief Sizers: what an entry of a `strata::cache` weighs, and so what its capacity counts.
 *
 * A sizer is a function object `std::size_t operator()(const Key&, const Value&) const`. The
 * cache's capacity is a total weight: with `entry_sizer` (the default) every entry weighs 1 and
 * the capacity counts entries; with `byte_sizer` an entry weighs the bytes of its key and value
 * and the capacity counts bytes. The cache treats a weight of 0 as 1, so that a cache never holds
 * more entries than its capacity.
 */
#pragma once

#include <concepts>
#include <cstddef>
#include <ranges>

namespace strata {
inline namespace v1 {

/// `S` weighs an entry of key `K` and value `V`: `s(key, value)` converts to `std::size_t`.
template <class S, class K, class V>
concept cache_sizer = requires(const S& s, const K& key, const V& value) {
    { s(key, value) } -> std::convertible_to<std::size_t>;
};

/// Every entry weighs 1: the capacity counts entries.
struct entry_sizer {
    template <class K, class V>
    constexpr std::size_t operator()(const K&, const V&) const noexcept {
        return 1;
    }
};

/**
 * @brief An entry weighs the bytes of its key and value: `size() * sizeof(element)` for a
 * contiguous range (`std::string`, `std::vector<std::byte>`, …), `sizeof` for anything else. The
 * bookkeeping of the cache itself (about 40 bytes an entry) is not counted.
 */
struct byte_sizer {
    template <class T>
    static constexpr std::size_t bytes(const T& x) noexcept {
        if constexpr (std::ranges::contiguous_range<const T&> && std::ranges::sized_range<const T&>) {
            return std::ranges::size(x) * sizeof(std::ranges::range_value_t<const T&>);
        } else {
            return sizeof(T);
        }
    }
    template <class K, class V>
    constexpr std::size_t operator()(const K& key, const V& value) const noexcept {
        return bytes(key) + bytes(value);
    }
};

}  // namespace v1
}  // namespace strata
