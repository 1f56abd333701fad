// The content store's key layout and its small binary records (internal; see cas/cas_store.hpp).
#pragma once

#include <strata/error.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {
namespace detail::cas {

// Under the store's prefix P (e.g. "cas/"), with D a digest as text ("sha256:<hex>", a fixed
// length for a given hash policy) and R an encoded (owner, ref) pair:
//   P "b/" D          the blob, as a frame (compression/frame.hpp)
//   P "m/" D          the blob's record: sizes and put time (below), so that stats and garbage
//                     collection read a few bytes per blob instead of the blob
//   P "r/" D "/" R    a reference to D, found by digest: refcount = count(P "r/" D "/")
//   P "o/" R          the same reference, found by owner: value D
// R = owner's length as 4 bytes big-endian, the owner, then the ref: any bytes in either, and
// all references of one owner share the prefix P "o/" + len + owner.

inline std::string owner_prefix(std::string_view owner) {
    const auto n = static_cast<std::uint32_t>(owner.size());
    std::string r;
    r.reserve(4 + owner.size());
    r += static_cast<char>((n >> 24) & 0xff);
    r += static_cast<char>((n >> 16) & 0xff);
    r += static_cast<char>((n >> 8) & 0xff);
    r += static_cast<char>(n & 0xff);
    r += owner;
    return r;
}

inline std::string owner_ref(std::string_view owner, std::string_view ref) {
    std::string r = owner_prefix(owner);
    r += ref;
    return r;
}

/// Splits an encoded (owner, ref); nullopt when it is not one.
inline std::optional<std::pair<std::string, std::string>> split_owner_ref(std::string_view encoded) {
    if (encoded.size() < 4) return std::nullopt;
    const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(encoded[0])} << 24) |
                            (std::uint32_t{static_cast<unsigned char>(encoded[1])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(encoded[2])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(encoded[3])};
    if (encoded.size() - 4 < n) return std::nullopt;
    return std::pair{std::string(encoded.substr(4, n)), std::string(encoded.substr(4 + n))};
}

/// The record kept beside each blob: format 1, logical size, stored size, put time (ms since
/// 1970), each 8 bytes little-endian: 25 bytes.
struct blob_record {
    std::uint64_t size = 0;         ///< the blob's own bytes
    std::uint64_t stored_size = 0;  ///< the frame's bytes in the backend
    std::int64_t put_ms = 0;        ///< last put (a deduplicated put refreshes an old one)
};

inline constexpr unsigned char record_format = 1;
inline constexpr std::size_t record_size = 25;

inline std::string encode_record(const blob_record& r) {
    std::string out(record_size, '\0');
    out[0] = static_cast<char>(record_format);
    auto put64 = [&](std::size_t at, std::uint64_t v) {
        for (std::size_t i = 0; i < 8; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
    };
    put64(1, r.size);
    put64(9, r.stored_size);
    put64(17, static_cast<std::uint64_t>(r.put_ms));
    return out;
}

/// Decodes a record; a storage_error naming the key when it is not one.
inline blob_record decode_record(std::string_view bytes, std::string_view key) {
    if (bytes.size() != record_size || static_cast<unsigned char>(bytes[0]) != record_format) {
        throw storage_error("read blob record", std::string(key),
                            "expected a " + std::to_string(record_size) + "-byte record of format " +
                                std::to_string(record_format) + ", found " + std::to_string(bytes.size()) +
                                " bytes" +
                                (bytes.empty() ? std::string()
                                               : " starting with format " +
                                                     std::to_string(static_cast<unsigned char>(bytes[0]))));
    }
    auto get64 = [&](std::size_t at) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
        return v;
    };
    return {get64(1), get64(9), static_cast<std::int64_t>(get64(17))};
}

}  // namespace detail::cas
}  // namespace v1
}  // namespace strata
