#include <strata/diff.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diff_test {

enum class codec : std::uint8_t { png = 1, jpeg = 7 };
enum plain_level { low = -2, high = 40 };

struct attachment_ref {
    BOOST_HANA_DEFINE_STRUCT(attachment_ref, (std::string, name), (std::string, hash));
};

struct screenshot {
    BOOST_HANA_DEFINE_STRUCT(screenshot, (attachment_ref, attachment), (double, scale));
};

struct settings {
    BOOST_HANA_DEFINE_STRUCT(settings, (bool, audio_enabled), (int, volume), (codec, format));
};

// Not reflected: compared with its operator== and rendered <value>.
struct opaque {
    int id = 0;
    friend bool operator==(const opaque&, const opaque&) = default;
};

struct session {
    BOOST_HANA_DEFINE_STRUCT(session,
        (std::string, title),
        (settings, config),
        (std::vector<screenshot>, screenshots),
        (std::optional<std::string>, note),
        (std::optional<attachment_ref>, cover),
        (std::map<std::string, int>, tags),
        (std::map<std::string, settings>, profiles),
        (std::uint64_t, bytes),
        (float, ratio),
        (opaque, handle));
};

// A recursive record: the diffability check must not recurse into itself.
struct node {
    BOOST_HANA_DEFINE_STRUCT(node, (std::string, name), (std::vector<node>, children));
};

struct no_equality {
    int x = 0;
};

session sample() {
    session s;
    s.title = "demo";
    s.config = {true, 7, codec::png};
    s.screenshots = {{{"a.png", "h0"}, 1.0}, {{"b.png", "h1"}, 2.0}, {{"c.png", "h2"}, 0.5}};
    s.note = std::nullopt;
    s.cover = std::nullopt;
    s.tags = {{"alpha", 1}, {"beta", 2}};
    s.profiles = {{"main", {false, 3, codec::jpeg}}};
    s.bytes = 1024;
    s.ratio = 0.25F;
    s.handle = {5};
    return s;
}

// The number of characters (code points) of a UTF-8 string.
std::size_t chars_of(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
    }
    return n;
}

bool ends_with_ellipsis(std::string_view s) {
    constexpr std::string_view ellipsis = "\u2026";
    return s.size() >= ellipsis.size() && s.substr(s.size() - ellipsis.size()) == ellipsis;
}

}  // namespace diff_test

using namespace diff_test;

TEST_CASE("equal values have no differences") {
    const session a = sample();
    const session b = sample();
    CHECK(strata::diff(a, b).empty());
    CHECK(strata::equal(a, b));
    CHECK(strata::format(strata::diff(a, b)).empty());
}

TEST_CASE("a nested member is reported by its dotted path") {
    const session a = sample();
    session b = sample();
    b.config.audio_enabled = false;
    const auto d = strata::diff(a, b);
    REQUIRE(d.size() == 1);
    CHECK(d[0].path == "config.audio_enabled");
    CHECK(d[0].left == "true");
    CHECK(d[0].right == "false");
    CHECK(d[0] == strata::difference{"config.audio_enabled", "true", "false"});
    CHECK_FALSE(strata::equal(a, b));
}

TEST_CASE("vector elements are reported by index, down to nested members") {
    const session a = sample();
    session b = sample();
    b.screenshots[1].attachment.name = "B.png";
    b.screenshots[2].scale = 0.75;
    CHECK(strata::format(strata::diff(a, b)) ==
          "screenshots[1].attachment.name: \"b.png\" != \"B.png\"\n"
          "screenshots[2].scale: 0.5 != 0.75\n");
}

TEST_CASE("vectors of different lengths: one length difference, then the common prefix") {
    const session a = sample();
    session b = sample();
    b.screenshots.pop_back();
    b.screenshots[0].attachment.hash = "changed";
    const auto d = strata::diff(a, b);
    REQUIRE(d.size() == 2);
    CHECK(d[0] == strata::difference{"screenshots.length", "3", "2"});
    CHECK(d[1] == strata::difference{"screenshots[0].attachment.hash", "\"h0\"", "\"changed\""});

    // Longer on the right; the extra elements are not reported one by one.
    session c = sample();
    c.screenshots.push_back({{"d.png", "h3"}, 1.0});
    c.screenshots.push_back({{"e.png", "h4"}, 1.0});
    CHECK(strata::format(strata::diff(a, c)) == "screenshots.length: 3 != 5\n");
    CHECK_FALSE(strata::equal(a, c));
}

TEST_CASE("optionals: null against a value, two values, two nulls") {
    const session a = sample();
    session b = sample();
    b.note = "hello";
    CHECK(strata::diff(a, b) == std::vector<strata::difference>{{"note", "null", "\"hello\""}});
    CHECK(strata::diff(b, a) == std::vector<strata::difference>{{"note", "\"hello\"", "null"}});

    session c = sample();
    c.note = "bye";
    CHECK(strata::format(strata::diff(b, c)) == "note: \"hello\" != \"bye\"\n");

    // Two values of a struct type are compared member by member, at the same path.
    session d = sample();
    d.cover = attachment_ref{"cover.png", "x"};
    session e = sample();
    e.cover = attachment_ref{"cover.png", "y"};
    CHECK(strata::format(strata::diff(d, e)) == "cover.hash: \"x\" != \"y\"\n");
    // Null against a struct value: one difference, with the struct abbreviated.
    CHECK(strata::format(strata::diff(a, d)) ==
          "cover: null != {name: \"cover.png\", hash: \"x\"}\n");

    CHECK(strata::equal(a, sample()));  // both notes and covers null
    CHECK(strata::diff(std::optional<int>{}, std::optional<int>{}).empty());
}

TEST_CASE("maps with string keys: by key, with absent on the side that lacks one") {
    const session a = sample();
    session b = sample();
    b.tags.erase("beta");
    b.tags["gamma"] = 5;
    b.tags["alpha"] = 3;
    CHECK(strata::format(strata::diff(a, b)) ==
          "tags.alpha: 1 != 3\n"
          "tags.beta: 2 != absent\n"
          "tags.gamma: absent != 5\n");

    session c = sample();
    c.profiles["main"].volume = 4;
    c.profiles["spare"] = {true, 1, codec::png};
    CHECK(strata::format(strata::diff(a, c)) ==
          "profiles.main.volume: 3 != 4\n"
          "profiles.spare: absent != {audio_enabled: true, volume: 1, format: 1}\n");
}

TEST_CASE("numbers, enums and strings render as text") {
    session a = sample();
    session b = sample();
    b.bytes = std::numeric_limits<std::uint64_t>::max();
    b.ratio = 0.5F;
    b.config.volume = -12;
    b.config.format = codec::jpeg;
    b.title = "demo 2";
    CHECK(strata::format(strata::diff(a, b)) ==
          "title: \"demo\" != \"demo 2\"\n"
          "config.volume: 7 != -12\n"
          "config.format: 1 != 7\n"
          "bytes: 1024 != 18446744073709551615\n"
          "ratio: 0.25 != 0.5\n");

    CHECK(strata::diff(plain_level::low, plain_level::high) ==
          std::vector<strata::difference>{{"(root)", "-2", "40"}});
    CHECK(strata::diff('a', 'b') == std::vector<strata::difference>{{"(root)", "97", "98"}});
    CHECK(strata::diff(std::int8_t{-1}, std::int8_t{1}) ==
          std::vector<strata::difference>{{"(root)", "-1", "1"}});
    CHECK(strata::diff(1e300, 2.5e-7) ==
          std::vector<strata::difference>{{"(root)", "1e+300", "2.5e-07"}});
}

TEST_CASE("floating point: NaN equals NaN, zero equals negative zero") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(strata::equal(nan, nan));
    CHECK(strata::diff(nan, nan).empty());
    CHECK_FALSE(strata::equal(nan, 1.0));
    CHECK(strata::diff(1.0, nan).size() == 1);
    CHECK(strata::equal(0.0, -0.0));
    CHECK_FALSE(strata::equal(1.0, 1.0 + 1e-15));
}

TEST_CASE("types with operator== only are compared with it and rendered <value>") {
    const session a = sample();
    session b = sample();
    b.handle.id = 6;
    CHECK(strata::diff(a, b) == std::vector<strata::difference>{{"handle", "<value>", "<value>"}});
    CHECK(strata::equal(opaque{3}, opaque{3}));
    CHECK(strata::format(strata::diff(opaque{3}, opaque{4})) == "(root): <value> != <value>\n");
}

TEST_CASE("a difference at the root has the path (root); root containers start bare") {
    CHECK(strata::diff(1, 2) == std::vector<strata::difference>{{"(root)", "1", "2"}});
    CHECK(strata::diff(std::string("x"), std::string("y")) ==
          std::vector<strata::difference>{{"(root)", "\"x\"", "\"y\""}});
    CHECK(strata::diff(std::optional<int>{}, std::optional<int>{2}) ==
          std::vector<strata::difference>{{"(root)", "null", "2"}});
    CHECK(strata::format(strata::diff(std::vector<int>{1, 2, 3}, std::vector<int>{1, 5})) ==
          "length: 3 != 2\n"
          "[1]: 2 != 5\n");
    CHECK(strata::format(strata::diff(std::map<std::string, int>{{"k", 1}},
                                      std::map<std::string, int>{{"k", 2}})) == "k: 1 != 2\n");
}

TEST_CASE("vectors of bool and recursive records") {
    CHECK(strata::diff(std::vector<bool>{true, false}, std::vector<bool>{true, true}) ==
          std::vector<strata::difference>{{"[1]", "false", "true"}});

    const node a{"root", {{"x", {}}, {"y", {{"leaf", {}}, {"leaf2", {}}}}}};
    node b = a;
    b.children[1].children[1].name = "other";
    b.children[0].children.push_back({"new", {}});
    CHECK(strata::format(strata::diff(a, b)) ==
          "children[0].children.length: 0 != 1\n"
          "children[1].children[1].name: \"leaf2\" != \"other\"\n");
}

TEST_CASE("renderings: containers are abbreviated, strings escaped") {
    CHECK(strata::diff(std::optional<std::vector<int>>{}, std::optional<std::vector<int>>{{1, 2, 3}}) ==
          std::vector<strata::difference>{{"(root)", "null", "[1, 2, 3]"}});
    using tag_map = std::map<std::string, int>;
    CHECK(strata::diff(std::optional<tag_map>{tag_map{{"a", 1}, {"b", 2}}}, std::optional<tag_map>{}) ==
          std::vector<strata::difference>{{"(root)", "{\"a\": 1, \"b\": 2}", "null"}});
    CHECK(strata::diff(std::string("say \"hi\"\\\n\t\x01"), std::string("")) ==
          std::vector<strata::difference>{{"(root)", "\"say \\\"hi\\\"\\\\\\n\\t\\u0001\"", "\"\""}});
    // UTF-8 is kept as is.
    CHECK(strata::diff(std::string("caf\u00e9"), std::string("cafe")) ==
          std::vector<strata::difference>{{"(root)", "\"caf\u00e9\"", "\"cafe\""}});
}

TEST_CASE("renderings longer than 80 characters are cut to 80, ending with an ellipsis") {
    // 78 characters and two quotes: exactly 80, kept whole.
    const std::string fits(78, 'x');
    auto d = strata::diff(fits, std::string("y"));
    REQUIRE(d.size() == 1);
    CHECK(d[0].left == '"' + fits + '"');
    CHECK(chars_of(d[0].left) == 80);

    // 79 characters and two quotes: 81, cut to 79 and the ellipsis.
    const std::string too_long(79, 'x');
    d = strata::diff(too_long, std::string("y"));
    REQUIRE(d.size() == 1);
    CHECK(d[0].left == '"' + std::string(78, 'x') + "\u2026");
    CHECK(chars_of(d[0].left) == 80);

    // Multi-byte characters are never cut in the middle.
    std::string accents;
    for (int i = 0; i < 100; ++i) {
        accents += "\u00e9";
    }
    d = strata::diff(accents, std::string("y"));
    REQUIRE(d.size() == 1);
    std::string expected = "\"";
    for (int i = 0; i < 78; ++i) {
        expected += "\u00e9";
    }
    CHECK(d[0].left == expected + "\u2026");

    // A huge value is rendered without copying it whole.
    const std::vector<int> many(1'000'000, 7);
    d = strata::diff(std::optional<std::vector<int>>{many}, std::optional<std::vector<int>>{});
    REQUIRE(d.size() == 1);
    CHECK(chars_of(d[0].left) == 80);
    CHECK(ends_with_ellipsis(d[0].left));
    CHECK(d[0].left.substr(0, 10) == "[7, 7, 7, ");
    const std::string huge(5'000'000, 'z');
    d = strata::diff(huge, std::string());
    REQUIRE(d.size() == 1);
    CHECK(chars_of(d[0].left) == 80);
    CHECK(ends_with_ellipsis(d[0].left));
}

TEST_CASE("format: one line per difference, path: left != right") {
    const std::vector<strata::difference> d{{"a.b", "1", "2"}, {"(root)", "\"x\"", "absent"}};
    CHECK(strata::format(d) == "a.b: 1 != 2\n(root): \"x\" != absent\n");
    CHECK(strata::format({}).empty());
}

TEST_CASE("equal agrees with diff") {
    const session a = sample();
    session b = sample();
    b.screenshots[2].attachment.hash = "other";
    CHECK_FALSE(strata::equal(a, b));
    b = sample();
    b.tags["zeta"] = 0;
    CHECK_FALSE(strata::equal(a, b));
    b = sample();
    b.handle.id = 0;
    CHECK_FALSE(strata::equal(a, b));
    CHECK(strata::equal(b, b));
}

TEST_CASE("is_diffable") {
    static_assert(strata::is_diffable<session>);
    static_assert(strata::is_diffable<node>);
    static_assert(strata::is_diffable<std::vector<screenshot>>);
    static_assert(strata::is_diffable<codec>);
    static_assert(strata::is_diffable<opaque>);
    static_assert(!strata::is_diffable<no_equality>);
    CHECK(strata::is_diffable<std::map<std::string, std::optional<int>>>);
}
