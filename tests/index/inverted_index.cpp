// inverted_index: queries agree exactly with a brute-force search over random documents (after
// updates and removals, on every backend); several updates in one batch; verify finds each kind
// of damage; rebuild; bad dates refused with the document and path, changing nothing.
#include "support.hpp"

#include <doctest/doctest.h>

using namespace index_test;

namespace {

template <class Index>
void check_queries(const Index& index, const model& m, generator& g, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        const strata::query q = g.make_query();
        INFO(describe(q));
        const auto got = index.search(q);
        const auto want = m.search(q, index.options().stops);
        REQUIRE(got.total == want.total);
        REQUIRE(got.hits.size() == want.hits.size());
        for (std::size_t h = 0; h < got.hits.size(); ++h) {
            INFO("hit " << h);
            CHECK(got.hits[h].id == want.hits[h].id);
            CHECK(got.hits[h].score == want.hits[h].score);
            CHECK(got.hits[h].date == want.hits[h].date);
        }
    }
}

}  // namespace

TEST_CASE_TEMPLATE("index: random updates, removals and queries agree with a brute-force search", Store,
                   memory_store, filesystem_store, sqlite_store) {
    Store store;
    strata::inverted_index<doc, fields, decltype(store.backend)> index(store.backend);
    model m;
    generator g(7);
    // 1,100 documents: more than one segment of dense ids.
    {
        strata::write_batch batch;
        auto w = index.writer(batch);
        for (int i = 0; i < 1100; ++i) {
            const doc d = g.make("d" + std::to_string(i));
            w.update(d);
            m.put(d);
        }
        w.flush();
        store.backend.apply(batch);
    }
    check_queries(index, m, g, 40);
    // Updates, removals and re-additions, some several to one batch.
    for (int round = 0; round < 30; ++round) {
        strata::write_batch batch;
        auto w = index.writer(batch);
        for (std::size_t k = 0, n = 1 + g.below(6); k < n; ++k) {
            std::string key = "d";
            key += std::to_string(g.below(1200));  // (not "d" + ...: g++ 12's -Wrestrict misfires on it at -O3)
            if (g.chance(0.3)) {
                CHECK(w.remove(key) == m.contains(key));
                m.remove(key);
            } else {
                const doc d = g.make(key);
                w.update(d);
                m.put(d);
            }
        }
        w.flush();
        store.backend.apply(batch);
    }
    CHECK(index.size() == m.size());
    check_queries(index, m, g, 40);
    const auto report = index.verify(m.documents());
    for (std::size_t i = 0; i < report.discrepancies.size() && i < 5; ++i) MESSAGE(report.discrepancies[i].describe());
    CHECK(report.ok());
    CHECK(report.documents == m.size());
}

TEST_CASE("index: stop words, prefixes and UTF-8 terms") {
    strata::memory_backend store;
    strata::index_options options;
    options.stops = strata::stop_words::english();
    strata::inverted_index<doc, fields, strata::memory_backend> index(store, options);
    doc a{"a", "The Migration of the café", {}, std::nullopt, {"ops"}, "2025-01-01T00:00:00Z", std::nullopt};
    doc b{"b", "migrate CAFÉ", {{"the schema", {"côté"}}}, std::string("x86-64"), {}, "2025-02-01", 5};
    index.update(a);
    index.update(b);
    CHECK(index.indexed("a")->length == 2);  // "the", "of", "the" left out
    auto ids = [&](const std::string& text) {
        std::vector<std::string> out;
        for (const auto& h : index.search(strata::parse_query(text)).hits) out.push_back(h.id);
        std::sort(out.begin(), out.end());
        return out;
    };
    CHECK(ids("migr*") == std::vector<std::string>{"a", "b"});
    CHECK(ids("migration") == std::vector<std::string>{"a"});
    CHECK(ids("café") == std::vector<std::string>{"a"});           // bytes above 0x7f are not folded
    CHECK(ids("CAFÉ") == std::vector<std::string>{"b"});
    CHECK(ids("the schema") == std::vector<std::string>{"b"});     // "the" is a stop word
    CHECK(ids("x86") == std::vector<std::string>{"b"});
    CHECK(ids("64 x86-64") == std::vector<std::string>{"b"});
    CHECK(ids("--tag notes.labels=côté") == std::vector<std::string>{"b"});
    CHECK(ids("--tag ops") == std::vector<std::string>{"a"});
    CHECK(ids("--tag côté").empty());                               // a tag of another field
    CHECK(ids("--from 2025-01-15 --date-field 0") == std::vector<std::string>{"b"});
    CHECK(ids("--to 2025-01-01") == std::vector<std::string>{"a"});  // a date-only --to takes the whole day
    CHECK(ids("--date-field 1 --from 1970-01-01") == std::vector<std::string>{"b"});
    CHECK(index.search(strata::parse_query("")).total == 2);
    CHECK_THROWS_AS(index.search(strata::parse_query("--tag nosuch=x")), strata::query_error);
    CHECK_THROWS_AS(index.search(strata::parse_query("--date-field 2 --from 2025-01-01")), strata::query_error);
}

TEST_CASE("index: several documents in one batch through a writer keep each other's postings") {
    strata::memory_backend store;
    strata::inverted_index<doc, fields, strata::memory_backend> index(store);
    model m;
    strata::write_batch batch;
    {
        auto w = index.writer(batch);
        for (int i = 0; i < 5; ++i) {  // same terms, same segment
            doc d{"k" + std::to_string(i), "shared words", {}, std::nullopt, {"ops"}, "2025-01-01", std::nullopt};
            w.update(d);
            m.put(d);
        }
        doc again{"k2", "other words", {}, std::nullopt, {}, "2025-01-02", std::nullopt};  // the same one twice
        w.update(again);
        m.put(again);
        CHECK(w.remove("k4"));
        m.remove("k4");
        CHECK_FALSE(w.remove("k4"));
    }  // the destructor flushes
    store.apply(batch);
    CHECK(index.search(strata::parse_query("shared")).total == 3);
    CHECK(index.search(strata::parse_query("words")).total == 4);
    CHECK(index.document_frequency("tshared") == 3);
    CHECK(index.verify(m.documents()).ok());
    // One batch through the convenience calls, one document each: fine one at a time.
    strata::write_batch single;
    doc d5{"k5", "shared", {}, std::nullopt, {}, "2025-01-03", std::nullopt};
    index.update(single, d5);
    m.put(d5);
    store.apply(single);
    CHECK(index.search(strata::parse_query("shared")).total == 4);
    CHECK(index.verify(m.documents()).ok());
}

TEST_CASE("index: a date that does not parse names the document and path, and changes nothing") {
    strata::memory_backend store;
    strata::inverted_index<doc, fields, strata::memory_backend> index(store);
    doc good{"ok", "fine", {}, std::nullopt, {}, "2025-01-01T00:00:00Z", std::nullopt};
    index.update(good);
    const auto before = store.scan("", std::nullopt, strata::no_limit);
    for (const char* bad : {"yesterday", "2025-02-30", "2025-01-01T25:00:00Z", "2025-01-01T10:00:00", ""}) {
        doc d = good;
        d.title = "changed";
        d.created_at = bad;
        strata::write_batch batch;
        try {
            index.update(batch, d);
            FAIL("no error for " << bad);
        } catch (const strata::decode_error& e) {
            CHECK(e.document() == "ok");
            CHECK(e.path() == "created_at");
            CHECK(std::string(e.what()).find("ISO-8601") != std::string::npos);
        }
        CHECK(batch.empty());
    }
    CHECK(store.scan("", std::nullopt, strata::no_limit) == before);
    // rebuild leaves such a document out and says why
    doc bad = good;
    bad.key = "bad";
    bad.created_at = "soon";
    const auto report = index.rebuild(std::vector<doc>{good, bad, good});
    CHECK(report.documents == 1);
    REQUIRE(report.skipped.size() == 2);
    CHECK(report.skipped[0].first == "bad");
    CHECK(report.skipped[1].second.find("more than once") != std::string::npos);
}

TEST_CASE("index: verify lists each kind of damage, rebuild repairs it") {
    strata::memory_backend store;
    strata::inverted_index<doc, fields, strata::memory_backend> index(store);
    generator g(11);
    model m;
    for (int i = 0; i < 40; ++i) m.put(g.make("v" + std::to_string(i)));
    const auto built = index.rebuild([&](auto emit) {
        for (const auto& d : m.documents()) emit(d);
    });
    CHECK(built.documents == 40);
    const auto first = index.verify(m.documents());
    for (std::size_t i = 0; i < first.discrepancies.size() && i < 5; ++i) MESSAGE(first.discrepancies[i].describe());
    REQUIRE(first.ok());
    check_queries(index, m, g, 20);

    using kind = strata::index_discrepancy::kind;
    auto kinds = [&](const std::vector<doc>& docs) {
        std::set<kind> out;
        for (const auto& d : index.verify(docs).discrepancies) out.insert(d.what);
        return out;
    };
    // A document changed behind the index's back: stale, missing and extra postings.
    auto docs = m.documents();
    docs[3].title = "zzzunique";
    auto found = kinds(docs);
    CHECK(found.count(kind::stale_document) == 1);
    CHECK(found.count(kind::missing_posting) == 1);
    CHECK(found.count(kind::wrong_frequency) == 1);
    // A document the index does not know, one it knows that is gone.
    docs = m.documents();
    docs.push_back(g.make("new"));
    docs.erase(docs.begin());
    found = kinds(docs);
    CHECK(found.count(kind::missing_document) == 1);
    CHECK(found.count(kind::extra_document) == 1);
    CHECK(found.count(kind::wrong_totals) == 1);
    // A posting segment lost.
    const auto segments = store.scan(index.keys().postings_root(), std::nullopt, 1);
    REQUIRE(segments.size() == 1);
    store.erase(segments[0].key);
    CHECK(kinds(m.documents()).count(kind::missing_posting) == 1);
    // A length column lost.
    store.erase(index.keys().lengths(0));
    CHECK(kinds(m.documents()).count(kind::wrong_column) == 1);
    // rebuild repairs everything.
    index.rebuild(m.documents());
    CHECK(index.verify(m.documents()).ok());
    check_queries(index, m, g, 20);
    const auto s = index.stats();
    CHECK(s.documents == 40);
    CHECK(s.tag_terms > 0);
    CHECK(s.text_terms > 0);
    CHECK(s.postings > s.text_terms);
    CHECK(s.bytes > s.posting_bytes);
}

TEST_CASE("index: an interrupted rebuild is refused by search until rebuilt") {
    strata::memory_backend store;
    strata::inverted_index<doc, fields, strata::memory_backend> index(store);
    generator g(3);
    std::vector<doc> docs{g.make("a"), g.make("b")};
    CHECK_THROWS_AS(index.rebuild([&](auto emit) {
        emit(docs[0]);
        throw std::runtime_error("the source failed");
    }), std::runtime_error);
    CHECK_THROWS_AS(index.search({}), strata::storage_error);
    index.rebuild(docs);
    CHECK(index.search({}).total == 2);
}

