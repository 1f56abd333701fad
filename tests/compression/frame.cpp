// The frame format and the 'none' codec (strata/compression/frame.hpp): the byte layout, round
// trips, every malformed header with its message, the size limit, codecs a call does not read,
// a user's codec, and the policy concept.
#include "frame_helpers.hpp"

#include <strata/compression/frame.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

using namespace std::string_literals;

namespace {

// A codec of a user's own (id 200): XOR with 0x5a, same size.
struct xor_codec {
    static constexpr std::uint8_t id = 200;
    static constexpr std::string_view name = "xor";
    void compress(std::string_view in, std::string& out) const {
        for (char c : in) out += static_cast<char>(c ^ 0x5a);
    }
    static void decompress(std::string_view in, std::size_t original_size, std::string& out) {
        if (in.size() != original_size) throw strata::compression_error("xor: wrong size");
        for (char c : in) out += static_cast<char>(c ^ 0x5a);
    }
};

// A broken codec (id 201): appends one byte too many.
struct sloppy_codec {
    static constexpr std::uint8_t id = 201;
    static constexpr std::string_view name = "sloppy";
    void compress(std::string_view in, std::string& out) const { out.append(in); }
    static void decompress(std::string_view in, std::size_t, std::string& out) {
        out.append(in);
        out += '!';
    }
};

// A codec (id 202) that throws something that is not a strata error.
struct throwing_codec {
    static constexpr std::uint8_t id = 202;
    static constexpr std::string_view name = "throwing";
    void compress(std::string_view in, std::string& out) const {
        out.append(in);
        if (in == "boom") throw strata::compression_error("cannot compress boom");
    }
    static void decompress(std::string_view, std::size_t, std::string& out) {
        out += "partial";
        throw std::runtime_error("the codec's own complaint");
    }
};

}  // namespace

// Not policies (named namespace: clang flags unused members of types in an anonymous one).
namespace not_policies {
struct no_decompress {
    static constexpr std::uint8_t id = 203;
    static constexpr std::string_view name = "half";
    void compress(std::string_view, std::string&) const {}
};
struct id_not_constexpr {
    static inline std::uint8_t id = 204;
    static constexpr std::string_view name = "mutable";
    void compress(std::string_view, std::string&) const {}
    static void decompress(std::string_view, std::size_t, std::string&) {}
};
struct wrong_id_type {
    static constexpr int id = 205;
    static constexpr std::string_view name = "int";
    void compress(std::string_view, std::string&) const {}
    static void decompress(std::string_view, std::size_t, std::string&) {}
};
}  // namespace not_policies

namespace {

constexpr std::int64_t t0 = 1'700'000'000'123;

std::string reason_of_decode(std::string_view stored,
                             std::uint64_t max = strata::default_max_frame_size) {
    auto e = test::expect_storage_error(
        [&] { (void)strata::decode_frame<xor_codec>(stored, "blob/k", max); });
    CHECK(e.operation() == "decode frame");
    CHECK(e.key() == "blob/k");
    return e.reason();
}

}  // namespace

static_assert(strata::compression_policy<strata::no_compression>);
static_assert(strata::compression_policy<xor_codec>);
static_assert(strata::check_compression_policy<xor_codec>());
static_assert(!strata::compression_policy<int>);
static_assert(!strata::has_decompress<not_policies::no_decompress> &&
              !strata::compression_policy<not_policies::no_decompress>);
static_assert(!strata::has_codec_id<not_policies::id_not_constexpr>);
static_assert(!strata::has_codec_id<not_policies::wrong_id_type>);

TEST_CASE("frame: the header's bytes are the documented layout") {
    const std::string f = strata::encode_frame(strata::no_compression{}, "hello", t0);
    // magic, version 1, codec 0, size 5, time 1700000000123 as ZigZag varint (f6 a1 ab fe f9 62), payload.
    CHECK(f == "\xF5\x01\x00\x00\x05\xF6\xA1\xAB\xFE\xF9\x62hello"s);
    CHECK(f == test::raw_frame(0, 5, t0, "hello"));
    const strata::frame_info info = strata::read_frame_header(f, "k");
    CHECK(info == strata::frame_info{.codec = 0,
                                     .original_size = 5,
                                     .written_ms = t0,
                                     .header_size = 11,
                                     .stored_size = 16});
    CHECK(info.payload_size() == 5);
    CHECK(strata::decode_frame(f, "k") == "hello");
}

TEST_CASE("frame: 'none' round trips, sizes across varint boundaries, any written time") {
    for (std::size_t n : std::array<std::size_t, 7>{0, 1, 127, 128, 16383, 16384, 70000}) {
        const std::string bytes = test::random_bytes(n, n);
        for (std::int64_t t :
             {std::int64_t{0}, std::int64_t{-1}, t0, std::numeric_limits<std::int64_t>::min(),
              std::numeric_limits<std::int64_t>::max()}) {
            CAPTURE(n);
            CAPTURE(t);
            std::string f = "prefix";  // encode_frame_to appends
            strata::encode_frame_to(f, strata::no_compression{}, bytes, t);
            const std::string_view stored = std::string_view(f).substr(6);
            CHECK(stored == test::raw_frame(0, n, t, bytes));
            const auto info = strata::read_frame_header(stored, "k");
            CHECK(info.original_size == n);
            CHECK(info.written_ms == t);
            CHECK(info.stored_size == stored.size());
            CHECK(info.header_size + n == stored.size());
            std::string out = "keep";
            strata::decode_frame_to(out, stored, "k");
            CHECK(out == "keep" + bytes);
        }
    }
}

TEST_CASE("frame: a codec of the user's own reads back, beside 'none'") {
    const std::string bytes = "some bytes\0with a NUL"s;
    const std::string f = strata::encode_frame(xor_codec{}, bytes, t0);
    CHECK(static_cast<unsigned char>(f[2]) == 200);
    CHECK(f.substr(f.size() - bytes.size()) != bytes);
    CHECK(strata::decode_frame<xor_codec>(f, "k") == bytes);
    CHECK(strata::decode_frame<xor_codec>(strata::encode_frame(strata::no_compression{}, bytes, 1),
                                          "k") == bytes);
    // Listing no_compression too is allowed (it is always readable anyway).
    CHECK(strata::decode_frame<strata::no_compression, xor_codec>(f, "k") == bytes);
}

TEST_CASE("frame: a value that is not a frame is named as such") {
    CHECK(reason_of_decode(R"({"id":"s-1"})") ==
          "byte 0 is 0x7b, not the frame magic 0xf5: the value is not a strata frame");
    CHECK(reason_of_decode("") == "the value is empty: not a strata frame");
    CHECK(
        reason_of_decode("\x28\xB5\x2F\xFD"s) ==
        "byte 0 is 0x28, not the frame magic 0xf5: the value is not a strata frame");  // a bare zstd frame
    auto e =
        test::expect_storage_error([] { (void)strata::read_frame_header("[1,2]", "doc/\x01"); });
    CHECK(std::string(e.what()) ==
          "storage: decode frame \"doc/\\x01\": byte 0 is 0x5b, not the frame magic 0xf5: the "
          "value is not a "
          "strata frame");
}

TEST_CASE("frame: truncated headers say where they end") {
    CHECK(reason_of_decode("\xF5"s) ==
          "the value is 1 bytes long: a frame header takes at least 6 (the frame is truncated)");
    CHECK(reason_of_decode("\xF5\x01\x00\x00\x05"s) ==
          "the value is 5 bytes long: a frame header takes at least 6 (the frame is truncated)");
    // The size varint runs off the end.
    CHECK(reason_of_decode("\xF5\x01\x00\x00\x80\x80"s) ==
          "the value ends at byte 6, inside the original size (a varint starting at byte 4): the "
          "frame is truncated");
    // The size is whole, the time varint runs off the end.
    CHECK(reason_of_decode("\xF5\x01\x00\x00\x05\xF6\xA1"s) ==
          "the value ends at byte 7, inside the written time (a varint starting at byte 5): the "
          "frame is truncated");
    // Every prefix of a valid frame's header is refused (none is read as a shorter frame).
    const std::string f = test::raw_frame(200, 300, t0, std::string(300, 'x'));
    for (std::size_t n = 0; n < 12; ++n) {
        CAPTURE(n);
        CHECK_THROWS_AS((void)strata::read_frame_header(std::string_view(f).substr(0, n), "k"),
                        strata::storage_error);
    }
}

TEST_CASE("frame: a varint past 64 bits is corrupt") {
    const std::string f = "\xF5\x01\x00\x00"s + std::string(9, '\xFF') + "\x02"s + "\x00"s;
    CHECK(
        reason_of_decode(f) ==
        "the original size (a varint starting at byte 4) runs past 64 bits: the header is corrupt");
    // 2^64 - 1 itself is a valid size (refused by the limit, not by the varint reader).
    const std::string max = "\xF5\x01\xC8\x00"s + std::string(9, '\xFF') + "\x01"s + "\x00"s;
    CHECK(strata::read_frame_header(max, "k").original_size ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK(reason_of_decode(max) ==
          "the header declares 18446744073709551615 bytes, over the limit of 1073741824 "
          "(a larger max_size reads it; a decompression bomb otherwise)");
}

TEST_CASE("frame: flags: the incompressible mark is read, unknown flags are refused") {
    const std::string marked = test::raw_frame(0, 5, t0, "hello", 0xF5, 1, 0x01);
    const auto info = strata::read_frame_header(marked, "k");
    CHECK(info.incompressible());
    CHECK(info.flags == strata::frame_flag_incompressible);
    CHECK(strata::decode_frame(marked, "k") == "hello");
    CHECK_FALSE(
        strata::read_frame_header(strata::encode_frame(strata::no_compression{}, "x", t0), "k")
            .incompressible());
    CHECK(reason_of_decode(test::raw_frame(0, 5, t0, "hello", 0xF5, 1, 0x03)) ==
          "byte 3 holds flags 0x03, of which this strata knows 0x01 only (written by a newer "
          "strata?)");
    CHECK(reason_of_decode(test::raw_frame(0, 5, t0, "hello", 0xF5, 1, 0x80)) ==
          "byte 3 holds flags 0x80, of which this strata knows 0x01 only (written by a newer "
          "strata?)");
}

TEST_CASE("frame: unknown format versions") {
    CHECK(reason_of_decode(test::raw_frame(0, 1, t0, "x", 0xF5, 2)) ==
          "byte 1 is frame format version 2; this strata reads version 1 (written by a newer "
          "strata?)");
    CHECK(reason_of_decode(test::raw_frame(0, 1, t0, "x", 0xF5, 0)) ==
          "byte 1 is frame format version 0; this strata reads version 1 (the header is corrupt)");
}

TEST_CASE("frame: codecs this call does not read are named, with what to do") {
    CHECK(reason_of_decode(test::raw_frame(1, 3, t0, "zzz")) ==
          "codec 1 (zstd) is not readable here: include <strata/compression/zstd.hpp> and list "
          "strata::zstd_compression (this call reads none, xor)");
    CHECK(reason_of_decode(test::raw_frame(2, 3, t0, "zzz")) ==
          "codec 2 (lz4) is not readable here: include <strata/compression/lz4.hpp> and list "
          "strata::lz4_compression (this call reads none, xor)");
    CHECK(reason_of_decode(test::raw_frame(7, 3, t0, "zzz")) ==
          "codec 7 (unknown) is not readable here: no strata codec has that id (written by a newer "
          "strata, or a "
          "corrupt header?) (this call reads none, xor)");
    CHECK(reason_of_decode(test::raw_frame(250, 3, t0, "zzz")) ==
          "codec 250 (a codec of your own) is not readable here: list the policy whose id is 250 "
          "(this call reads "
          "none, xor)");
    // read_frame_header itself does not judge the codec: it only reads.
    CHECK(strata::read_frame_header(test::raw_frame(7, 3, t0, "zzz"), "k").codec == 7);
    // With no codec listed, only 'none' is readable.
    auto e = test::expect_storage_error(
        [] { (void)strata::decode_frame(test::raw_frame(200, 1, 0, "x"), "k"); });
    CHECK(e.reason() ==
          "codec 200 (a codec of your own) is not readable here: list the policy whose id is 200 "
          "(this call reads none)");
}

TEST_CASE("frame: the declared size is checked against the limit before anything else is read") {
    // 5 GiB declared by a zstd frame of 3 bytes: refused by the default limit (1 GiB).
    CHECK(reason_of_decode(test::raw_frame(1, 5368709120, t0, "zzz")) ==
          "the header declares 5368709120 bytes, over the limit of 1073741824 (a larger max_size "
          "reads it; a "
          "decompression bomb otherwise)");
    // The per-call limit, on a 'none' frame and a user codec's frame.
    const std::string hundred(100, 'a');
    CHECK(reason_of_decode(strata::encode_frame(strata::no_compression{}, hundred, t0), 99) ==
          "the header declares 100 bytes, over the limit of 99 (a larger max_size reads it; a "
          "decompression bomb "
          "otherwise)");
    CHECK(strata::decode_frame(strata::encode_frame(strata::no_compression{}, hundred, t0), "k",
                               100) == hundred);
    CHECK(reason_of_decode(strata::encode_frame(xor_codec{}, hundred, t0), 10) ==
          "the header declares 100 bytes, over the limit of 10 (a larger max_size reads it; a "
          "decompression bomb "
          "otherwise)");
}

TEST_CASE("frame: a 'none' payload must have the declared length") {
    const std::string f = strata::encode_frame(strata::no_compression{}, "hello", t0);
    CHECK(reason_of_decode(f.substr(0, f.size() - 1)) ==
          "codec 0 (none): the payload at byte 11 is 4 bytes, but the header declares 5 (the frame "
          "is truncated or "
          "corrupt)");
    CHECK(reason_of_decode(f + "!") ==
          "codec 0 (none): the payload at byte 11 is 6 bytes, but the header declares 5 (the frame "
          "is truncated or "
          "corrupt)");
    // A 'none' frame declaring 100 GB over a 3-byte payload: refused by the header check alone.
    CHECK(reason_of_decode(test::raw_frame(0, 100'000'000'000, t0, "abc"),
                           std::numeric_limits<std::uint64_t>::max())
              .starts_with("codec 0 (none): the payload at byte 16 is 3 bytes, but the header "
                           "declares 100000000000"));
}

TEST_CASE(
    "frame: a codec that returns the wrong size or throws is reported, and out is left as it was") {
    const std::string f = strata::encode_frame(sloppy_codec{}, "abc", t0);
    std::string out = "before";
    auto e =
        test::expect_storage_error([&] { strata::decode_frame_to<sloppy_codec>(out, f, "k"); });
    CHECK(
        e.reason() ==
        "codec 201 (sloppy), payload of 3 bytes at byte 11, declared size 3: it decompressed to 4 "
        "bytes, not the 3 declared");
    CHECK(out == "before");

    const std::string g = strata::encode_frame(throwing_codec{}, "abc", t0);
    e = test::expect_storage_error([&] { strata::decode_frame_to<throwing_codec>(out, g, "k"); });
    CHECK(e.reason() ==
          "codec 202 (throwing), payload of 3 bytes at byte 11, declared size 3: the codec's own "
          "complaint");
    CHECK(out == "before");

    const std::string h = test::raw_frame(200, 4, t0, "abc");  // xor payload one byte short
    e = test::expect_storage_error([&] { strata::decode_frame_to<xor_codec>(out, h, "k"); });
    CHECK(e.reason() ==
          "codec 200 (xor), payload of 3 bytes at byte 11, declared size 4: xor: wrong size");
    CHECK(out == "before");
}

TEST_CASE("frame: codec names for messages") {
    CHECK(strata::codec_name(0) == "none");
    CHECK(strata::codec_name(1) == "zstd");
    CHECK(strata::codec_name(2) == "lz4");
    CHECK(strata::codec_name(3) == "unknown");
    CHECK(strata::codec_name(127) == "unknown");
    CHECK(strata::codec_name(128) == "a codec of your own");
    CHECK(strata::codec_name(255) == "a codec of your own");
    CHECK(strata::to_unix_ms(
              std::chrono::system_clock::time_point(std::chrono::milliseconds(t0))) == t0);
}

TEST_CASE("frame: a codec that fails to compress leaves the output as it was") {
    std::string out = "before";
    CHECK_THROWS_WITH_AS(strata::encode_frame_to(out, throwing_codec{}, "boom", t0),
                         "cannot compress boom", strata::compression_error);
    CHECK(out == "before");
    strata::encode_frame_to(out, throwing_codec{}, "fine", t0);
    CHECK(out == "before" + test::raw_frame(202, 4, t0, "fine"));
}
