// The zstd and lz4 policies (strata/compression/zstd.hpp, lz4.hpp) through frames: round trips
// of every codec over empty, tiny, incompressible, repetitive and 16 MB inputs; a mixed store
// read back by one call; corrupt payloads; decompression bombs refused without a large
// allocation (this file replaces the global operator new to record the largest allocation).
#include "frame_helpers.hpp"

#include <strata/compression/frame.hpp>
#include <strata/compression/lz4.hpp>
#include <strata/compression/zstd.hpp>
#include <strata/storage/memory.hpp>

#include <doctest/doctest.h>
#include <zstd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace std::string_literals;

// --- The largest allocation made through operator new since the last reset ------------------
// (g++ sees free() on a pointer from operator new once both are inlined; they match here.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::atomic<std::size_t> largest_allocation{0};
}  // namespace

void* operator new(std::size_t n) {
    std::size_t seen = largest_allocation.load(std::memory_order_relaxed);
    while (n > seen &&
           !largest_allocation.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
    }
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

/// The inputs every codec must round-trip.
std::vector<std::pair<std::string, std::string>> inputs() {
    std::vector<std::pair<std::string, std::string>> v;
    v.emplace_back("empty", "");
    v.emplace_back("one byte", "x");
    v.emplace_back("one NUL", "\0"s);
    v.emplace_back("random 100 KB", test::random_bytes(100'000, 7));
    v.emplace_back("repetitive 100 KB", std::string(100'000, 'a'));
    v.emplace_back("json-like 100 KB", test::json_like(100'000));
    return v;
}

/// 16 MB: JSON-like text with incompressible stretches.
const std::string& sixteen_mb() {
    static const std::string s = [] {
        std::string t = test::json_like(12u << 20);
        t += test::random_bytes(4u << 20, 9);
        return t;
    }();
    return s;
}

template <class C>
C codec_for_test() {
    return C{};
}

}  // namespace

TEST_CASE_TEMPLATE("codecs: round trips through frames", C, strata::no_compression,
                   strata::zstd_compression, strata::lz4_compression) {
    const C codec = codec_for_test<C>();
    for (const auto& [name, bytes] : inputs()) {
        CAPTURE(name);
        const std::string f = strata::encode_frame(codec, bytes, t0);
        const auto info = strata::read_frame_header(f, "k");
        CHECK(info.codec == C::id);
        CHECK(info.original_size == bytes.size());
        CHECK(info.written_ms == t0);
        CHECK(strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(f, "k") ==
              bytes);
        if constexpr (C::id != 0) {
            if (name.starts_with("repetitive") || name.starts_with("json")) {
                CHECK(f.size() < bytes.size() / 2);
            }
            if (name.starts_with("random")) {
                CHECK(f.size() < bytes.size() + bytes.size() / 100 + 64);  // bounded expansion
            }
        }
    }
}

TEST_CASE_TEMPLATE("codecs: a 16 MB value round trips", C, strata::zstd_compression,
                   strata::lz4_compression) {
    const std::string& bytes = sixteen_mb();
    std::string f = "head";
    strata::encode_frame_to(f, C{}, bytes, t0);
    CHECK(f.size() < bytes.size());
    std::string out = "keep";
    strata::decode_frame_to<C>(out, std::string_view(f).substr(4), "big");
    CHECK(out.size() == 4 + bytes.size());
    CHECK(std::string_view(out).substr(4) == bytes);
}

TEST_CASE("codecs: zstd levels and lz4 accelerations all read back with the same call") {
    const std::string bytes = test::json_like(200'000, 5);
    std::vector<std::size_t> sizes;
    for (int level : {-5, 1, 3, 9, 19}) {
        const std::string f =
            strata::encode_frame(strata::zstd_compression{.level = level}, bytes, t0);
        CHECK(strata::decode_frame<strata::zstd_compression>(f, "k") == bytes);
        sizes.push_back(f.size());
    }
    CHECK(sizes[0] > sizes[2]);  // the fast mode compresses less than level 3
    CHECK(sizes[4] < sizes[1]);  // level 19 better than level 1
    const std::string l1 = strata::encode_frame(strata::lz4_compression{}, bytes, t0);
    const std::string l64 =
        strata::encode_frame(strata::lz4_compression{.acceleration = 64}, bytes, t0);
    CHECK(strata::decode_frame<strata::lz4_compression>(l1, "k") == bytes);
    CHECK(strata::decode_frame<strata::lz4_compression>(l64, "k") == bytes);
    CHECK(l64.size() > l1.size());
    CHECK(strata::decode_frame<strata::lz4_compression>(
              strata::encode_frame(strata::lz4_compression{.acceleration = 0}, bytes, t0), "k") ==
          bytes);
}

TEST_CASE("codecs: a store holding all three codecs reads back with one decode_frame") {
    strata::memory_backend store;
    const std::string a = test::json_like(5000, 1), b = test::json_like(5000, 2),
                      c = test::json_like(5000, 3);
    store.put("blob/a", strata::encode_frame(strata::no_compression{}, a, t0));
    store.put("blob/b", strata::encode_frame(strata::zstd_compression{}, b, t0 + 1));
    store.put("blob/c", strata::encode_frame(strata::lz4_compression{}, c, t0 + 2));
    std::vector<std::string> read;
    std::vector<int> codecs;
    strata::for_each_entry(store, "blob/", [&](const strata::key_value& e) {
        read.push_back(strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(
            e.value, e.key));
        codecs.push_back(strata::read_frame_header(e.value, e.key).codec);
    });
    CHECK(read == std::vector<std::string>{a, b, c});
    CHECK(codecs == std::vector<int>{0, 1, 2});
    // Order of the list does not matter.
    CHECK(strata::decode_frame<strata::lz4_compression, strata::zstd_compression>(
              *store.get("blob/b"), "blob/b") == b);
    // A reader that lists only zstd is told what the lz4 value needs.
    auto e = test::expect_storage_error([&] {
        (void)strata::decode_frame<strata::zstd_compression>(*store.get("blob/c"), "blob/c");
    });
    CHECK(e.key() == "blob/c");
    CHECK(e.reason() ==
          "codec 2 (lz4) is not readable here: include <strata/compression/lz4.hpp> and list "
          "strata::lz4_compression (this call reads none, zstd)");
}

TEST_CASE("codecs: payloads that decompress to fewer bytes than declared") {
    const std::string bytes = "hello, hello, hello world";
    {  // lz4: the block is whole but shorter than the header says
        std::string payload;
        strata::lz4_compression{}.compress(bytes, payload);
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::lz4_compression>(test::raw_frame(2, 40, t0, payload),
                                                                "k");
        });
        CHECK(e.reason().ends_with(
            "declared size 40: the payload decompresses to 25 bytes, not the 40 declared"));
    }
    {  // zstd with its content size: caught before decompressing
        std::string payload;
        strata::zstd_compression{}.compress(bytes, payload);
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::zstd_compression>(
                test::raw_frame(1, 40, t0, payload), "k");
        });
        CHECK(e.reason().ends_with(
            "declared size 40: the zstd frame inside declares 25 bytes, the frame header 40"));
    }
    {  // zstd without its content size (written by another zstd user): caught after
        ZSTD_CCtx* cctx = ZSTD_createCCtx();
        REQUIRE(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
        std::string payload(ZSTD_compressBound(bytes.size()), '\0');
        const std::size_t n =
            ZSTD_compress2(cctx, payload.data(), payload.size(), bytes.data(), bytes.size());
        ZSTD_freeCCtx(cctx);
        REQUIRE(!ZSTD_isError(n));
        payload.resize(n);
        CHECK(strata::decode_frame<strata::zstd_compression>(test::raw_frame(1, 25, t0, payload),
                                                             "k") == bytes);
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::zstd_compression>(
                test::raw_frame(1, 40, t0, payload), "k");
        });
        CHECK(e.reason().ends_with(
            "declared size 40: the payload decompresses to 25 bytes, not the 40 declared"));
    }
}

TEST_CASE(
    "codecs: corrupt payloads are errors naming the codec, the key and the library's reason") {
    const std::string bytes = test::json_like(10'000, 4);
    {
        std::string f = strata::encode_frame(strata::zstd_compression{}, bytes, t0);
        const auto info = strata::read_frame_header(f, "k");
        std::string bad = f;
        bad[info.header_size] = 'X';  // breaks zstd's magic number
        auto e = test::expect_storage_error(
            [&] { (void)strata::decode_frame<strata::zstd_compression>(bad, "blob/z"); });
        CHECK(e.key() == "blob/z");
        CHECK(e.reason().starts_with("codec 1 (zstd), payload of "));
        CHECK(e.reason().ends_with(
            "the payload is not a zstd frame (ZSTD_getFrameContentSize fails on its " +
            std::to_string(info.payload_size()) + " bytes)"));
        bad = f.substr(0, f.size() - 10);  // truncated payload
        e = test::expect_storage_error(
            [&] { (void)strata::decode_frame<strata::zstd_compression>(bad, "blob/z"); });
        CHECK(e.reason().find("ZSTD_decompressDCtx failed: ") != std::string::npos);
        // Flipping bytes in the middle either fails in zstd or (rarely) yields other bytes of the
        // right size; it never crashes or writes past the buffer (ASan build).
        for (std::size_t i = info.header_size + 20; i < f.size(); i += 97) {
            bad = f;
            bad[i] = static_cast<char>(bad[i] ^ 0x55);
            std::string out;
            try {
                out = strata::decode_frame<strata::zstd_compression>(bad, "blob/z");
            } catch (const strata::storage_error& err) {
                CHECK(err.reason().starts_with("codec 1 (zstd)"));
                continue;
            }
            CHECK(out.size() == bytes.size());
        }
    }
    {
        std::string f = strata::encode_frame(strata::lz4_compression{}, bytes, t0);
        std::string bad = f.substr(0, f.size() - 10);
        auto e = test::expect_storage_error(
            [&] { (void)strata::decode_frame<strata::lz4_compression>(bad, "blob/l"); });
        CHECK(e.reason().starts_with("codec 2 (lz4), payload of "));
        CHECK(e.reason().find("LZ4_decompress_safe failed (code -") != std::string::npos);
        const auto info = strata::read_frame_header(f, "k");
        for (std::size_t i = info.header_size; i < f.size(); i += 89) {
            bad = f;
            bad[i] = static_cast<char>(bad[i] ^ 0x55);
            std::string out;
            try {
                out = strata::decode_frame<strata::lz4_compression>(bad, "blob/l");
            } catch (const strata::storage_error& err) {
                CHECK(err.reason().starts_with("codec 2 (lz4)"));
                continue;
            }
            CHECK(out.size() == bytes.size());
        }
    }
}

namespace {

/// 100 MB of zeros compressed: by zstd (a few KB; with and without zstd's content size) and
/// by lz4 (~400 KB). Built once.
struct bombs {
    std::string zstd, zstd_unsized, lz4;
};
const bombs& the_bombs() {
    static const bombs b = [] {
        bombs r;
        const std::string zeros(100u << 20, '\0');
        strata::zstd_compression{.level = 1}.compress(zeros, r.zstd);
        r.zstd.shrink_to_fit();  // compress leaves the capacity of its bound (~100 MB)
        strata::lz4_compression{}.compress(zeros, r.lz4);
        r.lz4.shrink_to_fit();
        ZSTD_CCtx* cctx = ZSTD_createCCtx();
        REQUIRE(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
        r.zstd_unsized.resize(1u << 20);
        const std::size_t n = ZSTD_compress2(cctx, r.zstd_unsized.data(), r.zstd_unsized.size(),
                                             zeros.data(), zeros.size());
        ZSTD_freeCCtx(cctx);
        REQUIRE(!ZSTD_isError(n));
        r.zstd_unsized.resize(n);
        return r;
    }();
    return b;
}

}  // namespace

TEST_CASE("codecs: decompression bombs are refused without a large allocation") {
    const std::string& zstd_bomb = the_bombs().zstd;
    const std::string& lz4_bomb = the_bombs().lz4;
    REQUIRE(zstd_bomb.size() < 100'000);
    REQUIRE(the_bombs().zstd_unsized.size() < 100'000);
    REQUIRE(lz4_bomb.size() < 1'000'000);
    // Each check below: the largest allocation stays under 2 MB (the frames themselves, messages).
    constexpr std::size_t allowance = 2u << 20;
    // The allocation tracker works (else the checks below would pass for nothing).
    largest_allocation = 0;
    {
        std::string probe(8u << 20, 'x');
        probe[the_bombs().lz4.size() % probe.size()] = 'y';  // keeps the allocation observable
        CHECK(probe.find('y') == the_bombs().lz4.size() % probe.size());
    }
    REQUIRE(largest_allocation.load() >= 8u << 20);

    SUBCASE("the header declares 1 KB, the zstd payload expands to 100 MB") {
        largest_allocation = 0;
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::zstd_compression>(
                test::raw_frame(1, 1024, t0, zstd_bomb), "bomb");
        });
        CHECK(e.reason().ends_with(
            "the zstd frame inside declares 104857600 bytes, the frame header 1024"));
        CHECK(largest_allocation.load() < allowance);
    }
    SUBCASE("the same without zstd's content size: stopped by the 1 KB buffer") {
        const std::string& bomb = the_bombs().zstd_unsized;
        const std::string frame = test::raw_frame(1, 1024, t0, bomb);
        largest_allocation = 0;
        auto e = test::expect_storage_error(
            [&] { (void)strata::decode_frame<strata::zstd_compression>(frame, "bomb"); });
        CHECK(e.reason().find("ZSTD_decompressDCtx failed: ") != std::string::npos);
        CHECK(e.reason().ends_with("(the payload expands past the 1024 bytes declared)"));
        CHECK(largest_allocation.load() < allowance);
    }
    SUBCASE("the header declares 1 KB, the lz4 payload expands to 100 MB") {
        largest_allocation = 0;
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::lz4_compression>(
                test::raw_frame(2, 1024, t0, lz4_bomb), "bomb");
        });
        CHECK(e.reason().find("LZ4_decompress_safe failed") != std::string::npos);
        CHECK(largest_allocation.load() < allowance);
    }
    SUBCASE("the header declares 100 GB: over the default limit, whatever the codec") {
        largest_allocation = 0;
        for (std::uint8_t codec : {std::uint8_t{1}, std::uint8_t{2}}) {
            auto e = test::expect_storage_error([&] {
                (void)strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(
                    test::raw_frame(codec, 100'000'000'000, t0, codec == 1 ? zstd_bomb : lz4_bomb),
                    "bomb");
            });
            CHECK(e.reason() ==
                  "the header declares 100000000000 bytes, over the limit of 1073741824 (a larger "
                  "max_size reads it; a decompression bomb otherwise)");
        }
        CHECK(largest_allocation.load() < allowance);
    }
    SUBCASE(
        "the header declares 100 GB and the caller lifted the limit: the codecs still refuse "
        "first") {
        constexpr auto no_limit = std::numeric_limits<std::uint64_t>::max();
        largest_allocation = 0;
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::zstd_compression>(
                test::raw_frame(1, 100'000'000'000, t0, zstd_bomb), "bomb", no_limit);
        });
        CHECK(e.reason().ends_with(
            "the zstd frame inside declares 104857600 bytes, the frame header 100000000000"));
        e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::lz4_compression>(
                test::raw_frame(2, 100'000'000'000, t0, lz4_bomb), "bomb", no_limit);
        });
        CHECK(e.reason().ends_with(
            "declared size 100000000000: an LZ4 block holds at most 2113929216 bytes"));
        CHECK(largest_allocation.load() < allowance);
    }
    SUBCASE("lz4: a declared size the payload cannot reach is refused before allocating") {
        largest_allocation = 0;
        auto e = test::expect_storage_error([&] {
            (void)strata::decode_frame<strata::lz4_compression>(
                test::raw_frame(2, 1'000'000'000, t0, lz4_bomb), "bomb");
        });
        CHECK(e.reason().ends_with("cannot expand to 1000000000 (LZ4 expands at most 255 times)"));
        CHECK(largest_allocation.load() < allowance);
    }
}

TEST_CASE("codecs: each thread uses its own zstd contexts") {
    const std::string bytes = test::json_like(300'000, 11);
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                const auto f =
                    strata::encode_frame(strata::zstd_compression{.level = 1 + t}, bytes, t0);
                if (strata::decode_frame<strata::zstd_compression>(f, "k") == bytes) ++good;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(good == 15);
}
