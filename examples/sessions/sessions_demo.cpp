// The sessions demo (the README's main-job command): generates a legacy store of sessions
// (v1, some v2, some with no version field), reads every document through strata's dual-read
// adapter into v3, stores each session with its attachments (content store, SHA-256) and their
// references in one batch, checks every result by reading it back and verifies the content
// store, and shows how a bad document is reported (and leaves nothing behind) while the rest
// goes on.
//
//   sessions_demo [--count N] [--seed S]
#include "attachments.hpp"
#include "corpus.hpp"
#include "schema.hpp"

#include <strata/cas/cas_store.hpp>
#include <strata/dual_read.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/json.hpp>
#include <strata/storage/memory.hpp>
#include <strata/version.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    sessions_corpus::options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--count") options.count = std::strtoull(argv[i + 1], nullptr, 10);
        else if (flag == "--seed") options.seed = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "usage: sessions_demo [--count N] [--seed S]\n");
            return 2;
        }
    }

    std::printf("strata %.*s: sessions v1 -> v2 -> v3\n",
                static_cast<int>(strata::version_string.size()), strata::version_string.data());
    std::vector<sessions_corpus::document> store = sessions_corpus::generate(options);
    // One document is broken on purpose: its attachment is not base64.
    store.push_back({"session-broken", R"({"schemaVersion":2,"id":"session-broken","name":"n","description":"","status":"active","startTime":"2025-01-01T00:00:00Z","endTime":null,"tags":[],"folder":"inbox","config":{"screenshotIntervalS":30,"audioEnabled":true,"videoEnabled":false},"screenshots":[{"id":"s","timestamp":"2025-01-01T00:00:00Z","aiAnalysis":"x","attachment":{"name":"a.png","mimeType":"image/png","base64":"not base64!"}}],"audioSegments":[],"videoChunks":[],"summary":null,"audioInsights":null})"});

    std::size_t bytes_in = 0;
    for (const auto& doc : store) bytes_in += doc.json.size();
    std::printf("generated %zu documents, %.1f MB\n", store.size(), static_cast<double>(bytes_in) / 1e6);

    using cas_type = strata::cas_store<strata::memory_backend, strata::sha256>;
    strata::memory_backend db;
    cas_type blobs(db);
    sessions::cas_attachments<cas_type> attachments(blobs);
    sessions::session_chain<sessions::cas_attachments<cas_type>> chain{
        sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<sessions::cas_attachments<cas_type>>{&attachments}};
    strata::dual_reader reader{chain, sessions::session_version{}};

    std::vector<std::string> migrated;
    migrated.reserve(store.size());
    std::vector<std::string> failures;
    std::size_t bytes_out = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& doc : store) {
        try {
            strata::write_batch batch;  // the session, its attachments and their references
            attachments.begin(batch);
            migrated.push_back(reader.write(reader.read(doc.id, doc.json)));
            batch.put("sessions/" + doc.id, migrated.back());
            db.apply(batch);
            bytes_out += migrated.back().size();
        } catch (const strata::error& e) {
            failures.push_back(e.what());
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Verification: every v3 document reads back (as v3) and writes the same bytes again.
    std::size_t verified = 0;
    strata::json::decoder check;
    for (const std::string& v3 : migrated) {
        if (strata::json::encode(check.decode<sessions::session_v3>(v3)) == v3) ++verified;
    }

    const auto& seen = reader.counters();
    std::printf("read    v1: %llu, v2: %llu, v3: %llu; upgraded %llu\n",
                static_cast<unsigned long long>(seen.reads_per_version[1]),
                static_cast<unsigned long long>(seen.reads_per_version[2]),
                static_cast<unsigned long long>(seen.reads_per_version[3]),
                static_cast<unsigned long long>(seen.upgrades));
    std::printf("wrote   %zu v3 documents, %.1f MB (attachments moved out), in %.3f s: %.0f docs/s, %.2f GB/s in\n",
                migrated.size(), static_cast<double>(bytes_out) / 1e6, seconds,
                static_cast<double>(store.size()) / seconds, static_cast<double>(bytes_in) / seconds / 1e9);
    const strata::cas_stats stats = blobs.stats();
    const strata::verify_report blobs_verified = blobs.verify();
    std::printf("blobs   %llu distinct, %.1f MB, %llu references; deduplication saved %.1f MB; %s\n",
                static_cast<unsigned long long>(stats.blobs), static_cast<double>(stats.logical_bytes) / 1e6,
                static_cast<unsigned long long>(stats.references), static_cast<double>(stats.dedup_savings) / 1e6,
                blobs_verified.ok() ? "every blob re-hashed and every reference resolved" : "DAMAGED");
    std::printf("verify  %zu of %zu read back identical\n", verified, migrated.size());
    std::printf("failed  %zu\n", failures.size());
    for (const std::string& f : failures) std::printf("  %s\n", f.c_str());
    if (!migrated.empty()) {
        const std::string& first = migrated.front();
        std::printf("example %.*s...\n", 160, first.c_str());
    }
    // The demo expects exactly the one broken document to fail, and everything else verified.
    return failures.size() == 1 && verified == migrated.size() && migrated.size() + 1 == store.size() &&
                   blobs_verified.ok() && db.count("sessions/") == migrated.size()
               ? 0
               : 1;
}
