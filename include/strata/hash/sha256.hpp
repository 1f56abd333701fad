/**
 * @file
 * @brief `strata::sha256`: the SHA-256 hash policy (FIPS 180-4), through OpenSSL's EVP.
 *
 * Needs the `strata::openssl` component (OpenSSL 3's libcrypto). OpenSSL picks the fastest code
 * for the CPU at run time (the SHA extensions, SHA-NI, where the CPU has them), so nothing needs
 * `-march`. The algorithm is fetched once per process and one-shot `hash` reuses one context per
 * thread, so a call costs no allocation; a `hasher` owns its context.
 *
 * The digest prints as `sha256:` and 64 lowercase hex digits, the form OCI image digests use.
 *
 * @code
 * #include <strata/hash/sha256.hpp>
 *
 * strata::digest<strata::sha256> d = strata::sha256::hash("abc");
 * // d.to_string() == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 *
 * strata::sha256::hasher h;  // the same digest, from pieces
 * h.update("a");
 * h.update("bc");
 * assert(h.finish() == d);
 * @endcode
 */
#pragma once

#include <strata/detail/openssl_digest.hpp>
#include <strata/hash/digest.hpp>
#include <strata/hash/hash_policy.hpp>

#include <cstddef>
#include <string_view>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {
struct sha256_evp {
    static constexpr const char* openssl_name = "SHA2-256";
    static constexpr std::string_view name = "sha256";
    static constexpr std::size_t digest_size = 32;
};
}  // namespace detail
/// @endcond

/**
 * @brief SHA-256 (FIPS 180-4): 32-byte digests, `sha256:<64 hex digits>`. A cryptographic hash:
 * use it where a digest must also guard against deliberate collisions (content addressing of
 * data from outside).
 *
 * OpenSSL's failures (which do not happen with a working libcrypto) are thrown as `strata::error`.
 */
struct sha256 {
    /// The digest's text prefix.
    static constexpr std::string_view name = "sha256";
    /// 32 bytes.
    static constexpr std::size_t digest_size = 32;

    /// The SHA-256 of `bytes`.
    static digest<sha256> hash(std::string_view bytes) {
        digest<sha256> d;
        detail::evp_hash<detail::sha256_evp>(bytes, d.data());
        return d;
    }

    /**
     * @brief SHA-256 of input given in pieces. Copyable (the copy continues from the same state);
     * `finish()` leaves it ready for a new input.
     */
    class hasher {
    public:
        /// Adds `bytes` to the input.
        void update(std::string_view bytes) { impl_.update(bytes); }
        /// The SHA-256 of everything added since construction or the last `finish()`.
        digest<sha256> finish() {
            digest<sha256> d;
            impl_.finish_to(d.data());
            return d;
        }

    private:
        detail::evp_hasher<detail::sha256_evp> impl_;
    };
};

static_assert(check_hash_policy<sha256>());

}  // namespace v1
}  // namespace strata
