// A document and its content-store references commit together: a child process writes
// documents with their blobs and references, one batch each, and is killed with SIGKILL at
// random moments; each reopened store (SQLite, filesystem) must hold every document with exactly
// its references and blobs, no reference without its document, and pass cas_store::verify.
#include <strata/cas/cas_store.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include "../scratch_dir.hpp"
#include "../storage/crash_safety.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace fs = std::filesystem;
namespace crash = strata::test::crash;

namespace {

constexpr std::uint64_t refs_per_document = 3;
constexpr std::uint64_t kept_documents = 2;  // batch i removes document i - 2

std::string document_key(std::uint64_t i) { return "docs/" + std::to_string(i); }
std::string owner(std::uint64_t i) { return "doc-" + std::to_string(i); }
std::string ref(std::uint64_t k) { return "shot-" + std::to_string(k); }
/// Attachment k of document i: drawn from 7 contents, so documents share blobs (dedup), of
/// varied sizes with binary bytes.
std::string attachment(std::uint64_t i, std::uint64_t k) {
    const std::uint64_t which = (i * 3 + k * 5) % 7;
    std::string bytes(200 + which * 997, '\0');
    std::uint64_t x = which + 1;
    for (auto& c : bytes) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        c = static_cast<char>(x >> 56);
    }
    return bytes;
}

/// Batch i: "last" = i, document i with its blobs and references, document i - 2 removed with
/// its references (its blobs stay for the garbage collector).
struct documents_with_references {
    template <class Store>
    void apply(Store& store, std::uint64_t i) const {
        strata::cas_store<Store, strata::sha256> cas(store);
        strata::write_batch batch;
        auto writer = cas.writer(batch);
        std::string doc;
        for (std::uint64_t k = 0; k < refs_per_document; ++k) {
            const auto d = writer.put(attachment(i, k));
            writer.add_ref(d, owner(i), ref(k));
            doc += d.to_string() + "\n";
        }
        batch.put(document_key(i), doc);
        if (i > kept_documents) {
            batch.erase(document_key(i - kept_documents));
            writer.remove_refs_of(owner(i - kept_documents));
        }
        batch.put("last", std::to_string(i));
        store.apply(batch);
    }

    template <class Store>
    std::string check(Store& store, std::uint64_t& n) const {
        const auto last = store.get("last");
        n = last ? std::stoull(*last) : 0;
        strata::cas_store<Store, strata::sha256> cas(store);
        const std::uint64_t first = n > kept_documents ? n - kept_documents + 1 : 1;
        if (store.count("docs/") != n - first + 1)
            return std::to_string(store.count("docs/")) + " documents after batch " + std::to_string(n);
        if (cas.stats().references != (n - first + 1) * refs_per_document)
            return std::to_string(cas.stats().references) + " references after batch " + std::to_string(n);
        for (std::uint64_t i = first; i <= n; ++i) {
            const auto doc = store.get(document_key(i));
            if (!doc) return "document " + std::to_string(i) + " is missing after batch " + std::to_string(n);
            const auto held = cas.refs_held_by(owner(i));
            if (held.size() != refs_per_document) return "document " + std::to_string(i) + " holds " + std::to_string(held.size()) + " references";
            std::string listed;
            for (std::uint64_t k = 0; k < refs_per_document; ++k) {
                if (held[k].first != ref(k)) return "document " + std::to_string(i) + ": reference " + held[k].first;
                const auto bytes = cas.get(held[k].second);
                if (!bytes || *bytes != attachment(i, k))
                    return "document " + std::to_string(i) + ": the blob of " + ref(k) + " is missing or wrong";
                listed += held[k].second.to_string() + "\n";
            }
            if (listed != *doc) return "document " + std::to_string(i) + " and its references disagree";
        }
        const auto report = cas.verify();
        if (!report.ok()) return "verify: " + report.problems.front().key + ": " + report.problems.front().detail;
        return {};
    }
};

crash::options quick() {
    crash::options o;
    o.kills = 30;
    return o;
}

using strata_test::scratch;

}  // namespace

TEST_CASE("cas crash safety: the workload's states are what its batches make them") {
    strata::memory_backend store;
    documents_with_references workload;
    std::uint64_t n = 99;
    CHECK(workload.check(store, n).empty());
    CHECK(n == 0);
    for (std::uint64_t i = 1; i <= 6; ++i) {
        workload.apply(store, i);
        CHECK(workload.check(store, n).empty());
        CHECK(n == i);
    }
    // A document written without its references is caught.
    store.put(document_key(7), "x");
    store.put("last", "7");
    CHECK_FALSE(workload.check(store, n).empty());
}

TEST_CASE("cas crash safety: SQLite keeps each document with exactly its references") {
    const fs::path file = scratch("sqlite") / "store.db";
    const auto r = crash::run([&] { return strata::sqlite_backend(file); }, quick(), documents_with_references{});
    INFO(r.summary());
    for (const auto& p : r.problems) FAIL_CHECK(p);
    CHECK(r.kills == quick().kills);
    CHECK(r.batches > 0);
}

TEST_CASE("cas crash safety: the filesystem backend keeps each document with exactly its references") {
    const fs::path dir = scratch("filesystem") / "store";
    const auto r = crash::run([&] { return strata::filesystem_backend(dir); }, quick(), documents_with_references{});
    INFO(r.summary());
    for (const auto& p : r.problems) FAIL_CHECK(p);
    CHECK(r.kills == quick().kills);
    CHECK(r.batches > 0);
}
