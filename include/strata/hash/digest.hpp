/**
 * @file
 * @brief `strata::digest<Hash>`: the fixed-size result of a hash policy, printed as
 * `name:hex` (e.g. `sha256:ba7816bf…`) and parsed back strictly; `strata::digest_error`.
 *
 * A digest is a plain value: `Hash::digest_size` bytes, compared byte by byte (`==`, `<=>`; the
 * order is the order of the hex texts), hashable with `std::hash`. Its text form is the policy's
 * name, a colon and the bytes in **lowercase** hex, the form OCI/Docker image digests use.
 *
 * Parsing is strict, so that one digest has exactly one text (a digest's text may be used as a key
 * or compared as a string): the prefix must be the policy's own name, the hex must be lowercase
 * (an uppercase digit is refused, with a message that says so), and there must be exactly
 * `2 * digest_size` digits, nothing before or after. Every refusal is a `strata::digest_error`
 * whose message quotes the text and says what is wrong and where; `try_parse` returns
 * `std::nullopt` instead, without allocating.
 *
 * This header needs no library; the policies are in `sha256.hpp`, `blake2b.hpp` and `xxh3.hpp`.
 *
 * @code
 * #include <strata/hash/sha256.hpp>
 *
 * auto d = strata::sha256::hash("abc");
 * std::string text = d.to_string();  // "sha256:ba7816bf8f01cfea414140de5dae2223b00361a3…"
 * assert(strata::digest<strata::sha256>::parse(text) == d);
 * assert(!strata::digest<strata::sha256>::try_parse("sha256:BA78…"));  // uppercase: refused
 * @endcode
 */
#pragma once

#include <strata/error.hpp>

#include <array>
#include <compare>
#include <cstddef>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {

/**
 * @brief A text could not be read as a digest: wrong algorithm prefix, wrong length, a character
 * that is not a lowercase hex digit.
 *
 * `what()` quotes the text (unprintable bytes escaped, cut after 80 characters) and says what is
 * wrong, counting characters from 1 in the whole text, e.g.:
 * `digest "sha256:ba78z6bf…": character 12 is 'z', expected a lowercase hex digit (0-9, a-f)`.
 */
class digest_error : public error {
public:
    /// `offset`: the 0-based offset of the offending character, or `npos` when the fault is not
    /// one character (a wrong prefix, a wrong length).
    digest_error(std::string text, std::string reason, std::size_t offset = npos)
        : error(compose(text, reason)), text_(std::move(text)), reason_(std::move(reason)), offset_(offset) {}

    /// "No one character": the value of `offset()` for a wrong prefix or length.
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    /// The whole text that was being parsed (not cut).
    const std::string& text() const noexcept { return text_; }
    /// What is wrong, without the quoted text.
    const std::string& reason() const noexcept { return reason_; }
    /// The 0-based offset in `text()` of the offending character, or `npos`.
    std::size_t offset() const noexcept { return offset_; }

private:
    static std::string compose(std::string_view text, std::string_view reason) {
        constexpr std::size_t shown = 80;
        std::string m = "digest ";
        detail::append_quoted_bytes(m, text.substr(0, shown));
        if (text.size() > shown) m += "... (" + std::to_string(text.size()) + " characters)";
        m += ": ";
        m += reason;
        return m;
    }

    std::string text_;
    std::string reason_;
    std::size_t offset_;
};

/// @cond internal
namespace detail {

inline constexpr char lower_hex_digits[] = "0123456789abcdef";

/// The value of a lowercase hex digit, or -1 (uppercase digits are not digits here).
constexpr int lower_hex_value(char ch) noexcept {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

/// What is wrong with a digest's hex part (`none`: it parsed).
struct hex_fault {
    enum class kind : unsigned char { none, character, length } what = kind::none;
    std::size_t offset = 0;  ///< of the bad character, within the hex part
};

/// Reads exactly `2 * n` lowercase hex digits into `out`; the first bad character wins over a
/// wrong length (so a stray newline is named, not just counted).
inline hex_fault read_lower_hex(std::string_view hex, unsigned char* out, std::size_t n) noexcept {
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (lower_hex_value(hex[i]) < 0) return {hex_fault::kind::character, i};
    }
    if (hex.size() != 2 * n) return {hex_fault::kind::length, 0};
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<unsigned char>((lower_hex_value(hex[2 * i]) << 4) | lower_hex_value(hex[2 * i + 1]));
    }
    return {};
}

/// "character 12 is 'z', expected a lowercase hex digit (0-9, a-f)" (`offset` is 0-based).
inline std::string bad_hex_character_reason(char ch, std::size_t offset) {
    const auto c = static_cast<unsigned char>(ch);
    std::string r = "character " + std::to_string(offset + 1) + " is ";
    if (c >= 0x20 && c < 0x7f) {
        r += '\'';
        r += ch;
        r += '\'';
    } else {
        r += "byte 0x";
        r += lower_hex_digits[c >> 4];
        r += lower_hex_digits[c & 15];
    }
    r += ", expected a lowercase hex digit (0-9, a-f)";
    if (ch >= 'A' && ch <= 'F') r += "; digests are written in lowercase";
    return r;
}

/// Throws the digest_error for a fault of `read_lower_hex` over `text`, whose hex part starts at
/// `hex_start`; `prefix` is the expected `name:` (empty for bare hex).
[[noreturn]] inline void throw_hex_fault(std::string_view text, std::size_t hex_start, hex_fault fault,
                                         std::size_t n, std::string_view prefix) {
    if (fault.what == hex_fault::kind::character) {
        const std::size_t at = hex_start + fault.offset;
        throw digest_error(std::string(text), bad_hex_character_reason(text[at], at), at);
    }
    std::string reason = "expected " + std::to_string(2 * n) + " hex digits";
    if (!prefix.empty()) reason += " after \"" + std::string(prefix) + "\"";
    reason += ", found " + std::to_string(text.size() - hex_start);
    throw digest_error(std::string(text), std::move(reason));
}

/// The reason for a text that does not start with `prefix` ("sha256:").
inline std::string wrong_prefix_reason(std::string_view text, std::string_view prefix, std::size_t n) {
    std::string r = "expected the prefix \"" + std::string(prefix) + "\"";
    if (text.empty()) return r + ", found an empty text";
    const std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && colon > 0 && colon <= 32) {
        bool printable = true;
        for (char ch : text.substr(0, colon)) printable = printable && ch > 0x20 && ch < 0x7f && ch != '"';
        if (printable) return r + ", found \"" + std::string(text.substr(0, colon + 1)) + "\"";
    }
    if (text.size() == 2 * n) {
        bool all_hex = true;
        for (char ch : text) all_hex = all_hex && lower_hex_value(ch) >= 0;
        if (all_hex) return r + ", found bare hex (parse_hex reads a digest without its prefix)";
    }
    return r;
}

}  // namespace detail
/// @endcond

/**
 * @brief The digest of a hash policy: `Hash::digest_size` bytes, printed as `Hash::name:hex`.
 *
 * A default-constructed digest is all zero bytes (a placeholder, not the digest of anything).
 * Policies fill a digest through `data()`; users get one from `Hash::hash`, a hasher's `finish`,
 * or `parse`.
 *
 * @tparam Hash a hash policy (see hash_policy.hpp); only `Hash::name` and `Hash::digest_size` are
 * used here.
 */
template <class Hash>
class digest {
public:
    /// The policy whose digest this is.
    using hash_type = Hash;

    /// The number of bytes, `Hash::digest_size`.
    static constexpr std::size_t size() noexcept { return Hash::digest_size; }

    /// All zero bytes.
    constexpr digest() noexcept = default;

    /// A digest holding these bytes.
    explicit constexpr digest(std::span<const unsigned char, Hash::digest_size> bytes) noexcept {
        for (std::size_t i = 0; i < size(); ++i) bytes_[i] = bytes[i];
    }

    /// The bytes.
    constexpr std::span<const unsigned char, Hash::digest_size> bytes() const noexcept { return bytes_; }
    /// The bytes, `size()` of them.
    constexpr const unsigned char* data() const noexcept { return bytes_.data(); }
    /// The bytes, for a policy to write its result into.
    constexpr unsigned char* data() noexcept { return bytes_.data(); }

    /// The bytes in lowercase hex, `2 * size()` characters.
    std::string hex() const {
        std::string out;
        append_hex_to(out);
        return out;
    }

    /// Appends `hex()` to `out` (e.g. to build a key without a temporary).
    void append_hex_to(std::string& out) const {
        const std::size_t at = out.size();
        out.resize(at + 2 * size());
        for (std::size_t i = 0; i < size(); ++i) {
            out[at + 2 * i] = detail::lower_hex_digits[bytes_[i] >> 4];
            out[at + 2 * i + 1] = detail::lower_hex_digits[bytes_[i] & 15];
        }
    }

    /// `Hash::name + ":" + hex()`, e.g. `sha256:ba7816bf…`.
    std::string to_string() const {
        std::string out;
        out.reserve(Hash::name.size() + 1 + 2 * size());
        out += Hash::name;
        out += ':';
        append_hex_to(out);
        return out;
    }

    /**
     * @brief Reads `to_string()`'s form back: `Hash::name`, `:`, exactly `2 * size()` lowercase
     * hex digits.
     * @throws digest_error naming what is wrong: the prefix, a character (counted from 1 in the
     * whole text), or the number of digits.
     */
    static digest parse(std::string_view text) {
        digest d;
        const std::size_t hex_start = Hash::name.size() + 1;
        if (!has_prefix(text)) {
            throw digest_error(std::string(text), detail::wrong_prefix_reason(text, prefix(), size()));
        }
        const auto fault = detail::read_lower_hex(text.substr(hex_start), d.bytes_.data(), size());
        if (fault.what != detail::hex_fault::kind::none) {
            detail::throw_hex_fault(text, hex_start, fault, size(), prefix());
        }
        return d;
    }

    /// `parse`, but `std::nullopt` instead of an error (no allocation).
    static std::optional<digest> try_parse(std::string_view text) noexcept {
        digest d;
        if (!has_prefix(text)) return std::nullopt;
        const auto fault = detail::read_lower_hex(text.substr(Hash::name.size() + 1), d.bytes_.data(), size());
        if (fault.what != detail::hex_fault::kind::none) return std::nullopt;
        return d;
    }

    /**
     * @brief Reads `hex()`'s form back: exactly `2 * size()` lowercase hex digits, no prefix.
     * @throws digest_error naming the bad character or the number of digits.
     */
    static digest parse_hex(std::string_view hex) {
        digest d;
        const auto fault = detail::read_lower_hex(hex, d.bytes_.data(), size());
        if (fault.what != detail::hex_fault::kind::none) detail::throw_hex_fault(hex, 0, fault, size(), {});
        return d;
    }

    /// `parse_hex`, but `std::nullopt` instead of an error (no allocation).
    static std::optional<digest> try_parse_hex(std::string_view hex) noexcept {
        digest d;
        if (detail::read_lower_hex(hex, d.bytes_.data(), size()).what != detail::hex_fault::kind::none) {
            return std::nullopt;
        }
        return d;
    }

    /// Byte-wise equality.
    friend constexpr bool operator==(const digest&, const digest&) noexcept = default;
    /// Byte-wise (unsigned, lexicographic) order: the order of the hex texts.
    friend constexpr std::strong_ordering operator<=>(const digest&, const digest&) noexcept = default;

private:
    static std::string prefix() { return std::string(Hash::name) + ':'; }
    static bool has_prefix(std::string_view text) noexcept {
        return text.size() > Hash::name.size() && text.substr(0, Hash::name.size()) == Hash::name &&
               text[Hash::name.size()] == ':';
    }

    std::array<unsigned char, Hash::digest_size> bytes_{};
};

}  // namespace v1
}  // namespace strata

/**
 * @brief `std::hash` of a digest: its first `sizeof(std::size_t)` bytes (digests are already
 * uniformly spread, so no further mixing is needed).
 */
template <class Hash>
struct std::hash<strata::digest<Hash>> {
    std::size_t operator()(const strata::digest<Hash>& d) const noexcept {
        std::size_t h = 0;
        std::memcpy(&h, d.data(), sizeof(h) < Hash::digest_size ? sizeof(h) : Hash::digest_size);
        return h;
    }
};
