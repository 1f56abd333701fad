/**
 * @file
 * @brief `strata::blake2b_256`: the BLAKE2b-256 hash policy (RFC 7693, unkeyed, 32-byte output),
 * computed by libsodium (component `strata::sodium`).
 *
 * BLAKE2b-256 is BLAKE2b with the digest length 32 in its parameter block, as `b2sum -l 256`,
 * libsodium's `crypto_generichash` and Python's `hashlib.blake2b(digest_size=32)` compute it; it
 * is **not** the first 32 bytes of BLAKE2b-512 (every bit differs). The digest prints as
 * `blake2b-256:` and 64 lowercase hex digits.
 *
 * Why libsodium and not OpenSSL: OpenSSL before 3.2 (Debian 12 ships 3.0) cannot set the output
 * length of its BLAKE2b, and its keyed BLAKE2BMAC refuses an empty key. libsodium picks its
 * AVX2 or SSE4.1 code at run time (`sodium_init`, called once here).
 *
 * @code
 * #include <strata/hash/blake2b.hpp>   // link strata::sodium
 *
 * auto d = strata::blake2b_256::hash("abc");
 * // d.to_string() == "blake2b-256:bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
 * @endcode
 */
#pragma once

#include <strata/error.hpp>
#include <strata/hash/digest.hpp>
#include <strata/hash/hash_policy.hpp>

#include <sodium.h>

#include <cstddef>
#include <string_view>

namespace strata {
inline namespace v1 {

/**
 * @brief BLAKE2b-256 (RFC 7693): 32-byte digests, `blake2b-256:<64 hex digits>`. A cryptographic
 * hash, like SHA-256; slower than SHA-256 on CPUs with SHA extensions, faster on CPUs without.
 */
struct blake2b_256 {
    /// The digest's text prefix.
    static constexpr std::string_view name = "blake2b-256";
    /// 32 bytes.
    static constexpr std::size_t digest_size = 32;

    /// The BLAKE2b-256 of `bytes`.
    static digest<blake2b_256> hash(std::string_view bytes) {
        hasher h;
        h.update(bytes);
        return h.finish();
    }

    /// BLAKE2b-256 of input given in pieces; copyable; `finish()` leaves it ready for a new input.
    class hasher {
    public:
        hasher() { reset(); }
        /// Adds `bytes` to the input.
        void update(std::string_view bytes) noexcept {
            crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
        }
        /// The BLAKE2b-256 of everything added since construction or the last `finish()`.
        digest<blake2b_256> finish() {
            digest<blake2b_256> d;
            crypto_generichash_final(&state_, d.data(), digest_size);
            reset();
            return d;
        }

    private:
        void reset() {
            // Once per process: libsodium chooses its fastest code for this CPU (thread-safe).
            static const int ready = sodium_init();
            if (ready < 0 || crypto_generichash_init(&state_, nullptr, 0, digest_size) != 0) {
                throw error("blake2b-256: libsodium could not start a BLAKE2b hash");
            }
        }
        crypto_generichash_state state_;
    };
};

static_assert(check_hash_policy<blake2b_256>());

}  // namespace v1
}  // namespace strata
