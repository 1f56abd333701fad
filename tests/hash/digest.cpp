// strata::digest: the text form (name:lowercase hex) and its strict parser, digest_error's
// messages for every kind of bad input, ordering, std::hash.
#include <strata/hash/digest.hpp>
#include <strata/hash/sha256.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

using sha_digest = strata::digest<strata::sha256>;

// A digest type that needs no library: digest<> uses only name and digest_size.
struct tiny {
    static constexpr std::string_view name = "tiny";
    static constexpr std::size_t digest_size = 3;
};

constexpr std::string_view abc_hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

sha_digest abc() { return sha_digest::parse_hex(abc_hex); }

// The digest_error that parsing `text` throws (fails the test when it does not throw).
template <class Parse>
strata::digest_error error_of(Parse&& parse) {
    try {
        parse();
    } catch (const strata::digest_error& e) {
        return e;
    }
    FAIL("no digest_error was thrown");
    return strata::digest_error("", "");
}

strata::digest_error parse_error(std::string_view text) {
    CHECK_FALSE(sha_digest::try_parse(text).has_value());
    return error_of([&] { (void)sha_digest::parse(text); });
}

}  // namespace

TEST_CASE("a digest prints as name:lowercase hex and parses back") {
    const sha_digest d = abc();
    CHECK(d.hex() == abc_hex);
    CHECK(d.to_string() == "sha256:" + std::string(abc_hex));
    CHECK(sha_digest::parse(d.to_string()) == d);
    CHECK(sha_digest::try_parse(d.to_string()) == d);
    CHECK(sha_digest::try_parse_hex(abc_hex) == d);
    CHECK(d.bytes()[0] == 0xba);
    CHECK(d.bytes()[31] == 0xad);
    CHECK(d.data()[1] == 0x78);
    static_assert(sha_digest::size() == 32);
    static_assert(decltype(d.bytes())::extent == 32);

    std::string key = "blob/";
    d.append_hex_to(key);
    CHECK(key == "blob/" + std::string(abc_hex));
}

TEST_CASE("every byte value round-trips through the text") {
    using tiny_digest = strata::digest<tiny>;
    for (unsigned v = 0; v < 256; ++v) {
        const std::array<unsigned char, 3> bytes{static_cast<unsigned char>(v), static_cast<unsigned char>(255 - v),
                                                 static_cast<unsigned char>(v ^ 0x5a)};
        const tiny_digest d(bytes);
        const std::string text = d.to_string();
        REQUIRE(text.size() == 5 + 6);
        CHECK(text.substr(0, 5) == "tiny:");
        CHECK(std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'F'; }));
        CHECK(tiny_digest::parse(text) == d);
        CHECK(tiny_digest::parse_hex(d.hex()) == d);
    }
}

TEST_CASE("a default digest is all zero bytes") {
    const sha_digest d;
    CHECK(d.hex() == std::string(64, '0'));
    CHECK(d != abc());
}

TEST_CASE("parse refuses a wrong or missing prefix, naming what it found") {
    SUBCASE("another algorithm") {
        const auto e = parse_error("xxh3-128:99aa06d3014798d86001c324468d497f");
        CHECK(e.reason() == "expected the prefix \"sha256:\", found \"xxh3-128:\"");
        CHECK(std::string(e.what()) ==
              "digest \"xxh3-128:99aa06d3014798d86001c324468d497f\": expected the prefix \"sha256:\", found "
              "\"xxh3-128:\"");
        CHECK(e.offset() == strata::digest_error::npos);
    }
    SUBCASE("the name in capitals") {
        CHECK(parse_error("SHA256:" + std::string(abc_hex)).reason() ==
              "expected the prefix \"sha256:\", found \"SHA256:\"");
    }
    SUBCASE("bare hex") {
        CHECK(parse_error(abc_hex).reason() ==
              "expected the prefix \"sha256:\", found bare hex (parse_hex reads a digest without its prefix)");
    }
    SUBCASE("an empty text") {
        CHECK(parse_error("").reason() == "expected the prefix \"sha256:\", found an empty text");
    }
    SUBCASE("the name without its colon") {
        CHECK(parse_error("sha256").reason() == "expected the prefix \"sha256:\"");
        CHECK(parse_error("sha256-" + std::string(abc_hex)).reason() == "expected the prefix \"sha256:\"");
    }
    SUBCASE("leading whitespace") {
        CHECK(parse_error(" sha256:" + std::string(abc_hex)).reason() == "expected the prefix \"sha256:\"");
    }
}

TEST_CASE("parse refuses a wrong number of hex digits") {
    const std::string full = "sha256:" + std::string(abc_hex);
    CHECK(parse_error(full.substr(0, full.size() - 1)).reason() ==
          "expected 64 hex digits after \"sha256:\", found 63");
    CHECK(parse_error(full + "0").reason() == "expected 64 hex digits after \"sha256:\", found 65");
    CHECK(parse_error("sha256:").reason() == "expected 64 hex digits after \"sha256:\", found 0");
    CHECK(parse_error(full + full.substr(7)).reason() == "expected 64 hex digits after \"sha256:\", found 128");
    const auto e = error_of([] { (void)sha_digest::parse_hex("abcd"); });
    CHECK(e.reason() == "expected 64 hex digits, found 4");
    CHECK(std::string(e.what()) == "digest \"abcd\": expected 64 hex digits, found 4");
}

TEST_CASE("parse names the first character that is not a lowercase hex digit, counting from 1") {
    std::string text = "sha256:" + std::string(abc_hex);
    SUBCASE("a letter past f") {
        text[11] = 'z';
        const auto e = parse_error(text);
        CHECK(e.reason() == "character 12 is 'z', expected a lowercase hex digit (0-9, a-f)");
        CHECK(e.offset() == 11);
        CHECK(e.text() == text);
        CHECK(std::string(e.what()) == "digest \"" + text + "\": " + e.reason());
    }
    SUBCASE("an uppercase hex digit: refused, and the message says why") {
        text[7] = 'B';
        const auto e = parse_error(text);
        CHECK(e.reason() ==
              "character 8 is 'B', expected a lowercase hex digit (0-9, a-f); digests are written in lowercase");
        CHECK(e.offset() == 7);
    }
    SUBCASE("the whole hex in uppercase") {
        std::string upper = text;
        std::transform(upper.begin() + 7, upper.end(), upper.begin() + 7,
                       [](char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c; });
        CHECK(parse_error(upper).offset() == 7);
    }
    SUBCASE("a trailing newline: named, not only counted") {
        const auto e = parse_error(text + "\n");
        CHECK(e.reason() == "character 72 is byte 0x0a, expected a lowercase hex digit (0-9, a-f)");
        CHECK(std::string(e.what()).find("\\x0a\"") != std::string::npos);  // escaped in the quote
    }
    SUBCASE("a bad character wins over a wrong length") {
        const auto e = parse_error("sha256:12 4");
        CHECK(e.reason() == "character 10 is ' ', expected a lowercase hex digit (0-9, a-f)");
    }
    SUBCASE("a NUL byte") {
        text[40] = '\0';
        CHECK(parse_error(text).reason() == "character 41 is byte 0x00, expected a lowercase hex digit (0-9, a-f)");
    }
    SUBCASE("bare hex counts from its own start") {
        std::string hex(abc_hex);
        hex[0] = 'g';
        const auto e = error_of([&] { (void)sha_digest::parse_hex(hex); });
        CHECK(e.reason() == "character 1 is 'g', expected a lowercase hex digit (0-9, a-f)");
        CHECK(e.offset() == 0);
        CHECK_FALSE(sha_digest::try_parse_hex(hex).has_value());
    }
}

TEST_CASE("a long text is cut in the message but kept whole in the error") {
    const std::string text = "sha256:" + std::string(300, 'q');
    const auto e = parse_error(text);
    CHECK(e.text() == text);
    const std::string what = e.what();
    CHECK(what == "digest \"sha256:" + std::string(73, 'q') + "\"... (307 characters): " + e.reason());
    CHECK(e.reason() == "character 8 is 'q', expected a lowercase hex digit (0-9, a-f)");
}

TEST_CASE("a digest_error is a strata::error") {
    CHECK_THROWS_AS((void)sha_digest::parse("nope"), strata::error);
}

TEST_CASE("digests order byte-wise, as their hex texts do, and hash with std::hash") {
    std::mt19937_64 rng(5);
    std::vector<sha_digest> all;
    for (int i = 0; i < 200; ++i) {
        std::array<unsigned char, 32> bytes{};
        for (auto& b : bytes) b = static_cast<unsigned char>(rng() & (i % 2 == 0 ? 0xff : 0x03));  // many ties
        all.emplace_back(bytes);
    }
    for (const auto& a : all) {
        for (const auto& b : all) {
            CHECK(((a <=> b) < 0) == (a.hex() < b.hex()));
            CHECK((a == b) == (a.hex() == b.hex()));
        }
    }
    std::unordered_set<sha_digest> set(all.begin(), all.end());
    std::unordered_set<std::string> texts;
    for (const auto& d : all) texts.insert(d.hex());
    CHECK(set.size() == texts.size());
    CHECK(set.count(all.front()) == 1);

    // A digest shorter than a size_t hashes by what it has.
    const strata::digest<tiny> t(std::array<unsigned char, 3>{1, 2, 3});
    CHECK(std::hash<strata::digest<tiny>>{}(t) == std::hash<strata::digest<tiny>>{}(t));
    CHECK(std::hash<strata::digest<tiny>>{}(t) != std::hash<strata::digest<tiny>>{}(strata::digest<tiny>{}));
}
