// Internal: the write-ahead intent file with which filesystem_backend makes a batch atomic.
//
// Layout (integers little-endian):
//
// | offset | size | field                                                    |
// |--------|------|----------------------------------------------------------|
// | 0      | 8    | magic "STRATAWI" (strata write intent)                   |
// | 8      | 4    | format, 1                                                |
// | 12     | 4    | reserved, 0                                              |
// | 16     | 8    | number of operations                                     |
// | 24     | 8    | payload size in bytes                                    |
// | 32     | 4    | CRC-32 (IEEE 802.3, as zlib's crc32) of the payload      |
// | 36     | 4    | CRC-32 of bytes 0 to 35                                  |
// | 40     | ...  | payload: the operations, one after another               |
//
// An operation is a kind byte (1 put, 2 erase), the key's size (8 bytes) and the key, then for a
// put the value's size (8 bytes) and the value. The file is exactly 40 + payload size bytes; a
// file that is shorter, longer, or fails a checksum is torn (or corrupt) and is not applied.
// The CRC is boost::crc_32_type (Boost is already strata's one core dependency).
#pragma once

#include <strata/storage/backend.hpp>

#include <boost/crc.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {
namespace detail {

inline constexpr std::string_view intent_magic = "STRATAWI";
inline constexpr std::uint32_t intent_format = 1;
inline constexpr std::size_t intent_header_size = 40;
inline constexpr unsigned char intent_put = 1;
inline constexpr unsigned char intent_erase = 2;

inline void append_le(std::string& out, std::uint64_t v, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
inline std::uint64_t read_le(std::string_view in, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
    return v;
}
inline std::uint32_t crc32_of(std::string_view bytes) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

// Calls `sink(std::string_view)` with the payload of `ops`, piece by piece (small fields are
// gathered; keys and values are passed as they are, never copied).
template <class Sink>
void for_each_intent_piece(const std::vector<const write_batch::operation*>& ops, Sink&& sink) {
    std::string fields;
    for (const auto* op : ops) {
        const bool put = op->what == write_batch::operation::kind::put;
        fields.clear();
        fields += static_cast<char>(put ? intent_put : intent_erase);
        append_le(fields, op->key.size(), 8);
        sink(std::string_view(fields));
        sink(std::string_view(op->key));
        if (put) {
            fields.clear();
            append_le(fields, op->value.size(), 8);
            sink(std::string_view(fields));
            sink(std::string_view(op->value));
        }
    }
}

// The 40-byte header for a payload of `count` operations, `size` bytes and CRC `crc`.
inline std::string intent_header(std::uint64_t count, std::uint64_t size, std::uint32_t crc) {
    std::string h(intent_magic);
    append_le(h, intent_format, 4);
    append_le(h, 0, 4);
    append_le(h, count, 8);
    append_le(h, size, 8);
    append_le(h, crc, 4);
    append_le(h, crc32_of(h), 4);
    return h;
}

// The operations of an intent file's bytes, or nullopt (and `why`) when it is torn or corrupt.
inline std::optional<std::vector<write_batch::operation>> parse_intent(std::string_view file, std::string& why) {
    if (file.size() < intent_header_size) {
        why = "shorter than its header (" + std::to_string(file.size()) + " bytes)";
        return std::nullopt;
    }
    const std::string_view header = file.substr(0, intent_header_size);
    if (header.substr(0, 8) != intent_magic) {
        why = "not an intent file (bad magic)";
        return std::nullopt;
    }
    if (read_le(header.substr(36), 4) != crc32_of(header.substr(0, 36))) {
        why = "header checksum mismatch";
        return std::nullopt;
    }
    if (const auto format = read_le(header.substr(8), 4); format != intent_format) {
        why = "format " + std::to_string(format) + " is not supported (this strata reads format 1)";
        return std::nullopt;
    }
    const std::uint64_t count = read_le(header.substr(16), 8);
    const std::uint64_t size = read_le(header.substr(24), 8);
    const std::string_view payload = file.substr(intent_header_size);
    if (size != payload.size()) {
        why = "payload is " + std::to_string(payload.size()) + " bytes, header says " + std::to_string(size);
        return std::nullopt;
    }
    if (read_le(header.substr(32), 4) != crc32_of(payload)) {
        why = "payload checksum mismatch";
        return std::nullopt;
    }
    std::vector<write_batch::operation> ops;
    std::size_t at = 0;
    const auto take_sized = [&](std::string& out) {
        if (payload.size() - at < 8) return false;
        const std::uint64_t n = read_le(payload.substr(at), 8);
        at += 8;
        if (n > payload.size() - at) return false;
        out.assign(payload.substr(at, static_cast<std::size_t>(n)));
        at += static_cast<std::size_t>(n);
        return true;
    };
    for (std::uint64_t i = 0; i < count; ++i) {
        if (at >= payload.size()) break;
        const auto kind = static_cast<unsigned char>(payload[at++]);
        if (kind != intent_put && kind != intent_erase) break;
        write_batch::operation op{kind == intent_put ? write_batch::operation::kind::put
                                                     : write_batch::operation::kind::erase,
                                  {}, {}};
        if (!take_sized(op.key)) break;
        if (kind == intent_put && !take_sized(op.value)) break;
        ops.push_back(std::move(op));
    }
    if (ops.size() != count || at != payload.size()) {
        why = "payload does not hold the " + std::to_string(count) + " operations the header announces";
        return std::nullopt;
    }
    return ops;
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
