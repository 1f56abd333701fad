#include <strata/json/diff.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using diffs = std::vector<strata::difference>;

// The message of the std::invalid_argument that `f` throws ("" when it throws none).
template <class F>
std::string invalid_argument_of(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

std::size_t chars_of(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
    }
    return n;
}

// Numbers `a` and `b` (JSON texts) are equal both ways, alone and inside a document.
bool numbers_equal(std::string_view a, std::string_view b) {
    const bool alone = strata::json_equal(a, b) && strata::json_equal(b, a);
    const std::string in_a = "{\"n\":[" + std::string(a) + "]}";
    const std::string in_b = "{\"n\":[" + std::string(b) + "]}";
    const bool nested = strata::diff_json(in_a, in_b).empty() && strata::diff_json(in_b, in_a).empty();
    CHECK(alone == nested);
    return alone && nested;
}

}  // namespace

TEST_CASE("json: whitespace and member order do not matter") {
    const std::string_view a = R"({"title":"demo","config":{"audio_enabled":true,"volume":7},"tags":[1,2]})";
    const std::string_view b = R"(
        {
          "tags" : [ 1, 2 ],
          "config" : { "volume" : 7, "audio_enabled" : true },
          "title" : "demo"
        })";
    CHECK(strata::diff_json(a, b).empty());
    CHECK(strata::json_equal(a, b));
    CHECK(strata::json_equal(b, a));
    // Order inside arrays does matter.
    CHECK_FALSE(strata::json_equal(R"([1,2])", R"([2,1])"));
}

TEST_CASE("json: nested paths through objects and arrays") {
    const std::string_view a = R"({"screenshots":[{"attachment":{"hash":"h0"}},{"attachment":{"hash":"h1"}},
                                                  {"attachment":{"hash":"h2","name":"c.png"}}],
                                   "config":{"audio_enabled":true}})";
    const std::string_view b = R"({"config":{"audio_enabled":false},
                                   "screenshots":[{"attachment":{"hash":"h0"}},{"attachment":{"hash":"h1"}},
                                                  {"attachment":{"name":"c.png","hash":"H2"}}]})";
    CHECK(strata::diff_json(a, b) ==
          diffs{{"config.audio_enabled", "true", "false"},
                {"screenshots[2].attachment.hash", "\"h2\"", "\"H2\""}});
    CHECK(strata::format(strata::diff_json(a, b)) ==
          "config.audio_enabled: true != false\n"
          "screenshots[2].attachment.hash: \"h2\" != \"H2\"\n");
    CHECK_FALSE(strata::json_equal(a, b));
}

TEST_CASE("json: arrays of different lengths, then the common prefix") {
    CHECK(strata::diff_json(R"({"s":[1,2,3,4]})", R"({"s":[1,9]})") ==
          diffs{{"s.length", "4", "2"}, {"s[1]", "2", "9"}});
    CHECK(strata::diff_json(R"({"s":[]})", R"({"s":[{"a":1},{"b":2}]})") == diffs{{"s.length", "0", "2"}});
    // At the root: bare "length" and "[i]".
    CHECK(strata::diff_json("[1,2]", "[0]") == diffs{{"length", "2", "1"}, {"[0]", "1", "0"}});
}

TEST_CASE("json: a member on one side only is absent on the other") {
    CHECK(strata::diff_json(R"({"a":1,"b":{"x":[1,2]},"d":null})", R"({"a":1,"c":"new","d":null})") ==
          diffs{{"b", "{\"x\":[1,2]}", "absent"}, {"c", "absent", "\"new\""}});
    CHECK(strata::diff_json(R"({"o":{}})", R"({"o":{"k":null}})") == diffs{{"o.k", "absent", "null"}});
    // A null member is not the same as a missing one.
    CHECK_FALSE(strata::json_equal(R"({"k":null})", "{}"));
}

TEST_CASE("json: values of different types name the types") {
    CHECK(strata::diff_json(R"({"v":"abc"})", R"({"v":3})") ==
          diffs{{"v", "string \"abc\"", "number 3"}});
    CHECK(strata::diff_json(R"({"v":null})", R"({"v":{"a":1}})") ==
          diffs{{"v", "null", "object {\"a\":1}"}});
    CHECK(strata::diff_json(R"([true])", R"([[false]])") ==
          diffs{{"[0]", "boolean true", "array [false]"}});
    CHECK(strata::diff_json(R"("3")", "3") == diffs{{"(root)", "string \"3\"", "number 3"}});
    CHECK(strata::diff_json("0", "false") == diffs{{"(root)", "number 0", "boolean false"}});
    CHECK(strata::diff_json("[]", "{}") == diffs{{"(root)", "array []", "object {}"}});
    CHECK(strata::diff_json("2.5", "null") == diffs{{"(root)", "number 2.5", "null"}});
}

TEST_CASE("json: a difference at the root has the path (root)") {
    CHECK(strata::diff_json("1", "2") == diffs{{"(root)", "1", "2"}});
    CHECK(strata::diff_json(R"("a")", R"("b")") == diffs{{"(root)", "\"a\"", "\"b\""}});
    CHECK(strata::diff_json("true", "false") == diffs{{"(root)", "true", "false"}});
    CHECK(strata::json_equal("null", " null "));
}

TEST_CASE("json: integers and floating-point numbers compare by mathematical value") {
    // Integer and double: equal only when the double is exactly the integer.
    CHECK(numbers_equal("3", "3.0"));
    CHECK(numbers_equal("100", "1e2"));
    CHECK(numbers_equal("-7", "-7.000"));
    CHECK(numbers_equal("0", "-0"));
    CHECK(numbers_equal("0", "-0.0"));
    CHECK(numbers_equal("0", "0e10"));
    CHECK_FALSE(numbers_equal("3", "3.5"));
    CHECK_FALSE(numbers_equal("3", "2.9999"));
    // 9007199254740993.0 reads as the double 9007199254740992.
    CHECK(numbers_equal("9007199254740992", "9007199254740993.0"));
    CHECK_FALSE(numbers_equal("9007199254740993", "9007199254740993.0"));
    // At the edges of int64 and uint64.
    CHECK(numbers_equal("-9223372036854775808", "-9223372036854775808.0"));
    CHECK_FALSE(numbers_equal("9223372036854775807", "9223372036854775808.0"));
    CHECK(numbers_equal("9223372036854775808", "9223372036854775808.0"));  // a uint64
    CHECK_FALSE(numbers_equal("18446744073709551615", "18446744073709551615.0"));  // 2^64
    CHECK(numbers_equal("18446744073709549568", "1.8446744073709549568e19"));
    // Signed and unsigned integers.
    CHECK(numbers_equal("9223372036854775807", "9223372036854775807"));
    CHECK(numbers_equal("18446744073709551615", "18446744073709551615"));
    CHECK_FALSE(numbers_equal("9223372036854775807", "9223372036854775808"));
    CHECK_FALSE(numbers_equal("-1", "18446744073709551615"));
    // Two doubles compare as doubles.
    CHECK(numbers_equal("0.1", "0.1000000000000000055511151231257827"));
    CHECK(numbers_equal("1.5e3", "1500.0"));
    CHECK_FALSE(numbers_equal("0.1", "0.2"));

    CHECK(strata::diff_json("[0.1, 3, -4, 18446744073709551615]", "[0.2, 3.5, -4.0, 1e300]") ==
          diffs{{"[0]", "0.1", "0.2"}, {"[1]", "3", "3.5"}, {"[3]", "18446744073709551615", "1e+300"}});
}

TEST_CASE("json: strings compare byte for byte after unescaping") {
    CHECK(strata::json_equal(R"("\u00e9")", "\"\u00e9\""));
    CHECK(strata::json_equal(R"({"name":"caf\u00e9"})", "{\"name\":\"caf\u00e9\"}"));
    CHECK(strata::json_equal(R"("\ud83d\ude00")", "\"\U0001F600\""));
    CHECK(strata::json_equal(R"("a\/b\u0041")", R"("a/bA")"));
    CHECK(strata::json_equal(R"("\u0000x")", R"("\u0000x")"));
    CHECK_FALSE(strata::json_equal(R"("\u0000x")", R"("\u0000y")"));
    CHECK_FALSE(strata::json_equal(R"("\u00e9")", R"("e")"));
    // Composed and decomposed forms are different bytes: no Unicode normalisation.
    CHECK_FALSE(strata::json_equal(R"("\u00e9")", R"("e\u0301")"));
    CHECK_FALSE(strata::json_equal(R"("abc")", R"("abc ")"));
    // Keys are unescaped too, and the rendering shows the unescaped text (re-escaped where
    // needed).
    CHECK(strata::diff_json(R"({"a\u0062":"x\ty"})", R"({"ab":"\u00e9"})") ==
          diffs{{"ab", "\"x\\ty\"", "\"\u00e9\""}});
}

TEST_CASE("json: a repeated key counts once, first occurrence") {
    CHECK(strata::json_equal(R"({"k":1,"k":2})", R"({"k":1})"));
    CHECK(strata::diff_json(R"({"k":1,"k":2})", R"({"k":2})") == diffs{{"k", "1", "2"}});
    // Still the first when the object is large and unsorted (an unstable sort would not
    // keep the first of 500 repeats).
    std::string many = R"({"z":0)";
    for (int i = 0; i < 500; ++i) {
        many += R"(,"k":)" + std::to_string(i) + R"(,"m)" + std::to_string(i) + R"(":0)";
    }
    many += "}";
    const auto d = strata::diff_json(many, R"({"k":7})");
    REQUIRE(d.size() == 502);  // k, then m0...m499 and z absent on the right
    CHECK(d.front() == strata::difference{"k", "0", "7"});
    CHECK(d.back() == strata::difference{"z", "0", "absent"});
}

TEST_CASE("json: malformed input throws std::invalid_argument naming the side") {
    const std::string left = invalid_argument_of([] { (void)strata::diff_json(R"({"a":)", "{}"); });
    CHECK(contains(left, "left"));
    CHECK_FALSE(contains(left, "right"));
    CHECK(contains(left, "cannot parse the left document as JSON: "));

    const std::string right = invalid_argument_of([] { (void)strata::diff_json("{}", "[1,,2]"); });
    CHECK(contains(right, "right"));
    CHECK_FALSE(contains(right, "left"));

    // simdjson's own message is included.
    const std::string empty = invalid_argument_of([] { (void)strata::diff_json("[]", ""); });
    CHECK(contains(empty, "right"));
    CHECK(contains(empty, simdjson::error_message(simdjson::EMPTY)));
    const std::string tape = invalid_argument_of([] { (void)strata::diff_json("[1] 2", "[]"); });
    CHECK(contains(tape, "left"));
    CHECK(contains(tape, simdjson::error_message(simdjson::TAPE_ERROR)));

    CHECK_THROWS_AS((void)strata::json_equal("{}", "{\"a\" 1}"), std::invalid_argument);
    CHECK_THROWS_AS((void)strata::json_equal("nul", "null"), std::invalid_argument);
    CHECK(contains(invalid_argument_of([] { (void)strata::json_equal("[1]", "\"unterminated"); }), "right"));
    // Valid JSON that simdjson cannot represent is reported the same way.
    const std::string big = invalid_argument_of([] { (void)strata::diff_json("18446744073709551616", "1"); });
    CHECK(contains(big, "left"));
    CHECK(contains(big, simdjson::error_message(simdjson::NUMBER_ERROR)));
}

TEST_CASE("json: long renderings are cut to 80 characters") {
    const std::string long_text(500, 'q');
    const auto d = strata::diff_json("{\"s\":\"" + long_text + "\"}", R"({"s":1})");
    REQUIRE(d.size() == 1);
    CHECK(d[0].path == "s");
    CHECK(chars_of(d[0].left) == 80);
    CHECK(d[0].left == "string \"" + std::string(71, 'q') + "\u2026");
    CHECK(d[0].right == "number 1");
}

TEST_CASE("json: large documents, with members in another order") {
    // Two documents of several megabytes with one difference near the end.
    std::string a = R"({"screenshots":[)";
    std::string b = R"({"screenshots":[)";
    constexpr int count = 60'000;
    for (int i = 0; i < count; ++i) {
        const std::string n = std::to_string(i);
        const std::string sep = i == 0 ? "" : ",";
        a += sep + R"({"attachment":{"name":"shot-)" + n + R"(.png","hash":"0123456789abcdef)" + n +
             R"(","size":)" + n + R"(},"scale":1.5,"tags":["a","b"]})";
        const std::string hash = i == count - 2 ? "changed" : "0123456789abcdef" + n;
        b += sep + R"({"tags":["a","b"],"scale":1.5,"attachment":{"size":)" + n + R"(.0,"hash":")" +
             hash + R"(","name":"shot-)" + n + R"(.png"}})";
    }
    a += "]}";
    b += "]}";
    REQUIRE(a.size() > 4'000'000);
    CHECK(strata::diff_json(a, b) ==
          diffs{{"screenshots[59998].attachment.hash", "\"0123456789abcdef59998\"", "\"changed\""}});
    CHECK_FALSE(strata::json_equal(a, b));
    CHECK(strata::json_equal(a, a));

    // One wide object, keys in opposite orders.
    std::string wide_a = "{";
    std::string wide_b = "{";
    constexpr int keys = 100'000;
    for (int i = 0; i < keys; ++i) {
        wide_a += (i == 0 ? "\"k" : ",\"k") + std::to_string(i) + "\":" + std::to_string(i);
        const int j = keys - 1 - i;
        wide_b += (i == 0 ? "\"k" : ",\"k") + std::to_string(j) + "\":" + std::to_string(j == 777 ? -1 : j);
    }
    wide_a += "}";
    wide_b += "}";
    CHECK(strata::diff_json(wide_a, wide_b) == diffs{{"k777", "777", "-1"}});
}

TEST_CASE("json: deep nesting") {
    constexpr int depth = 400;
    std::string a;
    std::string b;
    std::string path;
    for (int i = 0; i < depth; ++i) {
        a += i % 2 == 0 ? R"({"x":0,"n":)" : "[";
        b += i % 2 == 0 ? R"({"n":)" : "[";
        path += i % 2 == 0 ? (i == 0 ? "n" : ".n") : "[0]";
    }
    a += "1";
    b += "2";
    for (int i = depth - 1; i >= 0; --i) {
        a += i % 2 == 0 ? "}" : "]";
        b += i % 2 == 0 ? R"(,"x":0})" : "]";
    }
    CHECK(strata::diff_json(a, b) == diffs{{path, "1", "2"}});
}
