// Internal: OpenSSL EVP digests for the hash policies (sha256.hpp, blake2b.hpp), without
// OpenSSL 3's per-call costs: the EVP_MD is fetched once per process, and one-shot hashing reuses
// one EVP_MD_CTX per thread (OpenSSL 3's EVP_Digest fetches the algorithm and allocates a context
// on every call, a quarter of the time on inputs of a few kilobytes). A streaming hasher owns its
// own context.
//
// An `Algorithm` is a tag with `static constexpr const char* openssl_name` (the EVP_MD_fetch
// name), `static constexpr std::string_view name` (strata's name, for messages) and
// `static constexpr std::size_t digest_size`.
#pragma once

#include <strata/error.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {
namespace detail {

struct evp_md_free {
    void operator()(EVP_MD* md) const noexcept { EVP_MD_free(md); }
};
struct evp_md_ctx_free {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using evp_md_ptr = std::unique_ptr<EVP_MD, evp_md_free>;
using evp_md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, evp_md_ctx_free>;

/// Throws `strata::error("<name>: OpenSSL <call> failed: <OpenSSL's reason>")`, emptying
/// OpenSSL's error queue of this thread.
[[noreturn]] inline void throw_openssl_error(std::string_view name, std::string_view call) {
    std::string m(name);
    m += ": OpenSSL ";
    m += call;
    m += " failed";
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        m += ": ";
        m += reason;
    }
    ERR_clear_error();
    throw error(m);
}

/// The algorithm's EVP_MD, fetched on first use and kept for the life of the process.
template <class Algorithm>
const EVP_MD* evp_md() {
    static const evp_md_ptr md(EVP_MD_fetch(nullptr, Algorithm::openssl_name, nullptr));
    if (md == nullptr) {
        throw_openssl_error(Algorithm::name, std::string("EVP_MD_fetch(\"") + Algorithm::openssl_name + "\")");
    }
    return md.get();
}

/// Starts (or restarts) `ctx` on the algorithm.
template <class Algorithm>
void evp_init(EVP_MD_CTX* ctx) {
    if (EVP_DigestInit_ex(ctx, evp_md<Algorithm>(), nullptr) != 1) {
        throw_openssl_error(Algorithm::name, "EVP_DigestInit_ex");
    }
}

template <class Algorithm>
void evp_update(EVP_MD_CTX* ctx, std::string_view bytes) {
    if (EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1) {
        throw_openssl_error(Algorithm::name, "EVP_DigestUpdate");
    }
}

/// Writes the digest (exactly `Algorithm::digest_size` bytes) to `out`.
template <class Algorithm>
void evp_final(EVP_MD_CTX* ctx, unsigned char* out) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx, md, &size) != 1) throw_openssl_error(Algorithm::name, "EVP_DigestFinal_ex");
    if (size != Algorithm::digest_size) {
        throw error(std::string(Algorithm::name) + ": OpenSSL returned a digest of " + std::to_string(size) +
                    " bytes, expected " + std::to_string(Algorithm::digest_size));
    }
    for (std::size_t i = 0; i < Algorithm::digest_size; ++i) out[i] = md[i];
}

/// The digest of `bytes`, written to `out`, with this thread's context for the algorithm.
template <class Algorithm>
void evp_hash(std::string_view bytes, unsigned char* out) {
    thread_local const evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (ctx == nullptr) throw_openssl_error(Algorithm::name, "EVP_MD_CTX_new");
    evp_init<Algorithm>(ctx.get());  // same EVP_MD as last time: OpenSSL reuses the context's state
    evp_update<Algorithm>(ctx.get(), bytes);
    evp_final<Algorithm>(ctx.get(), out);
}

/// A streaming digest with its own context: copyable (the copy continues from the same state),
/// movable (a moved-from hasher starts again from empty input when used).
template <class Algorithm>
class evp_hasher {
public:
    evp_hasher() : ctx_(new_context()) {}
    evp_hasher(const evp_hasher& other) : ctx_(other.ctx_ ? copy_context(other.ctx_.get()) : new_context()) {}
    evp_hasher(evp_hasher&&) noexcept = default;
    evp_hasher& operator=(const evp_hasher& other) {
        if (this != &other) ctx_ = other.ctx_ ? copy_context(other.ctx_.get()) : new_context();
        return *this;
    }
    evp_hasher& operator=(evp_hasher&&) noexcept = default;
    ~evp_hasher() = default;

    void update(std::string_view bytes) {
        if (ctx_ == nullptr) ctx_ = new_context();
        evp_update<Algorithm>(ctx_.get(), bytes);
    }

    /// Writes the digest to `out` and starts again from empty input.
    void finish_to(unsigned char* out) {
        if (ctx_ == nullptr) ctx_ = new_context();
        evp_final<Algorithm>(ctx_.get(), out);
        evp_init<Algorithm>(ctx_.get());
    }

private:
    static evp_md_ctx_ptr new_context() {
        evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (ctx == nullptr) throw_openssl_error(Algorithm::name, "EVP_MD_CTX_new");
        evp_init<Algorithm>(ctx.get());
        return ctx;
    }
    static evp_md_ctx_ptr copy_context(const EVP_MD_CTX* from) {
        evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (ctx == nullptr) throw_openssl_error(Algorithm::name, "EVP_MD_CTX_new");
        if (EVP_MD_CTX_copy_ex(ctx.get(), from) != 1) throw_openssl_error(Algorithm::name, "EVP_MD_CTX_copy_ex");
        return ctx;
    }

    evp_md_ctx_ptr ctx_;
};

}  // namespace detail
}  // namespace v1
}  // namespace strata
