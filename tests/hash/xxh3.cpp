// strata::xxh3_128 against xxHash's own sanity-test vectors (xxhsum's self-test,
// cli/xsum_sanity_check.c in the xxHash repository: XXH3_128bits over a generated buffer, seed 0),
// and the canonical (big-endian) byte order of the digest.
#include <strata/hash/xxh3.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

// xxhsum's test buffer: byte i is the top byte of PRIME32 * PRIME64^i (mod 2^64).
std::string xxhsum_test_buffer(std::size_t n) {
    constexpr std::uint64_t prime32 = 2654435761u;
    constexpr std::uint64_t prime64 = 11400714785074694797ull;
    std::string buffer(n, '\0');
    std::uint64_t generator = prime32;
    for (auto& c : buffer) {
        c = static_cast<char>(static_cast<unsigned char>(generator >> 56));
        generator *= prime64;
    }
    return buffer;
}

struct vector128 {
    std::size_t length;
    std::uint64_t low64;
    std::uint64_t high64;
};

// The seed-0 rows of xxhsum's XXH3_128bits table: one per size class of XXH3's code paths.
constexpr vector128 sanity_vectors[] = {
    {0, 0x6001C324468D497FULL, 0x99AA06D3014798D8ULL},     // empty
    {1, 0xC44BDFF4074EECDBULL, 0xA6CD5E9392000F6AULL},     //  1 -  3
    {6, 0x3E7039BDDA43CFC6ULL, 0x082AFE0B8162D12AULL},     //  4 -  8
    {12, 0x061A192713F69AD9ULL, 0x6E3EFD8FC7802B18ULL},    //  9 - 16
    {24, 0x1E7044D28B1B901DULL, 0x0CE966E4678D3761ULL},    // 17 - 32
    {48, 0xF942219AED80F67BULL, 0xA002AC4E5478227EULL},    // 33 - 64
    {81, 0x5E8BAFB9F95FB803ULL, 0x4952F58181AB0042ULL},    // 65 - 96
    {222, 0xF1AEBD597CEC6B3AULL, 0x337E09641B948717ULL},   // 129-240
    {403, 0xCDEB804D65C6DEA4ULL, 0x1B6DE21E332DD73DULL},   // one block, last stripe overlapping
    {512, 0x617E49599013CB6BULL, 0x18D2D110DCC9BCA1ULL},   // one block, ends at a stripe boundary
    {2048, 0xDD59E2C3A5F038E0ULL, 0xF736557FD47073A5ULL},  // 2 blocks, ends at a block boundary
    {2240, 0x6E73A90539CF2948ULL, 0xCCB134FBFA7CE49DULL},  // 3 blocks, ends at a stripe boundary
    {2367, 0xCB37AEB9E5D361EDULL, 0xE89C0F6FF369B427ULL},  // 3 blocks, last stripe overlapping
};

// The canonical text: high64 then low64, each big-endian.
std::string canonical_hex(std::uint64_t low64, std::uint64_t high64) {
    constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (const std::uint64_t half : {high64, low64}) {
        for (int shift = 60; shift >= 0; shift -= 4) s += digits[(half >> shift) & 15];
    }
    return s;
}

}  // namespace

TEST_CASE("xxh3-128: the name and size") {
    static_assert(strata::xxh3_128::name == "xxh3-128");
    static_assert(strata::xxh3_128::digest_size == 16);
}

TEST_CASE("xxh3-128: xxHash's sanity vectors, one-shot and streamed") {
    const std::string buffer = xxhsum_test_buffer(2367);
    for (const auto& v : sanity_vectors) {
        const std::string_view input = std::string_view(buffer).substr(0, v.length);
        const std::string expected = "xxh3-128:" + canonical_hex(v.low64, v.high64);
        CAPTURE(v.length);
        CHECK(strata::xxh3_128::hash(input).to_string() == expected);

        strata::xxh3_128::hasher whole;
        whole.update(input);
        CHECK(whole.finish().to_string() == expected);

        strata::xxh3_128::hasher bytewise;  // one byte at a time, as xxhsum's own test does
        for (const char c : input) bytewise.update(std::string_view(&c, 1));
        CHECK(bytewise.finish().to_string() == expected);
    }
}

TEST_CASE("xxh3-128: the digest's bytes are xxHash's canonical form (high64, then low64, big-endian)") {
    const auto d = strata::xxh3_128::hash("");
    // XXH3_128bits("") == {low64 0x6001C324468D497F, high64 0x99AA06D3014798D8}.
    CHECK(d.bytes()[0] == 0x99);
    CHECK(d.bytes()[7] == 0xd8);
    CHECK(d.bytes()[8] == 0x60);
    CHECK(d.bytes()[15] == 0x7f);
    CHECK(d.to_string() == "xxh3-128:99aa06d3014798d86001c324468d497f");
}
