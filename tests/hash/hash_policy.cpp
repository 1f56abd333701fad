// The hash-policy concept and its checks, and what every policy must do (written once, run for
// each): streaming equals one-shot however the input is split, hashers are reusable after
// finish, copies continue from the same state, moved-from hashers can start over.
#include <strata/hash/blake2b.hpp>
#include <strata/hash/hash_policy.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/hash/xxh3.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// The example of hash_policy.hpp's file comment: a complete policy of one's own.
struct fnv1a_64 {
    static constexpr std::string_view name = "fnv1a-64";
    static constexpr std::size_t digest_size = 8;
    struct hasher {
        std::uint64_t h = 0xcbf29ce484222325u;
        void update(std::string_view bytes) {
            for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3u;
        }
        strata::digest<fnv1a_64> finish() {
            strata::digest<fnv1a_64> d;
            for (std::size_t i = 0; i < 8; ++i) d.data()[i] = static_cast<unsigned char>(h >> (56 - 8 * i));
            *this = {};
            return d;
        }
    };
    static strata::digest<fnv1a_64> hash(std::string_view bytes) {
        hasher h;
        h.update(bytes);
        return h.finish();
    }
};

struct lacks_hasher {
    static constexpr std::string_view name = "lacks-hasher";
    static constexpr std::size_t digest_size = 8;
    static strata::digest<lacks_hasher> hash(std::string_view) { return {}; }
};

struct lacks_hash {
    static constexpr std::string_view name = "lacks-hash";
    static constexpr std::size_t digest_size = 8;
    struct hasher {
        void update(std::string_view) {}
        strata::digest<lacks_hash> finish() { return {}; }
    };
};

struct name_not_a_string_view {
    static constexpr const char* name = "c-string";
    static constexpr std::size_t digest_size = 8;
    static strata::digest<name_not_a_string_view> hash(std::string_view) { return {}; }
    struct hasher {
        void update(std::string_view) {}
        strata::digest<name_not_a_string_view> finish() { return {}; }
    };
};

struct hash_returns_string {
    static constexpr std::string_view name = "string";
    static constexpr std::size_t digest_size = 8;
    static std::string hash(std::string_view) { return {}; }
    struct hasher {
        void update(std::string_view) {}
        strata::digest<hash_returns_string> finish() { return {}; }
    };
};

struct hasher_not_default_constructible {
    static constexpr std::string_view name = "needs-seed";
    static constexpr std::size_t digest_size = 8;
    static strata::digest<hasher_not_default_constructible> hash(std::string_view) { return {}; }
    struct hasher {
        explicit hasher(int) {}
        void update(std::string_view) {}
        strata::digest<hasher_not_default_constructible> finish() { return {}; }
    };
};

struct hasher_lacks_finish {
    static constexpr std::string_view name = "no-finish";
    static constexpr std::size_t digest_size = 8;
    static strata::digest<hasher_lacks_finish> hash(std::string_view) { return {}; }
    struct hasher {
        void update(std::string_view) {}
    };
};

}  // namespace

// strata's policies, and one of the user's own, satisfy the concept and pass the check.
static_assert(strata::hash_policy<strata::sha256>);
static_assert(strata::hash_policy<strata::xxh3_128>);
static_assert(strata::hash_policy<strata::blake2b_256>);
static_assert(strata::hash_policy<fnv1a_64>);
static_assert(strata::check_hash_policy<fnv1a_64>());
// Each missing or wrong member is caught, by the requirement that names it.
static_assert(!strata::hash_policy<lacks_hasher> && !strata::has_hasher<lacks_hasher> &&
              strata::has_hash_function<lacks_hasher>);
static_assert(!strata::hash_policy<lacks_hash> && !strata::has_hash_function<lacks_hash> &&
              strata::has_hasher<lacks_hash>);
static_assert(!strata::hash_policy<name_not_a_string_view> && !strata::has_hash_name<name_not_a_string_view>);
static_assert(!strata::hash_policy<hash_returns_string> && !strata::has_hash_function<hash_returns_string>);
static_assert(!strata::hash_policy<hasher_not_default_constructible> &&
              !strata::has_hasher<hasher_not_default_constructible>);
static_assert(!strata::hash_policy<hasher_lacks_finish> && !strata::hasher_has_finish<hasher_lacks_finish> &&
              strata::hasher_has_update<hasher_lacks_finish>);
static_assert(!strata::hash_policy<int>);
// Names: what may prefix a digest's text.
static_assert(strata::detail::valid_hash_name("blake2b-256") && strata::detail::valid_hash_name("xxh3_128.v1"));
static_assert(!strata::detail::valid_hash_name("") && !strata::detail::valid_hash_name("sha:256") &&
              !strata::detail::valid_hash_name("SHA256") && !strata::detail::valid_hash_name("sha 256"));

namespace {

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
}

}  // namespace

#define STRATA_HASH_POLICIES strata::sha256, strata::xxh3_128, strata::blake2b_256, fnv1a_64

TEST_CASE_TEMPLATE("streaming equals one-shot for random splits", H, STRATA_HASH_POLICIES) {
    std::mt19937_64 rng(42);
    // Lengths around every size class of the policies (XXH3's 16/128/240-byte paths and 1 KiB
    // blocks, SHA-256's 64-byte blocks), then larger ones.
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 260; ++n) lengths.push_back(n);
    for (std::size_t n : {511u, 512u, 513u, 1023u, 1024u, 1025u, 2047u, 2048u, 4096u, 65537u, 300000u}) {
        lengths.push_back(n);
    }
    typename H::hasher h;  // reused throughout: finish() leaves it ready for a new input
    for (const std::size_t n : lengths) {
        const std::string data = random_bytes(rng, n);
        const strata::digest<H> expected = H::hash(data);
        for (int trial = 0; trial < 3; ++trial) {
            std::size_t at = 0;
            while (at < n) {
                // Pieces from 0 bytes (an empty update) to the whole input.
                const std::size_t piece = std::min<std::size_t>(n - at, rng() % (trial == 0 ? 7 : n + 1));
                h.update(std::string_view(data).substr(at, piece));
                at += piece;
            }
            REQUIRE_MESSAGE(h.finish() == expected, "length ", n, ", trial ", trial);
        }
    }
}

TEST_CASE_TEMPLATE("a hasher with no input gives the digest of the empty input", H, STRATA_HASH_POLICIES) {
    typename H::hasher h;
    CHECK(h.finish() == H::hash(""));
    h.update("");
    CHECK(h.finish() == H::hash(""));
    CHECK(H::hash("") != H::hash(std::string_view("\0", 1)));
}

TEST_CASE_TEMPLATE("different inputs give different digests", H, STRATA_HASH_POLICIES) {
    CHECK(H::hash("abc") != H::hash("abd"));
    CHECK(H::hash("abc") != H::hash("ab"));
    CHECK(H::hash("abc") == H::hash(std::string("abc")));
    CHECK(H::hash("abc").to_string().starts_with(std::string(H::name) + ":"));
}

TEST_CASE_TEMPLATE("a copied hasher continues from the same state, a moved-from one can start over", H,
                   strata::sha256, strata::xxh3_128, strata::blake2b_256) {
    typename H::hasher a;
    a.update("hello, ");
    typename H::hasher b = a;
    a.update("world");
    b.update("there");
    CHECK(a.finish() == H::hash("hello, world"));
    CHECK(b.finish() == H::hash("hello, there"));

    a.update("part");
    b = a;  // copy assignment
    b.update("ial");
    CHECK(b.finish() == H::hash("partial"));
    CHECK(a.finish() == H::hash("part"));

    a.update("moved ");
    typename H::hasher c = std::move(a);
    c.update("away");
    CHECK(c.finish() == H::hash("moved away"));
    // A moved-from hasher is valid but its input unspecified: finish() starts it over.
    (void)a.finish();  // NOLINT(bugprone-use-after-move)
    a.update("again");
    CHECK(a.finish() == H::hash("again"));
}
