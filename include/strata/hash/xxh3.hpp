/**
 * @file
 * @brief `strata::xxh3_128`: the XXH3-128 hash policy (xxHash), a fast non-cryptographic hash.
 *
 * Needs the `strata::xxhash` component (libxxhash). The digest is XXH3's 128-bit hash in xxHash's
 * canonical byte order (big-endian: `high64` then `low64`, as `XXH128_canonicalFromHash` writes
 * it and `xxhsum -H2` prints it), so `xxh3-128:` and 32 hex digits.
 *
 * **Speed on x86-64.** Where libxxhash was built with its x86 dispatcher (Debian's is; the
 * dispatcher installs `<xxh_x86dispatch.h>`, which this header detects), hashing goes through
 * `XXH3_128bits_dispatch`, which picks the SSE2, AVX2 or AVX-512 kernel for the CPU at run time:
 * about 3x faster than the default SSE2 kernel on the project's AVX-512 machine (55 against 19
 * GB/s, benchmarks/README.md), and still correct on any x86-64. Define `STRATA_XXH3_DISPATCH`
 * to 0 or 1 to override the detection (1 needs a libxxhash that exports the `_dispatch`
 * functions). libxxhash 0.8.1's wide kernels return without `vzeroupper`, which slows legacy-SSE
 * code that runs after them (OpenSSL's SHA-NI by a quarter, measured); this header issues
 * `vzeroupper` after each dispatched call on CPUs with AVX.
 *
 * Not cryptographic: anyone can make two inputs with the same XXH3. Use it for data you produced
 * yourself (deduplicating your own chunks, checksums), not to name data that comes from outside.
 *
 * @code
 * #include <strata/hash/xxh3.hpp>
 *
 * auto d = strata::xxh3_128::hash("");
 * // d.to_string() == "xxh3-128:99aa06d3014798d86001c324468d497f"
 * @endcode
 */
#pragma once

#include <strata/error.hpp>
#include <strata/hash/digest.hpp>
#include <strata/hash/hash_policy.hpp>

#include <xxhash.h>

#include <cstddef>
#include <memory>
#include <string_view>

#if !defined(STRATA_XXH3_DISPATCH)
#if (defined(__x86_64__) || defined(_M_X64)) && __has_include(<xxh_x86dispatch.h>)
#define STRATA_XXH3_DISPATCH 1
#else
#define STRATA_XXH3_DISPATCH 0
#endif
#endif

#if STRATA_XXH3_DISPATCH
// The two dispatched entry points, declared as <xxh_x86dispatch.h> declares them. That header is
// not included because it also redefines XXH3_* as macros for the rest of the includer's file.
extern "C" {
XXH128_hash_t XXH3_128bits_dispatch(const void* input, size_t len);
XXH_errorcode XXH3_128bits_update_dispatch(XXH3_state_t* state, const void* input, size_t len);
}
#endif

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {

#if STRATA_XXH3_DISPATCH && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx"))) inline void xxh3_vzeroupper() noexcept { __builtin_ia32_vzeroupper(); }
inline bool xxh3_cpu_has_avx() noexcept {
    static const bool avx = __builtin_cpu_supports("avx") != 0;
    return avx;
}
/// After a dispatched call: clears the upper halves of the vector registers its AVX2/AVX-512
/// kernel left dirty (see the file comment). Only on CPUs with AVX (the only ones whose
/// dispatched kernels use them).
inline void xxh3_after_dispatch() noexcept {
    if (xxh3_cpu_has_avx()) xxh3_vzeroupper();
}
#else
inline void xxh3_after_dispatch() noexcept {}
#endif

inline XXH128_hash_t xxh3_128(std::string_view bytes) noexcept {
#if STRATA_XXH3_DISPATCH
    const XXH128_hash_t h = XXH3_128bits_dispatch(bytes.data(), bytes.size());
    xxh3_after_dispatch();
    return h;
#else
    return XXH3_128bits(bytes.data(), bytes.size());
#endif
}

inline void xxh3_128_update(XXH3_state_t* state, std::string_view bytes) noexcept {
#if STRATA_XXH3_DISPATCH
    (void)XXH3_128bits_update_dispatch(state, bytes.data(), bytes.size());
    xxh3_after_dispatch();
#else
    (void)XXH3_128bits_update(state, bytes.data(), bytes.size());
#endif
}

struct xxh3_state_free {
    void operator()(XXH3_state_t* state) const noexcept { XXH3_freeState(state); }
};
using xxh3_state_ptr = std::unique_ptr<XXH3_state_t, xxh3_state_free>;

inline xxh3_state_ptr new_xxh3_state() {
    xxh3_state_ptr state(XXH3_createState());
    if (state == nullptr) throw error("xxh3-128: XXH3_createState failed (out of memory)");
    (void)XXH3_128bits_reset(state.get());
    return state;
}

}  // namespace detail
/// @endcond

/**
 * @brief XXH3-128 (xxHash): 16-byte digests, `xxh3-128:<32 hex digits>`, seed 0, in xxHash's
 * canonical (big-endian) byte order. Several times faster than SHA-256; not cryptographic.
 */
struct xxh3_128 {
    /// The digest's text prefix.
    static constexpr std::string_view name = "xxh3-128";
    /// 16 bytes.
    static constexpr std::size_t digest_size = 16;

    /// The XXH3-128 of `bytes`.
    static digest<xxh3_128> hash(std::string_view bytes) noexcept { return to_digest(detail::xxh3_128(bytes)); }

    /**
     * @brief XXH3-128 of input given in pieces (its own `XXH3_state_t`). Copyable (the copy
     * continues from the same state); `finish()` leaves it ready for a new input.
     */
    class hasher {
    public:
        hasher() : state_(detail::new_xxh3_state()) {}
        hasher(const hasher& other) : state_(detail::new_xxh3_state()) {
            if (other.state_) XXH3_copyState(state_.get(), other.state_.get());
        }
        hasher(hasher&&) noexcept = default;
        hasher& operator=(const hasher& other) {
            if (this != &other) *this = hasher(other);
            return *this;
        }
        hasher& operator=(hasher&&) noexcept = default;
        ~hasher() = default;

        /// Adds `bytes` to the input.
        void update(std::string_view bytes) {
            if (state_ == nullptr) state_ = detail::new_xxh3_state();  // moved from
            detail::xxh3_128_update(state_.get(), bytes);
        }
        /// The XXH3-128 of everything added since construction or the last `finish()`.
        digest<xxh3_128> finish() {
            if (state_ == nullptr) state_ = detail::new_xxh3_state();
            const XXH128_hash_t h = XXH3_128bits_digest(state_.get());
            (void)XXH3_128bits_reset(state_.get());
            return to_digest(h);
        }

    private:
        detail::xxh3_state_ptr state_;
    };

private:
    static digest<xxh3_128> to_digest(XXH128_hash_t h) noexcept {
        XXH128_canonical_t canonical;
        XXH128_canonicalFromHash(&canonical, h);
        digest<xxh3_128> d;
        static_assert(sizeof(canonical.digest) == digest_size);
        for (std::size_t i = 0; i < digest_size; ++i) d.data()[i] = canonical.digest[i];
        return d;
    }
};

static_assert(check_hash_policy<xxh3_128>());

}  // namespace v1
}  // namespace strata
