// The migrator's "compress old items" stage (issue 6, item 11) over the sessions plan with zstd,
// on memory, filesystem and SQLite stores: young items are left alone; a dry run writes nothing
// and says exactly what the real pass does; after compression every document reads the same and
// a rollback restores the original bytes exactly; a second pass writes nothing; a stopped pass
// resumes from its cursor; a pass that fails at any write is finished by the next, as a clean
// pass would be; the stage of a run, skippable; a plan without compression skips it.
#include "../scratch_dir.hpp"
#include "store_kinds.hpp"
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/compression/zstd.hpp>
#include <strata/json/encode.hpp>
#include <strata/migration/migrator.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/testing/fault_injection.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace {

template <class Backend>
using zstd_plan = sessions::basic_session_plan<Backend, strata::zstd_compression>;

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;
constexpr std::chrono::milliseconds thirty_days{30 * day_ms};

const std::vector<sessions_corpus::document>& corpus() {
    static const auto docs = sessions_corpus::generate({.count = 16, .seed = 3, .big = 1, .v2_share = 0.25});
    return docs;
}

/// Every key and value of the store.
template <class B>
std::map<std::string, std::string> dump(const B& backend) {
    std::map<std::string, std::string> out;
    for (auto& kv : backend.scan("", std::nullopt, strata::no_limit)) out.emplace(std::move(kv.key), std::move(kv.value));
    return out;
}

/// Every document as the migrator reads it, encoded.
template <class M>
std::map<std::string, std::string> read_all(M& m) {
    std::map<std::string, std::string> out;
    for (const auto& d : corpus()) {
        auto doc = m.read(d.id);
        REQUIRE(doc.has_value());
        out[d.id] = strata::json::encode(*doc);
    }
    return out;
}

/// How many frames under `prefix` are in each codec (plus 100 + codec for marked ones).
template <class B>
std::map<int, std::size_t> codecs_under(const B& backend, const std::string& prefix) {
    std::map<int, std::size_t> out;
    for (const auto& kv : backend.scan(prefix, std::nullopt, strata::no_limit)) {
        const auto info = strata::read_frame_header(kv.value, kv.key);
        ++out[(info.incompressible() ? 100 : 0) + info.codec];
    }
    return out;
}

/// A clock for the migrator (and through the plan, its content store).
struct fake_clock {
    std::int64_t now = 1'700'000'000'000;
    strata::migration_options options() {
        strata::migration_options o;
        o.now_ms = [this] { return now; };
        return o;
    }
};

}  // namespace

TEST_CASE_TEMPLATE("compressing old items: dry run, reads unchanged, rollback exact, a second pass idle", F,
                   memory_store, sqlite_store, filesystem_store) {
    F f;
    CAPTURE(F::name);
    fake_clock clock;
    strata::migrator<zstd_plan, decltype(f.backend)> m(f.backend, clock.options());
    for (const auto& d : corpus()) m.import(d.id, d.json);
    const auto migrated = m.migrate_all();
    REQUIRE(migrated.migrated == corpus().size());
    // The run's compression stage ran and found nothing old enough.
    REQUIRE(migrated.stages.count("compress") == 1);
    CHECK_FALSE(migrated.stages.at("compress").skipped);
    CHECK(migrated.stages.at("compress").documents == 0);
    const auto documents = read_all(m);

    // A day later: everything is young.
    clock.now += day_ms;
    const auto young = m.compress_old(thirty_days);
    CHECK(young.finished);
    CHECK(young.stats.documents == 0);
    CHECK(young.documents.skipped_young == f.backend.count(m.keys().latest_store()));
    REQUIRE(young.blobs.has_value());
    CHECK(young.blobs->skipped_young > 0);
    CHECK(young.blobs->rewritten == 0);

    // 31 days later: a dry run writes nothing and says what the pass would do.
    clock.now += 30 * day_ms;
    const auto before = dump(f.backend);
    const auto dry = m.compress_old(thirty_days, {.dry_run = true});
    CHECK(dry.dry_run);
    CHECK(dry.finished);
    CHECK(dry.documents.rewritten > 0);
    REQUIRE(dry.blobs.has_value());
    CHECK(dry.blobs->rewritten + dry.blobs->marked > 0);
    CHECK(dry.bytes_saved() > 0);
    CHECK(dump(f.backend) == before);

    const auto real = m.compress_old(thirty_days);
    CHECK_FALSE(real.dry_run);
    CHECK(real.finished);
    CHECK(real.stats.documents == dry.stats.documents);
    CHECK(real.stats.bytes_in == dry.stats.bytes_in);
    CHECK(real.stats.bytes_out == dry.stats.bytes_out);
    CHECK(real.documents.rewritten == dry.documents.rewritten);
    CHECK(real.documents.marked == dry.documents.marked);
    CHECK(real.blobs->rewritten == dry.blobs->rewritten);
    CHECK(real.blobs->marked == dry.blobs->marked);
    CHECK(real.stats.documents == real.documents.rewritten + real.blobs->rewritten);
    CHECK(real.bytes_saved() == real.documents.bytes_saved + real.blobs->bytes_saved);
    CHECK(dump(f.backend) != before);
    // Every latest frame is zstd now, or marked as not worth it; none is left as it was.
    const auto latest = codecs_under(f.backend, m.keys().latest_store());
    CHECK(latest.count(0) == 0);
    CHECK(latest.at(strata::zstd_compression::id) == real.documents.rewritten);
    CHECK(codecs_under(f.backend, "cas/b/").count(0) == 0);

    // Every document reads the same; the content store is whole and reads every blob.
    CHECK(read_all(m) == documents);
    CHECK(m.plan().cas().verify().ok());
    for (const auto& d : corpus()) {
        const auto doc = m.read(d.id);
        REQUIRE(doc.has_value());
        for (const auto& shot : doc->screenshots) {
            const auto digest = strata::digest<strata::sha256>::parse(shot.attachment.hash);
            CHECK(m.plan().cas().get(digest).has_value());
        }
    }

    // A second pass writes nothing.
    const auto after = dump(f.backend);
    const auto again = m.compress_old(thirty_days);
    CHECK(again.finished);
    CHECK(again.stats.documents == 0);
    CHECK(again.bytes_saved() == 0);
    CHECK(again.documents.marked == 0);
    CHECK(again.blobs->marked == 0);
    CHECK(dump(f.backend) == after);

    // A rollback restores the original bytes exactly.
    const auto back = m.rollback_all();
    CHECK(back.rolled_back == corpus().size());
    CHECK(back.failures.empty());
    for (const auto& d : corpus()) {
        CAPTURE(d.id);
        CHECK(f.backend.get(m.keys().document(d.id)) == d.json);
        CHECK(m.stored_bytes(d.id) == d.json);
    }
    CHECK(f.backend.count(m.keys().latest_store()) == 0);
}

TEST_CASE("a stopped compression pass resumes after its last batch") {
    strata::memory_backend backend;
    fake_clock clock;
    strata::migrator<zstd_plan, strata::memory_backend> m(backend, clock.options());
    for (const auto& d : corpus()) m.import(d.id, d.json);
    m.migrate_all();
    const auto documents = read_all(m);
    clock.now += 31 * day_ms;
    const auto whole = m.compress_old(thirty_days, {.dry_run = true});

    int batches = 0;
    const auto first = m.compress_old(thirty_days, {.batch_entries = 4, .stop = [&] { return ++batches >= 2; }});
    CHECK_FALSE(first.finished);
    CHECK_FALSE(first.blobs.has_value());  // stopped in the documents' part
    CHECK(backend.contains(m.keys().compress_cursor()));
    CHECK(first.documents.rewritten < whole.documents.rewritten);
    CHECK(read_all(m) == documents);  // half compressed reads the same

    const auto rest = m.compress_old(thirty_days, {.batch_entries = 4});
    CHECK(rest.finished);
    CHECK(rest.documents.resumed_after.has_value());
    CHECK(first.documents.rewritten + rest.documents.rewritten == whole.documents.rewritten);
    CHECK(first.stats.bytes_in + rest.stats.bytes_in == whole.stats.bytes_in);
    CHECK_FALSE(backend.contains(m.keys().compress_cursor()));
    CHECK(read_all(m) == documents);
    CHECK(m.compress_old(thirty_days).stats.documents == 0);
}

TEST_CASE("the compression stage of a run: on completion, the dry run's figures, skippable") {
    fake_clock clock;
    strata::run_options run;
    run.compress_min_age = std::chrono::milliseconds(0);  // everything is old enough

    strata::memory_backend dry_backend;
    strata::migrator<zstd_plan, strata::memory_backend> dry_m(dry_backend, clock.options());
    for (const auto& d : corpus()) dry_m.import(d.id, d.json);
    const auto before = dump(dry_backend);
    strata::run_options dry_run = run;
    dry_run.dry_run = true;
    const auto dry = dry_m.migrate_all(dry_run);
    CHECK(dump(dry_backend) == before);

    strata::memory_backend backend;
    strata::migrator<zstd_plan, strata::memory_backend> m(backend, clock.options());
    for (const auto& d : corpus()) m.import(d.id, d.json);
    const auto real = m.migrate_all(run);
    REQUIRE(real.stages.count("compress") == 1);
    const auto& stage = real.stages.at("compress");
    CHECK_FALSE(stage.skipped);
    CHECK(stage.documents > 0);
    CHECK(stage.bytes_out < stage.bytes_in);
    CHECK(dry.stages.at("compress").documents == stage.documents);
    CHECK(dry.stages.at("compress").bytes_in == stage.bytes_in);
    CHECK(dry.stages.at("compress").bytes_out == stage.bytes_out);
    CHECK(codecs_under(backend, m.keys().latest_store()).count(0) == 0);

    // The same documents as a run that compressed nothing.
    strata::memory_backend plain_backend;
    strata::migrator<zstd_plan, strata::memory_backend> plain(plain_backend, clock.options());
    for (const auto& d : corpus()) plain.import(d.id, d.json);
    strata::run_options skip = run;
    skip.compress = false;
    const auto skipped = plain.migrate_all(skip);
    CHECK(skipped.stages.at("compress").skipped);
    CHECK(codecs_under(plain_backend, plain.keys().latest_store()).count(strata::zstd_compression::id) == 0);
    CHECK(read_all(plain) == read_all(m));
}

TEST_CASE("a plan that names no compression has no compression stage") {
    strata::memory_backend backend;
    strata::migrator<sessions::session_plan, strata::memory_backend> m(backend);
    static_assert(!decltype(m)::compresses);
    for (const auto& d : corpus()) m.import(d.id, d.json);
    strata::run_options run;
    run.compress_min_age = std::chrono::milliseconds(0);
    const auto result = m.migrate_all(run);
    CHECK(result.stages.at("compress").skipped);
    const auto before = dump(backend);
    const auto pass = m.compress_old(std::chrono::milliseconds(0));
    CHECK(pass.stats.skipped);
    CHECK(pass.finished);
    CHECK(pass.summary() == "compression: skipped (the plan names no compression policy)");
    CHECK(dump(backend) == before);
}

TEST_CASE("a compression pass that fails at write N, for every N: the next pass ends as a clean pass") {
    using faulty = strata::testing::faulty_backend<strata::memory_backend>;
    const strata::compress_options small_batches{.batch_entries = 32};
    // A store migrated a month ago (loaded from its dump for each N), and how a clean pass
    // leaves it.
    fake_clock clock;
    std::map<std::string, std::string> prepared;
    {
        strata::memory_backend inner;
        strata::migrator<zstd_plan, strata::memory_backend> m(inner, clock.options());
        for (const auto& d : corpus()) m.import(d.id, d.json);
        m.migrate_all();
        prepared = dump(inner);
    }
    clock.now += 31 * day_ms;
    const auto load = [&](strata::memory_backend& inner) {
        strata::write_batch batch;
        for (const auto& [key, value] : prepared) batch.put(key, value);
        inner.apply(batch);
    };
    std::map<std::string, std::string> clean;
    std::map<std::string, std::string> documents;
    std::uint64_t pass_writes = 0;
    {
        strata::memory_backend inner;
        load(inner);
        faulty store(inner);
        strata::migrator<zstd_plan, faulty> m(store, clock.options());
        REQUIRE(m.compress_old(thirty_days, small_batches).finished);
        pass_writes = store.writes();
        clean = dump(inner);
        documents = read_all(m);
    }
    REQUIRE(pass_writes >= 4);
    for (std::uint64_t n = 1; n <= pass_writes; ++n) {
        CAPTURE(n);
        strata::memory_backend inner;
        load(inner);
        faulty store(inner, {.at_write = n, .action = strata::testing::fault_action::throw_error, .times = 1});
        strata::migrator<zstd_plan, faulty> m(store, clock.options());
        CHECK_THROWS_AS(m.compress_old(thirty_days, small_batches), strata::storage_error);
        store.disarm();
        CHECK(read_all(m) == documents);  // half done reads the same
        // A new migrator, as after a restart, finishes the pass.
        strata::migrator<zstd_plan, faulty> again(store, clock.options());
        CHECK(again.compress_old(thirty_days, small_batches).finished);
        CHECK(dump(inner) == clean);
    }
}
