// Upgrades every *.json session in a directory to v3 through strata's dual-read adapter:
//   upgrade_directory IN_DIR OUT.jsonl BLOBS_DIR
// Each session is written with its attachments (strata::cas_store, SHA-256) and their
// references (session id, screenshot id) in one batch; then it writes one v3 document per line,
// sorted by id, and each attachment blob, read back from the content store, to BLOBS_DIR/<hex>.
// A document that fails is reported on stderr with its file, JSON path and reason, and leaves
// nothing behind; the others go on; the exit status is then 1. The content store is verified
// at the end. The oracle test compares the output with sessions.py expect.
#include "attachments.hpp"
#include "schema.hpp"

#include <strata/cas/cas_store.hpp>
#include <strata/dual_read.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/storage/memory.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: upgrade_directory IN_DIR OUT.jsonl BLOBS_DIR\n";
        return 2;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(argv[1])) {
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());

    using cas_type = strata::cas_store<strata::memory_backend, strata::sha256>;
    strata::memory_backend db;
    cas_type cas(db);
    sessions::cas_attachments<cas_type> attachments(cas);
    sessions::session_chain<sessions::cas_attachments<cas_type>> chain{
        sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<sessions::cas_attachments<cas_type>>{&attachments}};
    strata::dual_reader reader{chain, sessions::session_version{}};

    std::vector<std::pair<std::string, std::string>> out;  // id, v3 JSON
    std::size_t screenshots = 0;
    int failed = 0;
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        try {
            strata::write_batch batch;  // the session, its blobs and references, together
            attachments.begin(batch);
            sessions::session_v3 doc = reader.read(file.filename().string(), bytes.str());
            std::string json = reader.write(doc);
            batch.put("sessions/" + doc.id, json);
            db.apply(batch);
            screenshots += doc.screenshots.size();
            out.emplace_back(doc.id, std::move(json));
        } catch (const std::exception& e) {
            std::cerr << e.what() << '\n';
            ++failed;
        }
    }
    std::sort(out.begin(), out.end());
    std::ofstream lines(argv[2], std::ios::binary);
    for (const auto& [id, json] : out) lines << json << '\n';

    fs::create_directories(argv[3]);
    std::size_t blobs = 0;
    cas.for_each_blob([&](const strata::digest<strata::sha256>& digest, const strata::blob_info&) {
        std::ofstream(fs::path(argv[3]) / digest.hex(), std::ios::binary) << cas.get(digest).value();
        ++blobs;
    });
    const strata::cas_stats stats = cas.stats();
    const strata::verify_report verified = cas.verify();
    for (const auto& problem : verified.problems) std::cerr << "verify: " << problem.key << ": " << problem.detail << '\n';
    if (stats.references != screenshots) {
        std::cerr << "verify: " << stats.references << " references for " << screenshots << " screenshots\n";
        ++failed;
    }
    const auto& counters = reader.counters();
    std::printf("upgraded %zu documents (v1 %llu, v2 %llu, v3 %llu), %d failed, %zu blobs (%llu bytes, "
                "%llu references, %llu bytes saved by deduplication), content store %s\n",
                out.size(), static_cast<unsigned long long>(counters.reads_per_version[1]),
                static_cast<unsigned long long>(counters.reads_per_version[2]),
                static_cast<unsigned long long>(counters.reads_per_version[3]), failed, blobs,
                static_cast<unsigned long long>(stats.logical_bytes),
                static_cast<unsigned long long>(stats.references),
                static_cast<unsigned long long>(stats.dedup_savings), verified.ok() ? "verified" : "DAMAGED");
    return failed == 0 && verified.ok() ? 0 : 1;
}
