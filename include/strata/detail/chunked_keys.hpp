// The key layout of a chunked_store (internal; documented in chunked/chunked_store.hpp).
//
// Under the store's prefix P, for a document with id I:
//   P "m/" I                                  the metadata (I as it is: the last component)
//   P "c/" esc(I) 0x00 0x01 M 0x00 n          chunk n of member M (its C++ name), n as 4 bytes
//                                             big-endian, so that a document's chunks of one
//                                             member sort in order and are one key range
// esc(I) is I with each 0x00 byte written 0x00 0xFF; the 0x00 0x01 that ends it can then occur
// nowhere inside, so no document's chunk keys are a prefix of another's, whatever bytes the ids
// hold, and ids stay readable in a dump of the keys.
#pragma once

#include <strata/detail/escaped_id.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {
namespace detail::chunked_keys {

inline constexpr std::string_view metadata_part = "m/";
inline constexpr std::string_view chunk_part = "c/";

/// P "m/" I.
inline std::string metadata_key(std::string_view prefix, std::string_view id) {
    std::string key;
    key.reserve(prefix.size() + metadata_part.size() + id.size());
    key += prefix;
    key += metadata_part;
    key += id;
    return key;
}

/// P "c/" esc(I) 0x00 0x01: the prefix of every chunk of the document.
inline std::string document_chunks_prefix(std::string_view prefix, std::string_view id) {
    std::string key;
    key.reserve(prefix.size() + chunk_part.size() + id.size() + 2);
    key += prefix;
    key += chunk_part;
    append_escaped_id(key, id);
    return key;
}

/// The prefix of every chunk of one member: the document's prefix, M, 0x00.
inline std::string member_chunks_prefix(std::string_view document_prefix, std::string_view member) {
    std::string key;
    key.reserve(document_prefix.size() + member.size() + 5);
    key += document_prefix;
    key += member;
    key += '\0';
    return key;
}

/// Appends chunk number `n` as 4 bytes big-endian.
inline void append_chunk_number(std::string& key, std::uint32_t n) {
    key += static_cast<char>((n >> 24) & 0xff);
    key += static_cast<char>((n >> 16) & 0xff);
    key += static_cast<char>((n >> 8) & 0xff);
    key += static_cast<char>(n & 0xff);
}

/// The key of chunk `n`, from the member's chunk prefix.
inline std::string chunk_key(std::string_view member_prefix, std::uint32_t n) {
    std::string key;
    key.reserve(member_prefix.size() + 4);
    key += member_prefix;
    append_chunk_number(key, n);
    return key;
}

/// The chunk number at the end of a key of the member's range; nullopt when it is not 4 bytes.
inline std::optional<std::uint32_t> chunk_number(std::string_view key,
                                                 std::string_view member_prefix) {
    if (key.size() != member_prefix.size() + 4 ||
        key.substr(0, member_prefix.size()) != member_prefix) {
        return std::nullopt;
    }
    std::uint32_t n = 0;
    for (std::size_t i = member_prefix.size(); i < key.size(); ++i) {
        n = (n << 8) | static_cast<unsigned char>(key[i]);
    }
    return n;
}

}  // namespace detail::chunked_keys
}  // namespace v1
}  // namespace strata
