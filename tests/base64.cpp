// Tests of strata/base64.hpp (strict decoding, encoding, base64_bytes) and of the string_coded
// customisation point (strata/string_coded.hpp) as the JSON codec uses it.
#include <strata/base64.hpp>
#include <strata/json.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace {

struct attachment {
    BOOST_HANA_DEFINE_STRUCT(attachment, (std::string, name), (strata::base64_bytes, data));
};
struct holder {
    BOOST_HANA_DEFINE_STRUCT(holder, (attachment, att));
};

// A user's own string-coded type: an RGB colour written "#rrggbb".
struct colour {
    std::uint8_t r = 0, g = 0, b = 0;
    friend bool operator==(const colour&, const colour&) = default;
};
// A user's own type whose text may need escaping: a label kept between «» marks.
struct label {
    std::string text;
};
struct palette {
    BOOST_HANA_DEFINE_STRUCT(palette, (colour, fill), (label, title));
};

std::string decode_error_text(std::string_view text) {
    try {
        (void)strata::base64_decode(text);
    } catch (const strata::decode_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

template <>
struct strata::string_coded<colour> {
    static constexpr bool needs_escaping = false;
    static constexpr std::string_view expected = "a colour #rrggbb";
    static void decode(std::string_view text, colour& out) {
        auto hex = [&](std::size_t i) {
            const char c = text[i];
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            throw strata::decode_error(std::string(expected), "\"" + std::string(text) + "\"");
        };
        if (text.size() != 7 || text[0] != '#') {
            throw strata::decode_error(std::string(expected), "\"" + std::string(text) + "\"");
        }
        out.r = static_cast<std::uint8_t>(hex(1) * 16 + hex(2));
        out.g = static_cast<std::uint8_t>(hex(3) * 16 + hex(4));
        out.b = static_cast<std::uint8_t>(hex(5) * 16 + hex(6));
    }
    static void encode(const colour& c, std::string& out) {
        constexpr char digits[] = "0123456789abcdef";
        out += '#';
        for (std::uint8_t v : {c.r, c.g, c.b}) {
            out += digits[v >> 4];
            out += digits[v & 15];
        }
    }
};

template <>
struct strata::string_coded<label> {
    static constexpr bool needs_escaping = true;
    static constexpr std::string_view expected = "a label";
    static void decode(std::string_view text, label& out) { out.text = text; }
    static void encode(const label& l, std::string& out) { out += l.text; }
};

static_assert(strata::is_string_coded<strata::base64_bytes>);
static_assert(strata::is_string_coded<colour>);
static_assert(!strata::is_string_coded<std::string>);

TEST_CASE("base64: the RFC 4648 test vectors, both ways") {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [bytes, text] : vectors) {
        CAPTURE(text);
        CHECK(strata::base64_encode(bytes) == text);
        CHECK(strata::base64_decode(text) == bytes);
        CHECK(strata::base64_decoded_size(text) == bytes.size());
    }
}

TEST_CASE("base64: random bytes of every length round-trip; decode appends") {
    std::mt19937 rng(42);
    for (std::size_t length = 0; length < 200; ++length) {
        std::string bytes(length, '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
        const std::string text = strata::base64_encode(bytes);
        CHECK(text.size() == (length + 2) / 3 * 4);
        std::string out = "prefix";
        strata::base64_decode_to(out, text);
        REQUIRE(out == "prefix" + bytes);
    }
}

TEST_CASE("base64: every byte value in every position is accepted exactly when it is in the alphabet") {
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int c = 0; c < 256; ++c) {
        const bool valid = alphabet.find(static_cast<char>(c)) != std::string_view::npos;
        for (std::size_t position = 0; position < 12; ++position) {
            std::string text = "QUJDREVGR0hJ";  // "ABCDEFGHI", three full groups
            text[position] = static_cast<char>(c);
            CAPTURE(c);
            CAPTURE(position);
            if (valid) {
                CHECK_NOTHROW((void)strata::base64_decode(text));
            } else if (c == '=' && position == 11) {
                CHECK(strata::base64_decode(text).size() == 8);  // padding at the very end
            } else if (c == '=' && position == 10) {
                CHECK_THROWS_AS((void)strata::base64_decode(text), strata::decode_error);  // "x=x" 
            } else {
                CHECK_THROWS_AS((void)strata::base64_decode(text), strata::decode_error);
            }
        }
    }
}

TEST_CASE("base64: long texts (the vector path) accept exactly the alphabet, at every offset") {
    // 120 characters: three blocks of 32 go through the AVX2 decoder where the CPU has it, the
    // rest through the table decoder. A bad character anywhere is found, at its offset, and a
    // good one anywhere decodes to what the table decoder gives.
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes(90, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 37 + 11);
    const std::string good = strata::base64_encode(bytes);
    REQUIRE(good.size() == 120);
    REQUIRE(strata::base64_decode(good) == bytes);
    // Every byte value at each of the 32 lanes of the first block; elsewhere (later blocks, the
    // table decoder's part), characters from each class: both kinds of neighbours of the
    // alphabet's ranges, '=', the URL-safe alphabet's, the escape, bytes of 0x80 and up.
    using namespace std::string_view_literals;
    const std::string_view samples = "AZaz09+/=*-_\\@[`{\x00\x7f\x80\xff"sv;
    for (int c = 0; c < 256; ++c) {
        const bool valid = alphabet.find(static_cast<char>(c)) != std::string_view::npos;
        const bool sample = samples.find(static_cast<char>(c)) != std::string_view::npos;
        for (std::size_t position = 0; position < (sample ? 116 : 32); ++position) {  // not the last group
            std::string text = good;
            text[position] = static_cast<char>(c);
            CAPTURE(c);
            CAPTURE(position);
            if (valid) {
                // The reference: the original bytes with the changed group decoded alone.
                std::string expected = bytes;
                const std::size_t group = position / 4;
                expected.replace(group * 3, 3, strata::base64_decode(std::string_view(text).substr(group * 4, 4)));
                REQUIRE(strata::base64_decode(text) == expected);
            } else {
                const std::string message = decode_error_text(text);
                REQUIRE(message.find(" at offset " + std::to_string(position)) != std::string::npos);
            }
        }
    }
}

TEST_CASE("base64: errors give the offset and the character") {
    CHECK(decode_error_text("aGVs*A==") == "at (root): expected base64, found the character '*' at offset 4");
    CHECK(decode_error_text(std::string_view("aGVsbG8\0", 8)) ==
          "at (root): expected base64, found the byte 0x00 at offset 7");
    CHECK(decode_error_text("aGk") == "at (root): expected base64 (a multiple of 4 characters), found 3 characters");
    CHECK(decode_error_text("aGVsbG8=aGVs") == "at (root): expected base64, found the character '=' at offset 7");
}

TEST_CASE("base64: the unused bits of the last character need not be zero (as Python's validate=True)") {
    CHECK(strata::base64_decode("QR==") == "A");
    CHECK(strata::base64_decode("QUJ=") == "AB");
}

TEST_CASE("base64: strict standard base64 with padding") {
    CHECK(strata::base64_decode("") == "");
    CHECK(strata::base64_decode("aGVs") == "hel");       // no padding
    CHECK(strata::base64_decode("aGVsbG8=") == "hello");  // one '='
    CHECK(strata::base64_decode("aGU=") == "he");
    CHECK(strata::base64_decode("aA==") == "h");          // two '='
    CHECK(strata::base64_decode("AP/+AQID+g==") == std::string("\x00\xff\xfe\x01\x02\x03\xfa", 7));

    const char* const invalid[] = {
        "aGV*",      // a character outside the alphabet
        "aGVsbG8-",  // base64url's '-'
        "aGVs_A==",  // base64url's '_'
        "aG k",      // a space
        "aGk\n",     // a newline
        ("\xC3\xA9" "AA"),  // non-ASCII
    };
    for (const char* text : invalid) {
        const std::string shown = text;
        CAPTURE(shown);
        CHECK_THROWS_AS(strata::base64_decode(text), strata::decode_error);
    }
    CHECK_THROWS_AS(strata::base64_decode(std::string_view("aGVs\0\0\0\0", 8)), strata::decode_error);

    const char* const bad_length[] = {"a", "aG", "aGV", "aGVsb", "aGVsbG8", "aGk=a"};
    for (const char* text : bad_length) {
        const std::string shown = text;
        CAPTURE(shown);
        CHECK_THROWS_AS(strata::base64_decode(text), strata::decode_error);
    }

    const char* const misplaced_padding[] = {
        "=aGk", "a=Gk", "aG=k", "aGk=aGk=", "aA==aGVs", "AB=A", "a===", "====", "aGVs====",
    };
    for (const char* text : misplaced_padding) {
        const std::string shown = text;
        CAPTURE(shown);
        CHECK_THROWS_AS(strata::base64_decode(text), strata::decode_error);
    }
}

TEST_CASE("base64_bytes: the codec decodes the text straight into bytes and writes it back") {
    const auto value = strata::json::decode<holder>(R"({"att":{"name":"a.png","data":"aGVsbG8="}})");
    CHECK(value.att.data.bytes == "hello");
    CHECK(strata::json::encode(value) == R"({"att":{"name":"a.png","data":"aGVsbG8="}})");

    // Escapes are legal JSON in a base64 string ("\/" is '/'): the slow path unescapes first.
    CHECK(strata::json::decode<holder>(R"({"att":{"name":"","data":"\/\/\/\/"}})").att.data.bytes == "\xff\xff\xff");
    CHECK(strata::json::decode<holder>(R"({"att":{"name":"","data":"\u0041QID"}})").att.data.bytes == "\x01\x02\x03");
    // Long texts, with an escape at the start, in the middle, at the end: decoded as if the
    // escape were the character itself, and an error is placed in the unescaped text.
    std::string bytes(300, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(255 - i);
    std::string text = strata::base64_encode(bytes);  // 400 characters
    for (std::size_t at : {std::size_t{0}, std::size_t{70}, std::size_t{396}}) {
        std::string with_slash = text;
        with_slash[at] = '/';
        std::string escaped = with_slash;
        escaped.replace(at, 1, "\\/");
        CAPTURE(at);
        const std::string json = R"({"att":{"name":"","data":")" + escaped + R"("}})";
        CHECK(strata::json::decode<holder>(json).att.data.bytes == strata::base64_decode(with_slash));
        std::string bad = escaped;
        bad[at == 0 ? 100 : 0] = '*';
        try {
            (void)strata::json::decode<holder>(R"({"att":{"name":"","data":")" + bad + R"("}})");
            FAIL("no error");
        } catch (const strata::decode_error& e) {
            CHECK(e.path() == "att.data");
            CHECK(e.found() == "the character '*' at offset " + std::to_string(at == 0 ? 99 : 0));
        }
    }
    // Whitespace after the string is not part of it.
    CHECK(strata::json::decode<holder>("{\"att\":{\"name\":\"\",\"data\":\"AQID\" \n}}").att.data.bytes == "\x01\x02\x03");
}

TEST_CASE("base64_bytes: a bad value is an error at its path") {
    auto error_of = [](std::string_view json) -> std::string {
        try {
            (void)strata::json::decode<holder>(json);
        } catch (const strata::decode_error& e) {
            return std::string(e.path()) + " | " + e.expected() + " | " + e.found();
        }
        return "(no error)";
    };
    CHECK(error_of(R"({"att":{"name":"","data":"a*=="}})") == "att.data | base64 | the character '*' at offset 1");
    CHECK(error_of(R"({"att":{"name":"","data":5}})") == "att.data | string (base64) | number 5");
    CHECK(error_of(R"({"att":{"name":"","data":"abc"}})") ==
          "att.data | base64 (a multiple of 4 characters) | 3 characters");
}

TEST_CASE("string_coded: a user's own type, with and without escaping") {
    const auto value = strata::json::decode<palette>(R"({"fill":"#ff8000","title":"say \"hi\""})");
    CHECK(value.fill == colour{255, 128, 0});
    CHECK(value.title.text == "say \"hi\"");
    CHECK(strata::json::encode(value) == R"({"fill":"#ff8000","title":"say \"hi\""})");

    try {
        (void)strata::json::decode<palette>(R"({"fill":"orange","title":""})");
        FAIL("no error");
    } catch (const strata::decode_error& e) {
        CHECK(e.path() == "fill");
        CHECK(e.expected() == "a colour #rrggbb");
    }
}
