// The migrator over the sessions plan (examples/sessions/migration_plan.hpp): a small corpus of
// the project's own generator (one big session, v1 and v2 documents) imported, migrated,
// verified, rolled back — on memory, filesystem and SQLite stores; a dry run says exactly what
// the real run does; a bad document fails alone, untouched; a stopped run resumes; rollback
// points; backups; the journal; verification catches a lossy round trip.
#include "../scratch_dir.hpp"
#include "store_kinds.hpp"
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/dual_read.hpp>
#include <strata/migration/migrator.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using session_migrator_memory = strata::migrator<sessions::session_plan, strata::memory_backend>;

const std::vector<sessions_corpus::document>& small_corpus() {
    static const auto docs = sessions_corpus::generate({.count = 40, .seed = 7, .big = 1, .v2_share = 0.3});
    return docs;
}

/// What a plain dual read of the original bytes gives: the expected latest documents.
std::map<std::string, std::string> expected_latest(const std::vector<sessions_corpus::document>& docs) {
    sessions::memory_content_store blobs;
    sessions::session_chain<sessions::memory_content_store> chain{
        sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<sessions::memory_content_store>{&blobs}};
    strata::dual_reader reader{chain, sessions::session_version{}};
    std::map<std::string, std::string> out;
    for (const auto& d : docs) out[d.id] = reader.write(reader.read(d.id, std::string_view(d.json)));
    return out;
}

template <class M>
void import_all(M& m, const std::vector<sessions_corpus::document>& docs) {
    for (const auto& d : docs) REQUIRE(m.import(d.id, d.json) == strata::import_outcome::added);
}

}  // namespace

TEST_CASE_TEMPLATE("the sessions corpus: dry run, migration, read back, rollback", F, memory_store, sqlite_store,
                   filesystem_store) {
    F f;
    CAPTURE(F::name);
    strata::migrator<sessions::session_plan, decltype(f.backend)> m(f.backend);
    const auto& docs = small_corpus();
    import_all(m, docs);

    // Import again: the same bytes are skipped; other bytes are a conflict, nothing written.
    CHECK(m.import(docs[3].id, docs[3].json) == strata::import_outcome::unchanged);
    CHECK_THROWS_WITH_AS(m.import(docs[3].id, docs[4].json), doctest::Contains("conflict"), strata::import_error);

    auto status = m.status();
    CHECK(status.total == docs.size());
    CHECK(status.latest_version == 3);
    CHECK(status.per_version[1] + status.per_version[2] == docs.size());
    CHECK(status.per_version[2] > 0);
    CHECK(status.at_latest == 0);

    const auto dry = m.migrate_all({.dry_run = true, .batch_documents = 7});
    CHECK(dry.dry_run);
    CHECK(dry.migrated == docs.size());
    CHECK(dry.blobs_new > 0);
    CHECK(m.status().at_latest == 0);                 // nothing written
    CHECK(m.runs().empty());                          // not even the run
    CHECK(m.backups().empty());

    const auto real = m.migrate_all({.batch_documents = 7});
    CHECK_FALSE(real.dry_run);
    CHECK(real.migrated == docs.size());
    CHECK(real.failed == 0);
    // The dry run said exactly what the real run did.
    CHECK(dry.documents == real.documents);
    CHECK(dry.bytes_in == real.bytes_in);
    CHECK(dry.bytes_out == real.bytes_out);
    CHECK(dry.blobs_new == real.blobs_new);
    CHECK(dry.blobs_deduplicated == real.blobs_deduplicated);
    CHECK(real.stages.at("verify").documents == docs.size());

    status = m.status();
    CHECK(status.at_latest == docs.size());
    CHECK(status.percent_at_latest == doctest::Approx(100.0));
    CHECK(status.backups == docs.size());
    CHECK_FALSE(status.run_in_progress.has_value());

    // Every document reads as the plain dual read of its original says.
    const auto expected = expected_latest(docs);
    for (const auto& d : docs) {
        auto doc = m.read(d.id);
        REQUIRE(doc.has_value());
        CHECK(strata::json::encode(*doc) == expected.at(d.id));
        CHECK(m.stored_bytes(d.id) == expected.at(d.id));
    }
    // The content store is whole, and each screenshot holds one reference.
    CHECK(m.plan().cas().verify().ok());
    std::size_t screenshots = 0;
    for (const auto& d : docs) screenshots += m.read(d.id)->screenshots.size();
    CHECK(m.plan().cas().stats().references == screenshots);

    // A second run finds nothing to do.
    const auto again = m.migrate_all();
    CHECK(again.migrated == 0);
    CHECK(again.skipped == docs.size());

    // The journal: one "migrated" entry per document, with the digests of before and after.
    const auto migrated = m.journal_with_outcome("migrated");
    CHECK(migrated.size() == docs.size());
    const auto of_doc = m.journal_of_document(docs[0].id);
    REQUIRE(of_doc.size() == 1);
    CHECK(of_doc[0].before == strata::sha256::hash(docs[0].json).to_string());
    CHECK(of_doc[0].after == strata::sha256::hash(expected.at(docs[0].id)).to_string());
    CHECK(m.journal_of_run(real.run).size() == docs.size());

    // The index holds every session, in step with the documents.
    {
        std::vector<sessions::session_v3> latest;
        for (const auto& d : docs) latest.push_back(*m.read(d.id));
        CHECK(m.plan().index().verify(latest).ok());
        CHECK(m.plan().index().size() == docs.size());
    }

    // Roll everything back: the original bytes, exactly; no references left.
    const auto back = m.rollback_all();
    CHECK(back.rolled_back == docs.size());
    CHECK(back.failures.empty());
    for (const auto& d : docs) CHECK(m.stored_bytes(d.id) == d.json);
    CHECK(m.plan().cas().stats().references == 0);
    CHECK(m.plan().index().size() == 0);  // no postings left either
    CHECK(m.status().at_latest == 0);
    CHECK(m.backups().empty());
    CHECK(m.journal_with_outcome("rolled_back").size() == docs.size());

    // And it migrates again to the same documents.
    const auto second = m.migrate_all();
    CHECK(second.migrated == docs.size());
    for (const auto& d : docs) CHECK(m.stored_bytes(d.id) == expected.at(d.id));
}

TEST_CASE("a bad document fails alone, left exactly as it was, with its path") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    auto docs = small_corpus();
    // Invalid base64 in the first screenshot of one document (a v1 document: snake_case keys).
    std::size_t bad = 0;
    for (; bad < docs.size(); ++bad) {
        if (docs[bad].json.find("\"schema_version\"") == std::string::npos &&
            docs[bad].json.find("\"base64\": \"") != std::string::npos) break;
    }
    REQUIRE(bad < docs.size());
    const auto at = docs[bad].json.find("\"base64\": \"") + 11;
    docs[bad].json.insert(at, "!!");
    import_all(m, docs);

    const auto result = m.migrate_all({.batch_documents = 5});
    CHECK(result.migrated == docs.size() - 1);
    CHECK(result.failed == 1);
    REQUIRE(result.documents.size() == docs.size());
    const auto& failed = result.documents[bad];
    CHECK(failed.document == docs[bad].id);
    CHECK(failed.outcome == "failed");
    CHECK(failed.stage == "decode");
    CHECK(failed.path == "screenshots[0].attachment.base64");
    CHECK(failed.error.find(docs[bad].id) != std::string::npos);
    // Untouched: still v1, same bytes; its failure and a journal entry recorded.
    CHECK(m.stored_bytes(docs[bad].id) == docs[bad].json);
    const auto status = m.status();
    CHECK(status.failed == 1);
    REQUIRE(status.failures.size() == 1);
    CHECK(status.failures[0].path == "screenshots[0].attachment.base64");
    CHECK(m.journal_with_outcome("failed").size() == 1);
    CHECK(m.plan().cas().verify().ok());
    // Its blobs were not stored: every blob is referenced by a migrated session.
    CHECK(m.plan().cas().collect_garbage({.grace = std::chrono::milliseconds(0), .dry_run = true}).blobs_removed == 0);
}

TEST_CASE("a stopped run resumes where it stopped: none migrated twice, none skipped") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    const auto& docs = small_corpus();
    import_all(m, docs);
    std::atomic<bool> stop{false};
    std::uint64_t seen = 0;
    m.on_progress([&](const strata::document_outcome&, std::uint64_t done, std::uint64_t) {
        seen = done;
        if (done == 9) stop = true;  // stop after the batch that holds the 9th document
    });
    const auto first = m.migrate_all({.batch_documents = 4, .stop = &stop});
    CHECK(first.cancelled);
    CHECK(first.migrated == 12);
    CHECK(m.status().run_in_progress.has_value());
    CHECK(m.status().run_in_progress->state == "cancelled");
    m.on_progress({});
    const auto rest = m.migrate_all({.batch_documents = 4});
    CHECK(rest.run == first.run);  // the same run, resumed
    CHECK_FALSE(rest.cancelled);
    CHECK(rest.migrated == docs.size());  // counts carried over
    CHECK(m.status().at_latest == docs.size());
    CHECK_FALSE(m.status().run_in_progress.has_value());
    const auto entries = m.journal_of_run(first.run);
    CHECK(entries.size() == docs.size());
    std::map<std::string, int> per_doc;
    for (const auto& e : entries) ++per_doc[e.document];
    for (const auto& [id, n] : per_doc) CHECK(n == 1);
    (void)seen;
}

TEST_CASE("rollback points: create, verify, roll back to, delete; backups they need stay") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    const auto& docs = small_corpus();
    import_all(m, docs);
    const auto point = m.create_point("before-v3");
    CHECK(point.documents == docs.size());
    CHECK(m.verify_point("before-v3").empty());
    CHECK_THROWS_WITH(m.create_point("before-v3"), doctest::Contains("exists already"));
    CHECK_THROWS_WITH(m.create_point("no/slash"), doctest::Contains("rollback point's name"));

    m.migrate_all();
    CHECK(m.verify_point("before-v3").empty());  // the backups keep the bytes
    // Backup cleanup cannot take the bytes the point needs.
    const auto all = m.backups();
    m.remove_backups(all);
    CHECK(m.backups().empty());
    CHECK_FALSE(m.verify_point("before-v3").empty());  // no backup record left to restore from
    m.delete_point("before-v3");
    CHECK(m.list_points().empty());
}

TEST_CASE("rollback to a point returns every document to its bytes at the point") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    const auto& docs = small_corpus();
    import_all(m, docs);
    m.create_point("p1");
    m.migrate_all();
    const auto back = m.rollback_to_point("p1");
    CHECK(back.rolled_back == docs.size());
    CHECK(back.failures.empty());
    for (const auto& d : docs) CHECK(m.stored_bytes(d.id) == d.json);
}

TEST_CASE("a run with too many failures rolls itself back") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    auto docs = small_corpus();
    for (std::size_t i = 0; i < docs.size(); i += 2) {  // every other id a number: a decode error
        const auto at = docs[i].json.find("\"id\": \"");
        REQUIRE(at != std::string::npos);
        docs[i].json.replace(at, 7, "\"id\": 7, \"old_id\": \"");
    }
    import_all(m, docs);
    const auto result = m.migrate_all({.rollback_when_failed_over = 25.0});
    CHECK(result.failed == docs.size() / 2);
    CHECK(result.rolled_back);
    CHECK(m.status().at_latest == 0);
    for (const auto& d : docs) CHECK(m.stored_bytes(d.id) == d.json);
    CHECK(m.runs().front().state == "rolled_back");
}

TEST_CASE("single documents, and on-demand migration by reading") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    const auto& docs = small_corpus();
    import_all(m, docs);
    const std::vector<std::string> ids{docs[1].id, "no-such-session", docs[2].id};
    const auto result = m.migrate(ids);
    CHECK(result.migrated == 2);
    CHECK(result.failed == 1);
    CHECK(result.documents[1].error.find("not in the store") != std::string::npos);
    auto [doc, outcome] = m.read_and_migrate(docs[5].id);
    REQUIRE(doc.has_value());
    CHECK(outcome.outcome == "migrated");
    CHECK(m.status().at_latest == 3);
    // A read alone writes nothing.
    const auto before = backend.count("");
    CHECK(m.read(docs[6].id).has_value());
    CHECK(backend.count("") == before);
}

// --- verification ---------------------------------------------------------------------------

namespace lossy {

/// A word whose JSON form keeps only its first 3 characters: a codec bug to catch.
struct clipped {
    std::string text;
    friend bool operator==(const clipped&, const clipped&) = default;
};

struct note_v1 {
    static constexpr unsigned version = 1;
    BOOST_HANA_DEFINE_STRUCT(note_v1, (std::string, id), (std::string, text));
};
struct note_v2 {
    static constexpr unsigned version = 2;
    BOOST_HANA_DEFINE_STRUCT(note_v2, (std::string, id), (std::string, text), (std::vector<clipped>, words));
};
struct up12 {
    using from = note_v1;
    using to = note_v2;
    note_v2 up(note_v1&& n) const {
        note_v2 out{n.id, n.text, {}};
        out.words.push_back({n.text});
        return out;
    }
};

template <class Backend>
struct plan {
    using chain_type = strata::chain<up12>;
    using detector_type = strata::version_from_field<1, "v">;
    explicit plan(Backend&) {}
    chain_type& chain() { return chain_; }
    chain_type chain_;
};

}  // namespace lossy

template <>
struct strata::string_coded<lossy::clipped> {
    static constexpr bool needs_escaping = true;
    static constexpr std::string_view expected = "a word";
    static void decode(std::string_view text, lossy::clipped& out) { out.text = std::string(text); }
    static void encode(const lossy::clipped& value, std::string& out) { out += value.text.substr(0, 3); }
};

TEST_CASE("verification: a document that does not read back as written keeps its original") {
    strata::memory_backend backend;
    strata::migrator<lossy::plan, strata::memory_backend> m(backend);
    m.import("short", R"({"id":"short","text":"abc"})");
    m.import("long", R"({"id":"long","text":"hello"})");
    const auto r = m.migrate_all();
    CHECK(r.migrated == 1);
    CHECK(r.failed == 1);
    const auto& failed = r.documents[0];  // "long" sorts first
    CHECK(failed.document == "long");
    CHECK(failed.stage == "verify");
    REQUIRE(failed.differences.size() == 1);
    CHECK(failed.differences[0].path == "words[0]");
    CHECK(failed.error.find("words[0]") != std::string::npos);
    CHECK(m.stored_bytes("long") == R"({"id":"long","text":"hello"})");
    CHECK(m.backups().size() == 1);
    // Without verification the lossy write goes through (and the backup allows a rollback).
    const auto unverified = m.migrate(std::vector<std::string>{"long"}, {.verify = false});
    CHECK(unverified.migrated == 1);
    CHECK(m.stored_bytes("long") == R"({"id":"long","text":"hello","words":["hel"]})");
    m.rollback(std::vector<std::string>{"long"});
    CHECK(m.stored_bytes("long") == R"({"id":"long","text":"hello"})");
}

TEST_CASE("documents without a chunk layout are stored whole, backed up by copy, rolled back") {
    strata::memory_backend backend;
    strata::migrator<lossy::plan, strata::memory_backend> m(backend);
    m.import("n1", R"({"id":"n1","text":"hel"})");
    m.import("n2", R"({"v":2,"id":"n2","text":"hi","words":["hi"]})");
    const auto r = m.migrate_all();
    CHECK(r.migrated == 1);
    CHECK(r.skipped == 1);
    CHECK(m.stored_bytes("n1") == R"({"id":"n1","text":"hel","words":["hel"]})");
    const auto backups = m.backups();
    REQUIRE(backups.size() == 1);
    CHECK(backups[0].key != m.keys().document("n1"));  // copied: the document was overwritten
    CHECK(backend.get(backups[0].key) == R"({"id":"n1","text":"hel"})");
    m.rollback(std::vector<std::string>{"n1"});
    CHECK(m.stored_bytes("n1") == R"({"id":"n1","text":"hel"})");
    CHECK_FALSE(backend.contains(backups[0].key));
}

TEST_CASE("import refuses what it cannot read, naming the document and the place") {
    strata::memory_backend backend;
    session_migrator_memory m(backend);
    CHECK_THROWS_WITH_AS(m.import("a", "{\"schemaVersion\": 9}"), doctest::Contains("schema version 9"), strata::import_error);
    CHECK_THROWS_WITH_AS(m.import("b", "[1,2]"), doctest::Contains("document \"b\""), strata::import_error);
    CHECK_THROWS_WITH_AS(m.import("c", "{\"schemaVersion\": \"two\"}"), doctest::Contains("schemaVersion"), strata::import_error);
    CHECK_THROWS_AS(m.import("", "{}"), strata::import_error);
    CHECK(backend.count("") == 0);
}

TEST_CASE("backup cleanup: expiry by default, keep rules, a dry run, rollback points win") {
    strata::memory_backend backend;
    std::int64_t now = 1'700'000'000'000;
    strata::migration_options options;
    options.now_ms = [&] { return now; };
    strata::migrator<sessions::session_plan, strata::memory_backend> m(backend, options);
    const auto& docs = small_corpus();
    import_all(m, docs);
    m.create_point("keep-first");  // pins every document's original bytes
    strata::run_options run;
    run.backup_retention = std::chrono::hours(24);
    m.migrate_all(run);
    REQUIRE(m.backups().size() == docs.size());

    now += 2 * 24 * 3600 * 1000LL;  // two days later: every backup has expired
    auto preview = m.cleanup_backups({}, true);
    CHECK(preview.removed == 0);
    REQUIRE(preview.decisions.size() == docs.size());
    for (const auto& d : preview.decisions) {
        CHECK(d.keep);
        CHECK(d.reason == "kept: rollback point keep-first needs it");
    }
    m.delete_point("keep-first");
    preview = m.cleanup_backups({}, true);
    for (const auto& d : preview.decisions) {
        CHECK_FALSE(d.keep);
        CHECK(d.reason.rfind("removed: expired", 0) == 0);
    }
    CHECK(m.backups().size() == docs.size());  // the dry run removed nothing

    strata::retention_policy keep_last;
    keep_last.keep_last = 1;
    auto kept = m.cleanup_backups(keep_last);
    CHECK(kept.removed == 0);  // the newest backup of each document is kept
    const auto cleaned = m.cleanup_backups();
    CHECK(cleaned.removed == docs.size());
    CHECK(m.backups().empty());
    // Without a backup the original bytes are gone, and a rollback says so.
    CHECK_FALSE(backend.contains(m.keys().document(docs[0].id)));
    const auto back = m.rollback(std::vector<std::string>{docs[0].id});
    CHECK(back.rolled_back == 0);
    REQUIRE(back.failures.size() == 1);
    CHECK(back.failures[0].second == "no backup to roll back to");
}

TEST_CASE("the migrator logs runs and failures to its logging policy") {
    strata::memory_backend backend;
    strata::ring_log ring;
    strata::migrator<sessions::session_plan, strata::memory_backend, strata::log_ref<strata::ring_log>> m(
        backend, {}, strata::log_ref<strata::ring_log>(ring));
    auto docs = small_corpus();
    const auto at = docs[0].json.find("\"id\": \"");
    docs[0].json.replace(at, 7, "\"id\": 7, \"old_id\": \"");
    import_all(m, docs);
    m.migrate_all();
    const auto warnings = ring.query(strata::log_level::warning);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].document == docs[0].id);
    CHECK(warnings[0].message.find("decode") == 0);
    const auto all = ring.query();
    REQUIRE(all.size() >= 3);
    CHECK(all.front().message == "run started");
    CHECK(all.back().message.find("run completed: 39 migrated") == 0);
    CHECK(all.back().run == "00000001");
}

namespace strict {

/// The notes chain with validators: a v1 note needs a text; a v2 note's words must be "known"
/// (a stand-in for a referential check against a store).
template <class Backend>
struct plan : lossy::plan<Backend> {
    using lossy::plan<Backend>::plan;
    void validate(const lossy::note_v1& n) const {
        if (n.text.empty()) {
            strata::validation_error e("a non-empty text", "\"\"");
            e.prepend_key("text");
            throw e;
        }
    }
    void check_references(const lossy::note_v2& n) const {
        for (std::size_t i = 0; i < n.words.size(); ++i) {
            if (n.words[i].text == "gone") {
                strata::validation_error e("a word the dictionary holds", "\"gone\"");
                e.prepend_index(i);
                e.prepend_key("words");
                throw e;
            }
        }
    }
};

}  // namespace strict

TEST_CASE("validators and referential checks fail a document before anything is written") {
    strata::memory_backend backend;
    strata::migrator<strict::plan, strata::memory_backend> m(backend);
    m.import("a", R"({"id":"a","text":"ok"})");
    m.import("b", R"({"id":"b","text":""})");
    m.import("c", R"({"id":"c","text":"gone"})");
    const auto r = m.migrate_all();
    CHECK(r.migrated == 1);
    CHECK(r.failed == 2);
    REQUIRE(r.documents.size() == 3);
    CHECK(r.documents[1].stage == "validate");
    CHECK(r.documents[1].path == "text");
    CHECK(r.documents[1].error.find("a non-empty text") != std::string::npos);
    CHECK(r.documents[2].stage == "validate");
    CHECK(r.documents[2].path == "words[0]");
    CHECK(m.stored_bytes("b") == R"({"id":"b","text":""})");
    CHECK(m.stored_bytes("c") == R"({"id":"c","text":"gone"})");
    CHECK(m.backups().size() == 1);
    CHECK(m.failure_of("c")->path == "words[0]");
    // The journal, as JSON: one entry per document, the failures with their paths.
    const auto entries = m.journal_of_run(r.run);
    REQUIRE(entries.size() == 3);
    const std::string json = m.to_json(entries);
    CHECK(json.find(R"("document":"c")") != std::string::npos);
    CHECK(json.find(R"("path":"words[0]")") != std::string::npos);
    CHECK(strata::json::decode<std::vector<strata::journal_entry>>(std::string_view(json)).size() == 3);
}

TEST_CASE("rollback points expire") {
    strata::memory_backend backend;
    std::int64_t now = 1'000'000;
    strata::migration_options options;
    options.now_ms = [&] { return now; };
    strata::migrator<lossy::plan, strata::memory_backend> m(backend, options);
    m.import("a", R"({"id":"a","text":"abc"})");
    m.create_point("short", std::chrono::milliseconds(1000));
    m.create_point("forever");
    CHECK(m.expire_points().empty());
    now += 1000;
    CHECK(m.expire_points() == std::vector<std::string>{"short"});
    REQUIRE(m.list_points().size() == 1);
    CHECK(m.list_points()[0].name == "forever");
}
