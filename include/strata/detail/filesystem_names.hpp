// Internal: how filesystem_backend turns a key (any bytes) into a relative file path, and back.
//
// 1. Encode: every byte in [a-z0-9-] stands for itself; every other byte becomes `_` and two
//    lowercase hex digits ("A" -> "_41", "/" -> "_2f", "." -> "_2e", NUL -> "_00"). The code is
//    prefix-free and canonical: each key has exactly one encoding, an encoding names exactly
//    one key, and key k starts with p exactly when encode(k) starts with encode(p).
// 2. Split: the encoding is cut into pieces of `name_chunk` characters. Every piece but the last
//    is a directory named `d<piece>`; the last (1 to name_chunk characters, or none for the
//    empty key) is the file `k<piece>`. Short keys (encoding up to name_chunk characters, i.e.
//    up to 42 bytes of any kind, up to 128 of [a-z0-9-]) are one file in the store's directory.
//
// So a name holds only [a-z0-9_-] (case folding changes nothing: "A" and "a" differ in more than
// case), is never "." or "..", never ends with a dot or space, never is a Windows device name
// (none starts with 'k' or 'd'), never starts with '.' (the store's own files do), and is at most
// name_chunk + 1 = 129 bytes (under the 255-byte limit of ext4, XFS, APFS, NTFS, and eCryptfs's
// 143). A key cannot reach outside the directory: '/', '\\' and '.' are always escaped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {
namespace detail {

// The most characters of the encoded key in one file or directory name (after the tag).
inline constexpr std::size_t name_chunk = 128;
// The first character of a value file's name and of a directory holding longer keys.
inline constexpr char file_tag = 'k';
inline constexpr char dir_tag = 'd';

// Whether a byte stands for itself in a name.
constexpr bool is_name_literal(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// Appends the encoding of `key` (step 1 above) to `out`.
inline void append_encoded_key(std::string& out, std::string_view key) {
    constexpr char hex[] = "0123456789abcdef";
    for (char ch : key) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_name_literal(c)) {
            out += ch;
        } else {
            out += '_';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
}

// The encoding of `key` (step 1 above).
inline std::string encode_key(std::string_view key) {
    std::string out;
    out.reserve(key.size() + key.size() / 2);
    append_encoded_key(out, key);
    return out;
}

// The key an encoding names, or nullopt when `encoded` is not the canonical encoding of any key
// (a foreign file's name, an uppercase hex digit, an escaped literal such as "_61").
inline std::optional<std::string> decode_key(std::string_view encoded) {
    const auto hex_value = [](char c) noexcept -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string key;
    key.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size();) {
        const auto c = static_cast<unsigned char>(encoded[i]);
        if (is_name_literal(c)) {
            key += encoded[i++];
            continue;
        }
        if (c != '_' || encoded.size() - i < 3) return std::nullopt;
        const int hi = hex_value(encoded[i + 1]);
        const int lo = hex_value(encoded[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        const auto byte = static_cast<unsigned char>(hi * 16 + lo);
        if (is_name_literal(byte)) return std::nullopt;
        key += static_cast<char>(byte);
        i += 3;
    }
    return key;
}

// How many directory levels hold the file of a key whose encoding has `encoded_size` characters.
constexpr std::size_t name_depth(std::size_t encoded_size) noexcept {
    return encoded_size == 0 ? 0 : (encoded_size - 1) / name_chunk;
}

// The path, relative to the store's directory, of the file of the key encoded as `encoded`
// (step 2 above), e.g. "kab_2fc" or "d<128 chars>/k<up to 128 chars>".
inline std::string key_relative_path(std::string_view encoded) {
    const std::size_t depth = name_depth(encoded.size());
    std::string path;
    path.reserve(encoded.size() + 2 * depth + 1);
    for (std::size_t d = 0; d < depth; ++d) {
        path += dir_tag;
        path.append(encoded.substr(d * name_chunk, name_chunk));
        path += '/';
    }
    path += file_tag;
    path.append(encoded.substr(depth * name_chunk));
    return path;
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
