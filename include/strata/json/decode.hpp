/**
 * @file
 * @brief Decoding JSON straight into reflected structs with simdjson On-Demand: no DOM, no
 * intermediate tree.
 *
 * @code
 * strata::json::decoder decoder;                  // reuse it: it keeps its buffers
 * auto note = decoder.decode<note_v2>(bytes);      // throws strata::decode_error
 * @endcode
 *
 * Supported member types: `bool`; every integer type (range-checked: out of range is an error,
 * never a wrap); `float`/`double`; `std::string` (UTF-8, validated); `std::optional<T>`
 * (null and absent both give an empty optional); `std::vector<T>`; `std::map<std::string, T>`;
 * nested reflected structs; `strata::raw_json` (any value, kept verbatim); and one
 * `strata::unknown_fields` member per struct, which keeps every key the struct does not declare.
 *
 * A struct with no `unknown_fields` member rejects an undeclared key (an error naming it)
 * unless its traits or the call's `json_options` say `unknown_key_policy::ignore`. A declared
 * member that is absent is an error, except for optionals. A key that appears twice is an error.
 * Every error is a `strata::decode_error` naming the JSON path, what was expected and what was
 * found; malformed input never reads out of bounds (simdjson validates UTF-8 and structure).
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

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace strata {
inline namespace v1 {
namespace json {

/// @cond internal
namespace detail {

namespace od = simdjson::ondemand;

inline std::string_view trim_right(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                             text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// A short excerpt of a scalar token: the token ends at the first structural character.
inline std::string excerpt(std::string_view token) {
    if (!token.empty() && token.front() != '"') {
        const std::size_t end = token.find_first_of(",]} \n\r\t");
        if (end != std::string_view::npos) token = token.substr(0, end);
    }
    token = trim_right(token);
    if (token.size() > 40) return std::string(token.substr(0, 40)) + "...";
    return std::string(token);
}

// What the value at hand is, for an error message. Does not consume it.
inline std::string describe(od::value& value) {
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return "malformed JSON";
    switch (type) {
        case od::json_type::object: return "object";
        case od::json_type::array: return "array";
        case od::json_type::string:
            return "string " + excerpt(value.raw_json_token());
        case od::json_type::number:
            return "number " + excerpt(value.raw_json_token());
        case od::json_type::boolean: {
            const std::string word = excerpt(value.raw_json_token());
            return word == "true" || word == "false" ? word : "malformed JSON (the bare word " + word + ")";
        }
        case od::json_type::null: {
            const std::string word = excerpt(value.raw_json_token());
            return word == "null" ? word : "malformed JSON (the bare word " + word + ")";
        }
    }
    return "malformed JSON";
}

[[noreturn]] inline void malformed(simdjson::error_code code) {
    throw decode_error("valid JSON", std::string("malformed JSON (") +
                                         simdjson::error_message(code) + ")");
}

// A getter failed: a wrong type, a number out of range, or malformed input.
[[noreturn]] inline void fail(simdjson::error_code code, od::value& value, std::string expected) {
    if (code == simdjson::INCORRECT_TYPE || code == simdjson::NUMBER_OUT_OF_RANGE) {
        throw decode_error(std::move(expected), describe(value));
    }
    if (code == simdjson::NUMBER_ERROR) {
        throw decode_error(std::move(expected),
                           "a malformed number (or a document that ends too early): " +
                               excerpt(value.raw_json_token()));
    }
    if (code == simdjson::STRING_ERROR) {
        throw decode_error(std::move(expected), "a string with an invalid escape");
    }
    malformed(code);
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <json_options Options, class T>
void decode_value(od::value& value, T& out);

template <json_options Options, class T>
void decode_object(od::object& object, T& out);

// Containers' raw text is not validated by On-Demand as it is skipped: check it fully.
inline void validate_raw(std::string_view text) {
    thread_local simdjson::dom::parser validator;
    thread_local std::string padded;
    padded.assign(text);
    padded.resize(text.size() + simdjson::SIMDJSON_PADDING, '\0');
    simdjson::dom::element ignored;
    if (auto e = validator.parse(padded.data(), text.size(), false).get(ignored)) malformed(e);
}

// The raw text of any value, validated (consumes it).
inline std::string_view raw_text(od::value& value) {
    od::json_type type;
    if (auto e = value.type().get(type)) malformed(e);
    std::string_view text;
    simdjson::error_code e = simdjson::SUCCESS;
    if (type == od::json_type::object) {
        od::object object;
        e = value.get_object().get(object);
        if (!e) e = object.raw_json().get(text);
    } else if (type == od::json_type::array) {
        od::array array;
        e = value.get_array().get(array);
        if (!e) e = array.raw_json().get(text);
    } else {
        // Scalars: validate by reading them, then take the token.
        text = value.raw_json_token();
        {
            if (type == od::json_type::string) {
                std::string_view s;
                e = value.get_string().get(s);
            } else if (type == od::json_type::number) {
                od::number n;
                e = value.get_number().get(n);
            } else if (type == od::json_type::boolean) {
                bool b;
                e = value.get_bool().get(b);
            } else {
                bool n;
                e = value.is_null().get(n);
                if (!e && !n) e = simdjson::INCORRECT_TYPE;
            }
        }
    }
    if (e) fail(e, value, "a JSON value");
    text = trim_right(text);
    if (type == od::json_type::object || type == od::json_type::array) validate_raw(text);
    return text;
}

// The length of the string whose contents start at `p` (just after its opening quote) when it
// holds no escape, or npos at the first backslash. The string must be a JSON string token that
// stage 1 has seen closed, in a padded buffer: the scan stops at the closing quote, and its
// 16-byte reads stay inside the padding past the document's end, as simdjson's own do.
inline std::size_t unescaped_length(const char* p) noexcept {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    for (std::size_t i = 0;; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)));
        const auto escapes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)));
        if ((quotes | escapes) != 0) {
            // The first of them decides: a quote first ends the string, a backslash first
            // starts an escape.
            const int first_quote = quotes != 0 ? std::countr_zero(quotes) : 16;
            const int first_escape = escapes != 0 ? std::countr_zero(escapes) : 16;
            if (first_escape < first_quote) return std::string_view::npos;
            return i + static_cast<std::size_t>(first_quote);
        }
    }
#else
    for (std::size_t i = 0;; ++i) {
        if (p[i] == '"') return i;
        if (p[i] == '\\') return std::string_view::npos;
    }
#endif
}

// The contents of a string value: straight from the input when the string holds no escape
// (no copy, no unescaping: stage 1 has already checked the input's UTF-8 and rejected raw
// control characters), unescaped by simdjson into its string buffer otherwise. Either view
// lasts until the next value is read.
template <class Expected>
std::string_view string_contents(od::value& value, Expected&& expected) {
    const std::string_view token = value.raw_json_token();
    std::string_view text;
    std::size_t length = std::string_view::npos;
    if (!token.empty() && token.front() == '"') length = unescaped_length(token.data() + 1);
    if (length != std::string_view::npos) {
        od::raw_json_string raw;
        if (auto e = value.get_raw_json_string().get(raw)) fail(e, value, expected());
        text = std::string_view(token.data() + 1, length);
    } else if (auto e = value.get_string().get(text)) {
        fail(e, value, expected());
    }
    return text;
}

// A string_coded type: its decode gets the string's contents (see string_contents). A type
// whose decode rejects every text holding a backslash (`rejects_backslash`) gets the raw text
// at once, without the scan for escapes; only when that fails and the text does hold a
// backslash is it unescaped and decoded again.
template <class T>
void decode_string_coded(od::value& value, T& out) {
    if constexpr (string_coded_rejects_backslash<T>) {
        const std::string_view token = trim_right(value.raw_json_token());
        if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
            const std::string_view raw = token.substr(1, token.size() - 2);
            bool decoded = false;
            try {
                string_coded<T>::decode(raw, out);
                decoded = true;
            } catch (const decode_error&) {
                if (raw.find('\\') == std::string_view::npos) throw;
            }
            if (decoded) {
                od::raw_json_string consumed;
                if (auto e = value.get_raw_json_string().get(consumed)) fail(e, value, type_name<T>());
                return;
            }
        }
    }
    string_coded<T>::decode(string_contents(value, [] { return type_name<T>(); }), out);
}

template <class T>
void decode_integer(od::value& value, T& out) {
    if constexpr (std::is_signed_v<T>) {
        std::int64_t v;
        if (auto e = value.get_int64().get(v)) fail(e, value, type_name<T>());
        if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
            v > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
            throw decode_error(type_name<T>(), "number " + std::to_string(v) + " (out of range)");
        }
        out = static_cast<T>(v);
    } else {
        std::uint64_t v;
        if (auto e = value.get_uint64().get(v)) fail(e, value, type_name<T>());
        if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
            throw decode_error(type_name<T>(), "number " + std::to_string(v) + " (out of range)");
        }
        out = static_cast<T>(v);
    }
}

template <json_options Options, class T>
void decode_value(od::value& value, T& out) {
    if constexpr (std::is_same_v<T, bool>) {
        if (auto e = value.get_bool().get(out)) fail(e, value, "boolean");
    } else if constexpr (std::is_integral_v<T>) {
        decode_integer(value, out);
    } else if constexpr (std::is_floating_point_v<T>) {
        double v;
        if (auto e = value.get_double().get(v)) fail(e, value, "number");
        if constexpr (sizeof(T) < sizeof(double)) {
            // Values up to half an ulp above the largest float round to it; beyond, no float.
            const double limit = static_cast<double>(std::numeric_limits<T>::max()) +
                                 static_cast<double>(std::numeric_limits<T>::max()) *
                                     static_cast<double>(std::numeric_limits<T>::epsilon()) / 4;
            if (v >= limit || v <= -limit) {
                throw decode_error(type_name<T>(), describe(value) + " (out of range)");
            }
        }
        out = static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        const std::string_view s = string_contents(value, [] { return std::string("string"); });
        out.assign(s.data(), s.size());
    } else if constexpr (std::is_same_v<T, raw_json>) {
        out.assign(std::string(raw_text(value)));
    } else if constexpr (is_string_coded<T>) {
        decode_string_coded(value, out);
    } else if constexpr (is_optional<T>::value) {
        bool null = false;
        if (auto e = value.is_null().get(null)) fail(e, value, type_name<T>());
        if (null) {
            out.reset();
        } else {
            decode_value<Options>(value, out.emplace());
        }
    } else if constexpr (is_vector<T>::value) {
        od::array array;
        if (auto e = value.get_array().get(array)) fail(e, value, "array");
        out.clear();
        std::size_t index = 0;
        for (auto element_result : array) {
            od::value element;
            if (auto e = std::move(element_result).get(element)) {
                decode_error error("valid JSON", std::string("malformed JSON (") +
                                                     simdjson::error_message(e) + ")");
                error.prepend_index(index);
                throw error;
            }
            try {
                if constexpr (std::is_same_v<typename T::value_type, bool>) {
                    bool b = false;
                    decode_value<Options>(element, b);
                    out.push_back(b);
                } else {
                    decode_value<Options>(element, out.emplace_back());
                }
            } catch (document_error& error) {
                error.prepend_index(index);
                throw;
            }
            ++index;
        }
    } else if constexpr (is_string_map<T>::value) {
        od::object object;
        if (auto e = value.get_object().get(object)) fail(e, value, "object");
        out.clear();
        for (auto field_result : object) {
            od::field field;
            if (auto e = std::move(field_result).get(field)) malformed(e);
            std::string_view key;
            if (auto e = field.unescaped_key().get(key)) malformed(e);
            std::string k(key);
            if (out.count(k) != 0) {
                decode_error error("each key once", "a second \"" + k + "\"");
                error.prepend_key(k);
                throw error;
            }
            try {
                decode_value<Options>(field.value(), out[k]);
            } catch (document_error& error) {
                error.prepend_key(k);
                throw;
            }
        }
    } else if constexpr (is_reflected<T>) {
        od::object object;
        if (auto e = value.get_object().get(object)) fail(e, value, "object");
        decode_object<Options>(object, out);
    } else {
        static_assert(strata::detail::dependent_false<T>,
                      "strata: the JSON codec cannot decode this member type; supported: bool, "
                      "integers, floating point, std::string, std::optional, std::vector, "
                      "std::map<std::string, T>, reflected structs, strata::raw_json, types with "
                      "a strata::string_coded<T> specialisation");
    }
}

// The JSON keys of T's members, indexed by member (empty for the unknown_fields member).
template <class T>
inline constexpr auto member_keys = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<std::string_view, sizeof...(I)>{
        (I == unknown_fields_index<T> ? std::string_view() : member_key<T, I>)...};
}(std::make_index_sequence<member_count<T>>{});

template <json_options Options, class T, std::size_t... I>
void decode_member_at(std::size_t index, od::value& value, T& out, std::index_sequence<I...>) {
    (void)(([&] {
               if constexpr (I == unknown_fields_index<T>) {
                   return false;
               } else {
                   if (index != I) return false;
                   decode_value<Options>(value, get_member<I>(out));
                   return true;
               }
           }()) ||
           ...);
}

template <class T>
void check_version_value(od::value& value) {
    std::uint64_t v;
    if (auto e = value.get_uint64().get(v)) fail(e, value, "schema version " + std::to_string(version_of<T>));
    if (v != version_of<T>) {
        throw decode_error("schema version " + std::to_string(version_of<T>),
                           "version " + std::to_string(v));
    }
}

template <json_options Options, class T>
void decode_object(od::object& object, T& out) {
    using traits = json_traits<T>;
    constexpr std::size_t count = member_count<T>;
    constexpr std::size_t unknown_index = unknown_fields_index<T>;
    constexpr std::string_view version_key = traits::version_key;
    static_assert(strata::detail::json_names_are_members<T>(),
                  "strata: json_names names a member the struct does not declare");
    static_assert(version_key.empty() || is_versioned<T>,
                  "strata: a struct with a version_key must state its version: add "
                  "`static constexpr unsigned version = N;`");
    constexpr auto& keys = member_keys<T>;

    std::array<bool, count> seen{};
    bool version_seen = false;
    std::vector<std::string> ignored;  // keys skipped under unknown_key_policy::ignore
    std::size_t next = 0;  // documents usually list keys in declaration order: try that first
    if constexpr (unknown_index != count) get_member<unknown_index>(out).clear();

    for (auto field_result : object) {
        od::field field;
        if (auto e = std::move(field_result).get(field)) malformed(e);
        const simdjson::ondemand::raw_json_string raw_key = field.key();

        std::size_t index = count;
        for (std::size_t n = 0; n < count; ++n) {
            std::size_t i = next + n < count ? next + n : next + n - count;
            if (i != unknown_index && raw_key.unsafe_is_equal(keys[i])) {
                index = i;
                break;
            }
        }
        std::string_view key;
        if (index == count) {
            // Not a declared key as written; it may be one spelled with escapes.
            if (auto e = field.unescaped_key().get(key)) malformed(e);
            for (std::size_t i = 0; i < count; ++i) {
                if (i != unknown_index && keys[i] == key) {
                    index = i;
                    break;
                }
            }
        } else {
            key = keys[index];
        }

        try {
            if (index != count) {
                if (seen[index]) throw decode_error("each key once", "a second \"" + std::string(key) + "\"");
                seen[index] = true;
                next = index + 1 < count ? index + 1 : 0;
                decode_member_at<Options>(index, field.value(), out, std::make_index_sequence<count>{});
            } else if (!version_key.empty() && key == version_key) {
                if (version_seen) throw decode_error("each key once", "a second \"" + std::string(key) + "\"");
                version_seen = true;
                if constexpr (!version_key.empty()) check_version_value<T>(field.value());
            } else if constexpr (unknown_index != count) {
                auto& unknown = get_member<unknown_index>(out);
                if (unknown.find(key) != nullptr) {
                    throw decode_error("each key once", "a second \"" + std::string(key) + "\"");
                }
                std::string k(key);  // key points into the parser's buffer: copy it first
                od::value v = field.value();
                unknown.push_back(std::move(k), raw_json(std::string(raw_text(v))));
            } else if (traits::on_unknown_key(Options) == unknown_key_policy::reject) {
                throw decode_error("only the keys the struct declares", "unknown key \"" + std::string(key) + "\"");
            } else {
                for (const std::string& k : ignored) {
                    if (k == key) throw decode_error("each key once", "a second \"" + k + "\"");
                }
                ignored.emplace_back(key);
                od::value v = field.value();
                (void)raw_text(v);  // skipped, but still valid JSON
            }
        } catch (document_error& error) {
            error.prepend_key(key);
            throw;
        }
    }

    // Absent members: optionals become empty; anything else is an error.
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (([&] {
             if constexpr (I != unknown_index) {
                 if (!seen[I]) {
                     if constexpr (is_optional<member_type<T, I>>::value) {
                         get_member<I>(out).reset();
                     } else {
                         decode_error error(type_name<member_type<T, I>>(), "no such key");
                         error.prepend_key(member_key<T, I>);
                         throw error;
                     }
                 }
             }
         }()),
         ...);
    }(std::make_index_sequence<count>{});
}

}  // namespace detail
/// @endcond

/// @cond internal
namespace detail {
// After the root value, nothing but whitespace may follow.
inline void expect_end(od::document& doc, const char* end) {
    const char* at = nullptr;
    if (doc.current_location().get(at) == simdjson::SUCCESS && at < end) {
        const std::string_view rest(at, static_cast<std::size_t>(end - at));
        throw decode_error("the end of the document",
                           "more content: " + std::string(rest.substr(0, 40)) + (rest.size() > 40 ? "..." : ""));
    }
}
}  // namespace detail
/// @endcond

/**
 * @brief Decodes JSON documents into reflected structs. Keep one per thread and reuse it: it
 * owns simdjson's parser and a padded copy buffer, so decoding allocates almost nothing.
 *
 * simdjson reads up to `SIMDJSON_PADDING` (64) bytes past the end of a document. A document
 * given as a `std::string_view` is therefore copied into the decoder's padded buffer first. A
 * caller whose bytes are followed by that much readable memory (a `std::string` whose capacity
 * exceeds its size by 64, a `simdjson::padded_string`, a buffer read from a store with room to
 * spare) says so with a `simdjson::padded_string_view`, and the document is parsed in place,
 * with no copy; the padding's contents do not matter. A view with less padding is copied.
 * @code
 * std::string bytes = load();                       // e.g. from a backend
 * bytes.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
 * auto note = decoder.decode<note_v2>(simdjson::padded_string_view(bytes));
 * @endcode
 */
class decoder {
public:
    /**
     * @brief Decodes one document.
     * @tparam T the struct (or vector, map) to decode into
     * @tparam Options call-wide choices; a struct's own json_traits take precedence
     * @throws decode_error naming the JSON path
     */
    template <class T, json_options Options = json_options{}>
    T decode(std::string_view json) {
        T out{};
        decode_into<Options>(json, out);
        return out;
    }
    /// Decodes one document that has padding (parsed in place; see the class comment).
    template <class T, json_options Options = json_options{}>
    T decode(simdjson::padded_string_view json) {
        T out{};
        decode_into<Options>(json, out);
        return out;
    }
    /// Decodes one document held in a `simdjson::padded_string` (parsed in place).
    template <class T, json_options Options = json_options{},
              std::same_as<simdjson::padded_string> Padded>
    T decode(const Padded& json) {
        return decode<T, Options>(simdjson::padded_string_view(json));
    }

    /// Decodes one document into an existing value (reusing its storage).
    template <json_options Options = json_options{}, class T>
    void decode_into(std::string_view json, T& out) {
        detail::od::document doc = iterate(json);
        decode_document<Options>(doc, out);
    }
    /// As above, for a document that has padding (parsed in place).
    template <json_options Options = json_options{}, class T>
    void decode_into(simdjson::padded_string_view json, T& out) {
        detail::od::document doc = iterate(json);
        decode_document<Options>(doc, out);
    }
    /// As above, for a document held in a `simdjson::padded_string`.
    template <json_options Options = json_options{}, std::same_as<simdjson::padded_string> Padded,
              class T>
    void decode_into(const Padded& json, T& out) {
        decode_into<Options>(simdjson::padded_string_view(json), out);
    }

    /**
     * @brief Starts reading a document: simdjson's On-Demand document over a padded copy of
     * `json`, valid until the next call. For readers that look before they decode (version
     * detection); rewind() it before decoding.
     */
    detail::od::document iterate(std::string_view json) {
        if (buffer_.size() < json.size() + simdjson::SIMDJSON_PADDING) {
            buffer_.resize(json.size() + simdjson::SIMDJSON_PADDING);
        }
        std::copy(json.begin(), json.end(), buffer_.begin());
        std::fill_n(buffer_.begin() + static_cast<std::ptrdiff_t>(json.size()),
                    simdjson::SIMDJSON_PADDING, '\0');  // nothing of an earlier document
        return start(buffer_.data(), json.size(), buffer_.size());
    }
    /**
     * @brief As above, over the caller's own bytes when they have `SIMDJSON_PADDING` bytes of
     * padding (no copy; the bytes must outlive the document), over a padded copy otherwise.
     */
    detail::od::document iterate(simdjson::padded_string_view json) {
        if (json.padding() < simdjson::SIMDJSON_PADDING) return iterate(std::string_view(json));
        return start(json.data(), json.size(), json.capacity());
    }
    /// As above, for a document held in a `simdjson::padded_string`.
    template <std::same_as<simdjson::padded_string> Padded>
    detail::od::document iterate(const Padded& json) {
        return iterate(simdjson::padded_string_view(json));
    }

    /// Decodes a document already opened with iterate() (and rewound).
    template <json_options Options = json_options{}, class T>
    void decode_document(detail::od::document& doc, T& out) {
        detail::od::value root;
        if (auto e = doc.get_value().get(root)) detail::malformed(e);
        detail::decode_value<Options>(root, out);
        detail::expect_end(doc, end_);
    }

private:
    detail::od::document start(const char* data, std::size_t size, std::size_t capacity) {
        end_ = data + size;
        detail::od::document doc;
        if (auto e = parser_.iterate(data, size, capacity).get(doc)) detail::malformed(e);
        return doc;
    }

    simdjson::ondemand::parser parser_;
    std::string buffer_;
    const char* end_ = nullptr;
};

/// Decodes one document with a decoder kept for the calling thread.
template <class T, json_options Options = json_options{}>
T decode(std::string_view json) {
    thread_local decoder reusable;
    return reusable.decode<T, Options>(json);
}
/// As above, for a document that has padding (parsed in place; see `decoder`).
template <class T, json_options Options = json_options{}>
T decode(simdjson::padded_string_view json) {
    thread_local decoder reusable;
    return reusable.decode<T, Options>(json);
}
/// As above, for a document held in a `simdjson::padded_string`.
template <class T, json_options Options = json_options{}, std::same_as<simdjson::padded_string> Padded>
T decode(const Padded& json) {
    return decode<T, Options>(simdjson::padded_string_view(json));
}

}  // namespace json
}  // namespace v1
}  // namespace strata
