// Compression policies through frames: compress and decompress throughput and the ratio of
// none, zstd (levels 1, 3, 9) and lz4, each value framed on its own as a store holds it.
//
// Payloads (built once at start-up):
//   sessions_v1   300 documents of the sessions corpus (sessions_corpus::generate, seed 42), as
//                 stored before the upgrade: JSON with base64 screenshot attachments (random
//                 bytes, 64-1024 each), ~20 KB a document
//   sessions_v3   the same documents with each base64 text replaced by a 71-character
//                 "sha256:<hex>" reference, as v3 stores them (attachments live in the content
//                 store): JSON text and digests only
//   random        64 values of 64 KiB of random bytes (incompressible: attachments, media)
//
//   BM_compress/<codec>/<payload>    encode_frame_to of every value (a reused output string)
//   BM_decompress/<codec>/<payload>  decode_frame_to<zstd, lz4> of every frame (reused output)
//
// Counters: bytes_per_second = UNCOMPRESSED bytes per second (both directions, so the two
// compare), values/s, and `ratio` = stored frame bytes / original bytes (lower is better;
// headers included). Before timing, every frame of every codec is decoded and compared with
// its value; the program aborts with a message otherwise.
#include "sessions/corpus.hpp"

#include <strata/compression/frame.hpp>
#include <strata/compression/lz4.hpp>
#include <strata/compression/zstd.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench_compression: %s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
}

constexpr std::int64_t written = 1'700'000'000'000;

/// v3's shape of a v1 document: every `"base64":"…"` text becomes a sha256 reference.
std::string to_v3_like(const std::string& json, std::mt19937_64& rng) {
    static constexpr std::string_view key = "\"base64\":";
    std::string out;
    out.reserve(json.size());
    std::size_t pos = 0;
    for (;;) {
        std::size_t at = json.find(key, pos);
        if (at == std::string::npos) break;
        std::size_t open = json.find('"', at + key.size());
        std::size_t close = json.find('"', open + 1);
        if (open == std::string::npos || close == std::string::npos) fail("unexpected corpus text");
        out.append(json, pos, at - pos);
        out += "\"digest\":\"sha256:";
        static constexpr char hex[] = "0123456789abcdef";
        for (int i = 0; i < 4; ++i) {
            const std::uint64_t r = rng();
            for (int j = 0; j < 16; ++j) out += hex[(r >> (4 * j)) & 15];
        }
        out += '"';
        pos = close + 1;
    }
    out.append(json, pos);
    return out;
}

struct payloads {
    std::vector<std::string> sessions_v1, sessions_v3, random;
};

const payloads& data() {
    static const payloads p = [] {
        payloads r;
        std::mt19937_64 rng(7);
        for (auto& doc : sessions_corpus::generate({.count = 300})) {
            r.sessions_v3.push_back(to_v3_like(doc.json, rng));
            r.sessions_v1.push_back(std::move(doc.json));
        }
        for (int i = 0; i < 64; ++i) {
            std::string v(64 * 1024, '\0');
            for (std::size_t j = 0; j < v.size(); j += 8) {
                const std::uint64_t x = rng();
                for (std::size_t k = 0; k < 8; ++k)
                    v[j + k] = static_cast<char>((x >> (8 * k)) & 0xff);
            }
            r.random.push_back(std::move(v));
        }
        auto bytes = [](const std::vector<std::string>& values) {
            std::size_t n = 0;
            for (const auto& v : values) n += v.size();
            return n;
        };
        std::fprintf(stderr,
                     "payloads: sessions_v1 %zu values, %zu bytes; sessions_v3 %zu values, %zu "
                     "bytes; random %zu values, %zu bytes\n",
                     r.sessions_v1.size(), bytes(r.sessions_v1), r.sessions_v3.size(),
                     bytes(r.sessions_v3), r.random.size(), bytes(r.random));
        return r;
    }();
    return p;
}

const std::vector<std::string>& payload(std::string_view name) {
    if (name == "sessions_v1") return data().sessions_v1;
    if (name == "sessions_v3") return data().sessions_v3;
    return data().random;
}

using encoder = std::function<void(std::string&, std::string_view)>;

struct codec_case {
    std::string name;
    encoder encode;
};

std::vector<codec_case> codecs() {
    return {
        {"none",
         [](std::string& out, std::string_view v) {
             strata::encode_frame_to(out, strata::no_compression{}, v, written);
         }},
        {"zstd-1",
         [](std::string& out, std::string_view v) {
             strata::encode_frame_to(out, strata::zstd_compression{.level = 1}, v, written);
         }},
        {"zstd-3",
         [](std::string& out, std::string_view v) {
             strata::encode_frame_to(out, strata::zstd_compression{.level = 3}, v, written);
         }},
        {"zstd-9",
         [](std::string& out, std::string_view v) {
             strata::encode_frame_to(out, strata::zstd_compression{.level = 9}, v, written);
         }},
        {"lz4",
         [](std::string& out, std::string_view v) {
             strata::encode_frame_to(out, strata::lz4_compression{}, v, written);
         }},
    };
}

std::size_t total(const std::vector<std::string>& values) {
    std::size_t n = 0;
    for (const auto& v : values) n += v.size();
    return n;
}

/// The frames of every value, checked to decode back.
std::vector<std::string> frames_of(const codec_case& c, const std::vector<std::string>& values) {
    std::vector<std::string> frames;
    for (const auto& v : values) {
        std::string f;
        c.encode(f, v);
        if (strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(f, "bench") !=
            v) {
            fail(c.name + ": a frame does not decode to its value");
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

void report(benchmark::State& state, std::size_t bytes, std::size_t values, std::size_t stored) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(values));
    state.counters["ratio"] = static_cast<double>(stored) / static_cast<double>(bytes);
}

void bm_compress(benchmark::State& state, const codec_case& c, const std::string& payload_name) {
    const auto& values = payload(payload_name);
    const auto frames = frames_of(c, values);
    std::string out;
    for (auto _ : state) {
        for (const auto& v : values) {
            out.clear();
            c.encode(out, v);
            benchmark::DoNotOptimize(out.data());
        }
        benchmark::ClobberMemory();
    }
    report(state, total(values), values.size(), total(frames));
}

void bm_decompress(benchmark::State& state, const codec_case& c, const std::string& payload_name) {
    const auto& values = payload(payload_name);
    const auto frames = frames_of(c, values);
    std::string out;
    for (auto _ : state) {
        for (const auto& f : frames) {
            out.clear();
            strata::decode_frame_to<strata::zstd_compression, strata::lz4_compression>(out, f,
                                                                                       "bench");
            benchmark::DoNotOptimize(out.data());
        }
        benchmark::ClobberMemory();
    }
    report(state, total(values), values.size(), total(frames));
}

const bool registered = [] {
    for (const std::string payload_name : {"sessions_v1", "sessions_v3", "random"}) {
        for (const auto& c : codecs()) {
            benchmark::RegisterBenchmark(
                ("BM_compress/" + c.name + "/" + payload_name).c_str(),
                [c, payload_name](benchmark::State& s) { bm_compress(s, c, payload_name); })
                ->Unit(benchmark::kMillisecond);
            benchmark::RegisterBenchmark(
                ("BM_decompress/" + c.name + "/" + payload_name).c_str(),
                [c, payload_name](benchmark::State& s) { bm_decompress(s, c, payload_name); })
                ->Unit(benchmark::kMillisecond);
        }
    }
    return true;
}();

}  // namespace
