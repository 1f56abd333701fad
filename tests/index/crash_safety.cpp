// A document and its postings commit together: a child process updates and removes documents
// with their index changes, one batch each, and is killed with SIGKILL at random moments; each
// reopened store (SQLite, filesystem) must hold exactly the documents its batches made, and an
// index that verify finds identical to a fresh reading of them, and that searches like one.
#include "support.hpp"

#include <doctest/doctest.h>

#include "../storage/crash_safety.hpp"

namespace crash = strata::test::crash;
using namespace index_test;

namespace {

constexpr std::uint64_t keys = 6;  // batch i writes document i % keys, or removes it every 5th batch

std::string key_of(std::uint64_t i) { return "k" + std::to_string(i % keys); }
bool removes(std::uint64_t i) { return i % 5 == 0; }
doc document(const std::string& key, std::uint64_t seed) { return generator(seed).make(key); }

/// The documents after batches 1..n: key -> the seed it was made from.
std::map<std::string, std::uint64_t> expected(std::uint64_t n) {
    std::map<std::string, std::uint64_t> state;
    for (std::uint64_t i = 1; i <= n; ++i) {
        if (removes(i)) state.erase(key_of(i));
        else state[key_of(i)] = i;
    }
    return state;
}

struct documents_with_postings {
    template <class Store>
    void apply(Store& store, std::uint64_t i) const {
        strata::inverted_index<doc, fields, Store> index(store);
        strata::write_batch batch;
        auto w = index.writer(batch);
        if (removes(i)) {
            w.remove(key_of(i));
            batch.erase("docs/" + key_of(i));
        } else {
            w.update(document(key_of(i), i));
            batch.put("docs/" + key_of(i), std::to_string(i));
        }
        w.flush();
        batch.put("last", std::to_string(i));
        store.apply(batch);
    }

    template <class Store>
    std::string check(Store& store, std::uint64_t& n) const {
        const auto last = store.get("last");
        n = last ? std::stoull(*last) : 0;
        std::map<std::string, std::uint64_t> held;
        for (const auto& e : store.scan("docs/", std::nullopt, strata::no_limit)) held[e.key.substr(5)] = std::stoull(e.value);
        if (held != expected(n)) return "the documents are not those of batch " + std::to_string(n);
        model m;
        for (const auto& [key, seed] : held) m.put(document(key, seed));
        strata::inverted_index<doc, fields, Store> index(store);
        const auto report = index.verify(m.documents());
        if (!report.ok()) return "verify after batch " + std::to_string(n) + ": " + report.discrepancies.front().describe();
        strata::query q;
        q.order = strata::result_order::oldest;
        q.limit = 100;
        const auto page = index.search(q);
        if (page.total != held.size()) return "search finds " + std::to_string(page.total) + " documents";
        return {};
    }
};

crash::options quick() {
    crash::options o;
    o.kills = 20;
    return o;
}

}  // namespace

TEST_CASE("index crash safety: the workload's states are what its batches make them") {
    strata::memory_backend store;
    documents_with_postings workload;
    std::uint64_t n = 99;
    CHECK(workload.check(store, n).empty());
    CHECK(n == 0);
    for (std::uint64_t i = 1; i <= 12; ++i) {
        workload.apply(store, i);
        CHECK(workload.check(store, n).empty());
        CHECK(n == i);
    }
    // A document written without its postings is caught.
    store.put("docs/k1", "3");
    CHECK_FALSE(workload.check(store, n).empty());
}

TEST_CASE("index crash safety: SQLite keeps each document with exactly its postings") {
    const auto file = scratch("crash-sqlite") / "store.db";
    const auto r = crash::run([&] { return strata::sqlite_backend(file); }, quick(), documents_with_postings{});
    INFO(r.summary());
    for (const auto& p : r.problems) FAIL_CHECK(p);
    CHECK(r.kills == quick().kills);
    CHECK(r.batches > 0);
}

TEST_CASE("index crash safety: the filesystem backend keeps each document with exactly its postings") {
    const auto dir = scratch("crash-fs") / "store";
    const auto r = crash::run([&] { return strata::filesystem_backend(dir); }, quick(), documents_with_postings{});
    INFO(r.summary());
    for (const auto& p : r.problems) FAIL_CHECK(p);
    CHECK(r.kills == quick().kills);
    CHECK(r.batches > 0);
}
