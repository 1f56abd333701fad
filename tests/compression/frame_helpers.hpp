// Helpers shared by the compression tests: frames built by hand (an encoder independent of
// strata's), the storage_error a call must throw, deterministic test inputs.
#pragma once

#include <strata/error.hpp>

#include <doctest/doctest.h>

#include "../storage/expect_storage_error.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace test {

inline void varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

/// A frame written byte by byte: magic, version, codec, flags, varint size, ZigZag varint time,
/// payload.
inline std::string raw_frame(std::uint8_t codec, std::uint64_t declared, std::int64_t written_ms,
                             std::string_view payload, unsigned char magic = 0xF5,
                             unsigned char version = 1, unsigned char flags = 0) {
    std::string f;
    f += static_cast<char>(magic);
    f += static_cast<char>(version);
    f += static_cast<char>(codec);
    f += static_cast<char>(flags);
    varint(f, declared);
    varint(f, (static_cast<std::uint64_t>(written_ms) << 1) ^
                  static_cast<std::uint64_t>(written_ms >> 63));
    f += payload;
    return f;
}

/// The storage_error a call must throw (shared with the storage tests).
using ::expect_storage_error;

/// `n` bytes from a seeded generator: incompressible.
inline std::string random_bytes(std::size_t n, std::uint64_t seed = 1) {
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; i += 8) {
        const std::uint64_t r = rng();
        for (std::size_t j = 0; j < 8 && i + j < n; ++j)
            s[i + j] = static_cast<char>((r >> (8 * j)) & 0xff);
    }
    return s;
}

/// `n` bytes of JSON-like text with some variety: compresses well but not trivially.
inline std::string json_like(std::size_t n, std::uint64_t seed = 2) {
    std::mt19937_64 rng(seed);
    std::string s;
    s.reserve(n + 128);
    std::size_t i = 0;
    while (s.size() < n) {
        s += R"({"id":"session-)" + std::to_string(i++) + R"(","title":"Session )" +
             std::to_string(rng() % 1000) + R"(","tags":["work","draft"],"score":)" +
             std::to_string(rng() % 100000) + "},";
    }
    s.resize(n);
    return s;
}

}  // namespace test
