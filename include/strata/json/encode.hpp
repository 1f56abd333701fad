/**
 * @file
 * @brief Encoding reflected structs as JSON into one growing buffer.
 *
 * @code
 * std::string out;
 * strata::json::encode_to(out, note);      // appends compact JSON
 * std::string text = strata::json::encode(note);
 * @endcode
 * Members are written in declaration order under their JSON keys (the struct's naming policy
 * and overrides), the version key first when the struct has one, the unknown fields last, in
 * their original order and verbatim. Numbers use `std::to_chars` (doubles in the shortest form
 * that reads back exactly). Strings are checked to be UTF-8 and escaped as JSON requires. A
 * value with no JSON form (NaN, infinity, invalid UTF-8) is an `encode_error` naming its path.
 */
#pragma once

#include <strata/error.hpp>
#include <strata/json/type_name.hpp>
#include <strata/naming.hpp>
#include <strata/raw_json.hpp>
#include <strata/reflection.hpp>
#include <strata/schema_version.hpp>
#include <strata/string_coded.hpp>

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace strata {
inline namespace v1 {
namespace json {

/// @cond internal
namespace detail {

// Characters that need an escape in a JSON string: controls, the quote, the backslash.
inline constexpr std::array<bool, 256> needs_escape = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0; c < 0x20; ++c) table[c] = true;
    table['"'] = true;
    table['\\'] = true;
    return table;
}();

/// Appends `text` as a JSON string (quotes included); `text` must be valid UTF-8.
inline void append_string(std::string& out, std::string_view text) {
    out += '"';
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (!needs_escape[c]) continue;
        out.append(text.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default: {
                constexpr char hex[] = "0123456789abcdef";
                const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.append(escaped, sizeof escaped);
            }
        }
    }
    out.append(text.data() + run, text.size() - run);
    out += '"';
}

// Whether the 8 bytes of `word` are all printable ASCII other than '"' and '\\' (a SWAR test:
// a byte of 0x80 or more, a control character, a quote or a backslash clears it).
constexpr bool plain_ascii_word(std::uint64_t word) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t control = (word - 0x20 * ones) & ~word & highs;
    return ((word & highs) | control | has_zero(word ^ ('"' * ones)) | has_zero(word ^ ('\\' * ones))) == 0;
}

// Whether `text` is all printable ASCII other than '"' and '\\': it is valid UTF-8 and is
// written as it is. Sixteen bytes at a time with SSE2 (every x86-64 has it: a signed compare
// with 0x20 catches both the control characters and the bytes of 0x80 and up), eight at a
// time elsewhere; most strings of most documents pass.
inline bool plain_ascii(std::string_view text) noexcept {
    const char* p = text.data();
    std::size_t n = text.size();
#if defined(__SSE2__)
    const auto plain16 = [](const char* at) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        const __m128i bad =
            _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
        return _mm_movemask_epi8(bad) == 0;
    };
    if (n < 16) {  // copied into 16 bytes padded with 'a'
        char block[16];
        std::memset(block, 'a', sizeof block);
        if (n != 0) std::memcpy(block, p, n);
        return plain16(block);
    }
    for (; n > 16; p += 16, n -= 16) {
        if (!plain16(p)) return false;
    }
    return plain16(p + n - 16);  // the last 16 bytes (overlapping the ones already tested)
#else
    std::uint64_t word;
    for (; n >= 8; p += 8, n -= 8) {
        std::memcpy(&word, p, 8);
        if (!plain_ascii_word(word)) return false;
    }
    word = 0x6161616161616161u;  // the tail, padded with 'a'
    if (n != 0) std::memcpy(&word, p, n);
    return plain_ascii_word(word);
#endif
}

/// Appends `text` as a JSON string, checking that it is UTF-8.
inline void append_checked_string(std::string& out, std::string_view text) {
    if (plain_ascii(text)) {
        out += '"';
        out += text;
        out += '"';
        return;
    }
    if (!simdjson::validate_utf8(text.data(), text.size())) {
        throw encode_error("a UTF-8 string", "bytes that are not UTF-8");
    }
    append_string(out, text);
}

template <class T>
void append_number(std::string& out, T value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)ec;  // 64 bytes hold any integer or shortest double
    out.append(buffer, static_cast<std::size_t>(end - buffer));
}

// The text `,"key":` for member I of T, with static storage: `value` without the comma,
// `after_comma` with it (one append per member either way).
template <class T, std::size_t I>
struct quoted_key {
    static constexpr std::string_view key = member_key<T, I>;
    static constexpr std::array<char, key.size() + 4> chars = [] {
        std::array<char, key.size() + 4> a{};
        a[0] = ',';
        a[1] = '"';
        for (std::size_t i = 0; i < key.size(); ++i) a[i + 2] = key[i];
        a[key.size() + 2] = '"';
        a[key.size() + 3] = ':';
        return a;
    }();
    static constexpr std::string_view after_comma{chars.data(), chars.size()};
    static constexpr std::string_view value = after_comma.substr(1);
};

template <class T>
struct is_optional_member : std::false_type {};
template <class T>
struct is_optional_member<std::optional<T>> : std::true_type {};

template <json_options Options, class T>
void encode_value(std::string& out, const T& value);

template <json_options Options, class T>
void encode_object(std::string& out, const T& value) {
    using traits = json_traits<T>;
    constexpr std::size_t count = member_count<T>;
    constexpr std::size_t unknown_index = unknown_fields_index<T>;
    static_assert(strata::detail::json_names_are_members<T>(),
                  "strata: json_names names a member the struct does not declare");
    out += '{';
    bool first = true;
    if constexpr (!traits::version_key.empty()) {
        static_assert(is_versioned<T>, "strata: a struct with a version_key must state its "
                                       "version: add `static constexpr unsigned version = N;`");
        append_string(out, traits::version_key);
        out += ':';
        append_number(out, version_of<T>);
        first = false;
    }
    for_each_member_index<T>([&](auto index) {
        constexpr std::size_t I = decltype(index)::value;
        if constexpr (I != unknown_index) {
            const auto& member = get_member<I>(value);
            if constexpr (is_optional_member<member_type<T, I>>::value) {
                if (!member && traits::empty_optional(Options) == empty_optional_policy::omit) {
                    return;
                }
            }
            out += first ? quoted_key<T, I>::value : quoted_key<T, I>::after_comma;
            first = false;
            try {
                encode_value<Options>(out, member);
            } catch (document_error& error) {
                error.prepend_key(member_key<T, I>);
                throw;
            }
        }
    });
    if constexpr (unknown_index != count) {
        for (const unknown_field& field : get_member<unknown_index>(value)) {
            if (!first) out += ',';
            first = false;
            try {
                append_checked_string(out, field.key);
            } catch (document_error& error) {
                error.prepend_key("(unknown key)");
                throw;
            }
            out += ':';
            out += field.value.text();
        }
    }
    out += '}';
}

template <json_options Options, class T>
void encode_value(std::string& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out += value ? "true" : "false";
    } else if constexpr (std::is_integral_v<T>) {
        append_number(out, value);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value)) {
            throw encode_error("a finite number", std::isnan(value) ? "NaN" : "infinity");
        }
        append_number(out, value);
    } else if constexpr (std::is_same_v<T, std::string>) {
        append_checked_string(out, value);
    } else if constexpr (std::is_same_v<T, raw_json>) {
        out += value.text();
    } else if constexpr (is_string_coded<T>) {
        if constexpr (string_coded<T>::needs_escaping) {
            std::string text;
            string_coded<T>::encode(value, text);
            append_checked_string(out, text);
        } else {
            out += '"';
            string_coded<T>::encode(value, out);
            out += '"';
        }
    } else if constexpr (is_optional_member<T>::value) {
        if (value) {
            encode_value<Options>(out, *value);
        } else {
            out += "null";
        }
    } else if constexpr (is_vector<T>::value) {
        out += '[';
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (i != 0) out += ',';
            try {
                encode_value<Options>(out, value[i]);
            } catch (document_error& error) {
                error.prepend_index(i);
                throw;
            }
        }
        out += ']';
    } else if constexpr (is_string_map<T>::value) {
        out += '{';
        bool first = true;
        for (const auto& [key, item] : value) {
            if (!first) out += ',';
            first = false;
            try {
                append_checked_string(out, key);
                out += ':';
                encode_value<Options>(out, item);
            } catch (document_error& error) {
                error.prepend_key(key);
                throw;
            }
        }
        out += '}';
    } else if constexpr (is_reflected<T>) {
        encode_object<Options>(out, value);
    } else {
        static_assert(strata::detail::dependent_false<T>,
                      "strata: the JSON codec cannot encode this member type; supported: bool, "
                      "integers, floating point, std::string, std::optional, std::vector, "
                      "std::map<std::string, T>, reflected structs, strata::raw_json, types with "
                      "a strata::string_coded<T> specialisation");
    }
}

}  // namespace detail
/// @endcond

/**
 * @brief Appends the JSON of `value` to `out` (compact, no whitespace).
 * @throws encode_error naming the path of a value with no JSON form
 */
template <json_options Options = json_options{}, class T>
void encode_to(std::string& out, const T& value) {
    detail::encode_value<Options>(out, value);
}

/// The JSON of `value`.
template <json_options Options = json_options{}, class T>
std::string encode(const T& value) {
    // The size of the last output for T, per thread: reserving it makes one allocation the
    // usual case instead of a string that doubles and copies itself a dozen times.
    thread_local std::size_t size_hint = 0;
    std::string out;
    out.reserve(size_hint);
    encode_to<Options>(out, value);
    size_hint = out.size();
    return out;
}

}  // namespace json
}  // namespace v1
}  // namespace strata
