/**
 * @file
 * @brief `strata::cache_hash`: the cache's default hash, 64 well-mixed bits per key.
 *
 * The same hash finds the key in the cache's table and identifies it to the eviction policy
 * (S3-FIFO's ghosts, W-TinyLFU's sketch), so it must mix well in every bit: integers are mixed
 * with MurmurHash3's 64-bit finaliser, string-like keys hashed with `std::hash<std::string_view>`
 * and mixed again, anything else hashed with `std::hash` and mixed. String-like keys (`std::string`
 * and other types that convert to and from `std::string_view`) are looked up by
 * `std::string_view`, without building a key.
 */
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>

namespace strata {
inline namespace v1 {

/// `K` converts to and from `std::string_view` (e.g. `std::string`): looked up by string view.
template <class K>
concept string_like_key = std::convertible_to<const K&, std::string_view> && std::constructible_from<K, std::string_view>;

namespace detail {
/// MurmurHash3's 64-bit finaliser (public domain): every input bit affects every output bit.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}
}  // namespace detail

/// The cache's default hash: 64 well-mixed bits (`is_avalanching`), transparent for string keys.
template <class K>
struct cache_hash {
    using is_transparent = void;
    using is_avalanching = void;

    std::size_t operator()(std::string_view key) const noexcept
        requires string_like_key<K>
    {
        return static_cast<std::size_t>(detail::mix64(std::hash<std::string_view>{}(key)));
    }

    std::size_t operator()(const K& key) const
        requires(!string_like_key<K>)
    {
        if constexpr (std::is_integral_v<K>) {
            return static_cast<std::size_t>(detail::mix64(static_cast<std::uint64_t>(key)));
        } else if constexpr (std::is_enum_v<K>) {
            return static_cast<std::size_t>(
                detail::mix64(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<K>>(key))));
        } else {
            return static_cast<std::size_t>(detail::mix64(static_cast<std::uint64_t>(std::hash<K>{}(key))));
        }
    }
};

}  // namespace v1
}  // namespace strata
