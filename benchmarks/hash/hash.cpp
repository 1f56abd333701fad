// Hash throughput per policy (strata::sha256, strata::blake2b_256, strata::xxh3_128) on 4 KiB and
// 1 MiB buffers, against the libraries called directly, to show that a policy adds nothing.
//
//   BM_hash<H>/n              H::hash(buffer): the one-shot policy call
//   BM_hasher<H>/n            H::hasher: one update(buffer) and finish()
//   BM_openssl_sha256_reused/n      floor: EVP_DigestInit_ex/Update/Final_ex with an EVP_MD fetched
//                             once and one EVP_MD_CTX reused (what strata::sha256 does)
//   BM_openssl_EVP_Digest_sha256/n  OpenSSL's one-shot EVP_Digest(..., EVP_sha256(), ...), which in
//                             OpenSSL 3 fetches the algorithm and allocates a context per call
//   BM_openssl_blake2b512/n   OpenSSL's BLAKE2b-512 (fetched once, reused context): the speed of
//                             OpenSSL's BLAKE2b, for comparison with libsodium's (strata::blake2b_256)
//   BM_xxh3_dispatch_raw/n    XXH3_128bits_dispatch directly (the runtime-dispatched kernel,
//                             AVX-512/AVX2 here), without strata's vzeroupper
//   BM_xxh3_default_kernel/n  XXH3_128bits: libxxhash's default build (SSE2), no dispatch
//   BM_sha256_after_xxh3_raw  each iteration: XXH3_128bits_dispatch of 4 KiB, then sha256 of 1 MiB:
//                             the cost of the dirty AVX state libxxhash 0.8.1's kernels leave
//   BM_sha256_after_xxh3_policy  the same through strata::xxh3_128 (which clears it)
//
// bytes_per_second is input bytes hashed per second. Every benchmark first checks its result
// against the reference (the policy against the library called directly on the same buffer, and
// each policy's known answer for "abc"); the program aborts with a message otherwise. The raw
// dispatch benchmarks are registered last: they leave the CPU's upper vector state dirty, which
// would slow every legacy-SSE benchmark after them (SHA-NI among them).
#include <strata/hash/blake2b.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/hash/xxh3.hpp>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_hash: check failed: %s\n", what.c_str());
    std::abort();
}

// The input: random bytes, 64-byte aligned, large enough for the largest size.
const std::string_view& input_buffer() {
    static const std::string_view buffer = [] {
        constexpr std::size_t size = 1 << 20;
        auto* p = static_cast<char*>(std::aligned_alloc(64, size));
        std::mt19937_64 rng(7);
        for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<char>(rng() & 0xff);
        return std::string_view(p, size);
    }();
    return buffer;
}

std::string_view input(const benchmark::State& state) {
    return input_buffer().substr(0, static_cast<std::size_t>(state.range(0)));
}

struct openssl_md {
    EVP_MD* md;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    explicit openssl_md(const char* name) : md(EVP_MD_fetch(nullptr, name, nullptr)) {
        if (md == nullptr || ctx == nullptr) fail(std::string("EVP_MD_fetch ") + name);
    }
    ~openssl_md() {
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
    }
    openssl_md(const openssl_md&) = delete;
    openssl_md& operator=(const openssl_md&) = delete;
    std::string hash(std::string_view bytes) const {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        EVP_DigestInit_ex(ctx, md, nullptr);
        EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
        EVP_DigestFinal_ex(ctx, out, &size);
        return std::string(reinterpret_cast<const char*>(out), size);
    }
};

template <class D>
std::string raw(const D& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string xxh3_canonical(XXH128_hash_t h) {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    return std::string(reinterpret_cast<const char*>(c.digest), sizeof c.digest);
}

// The reference result of each policy on `bytes`: the library called directly (BLAKE2b-256 has
// no library here; its known answer is checked below and its hasher against its hash).
template <class H>
void check_policy(std::string_view bytes) {
    if constexpr (std::is_same_v<H, strata::sha256>) {
        static const openssl_md sha("SHA2-256");
        if (raw(H::hash(bytes)) != sha.hash(bytes)) fail("strata::sha256 differs from OpenSSL");
        if (H::hash("abc").to_string() !=
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
            fail("sha256(\"abc\")");
        }
    } else if constexpr (std::is_same_v<H, strata::xxh3_128>) {
        if (raw(H::hash(bytes)) != xxh3_canonical(XXH3_128bits(bytes.data(), bytes.size()))) {
            fail("strata::xxh3_128 differs from XXH3_128bits");
        }
        if (H::hash("").to_string() != "xxh3-128:99aa06d3014798d86001c324468d497f") fail("xxh3_128(\"\")");
    } else {
        if (H::hash("abc").to_string() !=
            "blake2b-256:bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319") {
            fail("blake2b_256(\"abc\")");
        }
    }
    typename H::hasher h;
    h.update(bytes.substr(0, bytes.size() / 3));
    h.update(bytes.substr(bytes.size() / 3));
    if (h.finish() != H::hash(bytes)) fail(std::string(H::name) + ": hasher differs from hash");
}

template <class H>
void BM_hash(benchmark::State& state) {
    const std::string_view bytes = input(state);
    check_policy<H>(bytes);
    for (auto _ : state) {
        auto d = H::hash(bytes);
        benchmark::DoNotOptimize(d);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

template <class H>
void BM_hasher(benchmark::State& state) {
    const std::string_view bytes = input(state);
    check_policy<H>(bytes);
    typename H::hasher h;
    for (auto _ : state) {
        h.update(bytes);
        auto d = h.finish();
        benchmark::DoNotOptimize(d);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_openssl_sha256_reused(benchmark::State& state) {
    const std::string_view bytes = input(state);
    const openssl_md sha("SHA2-256");
    if (sha.hash(bytes) != raw(strata::sha256::hash(bytes))) fail("OpenSSL SHA-256 reference");
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    for (auto _ : state) {
        EVP_DigestInit_ex(sha.ctx, sha.md, nullptr);
        EVP_DigestUpdate(sha.ctx, bytes.data(), bytes.size());
        EVP_DigestFinal_ex(sha.ctx, out, &size);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_openssl_EVP_Digest_sha256(benchmark::State& state) {
    const std::string_view bytes = input(state);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), out, &size, EVP_sha256(), nullptr);
    if (std::string(reinterpret_cast<const char*>(out), size) != raw(strata::sha256::hash(bytes))) {
        fail("EVP_Digest SHA-256 reference");
    }
    for (auto _ : state) {
        EVP_Digest(bytes.data(), bytes.size(), out, &size, EVP_sha256(), nullptr);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_openssl_blake2b512(benchmark::State& state) {
    const std::string_view bytes = input(state);
    const openssl_md b2("BLAKE2B-512");
    unsigned char expected[64];
    if (sodium_init() < 0 ||
        crypto_generichash(expected, 64, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                           0) != 0 ||
        b2.hash(bytes) != std::string(reinterpret_cast<const char*>(expected), 64)) {
        fail("libsodium's BLAKE2b (64-byte output) differs from OpenSSL's BLAKE2B-512");
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    for (auto _ : state) {
        EVP_DigestInit_ex(b2.ctx, b2.md, nullptr);
        EVP_DigestUpdate(b2.ctx, bytes.data(), bytes.size());
        EVP_DigestFinal_ex(b2.ctx, out, &size);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_xxh3_default_kernel(benchmark::State& state) {
    const std::string_view bytes = input(state);
    if (xxh3_canonical(XXH3_128bits(bytes.data(), bytes.size())) != raw(strata::xxh3_128::hash(bytes))) {
        fail("XXH3_128bits reference");
    }
    for (auto _ : state) {
        XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
        benchmark::DoNotOptimize(h);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

#if STRATA_XXH3_DISPATCH
void BM_xxh3_dispatch_raw(benchmark::State& state) {
    const std::string_view bytes = input(state);
    if (xxh3_canonical(XXH3_128bits_dispatch(bytes.data(), bytes.size())) != raw(strata::xxh3_128::hash(bytes))) {
        fail("XXH3_128bits_dispatch reference");
    }
    for (auto _ : state) {
        XXH128_hash_t h = XXH3_128bits_dispatch(bytes.data(), bytes.size());
        benchmark::DoNotOptimize(h);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// Each iteration hashes 4 KiB with XXH3 (raw dispatch, or the policy) and then 1 MiB with SHA-256.
template <bool Policy>
void BM_sha256_after_xxh3(benchmark::State& state) {
    const std::string_view small = input_buffer().substr(0, 4096);
    const std::string_view large = input_buffer();
    for (auto _ : state) {
        if constexpr (Policy) {
            auto x = strata::xxh3_128::hash(small);
            benchmark::DoNotOptimize(x);
        } else {
            XXH128_hash_t x = XXH3_128bits_dispatch(small.data(), small.size());
            benchmark::DoNotOptimize(x);
        }
        auto d = strata::sha256::hash(large);
        benchmark::DoNotOptimize(d);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(small.size() + large.size()));
}
#endif

constexpr std::int64_t kib4 = 4096;
constexpr std::int64_t mib1 = 1 << 20;

}  // namespace

BENCHMARK_TEMPLATE(BM_hash, strata::sha256)->Arg(kib4)->Arg(mib1);
BENCHMARK_TEMPLATE(BM_hasher, strata::sha256)->Arg(kib4)->Arg(mib1);
BENCHMARK(BM_openssl_sha256_reused)->Arg(kib4)->Arg(mib1);
BENCHMARK(BM_openssl_EVP_Digest_sha256)->Arg(kib4)->Arg(mib1);
BENCHMARK_TEMPLATE(BM_hash, strata::blake2b_256)->Arg(kib4)->Arg(mib1);
BENCHMARK_TEMPLATE(BM_hasher, strata::blake2b_256)->Arg(kib4)->Arg(mib1);
BENCHMARK(BM_openssl_blake2b512)->Arg(kib4)->Arg(mib1);
BENCHMARK_TEMPLATE(BM_hash, strata::xxh3_128)->Arg(kib4)->Arg(mib1);
BENCHMARK_TEMPLATE(BM_hasher, strata::xxh3_128)->Arg(kib4)->Arg(mib1);
BENCHMARK(BM_xxh3_default_kernel)->Arg(kib4)->Arg(mib1);
#if STRATA_XXH3_DISPATCH
BENCHMARK_TEMPLATE(BM_sha256_after_xxh3, true);
// Registered last: these leave the upper vector state dirty (see the file comment).
BENCHMARK(BM_xxh3_dispatch_raw)->Arg(kib4)->Arg(mib1);
BENCHMARK_TEMPLATE(BM_sha256_after_xxh3, false);
#endif
