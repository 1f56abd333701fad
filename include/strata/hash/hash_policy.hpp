/**
 * @file
 * @brief The hash-policy concept: what the content store (and anything else that names data by
 * its hash) asks of a hash, and the check that says what a policy of your own is missing.
 *
 * A hash policy is a type with static members only (it is never instantiated):
 *
 * - `static constexpr std::string_view name`: the prefix of the digest's text (`"sha256"`):
 *   lowercase letters, digits, `-`, `_`, `.`;
 * - `static constexpr std::size_t digest_size`: bytes of a digest (at least 1);
 * - `static strata::digest<H> hash(std::string_view bytes)`: the digest of some bytes, in one call;
 * - `struct hasher` for streamed input: default-constructible, with
 *   `void update(std::string_view bytes)` and `strata::digest<H> finish()`.
 *
 * `hasher{}.update(a); update(b); finish()` must equal `hash(a + b)` however the input is split.
 * strata's hashers may be reused: `finish()` leaves them ready for a new input.
 *
 * strata ships `strata::sha256` (`<strata/hash/sha256.hpp>`), `strata::blake2b_256`
 * (`<strata/hash/blake2b.hpp>`) and `strata::xxh3_128` (`<strata/hash/xxh3.hpp>`). Check a policy
 * of your own with `static_assert(strata::check_hash_policy<H>());`:
 *
 * @code
 * struct fnv1a_64 {
 *     static constexpr std::string_view name = "fnv1a-64";
 *     static constexpr std::size_t digest_size = 8;
 *     struct hasher {
 *         std::uint64_t h = 0xcbf29ce484222325u;
 *         void update(std::string_view bytes) {
 *             for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3u;
 *         }
 *         strata::digest<fnv1a_64> finish() {
 *             strata::digest<fnv1a_64> d;
 *             for (std::size_t i = 0; i < 8; ++i) {
 *                 d.data()[i] = static_cast<unsigned char>(h >> (56 - 8 * i));
 *             }
 *             *this = {};
 *             return d;
 *         }
 *     };
 *     static strata::digest<fnv1a_64> hash(std::string_view bytes) {
 *         hasher h;
 *         h.update(bytes);
 *         return h.finish();
 *     }
 * };
 * static_assert(strata::check_hash_policy<fnv1a_64>());
 * @endcode
 */
#pragma once

#include <strata/hash/digest.hpp>

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace strata {
inline namespace v1 {

// One requirement per concept, so that the compiler names the missing one.

/// `H::name` is a `static constexpr std::string_view`.
template <class H>
concept has_hash_name = requires {
    requires std::same_as<std::remove_cv_t<decltype(H::name)>, std::string_view>;
    typename std::integral_constant<std::size_t, H::name.size()>;  // a constant expression
};

/// `H::digest_size` is a `static constexpr std::size_t`.
template <class H>
concept has_digest_size = requires {
    requires std::same_as<std::remove_cv_t<decltype(H::digest_size)>, std::size_t>;
    typename std::integral_constant<std::size_t, H::digest_size>;  // a constant expression
};

/// `H::hash(bytes)` is static and returns `strata::digest<H>`.
template <class H>
concept has_hash_function = requires(std::string_view bytes) {
    { H::hash(bytes) } -> std::same_as<digest<H>>;
};

/// `H::hasher` is a default-constructible type.
template <class H>
concept has_hasher = requires { typename H::hasher; } && std::default_initializable<typename H::hasher>;

/// `h.update(bytes)` on an `H::hasher`.
template <class H>
concept hasher_has_update = requires(typename H::hasher& h, std::string_view bytes) { h.update(bytes); };

/// `h.finish()` on an `H::hasher` returns `strata::digest<H>`.
template <class H>
concept hasher_has_finish = requires(typename H::hasher& h) {
    { h.finish() } -> std::same_as<digest<H>>;
};

/**
 * @brief A hash policy: a name, a digest size, a one-call `hash` and a streaming `hasher`. See the
 * file comment for what each member must do.
 */
template <class H>
concept hash_policy = has_hash_name<H> && has_digest_size<H> && has_hash_function<H> && has_hasher<H> &&
                      hasher_has_update<H> && hasher_has_finish<H>;

/// @cond internal
namespace detail {
/// A hash policy's name: not empty; lowercase letters, digits, '-', '_', '.' (no ':').
constexpr bool valid_hash_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (char ch : name) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        if (!ok) return false;
    }
    return true;
}
}  // namespace detail
/// @endcond

/**
 * @brief Checks that `H` is a hash policy, with one `strata:` message per missing member that
 * shows what to write. `static_assert(strata::check_hash_policy<H>());`
 */
template <class H>
consteval bool check_hash_policy() {
    static_assert(has_hash_name<H>,
                  "strata: hash policy lacks name; write `static constexpr std::string_view name = \"my-hash\";`");
    if constexpr (has_hash_name<H>) {
        static_assert(detail::valid_hash_name(H::name),
                      "strata: a hash policy's name must be non-empty lowercase letters, digits, '-', '_' or "
                      "'.' (it prefixes the digest's text, name:hex)");
    }
    static_assert(has_digest_size<H>,
                  "strata: hash policy lacks digest_size; write `static constexpr std::size_t digest_size = 32;` "
                  "(bytes of a digest)");
    if constexpr (has_digest_size<H>) {
        static_assert(H::digest_size > 0, "strata: a hash policy's digest_size must be at least 1");
    }
    static_assert(has_hash_function<H>,
                  "strata: hash policy lacks hash; write `static strata::digest<H> hash(std::string_view bytes)`");
    static_assert(has_hasher<H>,
                  "strata: hash policy lacks hasher; write a default-constructible `struct hasher { void "
                  "update(std::string_view bytes); strata::digest<H> finish(); };`");
    if constexpr (has_hasher<H>) {
        static_assert(hasher_has_update<H>,
                      "strata: the hash policy's hasher lacks update; write `void update(std::string_view bytes)`");
        static_assert(hasher_has_finish<H>,
                      "strata: the hash policy's hasher lacks finish; write `strata::digest<H> finish()`");
    }
    return hash_policy<H>;
}

}  // namespace v1
}  // namespace strata
