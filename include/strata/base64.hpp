/**
 * @file
 * @brief Base64 (RFC 4648, standard alphabet, padded): strict decoding in one pass, encoding,
 * and `strata::base64_bytes`, a member type for binary data carried in a JSON string.
 *
 * Decoding is strict the way Python's `base64.b64decode(text, validate=True)` is: only the 64
 * alphabet characters, a length that is a multiple of 4, and at most two `=` at the very end;
 * anything else is a `decode_error` giving the offset and the character. Like Python (and as
 * RFC 4648 §3.5 allows), the unused low bits of the last character are not required to be zero.
 *
 * Why strata carries its own: OpenSSL's `EVP_DecodeBlock` is lenient (it skips whitespace and
 * accepts misplaced padding), so strict use needs a second validation pass; this decoder
 * validates while it decodes, with four lookup tables, and is about twice as fast as the two
 * passes together (benchmarks/sessions: `BM_floor_base64_sha256`).
 */
#pragma once

#include <strata/error.hpp>
#include <strata/string_coded.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {

inline constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// base64_table<S>[c]: the 6-bit value of character c shifted left by S, or a bit at 24 and up
// when c is not in the alphabet. OR-ing the four lookups of a group gives its 24 bits, and any
// invalid character shows as a value of 2^24 or more.
template <unsigned Shift>
inline constexpr std::array<std::uint32_t, 256> base64_table = [] {
    std::array<std::uint32_t, 256> t{};
    t.fill(0xff000000u);
    for (std::uint32_t v = 0; v < 64; ++v) {
        t[static_cast<unsigned char>(base64_alphabet[v])] = v << Shift;
    }
    return t;
}();

[[noreturn]] inline void base64_bad_character(std::string_view text, std::size_t offset) {
    const auto c = static_cast<unsigned char>(text[offset]);
    std::string shown;
    if (c >= 0x20 && c < 0x7f) {
        shown = std::string("the character '") + static_cast<char>(c) + "'";
    } else {
        constexpr char hex[] = "0123456789abcdef";
        shown = std::string("the byte 0x") + hex[c >> 4] + hex[c & 15];
    }
    throw decode_error("base64", shown + " at offset " + std::to_string(offset));
}

// Finds the first invalid character of a group that failed (for the error message).
[[noreturn]] inline void base64_bad_group(std::string_view text, std::size_t start, std::size_t end) {
    for (std::size_t i = start; i < end; ++i) {
        if (base64_table<0>[static_cast<unsigned char>(text[i])] >> 24) base64_bad_character(text, i);
    }
    throw decode_error("base64", "undecodable text");  // unreachable: some character was bad
}

}  // namespace detail
/// @endcond

/// The number of bytes that `text` (valid, padded base64) decodes to.
constexpr std::size_t base64_decoded_size(std::string_view text) noexcept {
    if (text.size() < 4) return 0;
    std::size_t n = text.size() / 4 * 3;
    if (text.back() == '=') --n;
    if (text[text.size() - 2] == '=') --n;
    return n;
}

/**
 * @brief Decodes padded standard base64 strictly, appending the bytes to `out`.
 * @throws decode_error naming the offset and the character of the first fault
 */
inline void base64_decode_to(std::string& out, std::string_view text) {
    using detail::base64_table;
    if (text.size() % 4 != 0) {
        throw decode_error("base64 (a multiple of 4 characters)",
                           std::to_string(text.size()) + " characters");
    }
    if (text.empty()) return;
    const std::size_t groups = text.size() / 4;
    const std::size_t start = out.size();
    out.resize(start + groups * 3);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + start);
    const auto* src = reinterpret_cast<const unsigned char*>(text.data());

    auto group_bits = [&](std::size_t g) {
        const unsigned char* s = src + 4 * g;
        return base64_table<18>[s[0]] | base64_table<12>[s[1]] | base64_table<6>[s[2]] |
               base64_table<0>[s[3]];
    };
    auto store = [&](std::size_t g, std::uint32_t bits) {
        unsigned char* d = dst + 3 * g;
        d[0] = static_cast<unsigned char>(bits >> 16);
        d[1] = static_cast<unsigned char>(bits >> 8);
        d[2] = static_cast<unsigned char>(bits);
    };

    // Every group but the last has no padding: two groups per step, one check for both.
    std::size_t g = 0;
    for (; g + 2 < groups; g += 2) {
        const std::uint32_t a = group_bits(g), b = group_bits(g + 1);
        if ((a | b) >> 24) detail::base64_bad_group(text, 4 * g, 4 * g + 8);
        store(g, a);
        store(g + 1, b);
    }
    for (; g + 1 < groups; ++g) {
        const std::uint32_t a = group_bits(g);
        if (a >> 24) detail::base64_bad_group(text, 4 * g, 4 * g + 4);
        store(g, a);
    }

    // The last group: "xxxx", "xxx=" or "xx==".
    const unsigned char* s = src + 4 * g;
    std::size_t padding = 0;
    if (s[3] == '=') padding = s[2] == '=' ? 2 : 1;
    std::uint32_t bits = base64_table<18>[s[0]] | base64_table<12>[s[1]];
    if (padding < 2) bits |= base64_table<6>[s[2]];
    if (padding < 1) bits |= base64_table<0>[s[3]];
    if (bits >> 24) detail::base64_bad_group(text, 4 * g, 4 * g + 4 - padding);
    store(g, bits);
    out.resize(start + groups * 3 - padding);
}

/// Decodes padded standard base64 strictly (see `base64_decode_to`).
inline std::string base64_decode(std::string_view text) {
    std::string out;
    base64_decode_to(out, text);
    return out;
}

/// Appends the padded standard base64 of `bytes` to `out`.
inline void base64_encode_to(std::string& out, std::string_view bytes) {
    const std::size_t start = out.size();
    out.resize(start + (bytes.size() + 2) / 3 * 4);
    char* dst = out.data() + start;
    const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
    const char* alphabet = detail::base64_alphabet;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3, dst += 4) {
        const std::uint32_t v = std::uint32_t{src[i]} << 16 | std::uint32_t{src[i + 1]} << 8 | src[i + 2];
        dst[0] = alphabet[v >> 18];
        dst[1] = alphabet[(v >> 12) & 63];
        dst[2] = alphabet[(v >> 6) & 63];
        dst[3] = alphabet[v & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest != 0) {
        std::uint32_t v = std::uint32_t{src[i]} << 16;
        if (rest == 2) v |= std::uint32_t{src[i + 1]} << 8;
        dst[0] = alphabet[v >> 18];
        dst[1] = alphabet[(v >> 12) & 63];
        dst[2] = rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        dst[3] = '=';
    }
}

/// The padded standard base64 of `bytes`.
inline std::string base64_encode(std::string_view bytes) {
    std::string out;
    base64_encode_to(out, bytes);
    return out;
}

/**
 * @brief Binary data that a document carries as a base64 string.
 *
 * As a member of a reflected struct, the JSON codec decodes the base64 text straight from the
 * input into `bytes` (strictly: a fault is a `decode_error` at the member's path, with the
 * offset), and encodes `bytes` back as base64. Steps then work on the bytes themselves.
 * @code
 * struct attachment {
 *     BOOST_HANA_DEFINE_STRUCT(attachment, (std::string, name), (strata::base64_bytes, data));
 * };
 * @endcode
 */
struct base64_bytes {
    std::string bytes;  ///< the decoded bytes

    friend bool operator==(const base64_bytes&, const base64_bytes&) = default;
};

/// `base64_bytes` is carried as a JSON string of base64 (which never needs escaping).
template <>
struct string_coded<base64_bytes> {
    static constexpr bool needs_escaping = false;
    static constexpr std::string_view expected = "base64";
    static void decode(std::string_view text, base64_bytes& out) {
        out.bytes.clear();
        base64_decode_to(out.bytes, text);
    }
    static void encode(const base64_bytes& value, std::string& out) { base64_encode_to(out, value.bytes); }
};

}  // namespace v1
}  // namespace strata
