// Tests of the JSON codec (strata/json/decode.hpp, strata/json/encode.hpp) and of the codec
// choices it reads (strata/naming.hpp): round trips, naming policies, version keys, unknown
// keys and fields, raw values, and every error with its path, expected and found parts.
#include <strata/json.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// The error of type E that `f` throws, or nothing when it throws none.
template <class E, class F>
std::optional<E> error_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const E& e) {
        return e;
    }
    return std::nullopt;
}

// Decodes `json` as T with a new decoder (so that no earlier document can influence the result)
// and returns the decode_error it throws, if any.
template <class T, strata::json_options Options = strata::json_options{}>
std::optional<strata::decode_error> decode_failure(std::string_view json) {
    return error_of<strata::decode_error>([&] {
        strata::json::decoder decoder;
        (void)decoder.decode<T, Options>(json);
    });
}

template <class T, strata::json_options Options = strata::json_options{}>
std::optional<strata::encode_error> encode_failure(const T& value) {
    return error_of<strata::encode_error>([&] { (void)strata::json::encode<Options>(value); });
}

// Checks a document error: its path, its expected and found parts, and that what() reads
// "at <path>: expected <expected>, found <found>".
template <class Error>  // strata::decode_error or strata::encode_error
void check_error(const std::optional<Error>& error, std::string_view path,
                 std::string_view expected, std::string_view found) {
    REQUIRE(error.has_value());
    CHECK(error->path() == path);
    CHECK(error->expected() == expected);
    CHECK(error->found() == found);
    const std::string at = "at " + (path.empty() ? std::string("(root)") : std::string(path));
    CHECK(std::string(error->what()) ==
          at + ": expected " + std::string(expected) + ", found " + std::string(found));
}

// ---------------------------------------------------------------------------------------------
// Record types

template <class T>
struct box {
    BOOST_HANA_DEFINE_STRUCT(box, (T, v));
    friend bool operator==(const box&, const box&) = default;
};

struct point {
    BOOST_HANA_DEFINE_STRUCT(point, (int, x), (int, y));
    friend bool operator==(const point&, const point&) = default;
};

struct attachment_rec {
    BOOST_HANA_DEFINE_STRUCT(attachment_rec, (std::string, mime), (std::string, base64));
    friend bool operator==(const attachment_rec&, const attachment_rec&) = default;
};

struct screenshot_rec {
    BOOST_HANA_DEFINE_STRUCT(screenshot_rec, (std::int64_t, at_ms), (attachment_rec, attachment));
    friend bool operator==(const screenshot_rec&, const screenshot_rec&) = default;
};

struct session_rec {
    BOOST_HANA_DEFINE_STRUCT(session_rec, (std::string, id), (std::vector<screenshot_rec>, screenshots),
                             (std::optional<point>, cursor), (std::map<std::string, int>, counters));
    friend bool operator==(const session_rec&, const session_rec&) = default;
};

struct with_optional {
    BOOST_HANA_DEFINE_STRUCT(with_optional, (int, id), (std::optional<std::string>, note),
                             (std::optional<int>, count));
    friend bool operator==(const with_optional&, const with_optional&) = default;
};

struct omits_empty {
    static constexpr auto empty_optional = strata::empty_optional_policy::omit;
    BOOST_HANA_DEFINE_STRUCT(omits_empty, (int, id), (std::optional<std::string>, note));
};

struct writes_null {
    static constexpr auto empty_optional = strata::empty_optional_policy::null;
    BOOST_HANA_DEFINE_STRUCT(writes_null, (int, id), (std::optional<std::string>, note));
};

struct only_optional {
    BOOST_HANA_DEFINE_STRUCT(only_optional, (std::optional<int>, a), (std::optional<int>, b));
};

struct holder_of_optionals {
    BOOST_HANA_DEFINE_STRUCT(holder_of_optionals, (std::vector<with_optional>, items),
                             (std::optional<int>, top));
};

struct camel_session {
    using naming = strata::naming::camel_case;
    BOOST_HANA_DEFINE_STRUCT(camel_session, (std::string, start_time), (int, screenshot_interval_s),
                             (int, a__b), (bool, x_), (int, already));
    friend bool operator==(const camel_session&, const camel_session&) = default;
};

struct renamed {
    using naming = strata::naming::camel_case;
    static constexpr strata::json_name json_names[] = {{"id", "sessionId"}, {"start_time", "begin"}};
    BOOST_HANA_DEFINE_STRUCT(renamed, (std::string, id), (std::string, start_time), (int, frame_count));
    friend bool operator==(const renamed&, const renamed&) = default;
};

struct upper_case {
    template <class Out>
    static constexpr void apply(std::string_view name, Out& out) {
        for (char c : name) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
};

// The name a policy gives, computed in a constant expression.
template <class Policy, std::size_t N>
constexpr bool names(const char (&declared)[N], std::string_view expected) {
    strata::detail::name_buffer out;
    Policy::apply(std::string_view(declared, N - 1), out);
    return out.view() == expected;
}
static_assert(strata::is_naming_policy<upper_case>);

struct shouting {
    using naming = upper_case;
    BOOST_HANA_DEFINE_STRUCT(shouting, (int, id), (std::string, start_time));
    friend bool operator==(const shouting&, const shouting&) = default;
};

struct versioned {
    static constexpr unsigned version = 2;
    static constexpr std::string_view version_key = "schemaVersion";
    BOOST_HANA_DEFINE_STRUCT(versioned, (std::string, name), (int, count));
    friend bool operator==(const versioned&, const versioned&) = default;
};

struct versioned_without_key {
    static constexpr unsigned version = 5;
    BOOST_HANA_DEFINE_STRUCT(versioned_without_key, (int, a));
};

struct versioned_omitting {
    static constexpr unsigned version = 7;
    static constexpr std::string_view version_key = "v";
    static constexpr auto empty_optional = strata::empty_optional_policy::omit;
    BOOST_HANA_DEFINE_STRUCT(versioned_omitting, (std::optional<int>, a), (strata::unknown_fields, rest));
};

struct ignores_unknown {
    static constexpr auto on_unknown_key = strata::unknown_key_policy::ignore;
    BOOST_HANA_DEFINE_STRUCT(ignores_unknown, (int, id), (std::string, name));
};

struct rejects_unknown {
    static constexpr auto on_unknown_key = strata::unknown_key_policy::reject;
    BOOST_HANA_DEFINE_STRUCT(rejects_unknown, (int, id));
};

struct nests_plain {
    BOOST_HANA_DEFINE_STRUCT(nests_plain, (point, p), (std::vector<point>, ps));
};

struct keeps_unknown {
    BOOST_HANA_DEFINE_STRUCT(keeps_unknown, (int, id), (strata::unknown_fields, rest), (std::string, name));
    friend bool operator==(const keeps_unknown&, const keeps_unknown&) = default;
};

struct unknown_first {
    BOOST_HANA_DEFINE_STRUCT(unknown_first, (strata::unknown_fields, rest), (int, a));
};

struct versioned_keeps_unknown {
    static constexpr unsigned version = 3;
    static constexpr std::string_view version_key = "schemaVersion";
    BOOST_HANA_DEFINE_STRUCT(versioned_keeps_unknown, (int, a), (strata::unknown_fields, rest));
};

struct with_raw {
    BOOST_HANA_DEFINE_STRUCT(with_raw, (strata::raw_json, raw), (int, n));
    friend bool operator==(const with_raw&, const with_raw&) = default;
};

struct numbers {
    BOOST_HANA_DEFINE_STRUCT(numbers, (double, d), (float, f));
};

struct nested_number {
    BOOST_HANA_DEFINE_STRUCT(nested_number, (numbers, inner), (std::vector<double>, list),
                             (std::map<std::string, float>, by_name));
};

struct text_holder {
    BOOST_HANA_DEFINE_STRUCT(text_holder, (std::string, name), (std::vector<std::string>, tags),
                             (std::map<std::string, std::string>, labels));
};

struct item {
    BOOST_HANA_DEFINE_STRUCT(item, (int, id), (std::string, name));
    friend bool operator==(const item&, const item&) = default;
};

struct inventory {
    BOOST_HANA_DEFINE_STRUCT(inventory, (std::vector<item>, items), (std::map<std::string, std::vector<int>>, groups));
    friend bool operator==(const inventory&, const inventory&) = default;
};

constexpr strata::json_options ignore_unknown{.on_unknown_key = strata::unknown_key_policy::ignore};
constexpr strata::json_options omit_empty{.empty_optional = strata::empty_optional_policy::omit};

// Round trip of one value through box<T>: encode gives `text`, decoding `text` gives `value`.
template <class T>
void check_round_trip(const T& value, std::string_view text) {
    const box<T> b{value};
    const std::string encoded = strata::json::encode(b);
    CHECK(encoded == "{\"v\":" + std::string(text) + "}");
    strata::json::decoder decoder;
    CHECK(decoder.decode<box<T>>(encoded).v == value);
    CHECK(strata::json::encode(decoder.decode<box<T>>(encoded)) == encoded);
}

}  // namespace

// =============================================================================================
// Round trips

TEST_CASE("bool round trips") {
    check_round_trip(true, "true");
    check_round_trip(false, "false");
    strata::json::decoder decoder;
    CHECK(decoder.decode<box<bool>>(R"({ "v" : true })").v);
    CHECK_FALSE(decoder.decode<box<bool>>(R"({"v":false})").v);
    CHECK(strata::json::encode(std::map<std::string, bool>{{"a", true}, {"b", false}}) == R"({"a":true,"b":false})");
    CHECK(decoder.decode<std::map<std::string, bool>>(R"({"a":true,"b":false})") ==
          std::map<std::string, bool>{{"a", true}, {"b", false}});
}

TEST_CASE_TEMPLATE("every integer width round trips at its minimum and maximum", T, std::int8_t,
                   std::int16_t, std::int32_t, std::int64_t, std::uint8_t, std::uint16_t,
                   std::uint32_t, std::uint64_t) {
    const T lo = std::numeric_limits<T>::min();
    const T hi = std::numeric_limits<T>::max();
    const std::string lo_text = std::to_string(lo);
    const std::string hi_text = std::to_string(hi);
    check_round_trip(lo, lo_text);
    check_round_trip(hi, hi_text);
    check_round_trip(T{0}, "0");
    check_round_trip(T{1}, "1");

    strata::json::decoder decoder;
    const std::string text = "[" + lo_text + "," + hi_text + "]";
    const auto decoded = decoder.decode<std::vector<T>>(text);
    REQUIRE(decoded.size() == 2);
    CHECK(decoded[0] == lo);
    CHECK(decoded[1] == hi);
    CHECK(strata::json::encode(decoded) == text);
}

TEST_CASE("64-bit integers are exact at their limits") {
    strata::json::decoder decoder;
    CHECK(decoder.decode<box<std::int64_t>>(R"({"v":-9223372036854775808})").v ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(decoder.decode<box<std::int64_t>>(R"({"v":9223372036854775807})").v ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(decoder.decode<box<std::uint64_t>>(R"({"v":18446744073709551615})").v ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK(strata::json::encode(box<std::int64_t>{std::numeric_limits<std::int64_t>::min()}) ==
          R"({"v":-9223372036854775808})");
    CHECK(strata::json::encode(box<std::int64_t>{std::numeric_limits<std::int64_t>::max()}) ==
          R"({"v":9223372036854775807})");
    CHECK(strata::json::encode(box<std::uint64_t>{std::numeric_limits<std::uint64_t>::max()}) ==
          R"({"v":18446744073709551615})");
    // 2^53 + 1 is not representable as a double: it must not pass through one.
    CHECK(decoder.decode<box<std::int64_t>>(R"({"v":9007199254740993})").v == 9007199254740993LL);
    CHECK(decoder.decode<box<std::uint64_t>>(R"({"v":18446744073709551557})").v ==
          18446744073709551557ULL);
}

TEST_CASE("8-bit integers are written as numbers, not characters") {
    CHECK(strata::json::encode(box<std::uint8_t>{65}) == R"({"v":65})");
    CHECK(strata::json::encode(box<std::int8_t>{-65}) == R"({"v":-65})");
}

TEST_CASE("doubles are written in the shortest form that reads back exactly") {
    check_round_trip(0.1, "0.1");
    check_round_trip(1e300, "1e+300");
    check_round_trip(5e-324, "5e-324");
    check_round_trip(123456789.125, "123456789.125");
    check_round_trip(0.30000000000000004, "0.30000000000000004");
    check_round_trip(1.0, "1");
    check_round_trip(-2.5, "-2.5");
    check_round_trip(std::numeric_limits<double>::max(), "1.7976931348623157e+308");
    check_round_trip(std::numeric_limits<double>::lowest(), "-1.7976931348623157e+308");
    check_round_trip(std::numeric_limits<double>::min(), "2.2250738585072014e-308");

    // -0.0 keeps its sign both ways.
    CHECK(strata::json::encode(box<double>{-0.0}) == R"({"v":-0})");
    strata::json::decoder decoder;
    const double negative_zero = decoder.decode<box<double>>(R"({"v":-0})").v;
    CHECK(negative_zero == 0.0);
    CHECK(std::signbit(negative_zero));
    CHECK(std::signbit(decoder.decode<box<double>>(R"({"v":-0.0})").v));
    CHECK_FALSE(std::signbit(decoder.decode<box<double>>(R"({"v":0})").v));

    // Other spellings read to the same value.
    CHECK(decoder.decode<box<double>>(R"({"v":1E2})").v == 100.0);
    CHECK(decoder.decode<box<double>>(R"({"v":1e-2})").v == 0.01);
    CHECK(decoder.decode<box<double>>(R"({"v":42})").v == 42.0);
    CHECK(decoder.decode<box<double>>(R"({"v":-9007199254740993})").v == -9007199254740992.0);
}

TEST_CASE("float is written in float's shortest form") {
    check_round_trip(0.1f, "0.1");
    check_round_trip(1.5f, "1.5");
    check_round_trip(16777216.0f, "16777216");
    check_round_trip(std::numeric_limits<float>::min(), "1.1754944e-38");
    check_round_trip(std::numeric_limits<float>::denorm_min(), "1e-45");
    CHECK(strata::json::encode(box<float>{-0.0f}) == R"({"v":-0})");
    strata::json::decoder decoder;
    CHECK(std::signbit(decoder.decode<box<float>>(R"({"v":-0})").v));
    CHECK(decoder.decode<box<float>>(R"({"v":0.1})").v == 0.1f);
}

TEST_CASE("float round trips at its largest finite magnitude") {
    // std::to_chars writes FLT_MAX as 3.4028235e+38, which is above FLT_MAX as a double; the
    // decoder must still accept it (it rounds to FLT_MAX), or the codec cannot read its own output.
    check_round_trip(std::numeric_limits<float>::max(), "3.4028235e+38");
    check_round_trip(std::numeric_limits<float>::lowest(), "-3.4028235e+38");
}

TEST_CASE("a number beyond float's range is an error, not infinity") {
    check_error(decode_failure<box<float>>(R"({"v":1e39})"), "v", "number",
                "number 1e39 (out of range)");
    check_error(decode_failure<box<float>>(R"({"v":-1e300})"), "v", "number",
                "number -1e300 (out of range)");
}

TEST_CASE("strings: UTF-8 of every length is written as is") {
    check_round_trip(std::string(""), R"("")");
    check_round_trip(std::string("plain ascii"), R"("plain ascii")");
    check_round_trip(std::string("\xC3\xA9"), "\"\xC3\xA9\"");              // é, 2 bytes
    check_round_trip(std::string("\xE2\x82\xAC"), "\"\xE2\x82\xAC\"");      // €, 3 bytes
    check_round_trip(std::string("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");  // U+1F600, 4 bytes
    check_round_trip(std::string("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF
    check_round_trip(std::string("\xEF\xBF\xBF\x7F"), "\"\xEF\xBF\xBF\x7F\"");  // U+FFFF, DEL
    check_round_trip(std::string("a/b"), R"("a/b")");
}

TEST_CASE("strings: every JSON escape decodes, and encodes to the canonical form") {
    strata::json::decoder decoder;
    const auto decoded = decoder.decode<box<std::string>>(R"({"v":"\"\\\/\b\f\n\r\t"})");
    CHECK(decoded.v == "\"\\/\b\f\n\r\t");
    CHECK(strata::json::encode(decoded) == R"({"v":"\"\\/\b\f\n\r\t"})");

    CHECK(decoder.decode<box<std::string>>(R"({"v":"\u0041\u00e9\u20AC"})").v == "A\xC3\xA9\xE2\x82\xAC");
    CHECK(decoder.decode<box<std::string>>(R"({"v":"\ud83d\ude00"})").v == "\xF0\x9F\x98\x80");
    CHECK(decoder.decode<box<std::string>>(R"({"v":"\uD83D\uDE00"})").v == "\xF0\x9F\x98\x80");
    CHECK(decoder.decode<box<std::string>>(R"({"v":"\udbff\udfff"})").v == "\xF4\x8F\xBF\xBF");
    CHECK(decoder.decode<box<std::string>>(R"({"v":"\u002F\u005c"})").v == "/\\");
    CHECK(strata::json::encode(decoder.decode<box<std::string>>(R"({"v":"\ud83d\ude00"})")) ==
          "{\"v\":\"\xF0\x9F\x98\x80\"}");
}

TEST_CASE("strings: every control character is escaped and reads back") {
    CHECK(strata::json::encode(box<std::string>{"\x01"}) == R"({"v":"\u0001"})");
    CHECK(strata::json::encode(box<std::string>{"\x1f"}) == R"({"v":"\u001f"})");
    CHECK(strata::json::encode(box<std::string>{std::string("a\0b", 3)}) == R"({"v":"a\u0000b"})");
    strata::json::decoder decoder;
    CHECK(decoder.decode<box<std::string>>(R"({"v":"a\u0000b"})").v == std::string("a\0b", 3));

    for (int c = 0; c < 0x20; ++c) {
        CAPTURE(c);
        const std::string one(1, static_cast<char>(c));
        const std::string encoded = strata::json::encode(box<std::string>{one});
        std::string expected_escape;
        switch (c) {
            case '\b': expected_escape = "\\b"; break;
            case '\f': expected_escape = "\\f"; break;
            case '\n': expected_escape = "\\n"; break;
            case '\r': expected_escape = "\\r"; break;
            case '\t': expected_escape = "\\t"; break;
            default: {
                const char hex[] = "0123456789abcdef";
                expected_escape = std::string("\\u00") + hex[c >> 4] + hex[c & 15];
            }
        }
        CHECK(encoded == "{\"v\":\"" + expected_escape + "\"}");
        CHECK(decoder.decode<box<std::string>>(encoded).v == one);
    }
}

TEST_CASE("strings: long strings with one special character anywhere are escaped there") {
    // 40 characters: the encoder tests 16 at a time, then 8, then the rest; the decoder takes
    // strings without escapes straight from the input. Each special character at each
    // position must be found, escaped (or, for UTF-8 and DEL, written as it is) and read back.
    const std::pair<std::string, std::string> specials[] = {
        {"\"", "\\\""},         {"\\", "\\\\"},     {std::string(1, '\0'), "\\u0000"},
        {"\x01", "\\u0001"},     {"\n", "\\n"},        {"\x1f", "\\u001f"},
        {"\x7f", "\x7f"},         {"\xC3\xA9", "\xC3\xA9"}, {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"}};
    strata::json::decoder decoder;
    for (const auto& [special, written] : specials) {
        for (std::size_t position = 0; position < 40; ++position) {
            std::string text(40, 'a'), expected(40, 'a');
            text.replace(position, 1, special);
            expected.replace(position, 1, written);
            CAPTURE(position);
            const std::string encoded = strata::json::encode(box<std::string>{text});
            REQUIRE(encoded == "{\"v\":\"" + expected + "\"}");
            REQUIRE(decoder.decode<box<std::string>>(encoded).v == text);
        }
    }
    // A long string that is nothing but escapes, and one with an escape only at its end.
    CHECK(decoder.decode<box<std::string>>(R"({"v":"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"})").v == std::string(17, '\n'));
    CHECK(decoder.decode<box<std::string>>(R"({"v":"abcdefghijklmnopqrstuvwxyz\u0041"})").v ==
          "abcdefghijklmnopqrstuvwxyzA");
}

TEST_CASE("strings: a raw control character in the input is an error, not copied") {
    const std::string json = std::string("{\"v\":\"abc") + '\x01' + "def\"}";
    CHECK(decode_failure<box<std::string>>(json).has_value());
    const std::string tab = std::string("{\"v\":\"abc") + '\t' + "def\"}";
    CHECK(decode_failure<box<std::string>>(tab).has_value());
}

TEST_CASE("strings: a mix of everything round trips") {
    const std::string text = std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") +
                             std::string(1, '\0') + "end";
    const box<std::string> b{text};
    const std::string encoded = strata::json::encode(b);
    CHECK(encoded ==
          "{\"v\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\\u0000end\"}");
    strata::json::decoder decoder;
    CHECK(decoder.decode<box<std::string>>(encoded).v == text);
}

TEST_CASE("optional: null and absent both give empty; empty is written as null by default") {
    strata::json::decoder decoder;
    const auto with_nulls = decoder.decode<with_optional>(R"({"id":1,"note":null,"count":null})");
    CHECK(with_nulls.id == 1);
    CHECK_FALSE(with_nulls.note.has_value());
    CHECK_FALSE(with_nulls.count.has_value());

    const auto absent = decoder.decode<with_optional>(R"({"id":2})");
    CHECK(absent.id == 2);
    CHECK_FALSE(absent.note.has_value());
    CHECK_FALSE(absent.count.has_value());

    const auto present = decoder.decode<with_optional>(R"({"count":0,"id":3,"note":""})");
    REQUIRE(present.note.has_value());
    CHECK(*present.note == "");
    REQUIRE(present.count.has_value());
    CHECK(*present.count == 0);

    CHECK(strata::json::encode(with_nulls) == R"({"id":1,"note":null,"count":null})");
    CHECK(strata::json::encode(present) == R"({"id":3,"note":"","count":0})");
    CHECK(decoder.decode<with_optional>(strata::json::encode(present)) == present);
    CHECK(decoder.decode<with_optional>(strata::json::encode(absent)) == absent);

    CHECK(decoder.decode<std::vector<std::optional<int>>>("[null,1,null]") ==
          std::vector<std::optional<int>>{std::nullopt, 1, std::nullopt});
    CHECK(strata::json::encode(std::vector<std::optional<int>>{std::nullopt, 2}) == "[null,2]");
}

TEST_CASE("optional: json_options can omit empty optionals") {
    const with_optional value{7, std::nullopt, std::nullopt};
    CHECK(strata::json::encode<omit_empty>(value) == R"({"id":7})");
    CHECK(strata::json::encode<omit_empty>(with_optional{7, "n", std::nullopt}) == R"({"id":7,"note":"n"})");
    CHECK(strata::json::encode<omit_empty>(with_optional{7, std::nullopt, 3}) == R"({"id":7,"count":3})");
    // No leading comma when the first members are omitted; {} when all are.
    CHECK(strata::json::encode<omit_empty>(only_optional{std::nullopt, 1}) == R"({"b":1})");
    CHECK(strata::json::encode<omit_empty>(only_optional{}) == "{}");
    CHECK(strata::json::encode(only_optional{}) == R"({"a":null,"b":null})");
    // The option reaches nested structs, but an optional that is not a member stays null.
    holder_of_optionals holder;
    holder.items.push_back({1, std::nullopt, std::nullopt});
    CHECK(strata::json::encode<omit_empty>(holder) == R"({"items":[{"id":1}]})");
    CHECK(strata::json::encode(holder) == R"({"items":[{"id":1,"note":null,"count":null}],"top":null})");
    CHECK(strata::json::encode<omit_empty>(std::vector<std::optional<int>>{std::nullopt}) == "[null]");

    strata::json::decoder decoder;
    CHECK(decoder.decode<with_optional>(strata::json::encode<omit_empty>(value)) == value);
}

TEST_CASE("optional: a struct can omit empty optionals itself, and its choice wins") {
    CHECK(strata::json::encode(omits_empty{1, std::nullopt}) == R"({"id":1})");
    CHECK(strata::json::encode(omits_empty{1, "x"}) == R"({"id":1,"note":"x"})");
    CHECK(strata::json::encode<omit_empty>(writes_null{1, std::nullopt}) == R"({"id":1,"note":null})");
    strata::json::decoder decoder;
    const auto decoded = decoder.decode<omits_empty>(R"({"id":4})");
    CHECK(decoded.id == 4);
    CHECK_FALSE(decoded.note.has_value());
}

TEST_CASE("vectors: empty, nested, of structs") {
    strata::json::decoder decoder;
    CHECK(decoder.decode<std::vector<int>>("[]").empty());
    CHECK(decoder.decode<std::vector<int>>(" [ ] ").empty());
    CHECK(strata::json::encode(std::vector<int>{}) == "[]");

    const std::vector<std::vector<int>> nested{{1, 2}, {}, {3}};
    CHECK(strata::json::encode(nested) == "[[1,2],[],[3]]");
    CHECK(decoder.decode<std::vector<std::vector<int>>>("[ [1, 2] , [], [3]]") == nested);

    const std::vector<std::vector<std::vector<std::string>>> deep{{{"a"}, {}}, {}};
    CHECK(strata::json::encode(deep) == R"([[["a"],[]],[]])");
    CHECK(decoder.decode<std::remove_const_t<decltype(deep)>>(strata::json::encode(deep)) == deep);

    const std::vector<point> points{{1, 2}, {-3, 4}};
    CHECK(strata::json::encode(points) == R"([{"x":1,"y":2},{"x":-3,"y":4}])");
    CHECK(decoder.decode<std::vector<point>>(strata::json::encode(points)) == points);
}

TEST_CASE("maps with string keys") {
    strata::json::decoder decoder;
    const auto decoded = decoder.decode<std::map<std::string, int>>(R"({"b":2,"a":1,"":0})");
    CHECK(decoded == std::map<std::string, int>{{"a", 1}, {"b", 2}, {"", 0}});
    CHECK(strata::json::encode(decoded) == R"({"":0,"a":1,"b":2})");
    CHECK(decoder.decode<std::map<std::string, int>>("{}").empty());
    CHECK(strata::json::encode(std::map<std::string, int>{}) == "{}");

    // Keys are unescaped when read and escaped when written.
    const auto escaped = decoder.decode<std::map<std::string, int>>(R"({"a\"b":1,"\u00e9":2,"t\tab":3})");
    CHECK(escaped == std::map<std::string, int>{{"a\"b", 1}, {"\xC3\xA9", 2}, {"t\tab", 3}});
    CHECK(decoder.decode<std::map<std::string, int>>(strata::json::encode(escaped)) == escaped);
    CHECK(strata::json::encode(std::map<std::string, int>{{"a\"b", 1}}) == R"({"a\"b":1})");

    const std::map<std::string, std::vector<point>> nested{{"k", {{1, 2}}}, {"e", {}}};
    CHECK(strata::json::encode(nested) == R"({"e":[],"k":[{"x":1,"y":2}]})");
    CHECK(decoder.decode<std::remove_const_t<decltype(nested)>>(strata::json::encode(nested)) == nested);
}

TEST_CASE("nested reflected structs round trip") {
    session_rec s;
    s.id = "session-1";
    s.screenshots.push_back({10, {"image/png", "AAAA"}});
    s.screenshots.push_back({20, {"image/jpeg", ""}});
    s.cursor = point{3, 4};
    s.counters = {{"clicks", 5}, {"keys", 9}};
    const std::string expected =
        R"({"id":"session-1","screenshots":[{"at_ms":10,"attachment":{"mime":"image/png","base64":"AAAA"}},)"
        R"({"at_ms":20,"attachment":{"mime":"image/jpeg","base64":""}}],"cursor":{"x":3,"y":4},)"
        R"("counters":{"clicks":5,"keys":9}})";
    CHECK(strata::json::encode(s) == expected);

    strata::json::decoder decoder;
    CHECK(decoder.decode<session_rec>(expected) == s);

    // Whitespace and key order do not matter to the decoder; the encoder is canonical.
    const std::string shuffled = R"( { "counters" : { "keys" : 9 , "clicks" : 5 } ,
        "cursor" : { "y" : 4 , "x" : 3 } , "screenshots" : [
          { "attachment" : { "base64" : "AAAA" , "mime" : "image/png" } , "at_ms" : 10 } ,
          { "at_ms" : 20 , "attachment" : { "mime" : "image/jpeg" , "base64" : "" } } ] ,
        "id" : "session-1" } )";
    CHECK(decoder.decode<session_rec>(shuffled) == s);
    CHECK(strata::json::encode(decoder.decode<session_rec>(shuffled)) == expected);
}

TEST_CASE("raw_json keeps objects, arrays and scalars byte-exact") {
    strata::json::decoder decoder;
    const std::string inputs[] = {
        R"({ "a" : [ 1 , 2 ] ,"b":{}})",
        R"([ 1 ,2,  "x" , null ])",
        R"({})",
        R"([])",
        R"(1.50)",
        R"(-0)",
        R"(1E+2)",
        R"("a\u0041\n")",
        R"("")",
        R"(true)",
        R"(false)",
        R"(null)",
    };
    for (const std::string& raw : inputs) {
        CAPTURE(raw);
        const std::string document = R"({"raw":)" + raw + R"(,"n":1})";
        const auto decoded = decoder.decode<with_raw>(document);
        CHECK(decoded.raw.text() == raw);
        CHECK(decoded.n == 1);
        CHECK(strata::json::encode(decoded) == document);
    }
    CHECK(strata::json::encode(with_raw{}) == R"({"raw":null,"n":0})");
    CHECK(decoder.decode<with_raw>(R"({"raw":null,"n":0})") == with_raw{});
    CHECK_FALSE(decoder.decode<with_raw>(R"({"raw":[],"n":0})") == with_raw{});
    CHECK(strata::json::encode(with_raw{strata::raw_json(R"({"by":"hand"})"), 2}) ==
          R"({"raw":{"by":"hand"},"n":2})");

    const auto in_vector = decoder.decode<std::vector<strata::raw_json>>(R"([{"a":1},[2],"3",4,null])");
    REQUIRE(in_vector.size() == 5);
    CHECK(in_vector[0].text() == R"({"a":1})");
    CHECK(in_vector[1].text() == "[2]");
    CHECK(in_vector[2].text() == R"("3")");
    CHECK(in_vector[3].text() == "4");
    CHECK(in_vector[4].text() == "null");
}

TEST_CASE("raw_json holds the value only, not the whitespace around it") {
    strata::json::decoder decoder;
    // Scalars, and containers followed directly by a comma, are exact:
    CHECK(decoder.decode<with_raw>(R"({"raw": 12 ,"n":1})").raw.text() == "12");
    CHECK(decoder.decode<with_raw>(R"({"raw":{ "a" : 1 },"n":1})").raw.text() == R"({ "a" : 1 })");
    // so containers followed by whitespace must be exact too (inner whitespace kept, the
    // whitespace after the closing bracket is not part of the value).
    CHECK(decoder.decode<with_raw>(R"({"raw":{ "a" : 1 } ,"n":1})").raw.text() == R"({ "a" : 1 })");
    CHECK(decoder.decode<with_raw>("{\"raw\":[ 1 , 2 ]\n,\"n\":1}").raw.text() == "[ 1 , 2 ]");
    CHECK(decoder.decode<with_raw>(R"({"n":1,"raw":[1] })").raw.text() == "[1]");
    // and the encoder's output has no whitespace outside the raw value.
    CHECK(strata::json::encode(decoder.decode<with_raw>(R"({"raw":[ 1 ] , "n" : 1 })")) ==
          R"({"raw":[ 1 ],"n":1})");
}

TEST_CASE("unknown_fields keep undeclared keys in order, verbatim, written after the members") {
    strata::json::decoder decoder;
    const std::string input =
        R"({"zeta":{"deep":[1,{"x":null}]},"id":5,"alpha":1.50,"name":"n","mid":"q\n\u00e9","last":[ true ]})";
    const auto decoded = decoder.decode<keeps_unknown>(input);
    CHECK(decoded.id == 5);
    CHECK(decoded.name == "n");
    REQUIRE(decoded.rest.size() == 4);
    std::vector<std::string> keys;
    for (const auto& field : decoded.rest) keys.push_back(field.key);
    CHECK(keys == std::vector<std::string>{"zeta", "alpha", "mid", "last"});
    REQUIRE(decoded.rest.find("zeta") != nullptr);
    CHECK(decoded.rest.find("zeta")->text() == R"({"deep":[1,{"x":null}]})");
    CHECK(decoded.rest.find("alpha")->text() == "1.50");
    CHECK(decoded.rest.find("mid")->text() == R"("q\n\u00e9")");
    CHECK(decoded.rest.find("last")->text() == "[ true ]");
    CHECK(decoded.rest.find("id") == nullptr);

    CHECK(strata::json::encode(decoded) ==
          R"({"id":5,"name":"n","zeta":{"deep":[1,{"x":null}]},"alpha":1.50,"mid":"q\n\u00e9","last":[ true ]})");
    CHECK(decoder.decode<keeps_unknown>(strata::json::encode(decoded)) == decoded);

    // Keys are unescaped; no unknown keys gives an empty member.
    const auto escaped = decoder.decode<keeps_unknown>(R"({"id":1,"name":"","k\u0065y":2})");
    REQUIRE(escaped.rest.size() == 1);
    CHECK(escaped.rest.begin()->key == "key");
    CHECK(strata::json::encode(escaped) == R"({"id":1,"name":"","key":2})");
    CHECK(decoder.decode<keeps_unknown>(R"({"id":1,"name":""})").rest.empty());

    // Declared first, still written last.
    const auto first = decoder.decode<unknown_first>(R"({"x":[1],"a":2,"y":{}})");
    CHECK(first.a == 2);
    CHECK(first.rest.size() == 2);
    CHECK(strata::json::encode(first) == R"({"a":2,"x":[1],"y":{}})");

    // Filled by hand.
    keeps_unknown by_hand{1, {}, "h"};
    by_hand.rest.push_back("extra", strata::raw_json("[1,2]"));
    CHECK(strata::json::encode(by_hand) == R"({"id":1,"name":"h","extra":[1,2]})");
}

TEST_CASE("unknown_fields are kept even when the call rejects unknown keys, not the version key") {
    strata::json::decoder decoder;
    const auto decoded = decoder.decode<versioned_keeps_unknown>(R"({"x":1,"schemaVersion":3,"a":2})");
    CHECK(decoded.a == 2);
    REQUIRE(decoded.rest.size() == 1);
    CHECK(decoded.rest.begin()->key == "x");
    CHECK(strata::json::encode(decoded) == R"({"schemaVersion":3,"a":2,"x":1})");
}

// =============================================================================================
// Naming

TEST_CASE("camel_case follows the rule exactly") {
    using strata::naming::camel_case;
    CHECK(strata::apply_naming<camel_case>("start_time") == "startTime");
    CHECK(strata::apply_naming<camel_case>("screenshot_interval_s") == "screenshotIntervalS");
    CHECK(strata::apply_naming<camel_case>("a__b") == "a_B");
    CHECK(strata::apply_naming<camel_case>("x_") == "x_");
    CHECK(strata::apply_naming<camel_case>("_x") == "X");
    CHECK(strata::apply_naming<camel_case>("a_1b") == "a1b");
    CHECK(strata::apply_naming<camel_case>("a_B") == "a_B");
    CHECK(strata::apply_naming<camel_case>("already") == "already");
    CHECK(strata::apply_naming<camel_case>("") == "");
    CHECK(strata::apply_naming<camel_case>("_") == "_");
    CHECK(strata::apply_naming<camel_case>("a_z_9_") == "aZ9_");
    CHECK(strata::apply_naming<camel_case>("a_-b") == "a_-b");

    static_assert(names<camel_case>("start_time", "startTime"));
    static_assert(names<camel_case>("screenshot_interval_s", "screenshotIntervalS"));
    static_assert(names<camel_case>("a__b", "a_B"));
    static_assert(names<camel_case>("x_", "x_"));
    static_assert(names<camel_case>("_x", "X"));
    static_assert(names<camel_case>("a_1b", "a1b"));
    static_assert(names<camel_case>("a_B", "a_B"));
    static_assert(names<camel_case>("already", "already"));
    static_assert(names<strata::naming::as_declared>("start_time", "start_time"));

    static_assert(strata::member_key<camel_session, 0> == "startTime");
    static_assert(strata::member_key<camel_session, 1> == "screenshotIntervalS");
    static_assert(strata::member_key<camel_session, 2> == "a_B");
    static_assert(strata::member_key<camel_session, 3> == "x_");
    static_assert(strata::member_key<camel_session, 4> == "already");
}

TEST_CASE("a struct's naming policy renames its keys both ways") {
    const camel_session s{"09:00", 30, 1, true, 2};
    const std::string expected = R"({"startTime":"09:00","screenshotIntervalS":30,"a_B":1,"x_":true,"already":2})";
    CHECK(strata::json::encode(s) == expected);
    strata::json::decoder decoder;
    CHECK(decoder.decode<camel_session>(expected) == s);

    // The declared spelling is not the key any more.
    check_error(decode_failure<camel_session>(
                    R"({"start_time":"09:00","screenshotIntervalS":30,"a_B":1,"x_":true,"already":2})"),
                "start_time", "only the keys the struct declares", R"(unknown key "start_time")");
    // Paths name the JSON key.
    check_error(decode_failure<camel_session>(R"({"startTime":"09:00","screenshotIntervalS":"30"})"),
                "screenshotIntervalS", "integer in [-2147483648, 2147483647]", R"(string "30")");
    check_error(decode_failure<camel_session>(R"({"startTime":"09:00"})"), "screenshotIntervalS",
                "integer in [-2147483648, 2147483647]", "no such key");
}

TEST_CASE("json_names override single members, before the naming policy") {
    static_assert(strata::member_key<renamed, 0> == "sessionId");
    static_assert(strata::member_key<renamed, 1> == "begin");
    static_assert(strata::member_key<renamed, 2> == "frameCount");
    const renamed r{"s-1", "t0", 12};
    const std::string expected = R"({"sessionId":"s-1","begin":"t0","frameCount":12})";
    CHECK(strata::json::encode(r) == expected);
    strata::json::decoder decoder;
    CHECK(decoder.decode<renamed>(expected) == r);
    check_error(decode_failure<renamed>(R"({"sessionId":"s-1","startTime":"t0","frameCount":12})"),
                "startTime", "only the keys the struct declares", R"(unknown key "startTime")");
    check_error(decode_failure<renamed>(R"({"id":"s-1"})"), "id", "only the keys the struct declares",
                R"(unknown key "id")");
}

TEST_CASE("a user-defined naming policy") {
    static_assert(strata::member_key<shouting, 0> == "ID");
    static_assert(strata::member_key<shouting, 1> == "START_TIME");
    const shouting s{3, "now"};
    CHECK(strata::json::encode(s) == R"({"ID":3,"START_TIME":"now"})");
    strata::json::decoder decoder;
    CHECK(decoder.decode<shouting>(R"({"START_TIME":"now","ID":3})") == s);
    check_error(decode_failure<shouting>(R"({"id":3,"START_TIME":"now"})"), "id",
                "only the keys the struct declares", R"(unknown key "id")");
}

TEST_CASE("keys written with escapes match the declared member") {
    strata::json::decoder decoder;
    const auto p = decoder.decode<point>(R"({"\u0078":1,"\u0079":2})");
    CHECK(p == point{1, 2});
    CHECK(decoder.decode<item>(R"({"i\u0064":7,"n\u0061me":"x"})") == item{7, "x"});
    CHECK(decoder.decode<camel_session>(
              R"({"start\u0054ime":"a","screenshotIntervalS":1,"a\u005fB":2,"x_":false,"already":3})") ==
          camel_session{"a", 1, 2, false, 3});
    // An escaped spelling and a plain one are the same key: a duplicate.
    check_error(decode_failure<item>(R"({"id":1,"i\u0064":2,"name":""})"), "id", "each key once",
                R"(a second "id")");
    // The version key too.
    CHECK(decoder.decode<versioned>(R"({"schema\u0056ersion":2,"name":"a","count":1})") ==
          versioned{"a", 1});
}

// =============================================================================================
// Version key

TEST_CASE("version_key: written first, accepted present or absent, checked when present") {
    const versioned v{"n", 4};
    CHECK(strata::json::encode(v) == R"({"schemaVersion":2,"name":"n","count":4})");
    strata::json::decoder decoder;
    CHECK(decoder.decode<versioned>(R"({"schemaVersion":2,"name":"n","count":4})") == v);
    CHECK(decoder.decode<versioned>(R"({"name":"n","count":4,"schemaVersion":2})") == v);
    CHECK(decoder.decode<versioned>(R"({"name":"n","count":4})") == v);

    check_error(decode_failure<versioned>(R"({"schemaVersion":3,"name":"n","count":4})"), "schemaVersion",
                "schema version 2", "version 3");
    check_error(decode_failure<versioned>(R"({"name":"n","schemaVersion":1,"count":4})"), "schemaVersion",
                "schema version 2", "version 1");
    check_error(decode_failure<versioned>(R"({"schemaVersion":"2","name":"n","count":4})"), "schemaVersion",
                "schema version 2", R"(string "2")");
    check_error(decode_failure<versioned>(R"({"schemaVersion":2.5,"name":"n","count":4})"), "schemaVersion",
                "schema version 2", "number 2.5");
    check_error(decode_failure<versioned>(R"({"schemaVersion":2,"schemaVersion":2,"name":"n","count":4})"),
                "schemaVersion", "each key once", R"(a second "schemaVersion")");
}

TEST_CASE("version_key with omitted optionals and unknown fields: no stray commas") {
    versioned_omitting v;
    CHECK(strata::json::encode(v) == R"({"v":7})");
    v.rest.push_back("extra", strata::raw_json("1"));
    CHECK(strata::json::encode(v) == R"({"v":7,"extra":1})");
    v.a = 2;
    CHECK(strata::json::encode(v) == R"({"v":7,"a":2,"extra":1})");
    strata::json::decoder decoder;
    const auto decoded = decoder.decode<versioned_omitting>(R"({"v":7,"a":2,"extra":1})");
    CHECK(decoded.a == 2);
    CHECK(decoded.rest.size() == 1);
    check_error(decode_failure<versioned_omitting>(R"({"v":8})"), "v", "schema version 7", "version 8");
}

TEST_CASE("a version without a version_key writes no key and rejects one") {
    CHECK(strata::json::encode(versioned_without_key{1}) == R"({"a":1})");
    check_error(decode_failure<versioned_without_key>(R"({"version":5,"a":1})"), "version",
                "only the keys the struct declares", R"(unknown key "version")");
}

// =============================================================================================
// Decode errors

TEST_CASE("a wrong type is reported at its nested path") {
    const std::string input =
        R"({"id":"s","screenshots":[)"
        R"({"at_ms":0,"attachment":{"mime":"a","base64":"x"}},)"
        R"({"at_ms":1,"attachment":{"mime":"a","base64":"x"}},)"
        R"({"at_ms":2,"attachment":{"mime":"a","base64":"x"}},)"
        R"({"at_ms":3,"attachment":{"mime":"a","base64":12}}],"cursor":null,"counters":{}})";
    check_error(decode_failure<session_rec>(input), "screenshots[3].attachment.base64", "string", "number 12");

    check_error(decode_failure<session_rec>(R"({"id":1})"), "id", "string", "number 1");
    check_error(decode_failure<session_rec>(R"({"id":"s","screenshots":{}})"), "screenshots", "array", "object");
    check_error(decode_failure<session_rec>(R"({"id":"s","screenshots":[],"cursor":[1]})"), "cursor", "object",
                "array");
    check_error(decode_failure<session_rec>(R"({"id":"s","screenshots":[],"cursor":{"x":1,"y":true}})"),
                "cursor.y", "integer in [-2147483648, 2147483647]", "true");
    check_error(decode_failure<session_rec>(R"({"id":"s","screenshots":[],"counters":{"a":1,"b":null}})"),
                "counters.b", "integer in [-2147483648, 2147483647]", "null");
    check_error(decode_failure<session_rec>(R"({"id":"s","screenshots":[],"counters":[]})"), "counters", "object",
                "array");
    check_error(decode_failure<std::vector<item>>(R"([{"id":1,"name":"a"},{"id":"2","name":"b"}])"), "[1].id",
                "integer in [-2147483648, 2147483647]", R"(string "2")");
    check_error(decode_failure<std::vector<std::vector<int>>>("[[1],[2,false]]"), "[1][1]",
                "integer in [-2147483648, 2147483647]", "false");
    check_error(decode_failure<box<bool>>(R"({"v":1})"), "v", "boolean", "number 1");
    check_error(decode_failure<box<bool>>(R"({"v":"true"})"), "v", "boolean", R"(string "true")");
    check_error(decode_failure<box<double>>(R"({"v":"1.5"})"), "v", "number", R"(string "1.5")");
    check_error(decode_failure<box<std::optional<int>>>(R"({"v":"x"})"), "v",
                "integer in [-2147483648, 2147483647]", R"(string "x")");
    check_error(decode_failure<point>("[1,2]"), "", "object", "array");
    check_error(decode_failure<std::vector<int>>(R"({"a":1})"), "", "array", "object");
}

TEST_CASE("a long value is cut to 40 characters in the message") {
    const std::string long_text(60, 'a');
    check_error(decode_failure<box<int>>(R"({"v":")" + long_text + "\"}"), "v",
                "integer in [-2147483648, 2147483647]", "string \"" + std::string(39, 'a') + "...");
    check_error(decode_failure<box<std::string>>(R"({"v":12345678901234567890123456789012345678901234567890})"), "v",
                "string", "number 1234567890123456789012345678901234567890...");
}

TEST_CASE_TEMPLATE("integers out of range are errors, never a wrap", T, std::int8_t, std::int16_t,
                   std::int32_t, std::uint8_t, std::uint16_t, std::uint32_t) {
    const long long lo = static_cast<long long>(std::numeric_limits<T>::min());
    const long long hi = static_cast<long long>(std::numeric_limits<T>::max());
    const std::string expected = "integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    const std::string above = std::to_string(hi + 1);
    check_error(decode_failure<box<T>>(R"({"v":)" + above + "}"), "v", expected,
                "number " + above + " (out of range)");
    if (std::is_signed_v<T>) {
        const std::string below = std::to_string(lo - 1);
        check_error(decode_failure<box<T>>(R"({"v":)" + below + "}"), "v", expected,
                    "number " + below + " (out of range)");
    } else {
        check_error(decode_failure<box<T>>(R"({"v":-1})"), "v", expected, "number -1");
    }
    check_error(decode_failure<box<T>>(R"({"v":1.5})"), "v", expected, "number 1.5");
    check_error(decode_failure<box<T>>(R"({"v":1.0})"), "v", expected, "number 1.0");
    check_error(decode_failure<box<T>>(R"({"v":1e1})"), "v", expected, "number 1e1");
    check_error(decode_failure<std::vector<T>>("[0,99999999999]"), "[1]", expected,
                "number 99999999999 (out of range)");
}

TEST_CASE("the examples of the spec: 256 into uint8, -1 into unsigned, 2^63 into int64") {
    check_error(decode_failure<box<std::uint8_t>>(R"({"v":256})"), "v", "integer in [0, 255]",
                "number 256 (out of range)");
    check_error(decode_failure<box<unsigned>>(R"({"v":-1})"), "v", "integer in [0, 4294967295]", "number -1");
    check_error(decode_failure<box<std::uint64_t>>(R"({"v":-1})"), "v", "non-negative integer (64-bit)",
                "number -1");
    check_error(decode_failure<box<std::int64_t>>(R"({"v":9223372036854775808})"), "v", "integer (64-bit)",
                "number 9223372036854775808");
    check_error(decode_failure<box<std::int64_t>>(R"({"v":-9223372036854775809})"), "v", "integer (64-bit)",
                "number -9223372036854775809");
    check_error(decode_failure<box<std::uint64_t>>(R"({"v":18446744073709551616})"), "v",
                "non-negative integer (64-bit)", "number 18446744073709551616");
    check_error(decode_failure<box<std::int64_t>>(R"({"v":0.5})"), "v", "integer (64-bit)", "number 0.5");
    check_error(decode_failure<box<std::uint64_t>>(R"({"v":3.0})"), "v", "non-negative integer (64-bit)",
                "number 3.0");
}

TEST_CASE("a missing required key: the path is the key") {
    check_error(decode_failure<point>(R"({"x":1})"), "y", "integer in [-2147483648, 2147483647]", "no such key");
    check_error(decode_failure<point>("{}"), "x", "integer in [-2147483648, 2147483647]", "no such key");
    check_error(decode_failure<item>(R"({"id":1})"), "name", "string", "no such key");
    check_error(decode_failure<session_rec>(R"({"id":"s"})"), "screenshots", "array", "no such key");
    check_error(decode_failure<session_rec>(R"({"id":"s","screenshots":[{"at_ms":1,"attachment":{"mime":"m"}}]})"),
                "screenshots[0].attachment.base64", "string", "no such key");
    check_error(decode_failure<nests_plain>(R"({"p":{"x":1,"y":2},"ps":[{"y":1}]})"), "ps[0].x",
                "integer in [-2147483648, 2147483647]", "no such key");
    check_error(decode_failure<box<point>>("{}"), "v", "object", "no such key");
    check_error(decode_failure<box<std::map<std::string, int>>>("{}"), "v", "object", "no such key");
}

TEST_CASE("unknown keys: rejected by default, naming the key") {
    check_error(decode_failure<point>(R"({"x":1,"y":2,"z":3})"), "z", "only the keys the struct declares",
                R"(unknown key "z")");
    check_error(decode_failure<nests_plain>(R"({"p":{"x":1,"y":2,"extra":[]},"ps":[]})"), "p.extra",
                "only the keys the struct declares", R"(unknown key "extra")");
    check_error(decode_failure<point>(R"({"x":1,"\u00e9":2,"y":2})"), "\xC3\xA9",
                "only the keys the struct declares", "unknown key \"\xC3\xA9\"");
    check_error(decode_failure<rejects_unknown, ignore_unknown>(R"({"id":1,"z":2})"), "z",
                "only the keys the struct declares", R"(unknown key "z")");
}

TEST_CASE("unknown keys: ignored when the call says so") {
    strata::json::decoder decoder;
    const auto p = decoder.decode<point, ignore_unknown>(R"({"z":{"deep":[1,{"a":[]}]},"x":1,"w":"s","y":2,"v":null})");
    CHECK(p == point{1, 2});
    // The option reaches nested structs.
    const auto nested = decoder.decode<nests_plain, ignore_unknown>(R"({"p":{"x":1,"y":2,"q":0},"ps":[{"x":3,"y":4,"r":[]}],"s":1})");
    CHECK(nested.p == point{1, 2});
    REQUIRE(nested.ps.size() == 1);
    CHECK(nested.ps[0] == point{3, 4});
    // Ignoring does not excuse a missing key.
    check_error(decode_failure<point, ignore_unknown>(R"({"x":1,"z":2})"), "y",
                "integer in [-2147483648, 2147483647]", "no such key");
}

TEST_CASE("unknown keys: ignored when the struct says so") {
    strata::json::decoder decoder;
    const auto value = decoder.decode<ignores_unknown>(R"({"id":1,"extra":[1,2,{"x":3}],"name":"n","more":"m"})");
    CHECK(value.id == 1);
    CHECK(value.name == "n");
    CHECK(strata::json::encode(value) == R"({"id":1,"name":"n"})");
}

TEST_CASE("unknown keys: an ignored value must still be valid JSON") {
    // The decoder skips the value, but the document is malformed all the same.
    CHECK(decode_failure<ignores_unknown>(R"({"id":1,"extra":[1 2],"name":"n"})").has_value());
    CHECK(decode_failure<point, ignore_unknown>(R"({"x":1,"z":[tru],"y":2})").has_value());
}

TEST_CASE("duplicate keys are errors") {
    check_error(decode_failure<point>(R"({"x":1,"y":2,"x":3})"), "x", "each key once", R"(a second "x")");
    check_error(decode_failure<with_optional>(R"({"id":1,"note":null,"note":"a"})"), "note", "each key once",
                R"(a second "note")");
    check_error(decode_failure<std::map<std::string, int>>(R"({"a":1,"b":2,"a":3})"), "a", "each key once",
                R"(a second "a")");
    check_error(decode_failure<box<std::map<std::string, int>>>(R"({"v":{"a":1,"\u0061":3}})"), "v.a",
                "each key once", R"(a second "a")");
    check_error(decode_failure<keeps_unknown>(R"({"id":1,"name":"","x":1,"x":2})"), "x", "each key once",
                R"(a second "x")");
    check_error(decode_failure<nests_plain>(R"({"p":{"x":1,"y":2},"ps":[{"x":1,"y":2,"y":3}]})"), "ps[0].y",
                "each key once", R"(a second "y")");
}

TEST_CASE("duplicate keys are errors even when unknown keys are ignored") {
    // decode.hpp: "A key that appears twice is an error."
    CHECK(decode_failure<ignores_unknown>(R"({"id":1,"name":"n","x":1,"x":2})").has_value());
    CHECK(decode_failure<point, ignore_unknown>(R"({"x":1,"y":2,"z":1,"z":2})").has_value());
}

TEST_CASE("malformed JSON is a decode_error") {
    struct malformed_case {
        std::string_view input;
        std::string_view part;  // in what()
    };
    const malformed_case cases[] = {
        {"", "malformed JSON"},
        {"   ", "malformed JSON"},
        {"{", "malformed JSON"},
        {R"({"x")", "malformed JSON"},
        {R"({"x":)", "malformed JSON"},
        {R"({"x":1,"y":2)", "malformed"},
        {R"({"x":1,"y":)", "malformed"},
        {R"({"x":1 "y":2})", "malformed JSON"},
        {R"({"x":1,,"y":2})", "malformed JSON"},
        {R"({,"x":1,"y":2})", "malformed JSON"},
        {R"({"x":1,"y":2,})", "malformed JSON"},
        {R"({"x" 1,"y":2})", "malformed JSON"},
        {R"({'x':1,"y":2})", "malformed JSON"},
        {R"({x:1,"y":2})", "malformed JSON"},
        {R"({"x":01,"y":2})", "malformed number"},
        {R"({"x":+1,"y":2})", "expected integer"},
        {R"({"x":-,"y":2})", "expected integer"},
        {R"({"x":tru,"y":2})", "the bare word tru"},
        {R"({"x":nul,"y":2})", "expected integer"},
        {R"({"x":hello,"y":2})", "expected integer"},
        {"nul", "malformed JSON"},
        {"hello", "malformed JSON"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        const auto error = decode_failure<point>(c.input);
        REQUIRE(error.has_value());
        CHECK(contains(error->what(), c.part));
        CHECK(contains(error->what(), "expected "));
        CHECK(contains(error->what(), ", found "));
    }

    const malformed_case array_cases[] = {
        {"[", ""},
        {"[1,2", ""},
        {"[1,2,", ""},
        {"[1,2,]", ""},
        {"[1 2]", "malformed JSON"},
        {"[1,,2]", "malformed JSON"},
        {"[,]", "malformed JSON"},
        {"[1,tru]", "the bare word tru"},
        {"[1,True]", "malformed JSON"},
        {"[1,[2]]", "found array"},
    };
    for (const auto& c : array_cases) {
        CAPTURE(c.input);
        const auto error = decode_failure<std::vector<int>>(c.input);
        REQUIRE(error.has_value());
        CHECK(contains(error->what(), c.part));
    }

    // Paths are kept where the damage is inside.
    check_error(decode_failure<box<std::vector<int>>>(R"({"v":[1,2 3]})"), "v[2]", "valid JSON",
                "malformed JSON (The JSON document has an improper structure: missing or superfluous commas, "
                "braces, missing keys, etc.)");
    check_error(decode_failure<box<std::map<std::string, int>>>(R"({"v":{"a":1 "b":2}})"), "v", "valid JSON",
                "malformed JSON (The JSON document has an improper structure: missing or superfluous commas, "
                "braces, missing keys, etc.)");
    check_error(decode_failure<box<bool>>(R"({"v":truex})"), "v", "boolean", "malformed JSON (the bare word truex)");
}

TEST_CASE("a bare word is not reported as the value it resembles") {
    // `nul` is not null: the message must not claim "found null" when null was acceptable.
    const auto error = decode_failure<box<std::optional<int>>>(R"({"v":nul})");
    REQUIRE(error.has_value());
    CHECK(error->path() == "v");
    CHECK(error->expected() == "integer in [-2147483648, 2147483647] or null");
    CHECK(error->found() != "null");
}

TEST_CASE("malformed JSON inside a raw value or an unknown field is an error") {
    // The raw text is written back verbatim, so accepting it would make the encoder emit
    // invalid JSON.
    const std::string_view bad_values[] = {"[1 2]", "[1,]", "[1,,2]", "[tru]", R"({"a":[}])", R"({"a":1,})",
                                           R"([{"a" 1}])"};
    for (std::string_view bad : bad_values) {
        CAPTURE(bad);
        const std::string raw_doc = R"({"raw":)" + std::string(bad) + R"(,"n":1})";
        CHECK(decode_failure<with_raw>(raw_doc).has_value());
        const std::string unknown_doc = R"({"id":1,"name":"","x":)" + std::string(bad) + "}";
        CHECK(decode_failure<keeps_unknown>(unknown_doc).has_value());
    }
    // Scalars are validated already.
    check_error(decode_failure<with_raw>(R"({"raw":tru,"n":1})"), "raw", "a JSON value", "malformed JSON (the bare word tru)");
    check_error(decode_failure<with_raw>(R"({"raw":01,"n":1})"), "raw", "a JSON value",
                "a malformed number (or a document that ends too early): 01");
    CHECK(decode_failure<with_raw>(R"({"raw":"\ud800","n":1})").has_value());
    CHECK(decode_failure<keeps_unknown>(R"({"id":1,"name":"","x":"\x"})").has_value());
    // A lone surrogate is rejected in a string member; it must be inside a raw container too.
    CHECK(decode_failure<with_raw>(R"({"raw":["\ud800"],"n":1})").has_value());
    CHECK(decode_failure<keeps_unknown>(R"({"id":1,"name":"","x":{"a":"\ud800"}})").has_value());
}

TEST_CASE("trailing content after the root is an error") {
    check_error(decode_failure<point>(R"({"x":1,"y":2} x)"), "", "the end of the document", "more content: x");
    check_error(decode_failure<point>(R"({"x":1,"y":2}{"z":3})"), "", "the end of the document",
                R"(more content: {"z":3})");
    check_error(decode_failure<std::vector<int>>("[1] [2]"), "", "the end of the document", "more content: [2]");
    check_error(decode_failure<std::vector<int>>("[1] 2"), "", "the end of the document", "more content: 2");
    CHECK(decode_failure<point>(R"({"x":1,"y":2},)").has_value());
    CHECK(decode_failure<point>(R"({"x":1,"y":2} null)").has_value());
    // Whitespace after the root is fine.
    strata::json::decoder decoder;
    CHECK(decoder.decode<point>(" \t\r\n{\"x\":1,\"y\":2} \t\r\n") == point{1, 2});
}

TEST_CASE("trailing content is shown, even when it is a closing bracket") {
    const auto error = decode_failure<point>(R"({"x":1,"y":2}})");
    REQUIRE(error.has_value());
    CHECK(error->path() == "");
    CHECK(error->expected() == "the end of the document");
    CHECK(error->found() == "more content: }");
}

TEST_CASE("invalid UTF-8 in the input is an error") {
    const std::string inputs[] = {
        "{\"v\":\"\xff\"}",              // never valid
        "{\"v\":\"\xc0\xaf\"}",          // overlong
        "{\"v\":\"\xe2\x82\"}",          // truncated sequence
        "{\"v\":\"\x80\"}",              // lone continuation byte
        "{\"v\":\"\xed\xa0\x80\"}",      // a surrogate encoded in UTF-8
        "{\"v\":\"\xf4\x90\x80\x80\"}",  // above U+10FFFF
        "{\"v\":\"ok\",\"\xff\":1}",     // in a key
    };
    for (const std::string& input : inputs) {
        CAPTURE(input);
        check_error(decode_failure<box<std::string>>(input), "", "valid JSON",
                    "malformed JSON (The input is not valid UTF-8)");
        // Even where the value would be skipped or kept raw.
        CHECK(decode_failure<box<strata::raw_json>>(input).has_value());
    }
}

TEST_CASE("invalid escapes and lone surrogates are errors") {
    const std::string_view inputs[] = {
        R"({"v":"\ud800"})",        // lone high surrogate
        R"({"v":"a\ud800b"})",      // lone high surrogate, then text
        R"({"v":"\ude00"})",        // lone low surrogate
        R"({"v":"\ud83d\u0041"})",  // high surrogate, then not a low one
        R"({"v":"\x"})",            // no such escape
        R"({"v":"\u12"})",          // short \u
        R"({"v":"\u12g4"})",        // not hex
    };
    for (std::string_view input : inputs) {
        CAPTURE(input);
        check_error(decode_failure<box<std::string>>(input), "v", "string", "a string with an invalid escape");
    }
    check_error(decode_failure<box<std::vector<std::string>>>(R"({"v":["ok","\ud800"]})"), "v[1]", "string",
                "a string with an invalid escape");
    // An unescaped control character inside a string is malformed.
    CHECK(decode_failure<box<std::string>>("{\"v\":\"a\x01z\"}").has_value());
    CHECK(decode_failure<box<std::string>>("{\"v\":\"a\nz\"}").has_value());
}

TEST_CASE("set_document names the document in what()") {
    auto error = decode_failure<session_rec>(R"({"id":"s","screenshots":[{"at_ms":"x"}]})");
    REQUIRE(error.has_value());
    const std::string before = error->what();
    CHECK(before == R"(at screenshots[0].at_ms: expected integer (64-bit), found string "x")");
    error->set_document("session-000007");
    CHECK(error->document() == "session-000007");
    CHECK(std::string(error->what()) == "document \"session-000007\": " + before);
    CHECK(error->path() == "screenshots[0].at_ms");

    strata::encode_error encoding("a finite number", "NaN");
    encoding.prepend_key("x");
    encoding.set_document("ID");
    CHECK(std::string(encoding.what()).starts_with("document \"ID\": "));
    CHECK(std::string(encoding.what()) == R"(document "ID": at x: expected a finite number, found NaN)");

    // The hierarchy: every document error is a strata::error.
    static_assert(std::is_base_of_v<strata::document_error, strata::decode_error>);
    static_assert(std::is_base_of_v<strata::document_error, strata::encode_error>);
    static_assert(std::is_base_of_v<strata::error, strata::document_error>);
    static_assert(!std::is_base_of_v<strata::decode_error, strata::encode_error>);
}

// =============================================================================================
// Encode errors

TEST_CASE("encoding NaN or infinity is an encode_error with its path") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    check_error(encode_failure(box<double>{nan}), "v", "a finite number", "NaN");
    check_error(encode_failure(box<double>{inf}), "v", "a finite number", "infinity");
    check_error(encode_failure(box<double>{-inf}), "v", "a finite number", "infinity");
    check_error(encode_failure(box<float>{std::numeric_limits<float>::quiet_NaN()}), "v", "a finite number", "NaN");
    check_error(encode_failure(box<float>{-std::numeric_limits<float>::infinity()}), "v", "a finite number",
                "infinity");

    nested_number n{{1.0, 2.0f}, {0.5, 1.5}, {{"a", 1.0f}}};
    CHECK(strata::json::encode(n) == R"({"inner":{"d":1,"f":2},"list":[0.5,1.5],"by_name":{"a":1}})");
    n.inner.f = std::numeric_limits<float>::infinity();
    check_error(encode_failure(n), "inner.f", "a finite number", "infinity");
    n.inner.f = 0;
    n.list[1] = nan;
    check_error(encode_failure(n), "list[1]", "a finite number", "NaN");
    n.list[1] = 0;
    n.by_name["b"] = std::numeric_limits<float>::quiet_NaN();
    check_error(encode_failure(n), "by_name.b", "a finite number", "NaN");
    check_error(encode_failure(std::vector<std::optional<double>>{1.0, std::nullopt, nan}), "[2]", "a finite number",
                "NaN");
    check_error(encode_failure(box<std::optional<double>>{inf}), "v", "a finite number", "infinity");
}

TEST_CASE("encoding invalid UTF-8 is an encode_error with its path") {
    const std::string bad_strings[] = {"\xff", "a\xc0\xaf", "\xe2\x82", "\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
    for (const std::string& bad : bad_strings) {
        CAPTURE(bad);
        check_error(encode_failure(box<std::string>{bad}), "v", "a UTF-8 string", "bytes that are not UTF-8");
        text_holder t;
        t.name = "ok";
        t.tags = {"fine", bad};
        check_error(encode_failure(t), "tags[1]", "a UTF-8 string", "bytes that are not UTF-8");
        t.tags.clear();
        t.labels = {{"k", bad}};
        check_error(encode_failure(t), "labels.k", "a UTF-8 string", "bytes that are not UTF-8");
        check_error(encode_failure(box<std::optional<std::string>>{bad}), "v", "a UTF-8 string",
                    "bytes that are not UTF-8");
    }
    text_holder key;
    key.labels = {{"\xff", "v"}};
    const auto key_error = encode_failure(key);
    REQUIRE(key_error.has_value());
    CHECK(key_error->path().starts_with("labels."));
    CHECK(key_error->found() == "bytes that are not UTF-8");

    keeps_unknown unknown{1, {}, "n"};
    unknown.rest.push_back("\xff", strata::raw_json("1"));
    check_error(encode_failure(unknown), "(unknown key)", "a UTF-8 string", "bytes that are not UTF-8");
}

TEST_CASE("encode_to appends to the buffer") {
    std::string out = "prefix:";
    strata::json::encode_to(out, point{1, 2});
    CHECK(out == R"(prefix:{"x":1,"y":2})");
    strata::json::encode_to(out, std::vector<int>{3});
    CHECK(out == R"(prefix:{"x":1,"y":2}[3])");
}

// =============================================================================================
// The decoder object

TEST_CASE("one decoder reads many documents of different types") {
    strata::json::decoder decoder;
    for (int round = 0; round < 200; ++round) {
        CAPTURE(round);
        const std::string long_name(static_cast<std::size_t>(round % 7) * 50, 'n');
        const item i = decoder.decode<item>(R"({"id":)" + std::to_string(round) + R"(,"name":")" + long_name + "\"}");
        CHECK(i == item{round, long_name});
        CHECK(decoder.decode<point>(R"({"x":1,"y":2})") == point{1, 2});
        std::string array_text = "[";  // built step by step: GCC 12 warns wrongly on "[" + s + "]"
        array_text += std::to_string(round);
        array_text += ']';
        CHECK(decoder.decode<std::vector<int>>(array_text) == std::vector<int>{round});
        CHECK(decoder.decode<std::map<std::string, int>>(R"({"k":3})") == std::map<std::string, int>{{"k", 3}});
        const auto v = decoder.decode<versioned>(R"({"schemaVersion":2,"name":"x","count":1})");
        CHECK(v == versioned{"x", 1});
    }
}

TEST_CASE("a failed decode does not break the next one") {
    strata::json::decoder decoder;
    CHECK_THROWS_AS(decoder.decode<point>(R"({"x":1,"y":)"), strata::decode_error);
    CHECK(decoder.decode<point>(R"({"x":1,"y":2})") == point{1, 2});
    CHECK_THROWS_AS(decoder.decode<point>("\xff"), strata::decode_error);
    CHECK(decoder.decode<item>(R"({"id":3,"name":"z"})") == item{3, "z"});
    CHECK_THROWS_AS(decoder.decode<point>(R"({"x":1,"y":2,"z":3})"), strata::decode_error);
    CHECK(decoder.decode<std::vector<int>>("[1,2,3]") == std::vector<int>{1, 2, 3});
    CHECK_THROWS_AS(decoder.decode<std::vector<int>>("[1,2,"), strata::decode_error);
    CHECK(decoder.decode<std::vector<int>>("[4]") == std::vector<int>{4});
    CHECK_THROWS_AS(decoder.decode<box<std::string>>(R"({"v":"\ud800"})"), strata::decode_error);
    CHECK(decoder.decode<box<std::string>>(R"({"v":"\ud83d\ude00"})").v == "\xF0\x9F\x98\x80");

    // The free function (a thread's decoder) too.
    CHECK_THROWS_AS(strata::json::decode<point>("{"), strata::decode_error);
    CHECK(strata::json::decode<point>(R"({"x":5,"y":6})") == point{5, 6});
}

TEST_CASE("a decoder's earlier documents do not change what it reports for the next") {
    // The decoder copies each document into a reused buffer: what lies past the end of the
    // current document must not leak into the result.
    {
        strata::json::decoder reused;
        CHECK_THROWS_AS(reused.decode<std::vector<int>>("[1] [2]"), strata::decode_error);
        const auto error = error_of<strata::decode_error>([&] { (void)reused.decode<std::vector<int>>("[1] 2"); });
        REQUIRE(error.has_value());
        CHECK(error->found() == "more content: 2");
    }
    {
        strata::json::decoder reused;
        CHECK(reused.decode<item>(R"({"id":-9223,"name":"a long name here"})") == item{-9223, "a long name here"});
        const auto error = error_of<strata::decode_error>([&] { (void)reused.decode<point>(R"({"x":1,"y":2} x)"); });
        REQUIRE(error.has_value());
        CHECK(error->found() == "more content: x");
    }
    // A truncated document gives the same error from a new decoder and from a used one.
    const std::pair<std::string_view, std::string_view> truncated[] = {
        {"[[1]]", "[[1]"}, {"[[1,2]]", "[[1,2]"}, {"[1,23]", "[1,2"}, {"[1,2]", "[1,2"}};
    for (const auto& [earlier, damaged] : truncated) {
        CAPTURE(earlier);
        CAPTURE(damaged);
        const auto fresh = decode_failure<std::vector<std::vector<int>>>(damaged);
        const auto fresh_flat = decode_failure<std::vector<int>>(damaged);
        strata::json::decoder reused;
        std::optional<strata::decode_error> after;
        if (earlier.starts_with("[[")) {
            (void)reused.decode<std::vector<std::vector<int>>>(earlier);
            after = error_of<strata::decode_error>([&] { (void)reused.decode<std::vector<std::vector<int>>>(damaged); });
            REQUIRE(fresh.has_value());
            REQUIRE(after.has_value());
            CHECK(std::string(after->what()) == std::string(fresh->what()));
        } else {
            (void)reused.decode<std::vector<int>>(earlier);
            after = error_of<strata::decode_error>([&] { (void)reused.decode<std::vector<int>>(damaged); });
            REQUIRE(fresh_flat.has_value());
            REQUIRE(after.has_value());
            CHECK(std::string(after->what()) == std::string(fresh_flat->what()));
        }
        CHECK_FALSE(after->found().starts_with("more content"));
    }
    {
        strata::json::decoder reused;
        CHECK(reused.decode<point>(R"({"x":1,"y":2})") == point{1, 2});
        const auto error = error_of<strata::decode_error>([&] { (void)reused.decode<point>(R"({"x":1,"y":2)"); });
        REQUIRE(error.has_value());
        CHECK_FALSE(error->found().starts_with("more content"));
    }
}

TEST_CASE("decode_into reuses a value and resets everything the document does not set") {
    strata::json::decoder decoder;
    keeps_unknown k{9, {}, "old"};
    k.rest.push_back("stale", strata::raw_json("1"));
    decoder.decode_into(R"({"id":1,"name":"new","fresh":2})", k);
    CHECK(k.id == 1);
    CHECK(k.name == "new");
    REQUIRE(k.rest.size() == 1);
    CHECK(k.rest.begin()->key == "fresh");

    with_optional o{1, "note", 5};
    decoder.decode_into(R"({"id":2})", o);
    CHECK(o == with_optional{2, std::nullopt, std::nullopt});

    inventory inv{{{1, "a"}, {2, "b"}}, {{"g", {1, 2}}, {"h", {}}}};
    decoder.decode_into(R"({"items":[{"id":3,"name":"c"}],"groups":{"k":[7]}})", inv);
    CHECK(inv == inventory{{{3, "c"}}, {{"k", {7}}}});

    std::vector<int> list{1, 2, 3};
    decoder.decode_into("[]", list);
    CHECK(list.empty());

    CHECK_THROWS_AS(decoder.decode_into<ignore_unknown>(R"({"x":1})", o), strata::decode_error);
    decoder.decode_into<ignore_unknown>(R"({"id":4,"zzz":1})", o);
    CHECK(o.id == 4);
}

TEST_CASE("iterate and decode_document read a document looked at first") {
    strata::json::decoder decoder;
    auto doc = decoder.iterate(R"({"schemaVersion":2,"name":"a","count":3})");
    std::uint64_t version = 0;
    REQUIRE(doc["schemaVersion"].get_uint64().get(version) == simdjson::SUCCESS);
    CHECK(version == 2);
    doc.rewind();
    versioned v;
    decoder.decode_document(doc, v);
    CHECK(v == versioned{"a", 3});

    auto other = decoder.iterate(R"({"x":1,"y":2} z)");
    point p;
    const auto error = error_of<strata::decode_error>([&] { decoder.decode_document(other, p); });
    REQUIRE(error.has_value());
    CHECK(error->expected() == "the end of the document");
    CHECK_THROWS_AS(decoder.iterate(""), strata::decode_error);
}

TEST_CASE("a document with padding is parsed in place; one without is copied") {
    strata::json::decoder decoder;
    const std::string_view json = R"({"x":1,"y":-2})";
    // Padding that looks like more JSON: its contents must not matter.
    std::string buffer(json);
    buffer += std::string(simdjson::SIMDJSON_PADDING, '9');
    const simdjson::padded_string_view padded(buffer.data(), json.size(), buffer.size());

    auto doc = decoder.iterate(padded);
    const char* at = nullptr;
    REQUIRE(doc.current_location().get(at) == simdjson::SUCCESS);
    CHECK(at == buffer.data());  // in place
    CHECK(decoder.decode<point>(padded) == point{1, -2});
    point p;
    decoder.decode_into(padded, p);
    CHECK(p == point{1, -2});
    CHECK(strata::json::decode<point>(padded) == point{1, -2});

    // A root array followed by more numbers and brackets in the padding ends where it ends.
    std::string numbers = "[4,2]";
    numbers += std::string(simdjson::SIMDJSON_PADDING, ']');
    numbers.replace(5, 3, ",7]");
    CHECK(decoder.decode<std::vector<int>>(simdjson::padded_string_view(numbers.data(), 5, numbers.size())) ==
          std::vector<int>{4, 2});

    // Too little padding: copied (the document then lives in the decoder's buffer).
    const simdjson::padded_string_view short_padding(buffer.data(), json.size(), json.size() + 8);
    auto copied = decoder.iterate(short_padding);
    REQUIRE(copied.current_location().get(at) == simdjson::SUCCESS);
    CHECK(at != buffer.data());
    CHECK(decoder.decode<point>(short_padding) == point{1, -2});

    // A simdjson::padded_string, and errors, work the same way.
    const simdjson::padded_string owned(json);
    CHECK(decoder.decode<point>(owned) == point{1, -2});
    CHECK(strata::json::decode<point>(owned) == point{1, -2});
    std::string trailing = R"({"x":1,"y":2} z)";
    trailing.reserve(trailing.size() + simdjson::SIMDJSON_PADDING);
    const auto error = error_of<strata::decode_error>(
        [&] { (void)decoder.decode<point>(simdjson::padded_string_view(trailing)); });
    REQUIRE(error.has_value());
    CHECK(error->expected() == "the end of the document");
    CHECK(error->found() == "more content: z");
}

TEST_CASE("type_name describes what the codec expects") {
    using strata::json::type_name;
    CHECK(type_name<bool>() == "boolean");
    CHECK(type_name<std::int8_t>() == "integer in [-128, 127]");
    CHECK(type_name<std::uint16_t>() == "integer in [0, 65535]");
    CHECK(type_name<std::int64_t>() == "integer (64-bit)");
    CHECK(type_name<std::uint64_t>() == "non-negative integer (64-bit)");
    CHECK(type_name<double>() == "number");
    CHECK(type_name<std::string>() == "string");
    CHECK(type_name<strata::raw_json>() == "a JSON value");
    CHECK(type_name<std::optional<std::string>>() == "string or null");
    CHECK(type_name<std::vector<int>>() == "array");
    CHECK(type_name<std::map<std::string, int>>() == "object");
    CHECK(type_name<point>() == "object");
}
