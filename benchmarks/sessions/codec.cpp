// The sessions codec and the v1 -> v3 upgrade, against their floors and against nlohmann::json.
//
// The corpus: sessions_corpus::generate({.count = 1000}) (the shape of `sessions.py gen --count
// 1000`: ~90% v1, ~10% already v2, two "big" documents, half of them pretty-printed), built once
// at start-up. Every benchmark goes over the whole corpus once per iteration and reports
// bytes_per_second as bytes of CORPUS (the stored v1/v2 JSON) per second, so that every GB/s
// figure in this binary is comparable, and docs/s.
//
//   BM_decode_v1v2               strata::json::decoder: v1 documents into session_v1, v2 into
//                                session_v2 (classified by version once, outside the loop)
//   BM_encode_v3                 strata::json::encode of the 1000 session_v3 records
//   BM_upgrade_v1_to_v3          the whole job: strata::dual_reader::read (detect, decode, both
//                                steps, blobs into a memory_content_store) + reader.write; the
//                                stored bytes have simdjson's padding and are parsed in place
//   BM_upgrade_v1_to_v3_copied   the same, the bytes given as a plain string_view (copied into
//                                the reader's padded buffer first)
//   BM_floor_simdjson_touch_all  simdjson On-Demand over the same bytes, reading every value:
//                                the floor of any decoder
//   BM_floor_base64_sha256       base64-decoding (strata::base64_decode) and SHA-256-hashing
//                                (strata::sha256) every attachment alone: the floor of
//                                the v2 -> v3 step
//   BM_baseline_nlohmann_upgrade the same upgrade written the usual way with nlohmann::json
//
// Before anything is timed, the strata upgrade and the nlohmann upgrade are run once over the
// corpus, and their outputs are compared document by document as JSON values (and their content
// stores blob by blob); the program aborts if they differ.
#include "sessions/attachments.hpp"
#include "sessions/corpus.hpp"
#include "sessions/schema.hpp"

#include <strata/base64.hpp>
#include <strata/dual_read.hpp>
#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using store_t = sessions::memory_content_store;
using chain_t = sessions::session_chain<store_t>;
using reader_t = strata::dual_reader<chain_t, sessions::session_version>;
namespace od = simdjson::ondemand;

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench_codec: %s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
}

// One upgrade job: a content store, the chain writing into it, a dual reader over the chain.
// Not movable (the chain points at the store): built in place, on the heap.
struct strata_job {
    store_t store;
    chain_t chain{sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<store_t>{&store}};
    reader_t reader{chain, sessions::session_version{}};
};

// The upgrade of one document with strata, as the timed loop runs it. The stored bytes have
// SIMDJSON_PADDING bytes of spare capacity (as a store's reader can give them; see data()), so
// the reader parses them in place.
inline std::string strata_upgrade(reader_t& reader, const sessions_corpus::document& doc) {
    const sessions::session_v3 record = reader.read(doc.id, simdjson::padded_string_view(doc.json));
    return reader.write(record);
}

// The same, from a plain view of the bytes: the reader copies them into its padded buffer.
inline std::string strata_upgrade_copied(reader_t& reader, const sessions_corpus::document& doc) {
    const sessions::session_v3 record = reader.read(doc.id, std::string_view(doc.json));
    return reader.write(record);
}

// --- the nlohmann::json baseline: the upgrade as one would usually write it -------------------

nlohmann::json camel_keys(nlohmann::json&& value) {
    if (value.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (auto it = value.begin(); it != value.end(); ++it) {
            out.emplace(sessions_corpus::camel_case(it.key()), camel_keys(std::move(it.value())));
        }
        return out;
    }
    if (value.is_array()) {
        for (nlohmann::json& element : value) element = camel_keys(std::move(element));
    }
    return std::move(value);
}

std::string nlohmann_upgrade(std::string_view bytes, store_t& store) {
    nlohmann::json doc = nlohmann::json::parse(bytes);
    std::uint64_t version = 1;
    if (auto it = doc.find("schemaVersion"); it != doc.end()) {
        version = it->get<std::uint64_t>();
    } else if (auto old = doc.find("schema_version"); old != doc.end()) {
        version = old->get<std::uint64_t>();
    }
    if (version == 1) {  // v1 -> v2
        doc.erase("schema_version");
        std::string labels;
        if (auto it = doc.find("labels"); it != doc.end()) {
            labels = it->get<std::string>();
            doc.erase(it);
        }
        doc = camel_keys(std::move(doc));
        nlohmann::json tags = nlohmann::json::array();
        for (std::string& tag : sessions::split_labels(labels)) tags.push_back(std::move(tag));
        doc["tags"] = std::move(tags);
        doc["folder"] = "inbox";
    }
    // v2 -> v3
    std::uint64_t screenshots = 0;
    if (auto shots = doc.find("screenshots"); shots != doc.end()) {
        for (nlohmann::json& shot : *shots) {
            nlohmann::json& attachment = shot.at("attachment");
            const std::string blob =
                strata::base64_decode(attachment.at("base64").get_ref<const std::string&>());
            attachment.erase("base64");
            attachment["size"] = blob.size();
            attachment["hash"] = store.put(blob);  // strata::sha256 + the store
        }
        screenshots = shots->size();
    }
    const auto count = [&](const char* key) -> std::uint64_t {
        auto it = doc.find(key);
        return it == doc.end() ? 0 : it->size();
    };
    nlohmann::json stats = {{"screenshotCount", screenshots},
                            {"audioSegmentCount", count("audioSegments")},
                            {"videoChunkCount", count("videoChunks")},
                            {"durationMs", nullptr}};
    if (auto end = doc.find("endTime"); end != doc.end() && !end->is_null()) {
        stats["durationMs"] = sessions::parse_utc_ms(end->get_ref<const std::string&>()) -
                              sessions::parse_utc_ms(doc.at("startTime").get_ref<const std::string&>());
    }
    doc["stats"] = std::move(stats);
    doc["schemaVersion"] = 3;
    return doc.dump();
}

// --- the simdjson floor: read every value, build nothing ---------------------------------------

void touch(od::value value, std::uint64_t& sum) {
    switch (value.type().value()) {
        case od::json_type::object:
            for (auto field_result : value.get_object()) {
                od::field f;
                if (auto e = std::move(field_result).get(f)) throw simdjson::simdjson_error(e);
                sum += static_cast<unsigned char>(*f.key().raw());  // keys matched raw, as strata does
                touch(f.value(), sum);
            }
            break;
        case od::json_type::array:
            for (auto element : value.get_array()) touch(element.value(), sum);
            break;
        case od::json_type::string:
            sum += std::string_view(value.get_string().value()).size();
            break;
        case od::json_type::number: {
            od::number number = value.get_number().value();
            if (number.is_int64()) {
                sum += static_cast<std::uint64_t>(number.get_int64());
            } else if (number.is_uint64()) {
                sum += number.get_uint64();
            } else {
                const double d = number.get_double();
                std::uint64_t bits;
                std::memcpy(&bits, &d, sizeof bits);
                sum += bits;
            }
            break;
        }
        case od::json_type::boolean:
            sum += value.get_bool().value() ? 1U : 0U;
            break;
        case od::json_type::null:
            sum += value.is_null().value() ? 0U : 1U;
            break;
    }
}

// --- the data, built and checked once, before anything is timed -------------------------------

struct corpus_data {
    std::vector<sessions_corpus::document> docs;
    std::size_t bytes = 0;
    std::vector<std::string_view> v1, v2;                // the documents by version
    std::vector<sessions::session_v3> v3;               // every document upgraded
    std::vector<simdjson::padded_string> padded;        // the documents, padded for simdjson
    std::vector<std::string> base64;                    // every attachment's base64 text
    std::size_t base64_bytes = 0;
};

const corpus_data& data() {
    static const corpus_data built = [] {
        corpus_data d;
        d.docs = sessions_corpus::generate({.count = 1000});
        for (auto& doc : d.docs) {  // stored with room for simdjson's padding
            if (doc.json.capacity() < doc.json.size() + simdjson::SIMDJSON_PADDING) {
                doc.json.reserve(doc.json.size() + simdjson::SIMDJSON_PADDING);
            }
        }
        strata::json::decoder decoder;
        sessions::session_version detector;
        for (const auto& doc : d.docs) {
            d.bytes += doc.json.size();
            d.padded.emplace_back(doc.json);
            auto iterated = decoder.iterate(doc.json);
            const auto version = detector.detect(doc.json, iterated);
            if (version == 1) {
                d.v1.push_back(doc.json);
                for (const auto& shot : decoder.decode<sessions::session_v1>(doc.json).screenshots)
                    d.base64.push_back(strata::base64_encode(shot.attachment.base64.bytes));
            } else if (version == 2) {
                d.v2.push_back(doc.json);
                for (const auto& shot : decoder.decode<sessions::session_v2>(doc.json).screenshots)
                    d.base64.push_back(strata::base64_encode(shot.attachment.base64.bytes));
            } else {
                fail(doc.id + ": unexpected schema version " + std::to_string(version));
            }
        }
        for (const auto& text : d.base64) d.base64_bytes += text.size();

        // Reference run of both upgrades, compared as JSON values, document by document.
        auto job = std::make_unique<strata_job>();
        store_t baseline_store;
        for (const auto& doc : d.docs) {
            std::string ours, theirs;
            try {
                d.v3.push_back(job->reader.read(doc.id, doc.json));
                ours = job->reader.write(d.v3.back());
                if (strata_upgrade(job->reader, doc) != ours) fail(doc.id + ": upgrade is not deterministic");
                if (strata_upgrade_copied(job->reader, doc) != ours) {
                    fail(doc.id + ": the upgrade of a copy differs from the upgrade in place");
                }
                if (strata::json::encode(d.v3.back()) != ours) fail(doc.id + ": encode != reader.write");
                theirs = nlohmann_upgrade(doc.json, baseline_store);
            } catch (const std::exception& e) {
                fail(doc.id + ": " + e.what());
            }
            if (nlohmann::json::parse(ours) != nlohmann::json::parse(theirs)) {
                fail(doc.id + ": strata's v3 and the nlohmann baseline's differ:\n  strata:   " +
                     ours.substr(0, 400) + "\n  nlohmann: " + theirs.substr(0, 400));
            }
        }
        if (job->store.blobs() != baseline_store.blobs()) {
            fail("the content stores of strata's upgrade and of the nlohmann baseline differ");
        }
        std::fprintf(stderr,
                     "corpus: %zu documents (%zu v1, %zu v2), %zu bytes, %zu attachments "
                     "(%zu base64 bytes, %zu distinct blobs); strata == nlohmann on every document\n",
                     d.docs.size(), d.v1.size(), d.v2.size(), d.bytes, d.base64.size(),
                     d.base64_bytes, job->store.blobs().size());
        return d;
    }();
    return built;
}

void report(benchmark::State& state, const corpus_data& d) {
    const auto iterations = static_cast<std::int64_t>(state.iterations());
    state.SetBytesProcessed(iterations * static_cast<std::int64_t>(d.bytes));
    state.counters["docs/s"] = benchmark::Counter(
        static_cast<double>(iterations) * static_cast<double>(d.docs.size()),
        benchmark::Counter::kIsRate);
}

// --- the benchmarks ----------------------------------------------------------------------------

void BM_decode_v1v2(benchmark::State& state) {
    const corpus_data& d = data();
    strata::json::decoder decoder;  // reused, as the dual reader reuses its own
    for (auto _ : state) {
        for (std::string_view json : d.v1) {
            auto record = decoder.decode<sessions::session_v1>(json);
            benchmark::DoNotOptimize(record);
        }
        for (std::string_view json : d.v2) {
            auto record = decoder.decode<sessions::session_v2>(json);
            benchmark::DoNotOptimize(record);
        }
    }
    report(state, d);
}

void BM_encode_v3(benchmark::State& state) {
    const corpus_data& d = data();
    std::size_t out_bytes = 0;
    for (auto _ : state) {
        for (const sessions::session_v3& record : d.v3) {
            std::string out = strata::json::encode(record);  // a fresh string, as reader.write
            out_bytes += out.size();
            benchmark::DoNotOptimize(out);
        }
    }
    report(state, d);
    state.counters["v3_bytes/s"] =
        benchmark::Counter(static_cast<double>(out_bytes), benchmark::Counter::kIsRate);
}

// A fresh store (and chain and reader) per iteration, built and the previous one destroyed
// while the timer is paused: one iteration is one whole job over an empty content store.
void BM_upgrade_v1_to_v3(benchmark::State& state) {
    const corpus_data& d = data();
    std::unique_ptr<strata_job> job;
    for (auto _ : state) {
        state.PauseTiming();
        job.reset();
        job = std::make_unique<strata_job>();
        state.ResumeTiming();
        for (const auto& doc : d.docs) {
            std::string out = strata_upgrade(job->reader, doc);
            benchmark::DoNotOptimize(out);
        }
    }
    report(state, d);
}

// As BM_upgrade_v1_to_v3, with the stored bytes given as a plain std::string_view: the reader
// copies each document into its padded buffer first (what the padding saves).
void BM_upgrade_v1_to_v3_copied(benchmark::State& state) {
    const corpus_data& d = data();
    std::unique_ptr<strata_job> job;
    for (auto _ : state) {
        state.PauseTiming();
        job.reset();
        job = std::make_unique<strata_job>();
        state.ResumeTiming();
        for (const auto& doc : d.docs) {
            std::string out = strata_upgrade_copied(job->reader, doc);
            benchmark::DoNotOptimize(out);
        }
    }
    report(state, d);
}

void BM_floor_simdjson_touch_all(benchmark::State& state) {
    const corpus_data& d = data();
    od::parser parser;
    for (auto _ : state) {
        std::uint64_t sum = 0;
        for (const simdjson::padded_string& json : d.padded) {
            od::document doc = parser.iterate(json);
            touch(doc.get_value().value(), sum);
        }
        benchmark::DoNotOptimize(sum);
    }
    report(state, d);
}

void BM_floor_base64_sha256(benchmark::State& state) {
    const corpus_data& d = data();
    for (auto _ : state) {
        for (const std::string& text : d.base64) {
            const std::string blob = strata::base64_decode(text);
            std::string digest = strata::sha256::hash(blob).to_string();
            benchmark::DoNotOptimize(digest);
        }
    }
    report(state, d);  // bytes of CORPUS: comparable with BM_upgrade_v1_to_v3
    state.counters["base64_bytes/s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * static_cast<double>(d.base64_bytes),
        benchmark::Counter::kIsRate);
}

// Same treatment of the store as BM_upgrade_v1_to_v3.
void BM_baseline_nlohmann_upgrade(benchmark::State& state) {
    const corpus_data& d = data();
    std::unique_ptr<store_t> store;
    for (auto _ : state) {
        state.PauseTiming();
        store.reset();
        store = std::make_unique<store_t>();
        state.ResumeTiming();
        for (const auto& doc : d.docs) {
            std::string out = nlohmann_upgrade(doc.json, *store);
            benchmark::DoNotOptimize(out);
        }
    }
    report(state, d);
}

}  // namespace

BENCHMARK(BM_decode_v1v2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_encode_v3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_upgrade_v1_to_v3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_upgrade_v1_to_v3_copied)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_floor_simdjson_touch_all)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_floor_base64_sha256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_baseline_nlohmann_upgrade)->Unit(benchmark::kMillisecond);
