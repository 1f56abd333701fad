// Upgrades every *.json session in a directory to v3 through strata's dual-read adapter:
//   upgrade_directory IN_DIR OUT.jsonl BLOBS_DIR
// writes one v3 document per line, sorted by id, and each attachment blob to BLOBS_DIR/<hex>.
// A document that fails is reported on stderr with its file, JSON path and reason; the others go
// on; the exit status is then 1. The oracle test compares the output with sessions.py expect.
#include "attachments.hpp"
#include "schema.hpp"

#include <strata/dual_read.hpp>

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

    sessions::memory_content_store store;
    sessions::session_chain<sessions::memory_content_store> chain{
        sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<sessions::memory_content_store>{&store}};
    strata::dual_reader reader{chain, sessions::session_version{}};

    std::vector<std::pair<std::string, std::string>> out;  // id, v3 JSON
    int failed = 0;
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        try {
            sessions::session_v3 doc = reader.read(file.filename().string(), bytes.str());
            out.emplace_back(doc.id, reader.write(doc));
        } catch (const std::exception& e) {
            std::cerr << e.what() << '\n';
            ++failed;
        }
    }
    std::sort(out.begin(), out.end());
    std::ofstream lines(argv[2], std::ios::binary);
    for (const auto& [id, json] : out) lines << json << '\n';

    fs::create_directories(argv[3]);
    for (const auto& [digest, blob] : store.blobs()) {
        std::ofstream(fs::path(argv[3]) / digest.substr(7), std::ios::binary) << blob;
    }
    const auto& counters = reader.counters();
    std::printf("upgraded %zu documents (v1 %llu, v2 %llu, v3 %llu), %d failed, %zu blobs\n",
                out.size(), static_cast<unsigned long long>(counters.reads_per_version[1]),
                static_cast<unsigned long long>(counters.reads_per_version[2]),
                static_cast<unsigned long long>(counters.reads_per_version[3]), failed,
                store.blobs().size());
    return failed == 0 ? 0 : 1;
}
