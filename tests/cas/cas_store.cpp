// cas_store: blobs stored once by digest, verified on read, compressed by policy; references
// joining the caller's batch; garbage collection with a grace period and mark-and-sweep repair;
// statistics; verification of blobs (all or a sample), records and references.
#include <strata/cas/cas_store.hpp>
#include <strata/compression/lz4.hpp>
#include <strata/compression/zstd.hpp>
#include <strata/hash/blake2b.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/hash/xxh3.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include "../storage/expect_storage_error.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace std::string_literals;
using namespace std::chrono_literals;

namespace {

/// A clock the test moves by hand.
struct manual_clock {
    std::int64_t now = 1'700'000'000'000;
};

strata::cas_options at(manual_clock& clock, std::string prefix = "cas/") {
    strata::cas_options o;
    o.prefix = std::move(prefix);
    o.now_ms = [&clock] { return clock.now; };
    return o;
}

/// A backend that counts the batches applied to it (and refuses single puts: the store must
/// write through batches only).
struct counting_backend : strata::memory_backend {
    std::size_t applies = 0;
    void apply(const strata::write_batch& b) {
        ++applies;
        strata::memory_backend::apply(b);
    }
};

std::string pseudo_random(std::size_t n, std::uint64_t seed) {
    std::string s(n, '\0');
    for (auto& c : s) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        c = static_cast<char>(seed >> 56);
    }
    return s;
}

using sha_store = strata::cas_store<strata::memory_backend, strata::sha256>;

constexpr std::int64_t hours(std::int64_t h) { return h * 3600 * 1000; }

}  // namespace

TEST_CASE("cas: put stores the bytes once under their digest; get gives them back") {
    counting_backend db;
    manual_clock clock;
    strata::cas_store<counting_backend, strata::sha256> cas(db, at(clock));
    const auto d = cas.put("abc");
    CHECK(d.to_string() == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(db.applies == 1);
    CHECK(cas.get(d) == "abc");
    CHECK(cas.contains(d));
    // A second put of the same bytes writes nothing.
    const auto before = db.scan("", std::nullopt, strata::no_limit);
    CHECK(cas.put("abc") == d);
    CHECK(db.applies == 1);
    CHECK(db.scan("", std::nullopt, strata::no_limit) == before);
    // Binary bytes and the empty blob.
    const std::string binary("\0\xff\0\x01"s);
    CHECK(cas.get(cas.put(binary)) == binary);
    CHECK(cas.get(cas.put("")) == "");
    const auto absent = strata::sha256::hash("never put");
    CHECK_FALSE(cas.get(absent).has_value());
    CHECK_FALSE(cas.contains(absent));
    CHECK_FALSE(cas.info(absent).has_value());
    const auto info = cas.info(d);
    REQUIRE(info.has_value());
    CHECK(info->size == 3);
    CHECK(info->put_ms == clock.now);
    CHECK(info->refcount == 0);
}

TEST_CASE("cas: get re-hashes what it reads and refuses damaged bytes, unless told not to") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    const auto d = cas.put("the real bytes");
    const std::string key = "cas/b/" + d.to_string();
    db.put(key, strata::encode_frame(strata::no_compression{}, "other bytes!!!", clock.now));
    const auto e = expect_storage_error([&] { (void)cas.get(d); });
    CHECK(e.key() == key);
    CHECK(std::string(e.what()).find("hash to sha256:") != std::string::npos);
    CHECK(std::string(e.what()).find("damaged") != std::string::npos);

    auto options = at(clock);
    options.verify_on_read = false;
    sha_store trusting(db, options);
    CHECK(trusting.get(d) == "other bytes!!!");

    // A value that is not a frame at all.
    db.put(key, "{not a frame}");
    const auto e2 = expect_storage_error([&] { (void)cas.get(d); });
    CHECK(e2.key() == key);
}

TEST_CASE("cas: blobs over the size limit are refused by put, with nothing written") {
    strata::memory_backend db;
    manual_clock clock;
    auto options = at(clock);
    options.max_blob_size = 8;
    sha_store cas(db, options);
    const auto e = expect_storage_error([&] { (void)cas.put("123456789"); });
    CHECK(std::string(e.what()).find("over the limit of 8") != std::string::npos);
    CHECK(db.count("") == 0);
    CHECK(cas.get(cas.put("12345678")) == "12345678");
}

TEST_CASE("cas: compression policies, and a store whose codec changed reads back whole") {
    strata::memory_backend db;
    manual_clock clock;
    const std::string text(100'000, 'x');
    const std::string noise = pseudo_random(5000, 7);

    strata::cas_store<strata::memory_backend, strata::sha256, strata::lz4_compression> old_cas(db, at(clock));
    const auto by_lz4 = old_cas.put(text);
    CHECK(old_cas.info(by_lz4)->stored_size < 2000);
    CHECK(old_cas.info(by_lz4)->size == text.size());

    strata::cas_store<strata::memory_backend, strata::sha256, strata::zstd_compression, strata::lz4_compression> cas(
        db, at(clock), strata::zstd_compression{19});
    const auto by_zstd = cas.put(text + "y");
    const auto plain = strata::cas_store<strata::memory_backend, strata::sha256>(db, at(clock)).put(noise);
    CHECK(cas.get(by_lz4) == text);
    CHECK(cas.get(by_zstd) == text + "y");
    CHECK(cas.get(plain) == noise);
    CHECK(cas.info(by_zstd)->stored_size < cas.info(by_lz4)->stored_size);

    // A store that does not list lz4 cannot read the lz4 blob, and says so.
    strata::cas_store<strata::memory_backend, strata::sha256, strata::zstd_compression> zstd_only(db, at(clock));
    const auto e = expect_storage_error([&] { (void)zstd_only.get(by_lz4); });
    CHECK(std::string(e.what()).find("lz4") != std::string::npos);
    CHECK(cas.verify().ok());
}

TEST_CASE("cas: other hash policies name their blobs with their own digests") {
    strata::memory_backend db;
    manual_clock clock;
    strata::cas_store<strata::memory_backend, strata::xxh3_128> fast(db, at(clock, "x/"));
    strata::cas_store<strata::memory_backend, strata::blake2b_256> blake(db, at(clock, "k/"));
    const auto a = fast.put("same bytes");
    const auto b = blake.put("same bytes");
    CHECK(a.to_string().rfind("xxh3-128:", 0) == 0);
    CHECK(b.to_string().rfind("blake2b-256:", 0) == 0);
    CHECK(db.contains("x/b/" + a.to_string()));
    CHECK(db.contains("k/b/" + b.to_string()));
    CHECK(fast.get(a) == "same bytes");
    CHECK(blake.get(b) == "same bytes");
    CHECK(fast.verify().ok());
}

TEST_CASE("cas: references by digest and by owner; adding again moves one; binary owners") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    const auto one = cas.put("one"), two = cas.put("two");
    cas.add_ref(one, "session-1", "shot-1");
    cas.add_ref(one, "session-1", "shot-2");
    cas.add_ref(one, "session-2", "shot-1");
    cas.add_ref(two, "session-2", "shot-2");
    CHECK(cas.refcount(one) == 3);
    CHECK(cas.refcount(two) == 1);
    CHECK(cas.refs_of(one) == std::vector<strata::blob_reference>{
                                  {"session-1", "shot-1"}, {"session-1", "shot-2"}, {"session-2", "shot-1"}});
    const auto held = cas.refs_held_by("session-2");
    REQUIRE(held.size() == 2);
    CHECK(held[0] == std::pair{"shot-1"s, one});
    CHECK(held[1] == std::pair{"shot-2"s, two});

    // Adding the same reference again changes nothing; to another digest, moves it.
    cas.add_ref(one, "session-1", "shot-1");
    CHECK(cas.refcount(one) == 3);
    cas.add_ref(two, "session-1", "shot-1");
    CHECK(cas.refcount(one) == 2);
    CHECK(cas.refcount(two) == 2);

    CHECK(cas.remove_ref("session-1", "shot-2"));
    CHECK_FALSE(cas.remove_ref("session-1", "shot-2"));
    CHECK(cas.refcount(one) == 1);

    // Owners and refs are bytes: a split between them cannot be confused.
    cas.add_ref(one, "a", "bc");
    cas.add_ref(two, "ab", "c");
    cas.add_ref(two, "x\0y"s, "\xff"s);
    CHECK(cas.refs_held_by("a").size() == 1);
    CHECK(cas.refs_held_by("ab").size() == 1);
    CHECK(cas.refs_held_by("ab")[0].second == two);
    CHECK(cas.refs_held_by("x\0y"s) == std::vector{std::pair{"\xff"s, two}});
    CHECK(cas.verify().ok());

    strata::write_batch batch;
    CHECK(cas.remove_refs_of(batch, "session-2") == 2);
    db.apply(batch);
    CHECK(cas.refs_held_by("session-2").empty());
    CHECK(cas.refcount(one) == 1);  // a / bc
    CHECK(cas.verify().ok());
}

TEST_CASE("cas: a document, its blobs and its references commit in the caller's batch, or not at all") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    {
        strata::write_batch batch;
        auto writer = cas.writer(batch);
        batch.put("docs/s-1", "{\"shots\":[...]}");
        const auto a = writer.put("png bytes A");
        const auto b = writer.put("png bytes B");
        CHECK(writer.put("png bytes A") == a);  // the same bytes twice in one batch: written once
        writer.add_ref(a, "s-1", "shot-1");
        writer.add_ref(b, "s-1", "shot-2");
        writer.add_ref(a, "s-1", "shot-3");
        std::size_t blob_puts = 0;
        for (const auto& op : batch.operations()) blob_puts += op.key.rfind("cas/b/", 0) == 0;
        CHECK(blob_puts == 2);
        CHECK(db.count("") == 0);  // nothing is written before the caller applies
        db.apply(batch);
        CHECK(cas.refcount(a) == 2);
        CHECK(cas.refcount(b) == 1);
        CHECK(cas.verify().ok());
    }
    {
        // A batch that is dropped (the document failed) leaves the store as it was.
        const auto before = db.scan("", std::nullopt, strata::no_limit);
        strata::write_batch batch;
        auto writer = cas.writer(batch);
        writer.add_ref(writer.put("png bytes C"), "s-2", "shot-1");
        CHECK(db.scan("", std::nullopt, strata::no_limit) == before);
    }
    {
        // Moving and removing within one batch: the batch's own references are followed.
        strata::write_batch batch;
        auto writer = cas.writer(batch);
        const auto c = writer.put("png bytes C");
        const auto d = writer.put("png bytes D");
        writer.add_ref(c, "s-3", "shot-1");
        writer.add_ref(d, "s-3", "shot-1");
        writer.add_ref(c, "s-3", "shot-2");
        CHECK(writer.remove_ref("s-3", "shot-2"));
        db.apply(batch);
        CHECK(cas.refcount(c) == 0);
        CHECK(cas.refcount(d) == 1);
        CHECK(cas.refs_held_by("s-3") == std::vector{std::pair{"shot-1"s, d}});
        CHECK(cas.verify().ok());
    }
}

TEST_CASE("cas: garbage collection keeps referenced and young blobs, removes the rest") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    const auto kept = cas.put("referenced");
    cas.add_ref(kept, "doc", "r");
    const auto old_garbage = cas.put("old garbage");
    clock.now += hours(2);  // past the one-hour grace period
    const auto young_garbage = cas.put("young garbage");

    strata::gc_options dry;
    dry.dry_run = true;
    const auto before = db.scan("", std::nullopt, strata::no_limit);
    const auto preview = cas.collect_garbage(dry);
    CHECK(preview.dry_run);
    CHECK(preview.blobs_examined == 3);
    CHECK(preview.blobs_removed == 1);
    CHECK(preview.kept_in_grace == 1);
    CHECK(db.scan("", std::nullopt, strata::no_limit) == before);

    const auto report = cas.collect_garbage();
    CHECK(report.blobs_removed == 1);
    CHECK(report.kept_in_grace == 1);
    CHECK(report.bytes_freed > std::string("old garbage").size());
    CHECK_FALSE(cas.contains(old_garbage));
    CHECK(cas.contains(young_garbage));
    CHECK(cas.contains(kept));
    CHECK(cas.verify().ok());

    // A deduplicated put of an old blob refreshes its time: a migration that puts it again
    // and has not committed its references yet does not lose it.
    clock.now += hours(2);
    CHECK(cas.put("young garbage") == young_garbage);
    CHECK(cas.collect_garbage().blobs_removed == 0);
    clock.now += hours(2);
    strata::gc_options no_grace;
    no_grace.grace = 0ms;
    CHECK(cas.collect_garbage(no_grace).blobs_removed == 1);
    CHECK_FALSE(cas.contains(young_garbage));
    CHECK(cas.contains(kept));
}

TEST_CASE("cas: mark and sweep recomputes references from the documents and repairs drift") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    const auto a = cas.put("A"), b = cas.put("B"), c = cas.put("C"), orphan = cas.put("orphan");
    cas.add_ref(a, "doc-1", "x");         // right
    cas.add_ref(b, "doc-1", "y");         // the document now names c instead
    cas.add_ref(orphan, "doc-gone", "z"); // the document no longer exists
    // doc-2 holds b, but the store lost that reference (a writer crashed between batches).
    const auto missing = strata::sha256::hash("never stored");
    clock.now += hours(2);

    auto documents = [&](auto emit) {
        emit("doc-1", "x", a);
        emit("doc-1", "y", c);
        emit("doc-2", "w", b);
        emit("doc-3", "v", missing);  // a document referring to bytes the store does not have
    };
    strata::gc_options dry;
    dry.dry_run = true;
    const auto before = db.scan("", std::nullopt, strata::no_limit);
    const auto preview = cas.collect_garbage(documents, dry);
    CHECK(db.scan("", std::nullopt, strata::no_limit) == before);
    CHECK(preview.references_removed == 1);  // doc-gone / z
    CHECK(preview.references_added == 2);    // doc-1 / y moved to c, doc-2 / w
    CHECK(preview.blobs_removed == 1);       // orphan
    REQUIRE(preview.dangling.size() == 1);
    CHECK(preview.dangling[0] == "doc-3 / v -> " + missing.to_string());

    const auto report = cas.collect_garbage(documents);
    CHECK(report.references_removed == preview.references_removed);
    CHECK(report.references_added == preview.references_added);
    CHECK(report.blobs_removed == preview.blobs_removed);
    CHECK(report.dangling == preview.dangling);
    CHECK(cas.refcount(a) == 1);
    CHECK(cas.refcount(b) == 1);
    CHECK(cas.refcount(c) == 1);
    CHECK(cas.refs_of(b) == std::vector<strata::blob_reference>{{"doc-2", "w"}});
    CHECK(cas.refs_held_by("doc-gone").empty());
    CHECK_FALSE(cas.contains(orphan));
    CHECK(cas.verify().ok());
    // Run again: nothing left to repair.
    const auto again = cas.collect_garbage(documents);
    CHECK(again.references_added == 0);
    CHECK(again.references_removed == 0);
    CHECK(again.blobs_removed == 0);
}

TEST_CASE("cas: stats count blobs, bytes, references and what deduplication saved") {
    strata::memory_backend db;
    manual_clock clock;
    strata::cas_store<strata::memory_backend, strata::sha256, strata::zstd_compression> cas(db, at(clock));
    const std::string big(10'000, 'z');
    const auto a = cas.put(big);
    const auto b = cas.put("12345");
    cas.put("unreferenced");
    cas.add_ref(a, "d1", "r");
    cas.add_ref(a, "d2", "r");
    cas.add_ref(a, "d3", "r");
    cas.add_ref(b, "d1", "s");
    const auto s = cas.stats();
    CHECK(s.blobs == 3);
    CHECK(s.references == 4);
    CHECK(s.logical_bytes == 10'000 + 5 + 12);
    CHECK(s.physical_bytes == cas.info(a)->stored_size + cas.info(b)->stored_size +
                                  cas.info(strata::sha256::hash("unreferenced"))->stored_size);
    CHECK(s.physical_bytes < 1000);  // the zeds compress
    CHECK(s.referenced_bytes == 3 * 10'000 + 5);
    CHECK(s.dedup_savings == 2 * 10'000);
    CHECK(s.unreferenced_blobs == 1);
    CHECK(s.unreferenced_bytes == 12);
}

TEST_CASE("cas: verify finds each kind of damage, by key") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    std::vector<strata::digest<strata::sha256>> d;
    for (int i = 0; i < 6; ++i) {
        d.push_back(cas.put("blob " + std::to_string(i)));
        cas.add_ref(d.back(), "doc", "r" + std::to_string(i));
    }
    REQUIRE(cas.verify().ok());
    CHECK(cas.verify().blobs == 6);
    CHECK(cas.verify().blobs_read == 6);
    CHECK(cas.verify().references == 6);

    auto blob = [&](int i) { return "cas/b/" + d[static_cast<std::size_t>(i)].to_string(); };
    auto record = [&](int i) { return "cas/m/" + d[static_cast<std::size_t>(i)].to_string(); };
    db.put(blob(0), strata::encode_frame(strata::no_compression{}, "blob X", clock.now));  // same size, other bytes
    db.put(blob(1), "garbage");                                                            // not a frame
    db.erase(blob(2));                                                                     // record without blob
    db.erase(record(3));                                                                   // blob without record
    db.put(record(4), db.get(record(5)).value());                                          // wrong sizes? same: fix below
    db.put(blob(4), strata::encode_frame(strata::no_compression{}, "blob 4", clock.now - 5));  // same bytes, other time
    cas.add_ref(strata::sha256::hash("absent"), "doc", "dangling");
    db.erase("cas/o/" + strata::detail::cas::owner_ref("doc", "r5"));  // half a reference

    const auto report = cas.verify();
    std::multiset<std::pair<strata::verify_problem::kind, std::string>> found;
    for (const auto& p : report.problems) found.insert({p.what, p.key});
    using k = strata::verify_problem::kind;
    CHECK(found.count({k::hash_mismatch, blob(0)}) == 1);
    CHECK(found.count({k::unreadable_blob, blob(1)}) == 1);
    CHECK(found.count({k::missing_blob, blob(2)}) == 1);
    CHECK(found.count({k::missing_record, blob(3)}) == 1);
    // r3 names a blob without a record: the store does not hold it as a blob it knows.
    CHECK(found.count({k::dangling_reference, "cas/r/" + d[3].to_string() + "/" + strata::detail::cas::owner_ref("doc", "r3")}) == 1);
    CHECK(found.count({k::dangling_reference, "cas/r/" + strata::sha256::hash("absent").to_string() + "/" +
                                                  strata::detail::cas::owner_ref("doc", "dangling")}) == 1);
    CHECK(found.count({k::broken_reference, "cas/r/" + d[5].to_string() + "/" + strata::detail::cas::owner_ref("doc", "r5")}) == 1);
    // The record of blob 4 was overwritten with blob 5's, whose sizes are the same: not a
    // mismatch; a record with a wrong size is.
    db.put(record(4), strata::detail::cas::encode_record({99, 1, clock.now}));
    const auto again = cas.verify();
    CHECK(std::any_of(again.problems.begin(), again.problems.end(),
                      [&](const auto& p) { return p.what == k::record_mismatch && p.key == record(4); }));
}

TEST_CASE("cas: verify reads a sample of blobs chosen by digest and seed") {
    strata::memory_backend db;
    manual_clock clock;
    sha_store cas(db, at(clock));
    for (int i = 0; i < 400; ++i) cas.put("blob " + std::to_string(i));
    strata::verify_options half;
    half.sample = 0.5;
    const auto first = cas.verify(half);
    CHECK(first.blobs == 400);
    CHECK(first.blobs_read > 150);
    CHECK(first.blobs_read < 250);
    CHECK(cas.verify(half).blobs_read == first.blobs_read);  // the same seed, the same subset
    half.seed = 99;
    CHECK(cas.verify(half).blobs_read != first.blobs_read);  // (400 blobs: equal counts would be a fluke)
    strata::verify_options none;
    none.sample = 0;
    CHECK(cas.verify(none).blobs_read == 0);
    CHECK(cas.verify(none).ok());
}

TEST_CASE("cas: the same store over SQLite and the filesystem") {
    const fs::path dir = fs::path(STRATA_TEST_WORK_DIR) / "backends";
    fs::remove_all(dir);
    fs::create_directories(dir);
    manual_clock clock;
    auto exercise = [&](auto& db) {
        strata::cas_store<std::remove_reference_t<decltype(db)>, strata::sha256, strata::zstd_compression> cas(db, at(clock));
        strata::write_batch batch;
        auto writer = cas.writer(batch);
        const auto a = writer.put(std::string(4096, 'a'));
        writer.add_ref(a, "s-1", "shot-1");
        writer.add_ref(writer.put("\0binary\xff"s), "s-1", "shot-2");
        batch.put("docs/s-1", "{}");
        db.apply(batch);
        CHECK(cas.get(a) == std::string(4096, 'a'));
        CHECK(cas.refcount(a) == 1);
        CHECK(cas.refs_held_by("s-1").size() == 2);
        CHECK(cas.verify().ok());
        CHECK(cas.stats().blobs == 2);
    };
    {
        strata::sqlite_backend db((dir / "store.db").string());
        exercise(db);
    }
    {
        strata::filesystem_backend db(dir / "files");
        exercise(db);
    }
}

TEST_CASE("cas: the background pass compresses old blobs, keeps records right, and is idempotent") {
    strata::memory_backend db;
    manual_clock clock;
    strata::cas_store<strata::memory_backend, strata::sha256, strata::no_compression, strata::zstd_compression> cas(
        db, at(clock));
    const auto old_text = cas.put(std::string(50'000, 'o'));
    const auto old_noise = cas.put(pseudo_random(4000, 3));  // does not shrink: stays as it is
    clock.now += 10LL * 24 * 3600 * 1000;
    const auto young = cas.put(std::string(50'000, 'y'));
    cas.add_ref(old_text, "doc", "a");
    const auto before = cas.stats();

    const auto report = cas.compress_older_than(strata::zstd_compression{}, std::chrono::hours(24 * 7));
    CHECK(report.finished);
    CHECK(report.rewritten == 1);
    CHECK(report.skipped_young == 1);
    CHECK(report.skipped_no_gain == 1);
    const auto after = cas.stats();
    CHECK(before.physical_bytes - after.physical_bytes == report.bytes_saved);
    CHECK(report.bytes_saved > 49'000);
    CHECK(cas.info(old_text)->stored_size < 1000);
    CHECK(cas.info(old_text)->put_ms == clock.now - 10LL * 24 * 3600 * 1000);  // its age is kept
    CHECK(cas.get(old_text) == std::string(50'000, 'o'));
    CHECK(cas.get(young) == std::string(50'000, 'y'));
    CHECK(cas.get(old_noise).has_value());
    CHECK(cas.verify().ok());
    CHECK_FALSE(db.contains("cas/pass/compress"));  // a finished pass leaves no cursor

    const auto again = cas.compress_older_than(strata::zstd_compression{}, std::chrono::hours(24 * 7));
    CHECK(again.rewritten == 0);
    CHECK(again.bytes_saved == 0);
    CHECK(cas.stats().physical_bytes == after.physical_bytes);
}
