// Attachment bytes for the sessions example: SHA-256 (OpenSSL EVP) and the in-memory content
// store the v2 -> v3 step writes into. (The base64 is decoded by the codec: strata::base64_bytes.)
#pragma once

#include <strata/error.hpp>

#include <openssl/evp.h>

#include <cstddef>
#include <cstring>
#include <unordered_map>
#include <string>
#include <string_view>
#include <utility>

namespace sessions {

/// "sha256:" + the lowercase hex SHA-256 of `bytes`. One digest context per thread, with the
/// algorithm fetched once: OpenSSL 3's one-shot EVP_Digest fetches and allocates per call,
/// which costs a quarter of the hashing time on attachments of a few kilobytes.
inline std::string sha256_digest(std::string_view bytes) {
    struct context {
        EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~context() {
            EVP_MD_CTX_free(ctx);
            EVP_MD_free(md);
        }
    };
    thread_local const context c;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (c.md == nullptr || c.ctx == nullptr || EVP_DigestInit_ex(c.ctx, c.md, nullptr) != 1 ||
        EVP_DigestUpdate(c.ctx, bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(c.ctx, md, &size) != 1) {
        throw strata::error("sha256: OpenSSL could not compute a SHA-256 digest");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(7 + 2 * std::size_t{size}, '\0');
    std::memcpy(out.data(), "sha256:", 7);
    for (unsigned int i = 0; i < size; ++i) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 15];
    }
    return out;
}

/// An in-memory content-addressed store: each distinct blob once, by its SHA-256.
class memory_content_store {
public:
    /// Stores `bytes` (once) and returns their digest, "sha256:<hex>". Pass an rvalue to have
    /// a new blob moved in rather than copied.
    std::string put(std::string bytes) {
        std::string digest = sha256_digest(bytes);
        auto [it, inserted] = blobs_.try_emplace(digest);
        if (inserted) {
            stored_bytes_ += bytes.size();
            it->second = std::move(bytes);
        } else {
            ++deduplicated_;
        }
        return digest;
    }
    const std::unordered_map<std::string, std::string>& blobs() const noexcept { return blobs_; }
    std::size_t stored_bytes() const noexcept { return stored_bytes_; }
    std::size_t deduplicated() const noexcept { return deduplicated_; }

private:
    std::unordered_map<std::string, std::string> blobs_;
    std::size_t stored_bytes_ = 0;
    std::size_t deduplicated_ = 0;
};

}  // namespace sessions
