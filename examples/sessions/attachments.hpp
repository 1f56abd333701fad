// Attachment bytes for the sessions example: strict base64 decoding and SHA-256 (OpenSSL EVP),
// and the in-memory content store the v2 -> v3 step writes into.
#pragma once

#include <strata/error.hpp>

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace sessions {

/// Decodes standard base64 with padding, strictly (like Python's b64decode(validate=True)):
/// any other character, or wrong padding, is a decode_error.
inline std::string base64_decode(std::string_view text) {
    static constexpr auto valid = [] {
        std::array<bool, 256> t{};
        for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] = true;
        for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] = true;
        for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = true;
        t['+'] = t['/'] = true;
        return t;
    }();
    if (text.size() % 4 != 0) {
        throw strata::decode_error("base64 (a multiple of 4 characters)",
                                   std::to_string(text.size()) + " characters");
    }
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') ++padding;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        if (!valid[static_cast<unsigned char>(text[i])]) {
            throw strata::decode_error("base64", "the character '" + std::string(1, text[i]) +
                                                     "' at offset " + std::to_string(i));
        }
    }
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) throw strata::decode_error("base64", "undecodable text");
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

/// "sha256:" + the lowercase hex SHA-256 of `bytes`.
inline std::string sha256_digest(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md, &size, EVP_sha256(), nullptr) != 1) {
        throw strata::error("sha256: OpenSSL's EVP_Digest failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "sha256:";
    out.reserve(7 + 2 * size);
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

/// An in-memory content-addressed store: each distinct blob once, by its SHA-256.
class memory_content_store {
public:
    /// Stores `bytes` (once) and returns their digest, "sha256:<hex>".
    std::string put(std::string_view bytes) {
        std::string digest = sha256_digest(bytes);
        auto [it, inserted] = blobs_.try_emplace(digest);
        if (inserted) {
            it->second.assign(bytes);
            stored_bytes_ += bytes.size();
        } else {
            ++deduplicated_;
        }
        return digest;
    }
    const std::map<std::string, std::string>& blobs() const noexcept { return blobs_; }
    std::size_t stored_bytes() const noexcept { return stored_bytes_; }
    std::size_t deduplicated() const noexcept { return deduplicated_; }

private:
    std::map<std::string, std::string> blobs_;
    std::size_t stored_bytes_ = 0;
    std::size_t deduplicated_ = 0;
};

}  // namespace sessions
