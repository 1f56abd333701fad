// strata::sha256 against the known answers of FIPS 180-2 (Appendix B) and NIST's examples.
#include <strata/hash/sha256.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>

namespace {

std::string sha256_text(std::string_view bytes) { return strata::sha256::hash(bytes).to_string(); }

}  // namespace

TEST_CASE("sha256: the name and size") {
    static_assert(strata::sha256::name == "sha256");
    static_assert(strata::sha256::digest_size == 32);
}

TEST_CASE("sha256: FIPS 180-2 and NIST known answers") {
    CHECK(sha256_text("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // FIPS 180-2 B.1: one block.
    CHECK(sha256_text("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // B.2: the 448-bit message, two blocks.
    CHECK(sha256_text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // The 896-bit message of FIPS 180-2's SHA-512 examples (NIST's SHA-256 example set).
    CHECK(sha256_text("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmn"
                      "opqrstnopqrstu") == "sha256:cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256: a million 'a' (FIPS 180-2 B.3), in one call and streamed in uneven pieces") {
    const std::string million(1000000, 'a');
    const std::string expected = "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    CHECK(sha256_text(million) == expected);

    strata::sha256::hasher h;
    std::size_t at = 0;
    std::size_t piece = 1;
    while (at < million.size()) {
        const std::size_t n = std::min(piece, million.size() - at);
        h.update(std::string_view(million).substr(at, n));
        at += n;
        piece = piece * 7 % 1009 + 1;  // 1, 8, 57, 400, ...: crosses 64-byte blocks at every offset
    }
    CHECK(h.finish().to_string() == expected);
}

TEST_CASE("sha256: hashing on several threads at once (one context per thread)") {
    // Each thread has its own context; a result must not depend on what another thread hashes.
    std::string results[4];
    {
        std::thread threads[4];
        for (int t = 0; t < 4; ++t) {
            threads[t] = std::thread([&results, t] {
                std::string r;
                for (int i = 0; i < 200; ++i) r = sha256_text(t % 2 == 0 ? "abc" : "");
                results[t] = r;
            });
        }
        for (auto& th : threads) th.join();
    }
    CHECK(results[0] == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(results[1] == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(results[2] == results[0]);
    CHECK(results[3] == results[1]);
}
