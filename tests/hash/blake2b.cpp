// strata::blake2b_256 (over libsodium) against RFC 7693 (Appendix A's example and Appendix E's
// self-test, which covers output lengths 20/32/48/64, keyed and unkeyed, inputs of 0 to 1024
// bytes, and whose grand hash is itself a BLAKE2b-256, computed here by the policy), the BLAKE2
// reference KAT (testvectors/blake2b-kat.txt: keyed, 64-byte output; this checks the library
// the policy stands on) and BLAKE2b-256 answers of independent implementations (coreutils'
// `b2sum -l 256`, Python's hashlib).
#include <strata/hash/blake2b.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
    constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

// BLAKE2b with any output size and key, through libsodium directly (the self-test's inner
// hashes, and the reference KAT), into `out`.
void blake2b(unsigned char* out, std::size_t out_size, std::string_view in, std::string_view key = {}) {
    REQUIRE(sodium_init() >= 0);
    REQUIRE(crypto_generichash(out, out_size, reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                               key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                               key.size()) == 0);
}
std::string blake2b_hex(std::size_t out_size, std::string_view in, std::string_view key = {}) {
    unsigned char out[64];
    blake2b(out, out_size, in, key);
    return hex(out, out_size);
}

std::string sequence(std::size_t n) {  // 00 01 02 ...: the KAT's inputs and key
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i);
    return s;
}

// RFC 7693 Appendix E's deterministic sequence (a Fibonacci generator).
std::string selftest_sequence(std::size_t n, std::uint32_t seed) {
    std::string s(n, '\0');
    std::uint32_t a = 0xDEAD4BADu * seed;
    std::uint32_t b = 1;
    for (auto& c : s) {
        const std::uint32_t t = a + b;
        a = b;
        b = t;
        c = static_cast<char>(t >> 24);
    }
    return s;
}

}  // namespace

TEST_CASE("blake2b-256: the name and size") {
    static_assert(strata::blake2b_256::name == "blake2b-256");
    static_assert(strata::blake2b_256::digest_size == 32);
}

TEST_CASE("blake2b-256: known answers (b2sum -l 256, libsodium, hashlib agree)") {
    CHECK(strata::blake2b_256::hash("").to_string() ==
          "blake2b-256:0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    CHECK(strata::blake2b_256::hash("abc").to_string() ==
          "blake2b-256:bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    CHECK(strata::blake2b_256::hash("The quick brown fox jumps over the lazy dog").to_string() ==
          "blake2b-256:01718cec35cd3d796dd00020e0bfecb473ad23457d063b75eff29c0ffa2e58a9");
}

TEST_CASE("blake2b-256 is not BLAKE2b-512 cut short") {
    // RFC 7693 Appendix A: BLAKE2b-512("abc").
    const std::string b512 = blake2b_hex(64, "abc");
    CHECK(b512 ==
          "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
          "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    CHECK(strata::blake2b_256::hash("abc").hex() != b512.substr(0, 64));
    CHECK(blake2b_hex(64, "") ==
          "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
          "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce");
}

TEST_CASE("blake2b: the library agrees with the BLAKE2 reference KAT (keyed, 64-byte output)") {
    const std::string key = sequence(64);
    CHECK(blake2b_hex(64, sequence(0), key) ==
          "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
          "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568");
    CHECK(blake2b_hex(64, sequence(1), key) ==
          "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4"
          "187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd");
    // Exactly one block, and one byte more: the edges of "the last block is compressed last".
    CHECK(blake2b_hex(64, sequence(128), key) ==
          "72065ee4dd91c2d8509fa1fc28a37c7fc9fa7d5b3f8ad3d0d7a25626b57b1b44"
          "788d4caf806290425f9890a3a2a35a905ab4b37acfd0da6e4517b2525c9651e4");
    CHECK(blake2b_hex(64, sequence(129), key) ==
          "64475dfe7600d7171bea0b394e27c9b00d8e74dd1e416a79473682ad3dfdbb70"
          "6631558055cfc8a40e07bd015a4540dcdea15883cbbf31412df1de1cd4152b91");
    CHECK(blake2b_hex(64, sequence(255), key) ==
          "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e9248"
          "4be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461");
}

TEST_CASE("blake2b: RFC 7693 Appendix E self-test, its grand hash through the policy's own hasher") {
    constexpr std::size_t out_sizes[] = {20, 32, 48, 64};
    constexpr std::size_t in_sizes[] = {0, 3, 128, 129, 255, 1024};
    strata::blake2b_256::hasher grand;  // the grand hash is BLAKE2b-256, unkeyed: our policy
    for (const std::size_t out : out_sizes) {
        for (const std::size_t in : in_sizes) {
            const std::string input = selftest_sequence(in, static_cast<std::uint32_t>(in));
            unsigned char md[64];

            blake2b(md, out, input);
            grand.update(std::string_view(reinterpret_cast<const char*>(md), out));

            const std::string key = selftest_sequence(out, static_cast<std::uint32_t>(out));
            blake2b(md, out, input, key);
            grand.update(std::string_view(reinterpret_cast<const char*>(md), out));
        }
    }
    CHECK(grand.finish().hex() == "c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475");
}
