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
 * accepts misplaced padding), so strict use needs a second validation pass, and no Debian 12
 * package offers a SIMD base64 for C++. This decoder validates while it decodes: on x86-64 CPUs
 * with AVX2 (chosen at run time; nothing needs `-march`), 32 characters at a time with the
 * vector classification of W. Muła and D. Lemire ("Faster Base64 Encoding and Decoding Using
 * AVX2 Instructions", ACM TWEB 12(3), 2018); elsewhere, and for the last 16 to 47 characters,
 * with four lookup tables, two groups of four at a time. A block with a character outside the
 * alphabet is handed to the table decoder, which names it.
 */
#pragma once

#include <strata/error.hpp>
#include <strata/string_coded.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define STRATA_BASE64_AVX2 1
#include <immintrin.h>
#else
#define STRATA_BASE64_AVX2 0
#endif

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

#if STRATA_BASE64_AVX2
// Whether the CPU has AVX2 (asked once).
inline bool cpu_has_avx2() noexcept {
    static const bool has = __builtin_cpu_supports("avx2") != 0;
    return has;
}

// Decodes 32 characters into 24 bytes at a time while at least 48 characters remain (so that
// the 32-byte stores stay inside the output and the last group, which may hold padding, is
// left to the table decoder). Stops before the first block holding a character outside the
// alphabet. Returns the number of characters decoded, a multiple of 32.
//
// Each character is classified by its two nibbles: lut_lo[low] & lut_hi[high] is zero exactly
// for the 64 alphabet characters. The value is the character plus lut_roll[high nibble], with
// '/' (0x2f, the only one whose high nibble is shared with '+' but needs another offset)
// stepped to index 1. maddubs + madd then merge four 6-bit values into 24 bits per 32-bit
// lane; a byte shuffle and a lane permute pack the 24 bytes.
__attribute__((target("avx2"))) inline std::size_t base64_decode_avx2(const unsigned char* src,
                                                                        std::size_t size,
                                                                        unsigned char* dst) noexcept {
    const __m256i lut_lo = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13,
                                            0x1a, 0x1b, 0x1b, 0x1b, 0x1a, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11,
                                            0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
    const __m256i lut_hi = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10,
                                            0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08,
                                            0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i lut_roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
                                              19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0,
                                          6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    const __m256i slash = _mm256_set1_epi8(0x2f);
    const __m256i merge_pairs = _mm256_set1_epi32(0x01400140);
    const __m256i merge_quads = _mm256_set1_epi32(0x00011000);
    std::size_t i = 0;
    for (; i + 48 <= size; i += 32, dst += 24) {
        const __m256i text = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
        const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(text, 4), nibble);
        const __m256i lo_nibbles = _mm256_and_si256(text, nibble);
        const __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
        const __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
        if (!_mm256_testz_si256(lo, hi)) break;
        const __m256i roll =
            _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(_mm256_cmpeq_epi8(text, slash), hi_nibbles));
        const __m256i values = _mm256_add_epi8(text, roll);
        const __m256i merged = _mm256_madd_epi16(_mm256_maddubs_epi16(values, merge_pairs), merge_quads);
        const __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(merged, pack), lanes);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), packed);
    }
    return i;
}
#endif

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

    // Every group but the last has no padding: 8 groups per step with AVX2, then two groups
    // per step, one check for both.
    std::size_t g = 0;
#if STRATA_BASE64_AVX2
    if (text.size() >= 48 && detail::cpu_has_avx2()) g = detail::base64_decode_avx2(src, text.size(), dst) / 4;
#endif
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
    static constexpr bool rejects_backslash = true;  // not in the alphabet
    static constexpr std::string_view expected = "base64";
    static void decode(std::string_view text, base64_bytes& out) {
        out.bytes.clear();
        base64_decode_to(out.bytes, text);
    }
    static void encode(const base64_bytes& value, std::string& out) { base64_encode_to(out, value.bytes); }
};

}  // namespace v1
}  // namespace strata
