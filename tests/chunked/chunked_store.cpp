// strata::chunked_store on small documents: round trips at chunk boundaries, appends that
// write what a save writes, shrinking, removal, ids of any bytes, metadata scans, one batch per
// call, the caller-batch overloads, damaged values. Every case runs on memory and SQLite.
#include "support.hpp"

#include <strata/compression/recompress.hpp>
#include <strata/compression/zstd.hpp>
#include <strata/diff.hpp>
#include <strata/json/encode.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace chunked_test;
using namespace std::string_literals;

namespace {

template <class B, class D = doc>
using store_over = strata::chunked_store<D, B>;

// The documented key layout, written out: P "m/" I and P "c/" esc(I) 00 01 M 00 n(4 bytes BE).
std::string metadata_key(std::string_view id) {
    return "t/m/" + std::string(id);
}
std::string chunk_key(std::string_view id, std::string_view member, std::uint32_t n) {
    std::string key = "t/c/";
    for (char c : id) {
        key += c;
        if (c == '\0') key += '\xff';
    }
    key += "\0\x01"s;
    key += member;
    key += '\0';
    key += static_cast<char>(n >> 24);
    key += static_cast<char>((n >> 16) & 0xff);
    key += static_cast<char>((n >> 8) & 0xff);
    key += static_cast<char>(n & 0xff);
    return key;
}

std::string framed(std::string_view json) {
    return strata::encode_frame(strata::no_compression{}, json, fixed_ms);
}

template <class D>
void check_same(const std::optional<D>& loaded, const D& expected) {
    REQUIRE(loaded.has_value());
    INFO(strata::format(strata::diff(*loaded, expected)));
    CHECK(strata::equal(*loaded, expected));
    CHECK(strata::json::encode(*loaded) == strata::json::encode(expected));
}

std::size_t chunks_for(std::size_t n, std::size_t size) {
    return (n + size - 1) / size;
}

}  // namespace

TEST_CASE_TEMPLATE("chunked_store: load(save(x)) == x at every chunk boundary", F, memory_fixture,
                   sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    // items in chunks of 4, notes in chunks of 3: empty, 1, size-1, size, size+1, 2*size+1.
    for (std::size_t items : {0u, 1u, 3u, 4u, 5u, 8u, 9u}) {
        for (std::size_t notes : {0u, 2u, 3u, 4u, 7u}) {
            CAPTURE(items);
            CAPTURE(notes);
            const doc d = make_doc("d", items, notes);
            store.save(d);
            check_same(store.load("d"), d);
            CHECK(dump(f.backend, "t/c/").size() == chunks_for(items, 4) + chunks_for(notes, 3));
            for (std::uint32_t n = 0; n < chunks_for(items, 4); ++n)
                CHECK(f.backend.contains(chunk_key("d", "items", n)));
            for (std::uint32_t n = 0; n < chunks_for(notes, 3); ++n)
                CHECK(f.backend.contains(chunk_key("d", "notes", n)));

            const auto meta = store.load_metadata("d");
            REQUIRE(meta.has_value());
            CHECK(meta->id() == "d");
            CHECK(meta->template length<"items">() == items);
            CHECK(meta->template length<"notes">() == notes);
            CHECK(meta->length("notes") == notes);
            CHECK(meta->lengths == std::array<std::uint64_t, 2>{items, notes});
            CHECK(meta->document.items.empty());
            CHECK(meta->document.notes.empty());
            CHECK(meta->document.title == d.title);
            CHECK(meta->document.values == d.values);  // not chunked: kept in the metadata
        }
    }
    CHECK(store.count() == 1);
    CHECK_FALSE(store.load("other").has_value());
    CHECK_FALSE(store.load_metadata("other").has_value());
}

TEST_CASE_TEMPLATE("chunked_store: unknown keys and the stored values' shape", F, memory_fixture,
                   sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    doc d = make_doc("d", 5, 1);
    d.extra.push_back("kept", strata::raw_json(R"({"a":[1,2]})"));
    store.save(d);
    check_same(store.load("d"), d);
    // The documented value formats, byte for byte.
    CHECK(
        strata::decode_frame<>(*f.backend.get(metadata_key("d")), "m") ==
        R"({"chunked":{"items":{"length":5,"chunk_size":4},"notes":{"length":1,"chunk_size":3}},)"
        R"("document":{"id":"d","title":"title of d","counter":5,"items":[],"notes":[],"values":[1,-2,3],)"
        R"("kept":{"a":[1,2]}}})");
    CHECK(strata::decode_frame<>(*f.backend.get(chunk_key("d", "items", 1)), "c") ==
          R"([{"name":"item-4","n":28}])");
    CHECK(strata::read_frame_header(*f.backend.get(chunk_key("d", "items", 0)), "c").written_ms ==
          fixed_ms);
}

TEST_CASE_TEMPLATE("chunked_store: append across chunk boundaries writes what save writes", F,
                   memory_fixture, sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    doc expected = make_doc("s", 0, 0);
    expected.counter = 0;
    store.save(expected);
    for (std::size_t i = 0; i < 13; ++i) {
        CAPTURE(i);
        const item next{"appended-" + std::to_string(i), static_cast<std::int64_t>(i)};
        if (i % 2 == 0) {
            store.template append<"items">("s", next, [](doc& meta) { ++meta.counter; });
            ++expected.counter;
        } else {
            store.template append<"items">("s", next);
        }
        expected.items.push_back(next);
        if (i % 3 == 0) {
            store.template append<"notes">("s", "note " + std::to_string(i));
            expected.notes.push_back("note " + std::to_string(i));
        }
        // The same document saved whole, in a store of its own: the same bytes under the same keys.
        strata::memory_backend reference;
        store_over<strata::memory_backend>(reference, "t/", fixed_clock()).save(expected);
        CHECK(dump(f.backend) == dump(reference));
        check_same(store.load("s"), expected);
    }
}

TEST_CASE_TEMPLATE("chunked_store: save erases the chunks beyond a shrunk document", F,
                   memory_fixture, sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    store.save(make_doc("d", 9, 7));  // 3 + 3 chunks
    store.save(make_doc("e", 9, 7));
    CHECK(dump(f.backend, "t/c/").size() == 12);
    for (std::size_t items : {5u, 4u, 1u, 0u}) {
        CAPTURE(items);
        const doc d = make_doc("d", items, items / 2);
        store.save(d);
        check_same(store.load("d"), d);
        CHECK(dump(f.backend, "t/c/").size() ==
              6 + chunks_for(items, 4) + chunks_for(items / 2, 3));
        CHECK_FALSE(f.backend.contains(
            chunk_key("d", "items", static_cast<std::uint32_t>(chunks_for(items, 4)))));
    }
    check_same(store.load("e"), make_doc("e", 9, 7));  // untouched
    // And it grows again.
    store.save(make_doc("d", 9, 7));
    check_same(store.load("d"), make_doc("d", 9, 7));
}

TEST_CASE_TEMPLATE("chunked_store: ids may hold any bytes; remove erases one document whole", F,
                   memory_fixture, sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    // Ids that are prefixes of each other, with NUL and the escape's own bytes, a separator,
    // non-ASCII UTF-8, and the empty id.
    const std::vector<std::string> ids = {"a",  "a\0"s, "a\0\x01"s,          "a\0b"s,
                                          "ab", "a/b",  "\xc3\xa9t\xc3\xa9", ""};
    for (std::size_t i = 0; i < ids.size(); ++i) store.save(make_doc(ids[i], 5 + i, i));
    CHECK(store.count() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        CAPTURE(i);
        CHECK(store.contains(ids[i]));
        check_same(store.load(ids[i]), make_doc(ids[i], 5 + i, i));
    }
    // Metadata comes back in byte order of id.
    std::vector<std::string> sorted = ids, scanned;
    std::sort(sorted.begin(), sorted.end());
    store.for_each_metadata(
        [&](const strata::chunked_metadata<doc>& m) { scanned.push_back(m.id()); });
    CHECK(scanned == sorted);

    const auto before = dump(f.backend);
    CHECK(store.remove("a"));
    CHECK_FALSE(store.contains("a"));
    CHECK_FALSE(store.load("a").has_value());
    CHECK_FALSE(store.remove("a"));
    // Exactly the keys of "a" are gone.
    std::vector<strata::key_value> expected;
    for (const auto& e : before) {
        if (e.key != metadata_key("a") && !e.key.starts_with(chunk_key("a", "", 0).substr(0, 7)))
            expected.push_back(e);
    }
    CHECK(dump(f.backend) == expected);
    for (std::size_t i = 1; i < ids.size(); ++i)
        check_same(store.load(ids[i]), make_doc(ids[i], 5 + i, i));
    for (std::size_t i = 1; i < ids.size(); ++i) CHECK(store.remove(ids[i]));
    CHECK(dump(f.backend).empty());
    CHECK(store.count() == 0);
}

TEST_CASE_TEMPLATE("chunked_store: scan_metadata pages in id order and reads no chunk", F,
                   memory_fixture, sqlite_fixture) {
    F f;
    counting_backend counted(f.backend);
    strata::chunked_store<doc, counting_backend<decltype(f.backend)>> store(counted, "t/",
                                                                            fixed_clock());
    std::vector<std::string> ids;
    for (int i = 9; i >= 0; --i) {
        ids.push_back("doc-" + std::to_string(i));
        store.save(make_doc(ids.back(), static_cast<std::size_t>(i) * 3, 2));
    }
    std::sort(ids.begin(), ids.end());
    // Another store's keys under a neighbouring prefix are not listed.
    strata::chunked_store<doc, decltype(f.backend)>(f.backend, "t0/", fixed_clock())
        .save(make_doc("zzz", 3));

    counted.reset();
    std::vector<std::string> seen;
    std::optional<std::string> after;
    std::size_t pages = 0;
    for (;;) {
        auto page = store.scan_metadata(after, 3);
        ++pages;
        for (const auto& m : page) {
            seen.push_back(m.id());
            const std::size_t i = static_cast<std::size_t>(std::stoi(m.id().substr(4)));
            CHECK(m.template length<"items">() == i * 3);
            CHECK(m.template length<"notes">() == 2);
            CHECK(m.document.items.empty());
            CHECK(m.document.counter == i * 3);
        }
        if (page.size() < 3) break;
        after = page.back().id();
    }
    CHECK(seen == ids);
    CHECK(pages == 4);
    CHECK(counted.gets == 0);
    for (const std::string& prefix : counted.scan_prefixes) CHECK(prefix == "t/m/");

    std::size_t visited = 0;
    store.for_each_metadata(
        [&](strata::chunked_metadata<doc>&& m) { visited += m.id().starts_with("doc-") ? 1u : 0u; },
        4);
    CHECK(visited == 10);
    std::vector<std::string> moved_out;  // a callback that takes the metadata by value
    store.for_each_metadata(
        [&](strata::chunked_metadata<doc> m) { moved_out.push_back(std::move(m.document.id)); }, 3);
    CHECK(moved_out == ids);
    CHECK(store.count() == 10);
}

TEST_CASE_TEMPLATE("chunked_store: each call applies exactly one batch and writes nothing else", F,
                   memory_fixture, sqlite_fixture) {
    F f;
    counting_backend counted(f.backend);
    strata::chunked_store<doc, counting_backend<decltype(f.backend)>> store(counted, "t/",
                                                                            fixed_clock());
    const auto one_batch = [&](auto&& call) {
        counted.reset();
        call();
        CHECK(counted.applies == 1);
        CHECK(counted.puts == 0);
        CHECK(counted.erases == 0);
    };
    one_batch([&] { store.save(make_doc("d", 9, 4)); });
    one_batch([&] { store.save(make_doc("d", 2, 0)); });  // shrinks: erases in the same batch
    one_batch([&] { store.template append<"items">("d", item{"x", 1}); });
    one_batch([&] {
        store.template append<"items">("d", item{"y", 2}, [](doc& m) { m.counter = 77; });
    });
    one_batch([&] { store.template append<"notes">("d", "n"); });
    one_batch([&] { CHECK(store.remove("d")); });
    one_batch([&] { CHECK_FALSE(store.remove("d")); });

    store.save(make_doc("d", 9, 4));
    counted.reset();
    CHECK(store.load("d").has_value());
    CHECK(store.load_metadata("d").has_value());
    CHECK(store.contains("d"));
    CHECK(store.count() == 1);
    CHECK(store.scan_metadata().size() == 1);
    CHECK(counted.applies + counted.puts + counted.erases == 0);
}

TEST_CASE_TEMPLATE(
    "chunked_store: the caller-batch overloads add their operations and apply nothing", F,
    memory_fixture, sqlite_fixture) {
    F f;
    counting_backend counted(f.backend);
    strata::chunked_store<doc, counting_backend<decltype(f.backend)>> store(counted, "t/",
                                                                            fixed_clock());
    strata::memory_backend reference;
    store_over<strata::memory_backend> direct(reference, "t/", fixed_clock());

    const auto staged = [&](auto&& add, auto&& same_directly) {
        strata::write_batch batch;
        batch.put("other/key", "v");  // the caller's own operation stays first
        counted.reset();
        add(batch);
        CHECK(counted.applies + counted.puts + counted.erases == 0);
        CHECK(batch.size() > 1);
        CHECK(batch.operations().front().key == "other/key");
        counted.apply(batch);
        same_directly();
        reference.put("other/key", "v");
        CHECK(dump(f.backend) == dump(reference));
    };
    staged([&](strata::write_batch& b) { store.save(b, make_doc("d", 9, 4)); },
           [&] { direct.save(make_doc("d", 9, 4)); });
    staged(
        [&](strata::write_batch& b) {
            store.template append<"items">(b, "d", item{"x", 1});
        },
        [&] {
            direct.template append<"items">("d", item{"x", 1});
        });
    staged(
        [&](strata::write_batch& b) {
            store.template append<"items">(b, "d", item{"y", 2},
                                           [](doc& m) { m.title = "retitled"; });
        },
        [&] {
            direct.template append<"items">("d", item{"y", 2},
                                            [](doc& m) { m.title = "retitled"; });
        });
    staged([&](strata::write_batch& b) { store.save(b, make_doc("d", 1, 0)); },
           [&] { direct.save(make_doc("d", 1, 0)); });
    staged([&](strata::write_batch& b) { CHECK(store.remove(b, "d")); },
           [&] { direct.remove("d"); });
    CHECK(store.count() == 0);
}

TEST_CASE_TEMPLATE(
    "chunked_store: a value with no JSON form changes neither the store nor the caller's batch", F,
    memory_fixture, sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    store.save(make_doc("d", 6, 1));
    const auto before = dump(f.backend);

    doc bad = make_doc("d", 9, 1);
    bad.items[6].name = "\xff not UTF-8";
    auto e = expect_error<strata::encode_error>([&] { store.save(bad); });
    CHECK(std::string(e.what()) ==
          "document \"d\": at items[6].name: expected a UTF-8 string, found bytes that are not "
          "UTF-8");
    strata::write_batch batch;
    batch.put("mine", "1");
    expect_error<strata::encode_error>([&] { store.save(batch, bad); });
    CHECK(batch.size() == 1);

    e = expect_error<strata::encode_error>([&] {
        store.template append<"items">("d", item{"\xfe", 0});
    });
    CHECK(std::string(e.what()) ==
          "document \"d\": at items[6].name: expected a UTF-8 string, found bytes that are not "
          "UTF-8");
    expect_error<strata::encode_error>([&] {
        store.template append<"items">(batch, "d", item{"\xfe", 0});
    });
    CHECK(batch.size() == 1);
    CHECK(dump(f.backend) == before);
}

TEST_CASE_TEMPLATE(
    "chunked_store: damaged values are errors naming the document, the key and the path", F,
    memory_fixture, sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    const doc d = make_doc("d", 9, 4);
    const doc e = make_doc("e", 2, 0);
    const auto reset = [&] {
        store.save(d);
        store.save(e);
    };
    const auto load_error = [&](std::string_view id = "d") {
        return expect_error<strata::chunked_document_error>([&] { (void)store.load(id); });
    };
    const std::string items1 = "t/c/d\\x00\\x01items\\x00\\x00\\x00\\x00\\x01";

    SUBCASE("an element that does not decode: its index in the whole member") {
        reset();
        f.backend.put(
            chunk_key("d", "items", 1),
            framed(
                R"([{"name":"item-4","n":28},{"name":12,"n":35},{"name":"item-6","n":42},{"name":"item-7","n":49}])"));
        const auto err = load_error();
        CHECK(std::string(err.what()) ==
              "storage: load \"" + items1 +
                  "\": document \"d\": at items[5].name: expected string, found number 12");
        CHECK(err.document() == "d");
        CHECK(err.path() == "items[5].name");
        CHECK(err.key() == chunk_key("d", "items", 1));
        CHECK(err.operation() == "load");
    }
    SUBCASE("malformed JSON in a chunk") {
        reset();
        f.backend.put(chunk_key("d", "items", 1), framed(R"([{"name":"item-4","n":28},{"name":)"));
        const auto err = load_error();
        CHECK(std::string(err.what())
                  .starts_with("storage: load \"" + items1 + "\": document \"d\": at items"));
        CHECK(std::string(err.what()).find("malformed JSON") != std::string::npos);
    }
    SUBCASE("a chunk that is not a frame") {
        reset();
        f.backend.put(chunk_key("d", "items", 2), "garbage");
        const auto err = load_error();
        CHECK(std::string(err.what())
                  .starts_with("storage: load \"t/c/d\\x00\\x01items\\x00\\x00\\x00\\x00\\x02\": "
                               "document \"d\": decode frame: "));
        CHECK(err.key() == chunk_key("d", "items", 2));
    }
    SUBCASE("a missing chunk is never a shorter array") {
        reset();
        f.backend.erase(chunk_key("d", "items", 1));
        const auto err = load_error();
        CHECK(std::string(err.what()) == "storage: load \"" + items1 +
                                             "\": document \"d\": at items: chunk 1 of 3 is "
                                             "missing (the metadata records 9 elements in chunks "
                                             "of 4): the store is damaged");
        CHECK(err.path() == "items[4]");
        f.backend.erase(chunk_key("d", "items", 2));  // the last one too
        CHECK(std::string(load_error().what()).find("chunk 1 of 3 is missing") !=
              std::string::npos);
        reset();
        f.backend.erase(chunk_key("d", "items", 2));
        CHECK(std::string(load_error().what()).find("chunk 2 of 3 is missing") !=
              std::string::npos);
        const auto err2 = expect_error<strata::chunked_document_error>([&] {
            store.template append<"items">("d", item{"x", 0});
        });
        CHECK(std::string(err2.what()).find("chunk 2 is missing") != std::string::npos);
    }
    SUBCASE("a chunk with fewer or more elements than the metadata says") {
        reset();
        f.backend.put(chunk_key("d", "items", 0), framed(R"([{"name":"a","n":1}])"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/c/d\\x00\\x01items\\x00\\x00\\x00\\x00\\x00\": document \"d\": at "
              "items: chunk 0 "
              "holds 1 elements, the metadata says 4 (9 in chunks of 4): the store is damaged");
        reset();
        f.backend.put(chunk_key("d", "items", 3), framed(R"([{"name":"a","n":1}])"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/c/d\\x00\\x01items\\x00\\x00\\x00\\x00\\x03\": document \"d\": at "
              "items: a chunk "
              "beyond the 3 the metadata records: the store is damaged");
        reset();
        f.backend.put(chunk_key("e", "notes", 0), framed(R"(["stray"])"));
        CHECK(std::string(load_error("e").what()).find("a chunk beyond the length 0") !=
              std::string::npos);
        store.save(e);  // a save clears what does not belong
        check_same(store.load("e"), e);
    }
    SUBCASE("damaged metadata") {
        reset();
        f.backend.put(
            metadata_key("d"),
            framed(
                R"({"chunked":{"items":{"length":9,"chunk_size":4},"notes":{"length":4,"chunk_size":3}},)"
                R"("document":{"id":"d","title":"t","counter":"many","items":[],"notes":[],"values":[]}})"));
        auto err = load_error();
        CHECK(std::string(err.what()) ==
              "storage: load \"t/m/d\": document \"d\": at counter: expected non-negative "
              "integer (64-bit), found string \"many\"");
        CHECK(err.path() == "counter");
        const auto meta_err =
            expect_error<strata::chunked_document_error>([&] { (void)store.load_metadata("d"); });
        CHECK(meta_err.operation() == "load metadata");
        const auto scan_err =
            expect_error<strata::chunked_document_error>([&] { (void)store.scan_metadata(); });
        CHECK(std::string(scan_err.what())
                  .starts_with("storage: scan metadata \"t/m/d\": document \"d\": at counter"));

        f.backend.put(metadata_key("d"),
                      framed(R"({"chunked":{"items":{"length":9,"chunk_size":0}},"document":{}})"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/m/d\": document \"d\": at "
              "chunked.items.chunk_size: expected a chunk size of at least 1, found 0");
        f.backend.put(
            metadata_key("d"),
            framed(R"({"chunked":{"pictures":{"length":9,"chunk_size":4}},"document":{}})"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/m/d\": document \"d\": at chunked.pictures: "
              "expected a member the layout chunks (items, notes), found another member");
        f.backend.put(metadata_key("d"), framed(R"({"chunked":{}})"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/m/d\": document \"d\": at (root): expected the "
              "metadata keys chunked and document, found no key \"document\"");
        f.backend.put(metadata_key("d"), framed("[1]"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/m/d\": document \"d\": at (root): expected a "
              "metadata object, found another JSON type");
        // The metadata of another document under this one's key.
        f.backend.put(metadata_key("d"), *f.backend.get(metadata_key("e")));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/m/d\": document \"d\": at id: the metadata belongs to document "
              "\"e\"");
        // A chunked member with elements in the metadata.
        f.backend.put(
            metadata_key("d"),
            framed(
                R"({"chunked":{"items":{"length":0,"chunk_size":4}},)"
                R"("document":{"id":"d","title":"t","counter":1,"items":[{"name":"x","n":1}],"notes":[],"values":[]}})"));
        CHECK(std::string(load_error().what()) ==
              "storage: load \"t/m/d\": document \"d\": at items: expected [] (the member is "
              "stored in chunks), found "
              "elements in the metadata");
        // Not a frame at all: append reports it too, and writes nothing.
        f.backend.put(metadata_key("d"), "{}");
        const auto before = dump(f.backend);
        const auto append_err = expect_error<strata::chunked_document_error>([&] {
            store.template append<"items">("d", item{"x", 0});
        });
        CHECK(std::string(append_err.what())
                  .starts_with("storage: append \"t/m/d\": document \"d\": decode frame: "));
        CHECK(dump(f.backend) == before);
    }
    // Whatever was damaged, the other document is intact.
    check_same(store.load("e"), e);
}

TEST_CASE_TEMPLATE("chunked_store: append to a missing document; an adjust that overreaches", F,
                   memory_fixture, sqlite_fixture) {
    F f;
    store_over<decltype(f.backend)> store(f.backend, "t/", fixed_clock());
    const auto missing = expect_error<strata::storage_error>(
        [&] { store.template append<"items">("nope", item{}); });
    CHECK(std::string(missing.what()) ==
          "storage: append \"t/m/nope\": there is no document \"nope\"");
    CHECK(dump(f.backend).empty());

    store.save(make_doc("d", 3));
    const auto before = dump(f.backend);
    const auto overreach = expect_error<strata::error>([&] {
        store.template append<"items">("d", item{"x", 1}, [](doc& m) {
            m.items.push_back({"sneaky", 0});
        });
    });
    CHECK(std::string(overreach.what())
              .find("the adjust callback changed the id or filled a chunked member") !=
          std::string::npos);
    expect_error<strata::error>([&] {
        store.template append<"items">("d", item{"x", 1}, [](doc& m) { m.id = "e"; });
    });
    CHECK(dump(f.backend) == before);
}

TEST_CASE("chunked_store: a document keeps the chunk size it was written with until saved again") {
    strata::memory_backend backend;
    using doc8 = basic_doc<8>;
    store_over<strata::memory_backend, doc> by4(backend, "t/", fixed_clock());
    store_over<strata::memory_backend, doc8> by8(backend, "t/", fixed_clock());
    by4.save(make_doc<4>("d", 9));  // chunks of 4: 3 chunks
    const auto as8 = [](const doc& d) {
        doc8 out;
        out.id = d.id;
        out.title = d.title;
        out.counter = d.counter;
        out.items = d.items;
        out.notes = d.notes;
        out.values = d.values;
        return out;
    };
    doc expected = make_doc<4>("d", 9);
    check_same(by8.load("d"), as8(expected));
    by8.append<"items">("d", item{"more", 1});  // appends in chunks of 4, as written
    expected.items.push_back(item{"more", 1});
    CHECK(dump(backend, "t/c/").size() == 3);
    check_same(by4.load("d"), expected);
    by8.save(as8(expected));  // re-chunked by 8: 2 chunks, the third erased
    CHECK(dump(backend, "t/c/").size() == 2);
    check_same(by4.load("d"), expected);
    check_same(by8.load("d"), as8(expected));
}

namespace {
// A codec of the test's own (id 200): the bytes reversed, so that a reader without it fails.
struct reversing_codec {
    static constexpr std::uint8_t id = 200;
    static constexpr std::string_view name = "reversed";
    void compress(std::string_view in, std::string& out) const {
        out.append(in.rbegin(), in.rend());
    }
    static void decompress(std::string_view in, std::size_t size, std::string& out) {
        if (in.size() != size) throw strata::error("reversed: wrong size");
        out.append(in.rbegin(), in.rend());
    }
};
}  // namespace

TEST_CASE("chunked_store: values written with one codec read back through a store that lists it") {
    strata::memory_backend backend;
    strata::chunked_store<doc, strata::memory_backend, reversing_codec> writer(backend, "t/",
                                                                               fixed_clock());
    writer.save(make_doc("d", 9, 2));
    CHECK(strata::read_frame_header(*backend.get(metadata_key("d")), "m").codec == 200);
    check_same(writer.load("d"), make_doc("d", 9, 2));
    writer.append<"items">("d", item{"x", 1});

    strata::chunked_store<doc, strata::memory_backend, strata::no_compression, reversing_codec>
        reader(backend, "t/");
    doc expected = make_doc("d", 9, 2);
    expected.items.push_back(item{"x", 1});
    check_same(reader.load("d"), expected);
    reader.append<"items">("d",
                           item{"y", 2});  // writes uncompressed frames beside the reversed ones
    expected.items.push_back(item{"y", 2});
    check_same(writer.load("d"), expected);

    strata::chunked_store<doc, strata::memory_backend> plain(backend, "t/");
    const auto err = expect_error<strata::chunked_document_error>([&] { (void)plain.load("d"); });
    CHECK(std::string(err.what()).find("decode frame") != std::string::npos);
    CHECK(err.document() == "d");
}

TEST_CASE("chunked_store: a declared value size over the limit is refused") {
    strata::memory_backend backend;
    strata::chunked_options small = fixed_clock();
    small.max_value_size = 64;
    strata::chunked_store<doc, strata::memory_backend> store(backend, "t/", fixed_clock());
    strata::chunked_store<doc, strata::memory_backend> limited(backend, "t/", small);
    store.save(make_doc("d", 9, 2));
    const auto err = expect_error<strata::chunked_document_error>([&] { (void)limited.load("d"); });
    CHECK(err.key() == metadata_key("d"));
    CHECK(std::string(err.what()).find("decode frame") != std::string::npos);
}

namespace {
// Runs `before_scan` once, just before the first scan of a chunk range: a write of the same
// document that lands between load's read of the metadata and its read of the chunks.
template <class Inner>
struct racing_backend : counting_backend<Inner> {
    using counting_backend<Inner>::counting_backend;
    mutable std::function<void()> before_scan;
    std::vector<strata::key_value> scan(std::string_view prefix,
                                        std::optional<std::string_view> after,
                                        std::size_t limit) const {
        if (before_scan && prefix.starts_with("t/c/")) std::exchange(before_scan, nullptr)();
        return counting_backend<Inner>::scan(prefix, after, limit);
    }
};
}  // namespace

TEST_CASE("chunked_store: a load that races a write of the same document reads again") {
    strata::memory_backend inner;
    racing_backend<strata::memory_backend> racing(inner);
    strata::chunked_store<doc, racing_backend<strata::memory_backend>> store(racing, "t/",
                                                                             fixed_clock());
    store_over<strata::memory_backend> writer(inner, "t/", fixed_clock());
    writer.save(make_doc("d", 5));

    SUBCASE("an append: the last chunk holds one more element than the metadata read") {
        racing.before_scan = [&] { writer.append<"items">("d", item{"raced", 1}); };
        doc expected = make_doc("d", 5);
        expected.items.push_back(item{"raced", 1});
        check_same(store.load("d"), expected);
        CHECK(racing.gets == 2);  // the metadata, read again
    }
    SUBCASE("a save that shrinks: a chunk the metadata read is gone") {
        racing.before_scan = [&] { writer.save(make_doc("d", 2)); };
        check_same(store.load("d"), make_doc("d", 2));
    }
    SUBCASE("a remove: the document is gone") {
        racing.before_scan = [&] { CHECK(writer.remove("d")); };
        CHECK_FALSE(store.load("d").has_value());
    }
}

TEST_CASE("chunked_store: zstd values, and chunks the compression pass recompressed, read back") {
    strata::memory_backend backend;
    doc d = make_doc("d", 9, 5);
    for (item& it : d.items) it.name = std::string(200, 'x') + it.name;
    strata::chunked_store<doc, strata::memory_backend> plain(backend, "t/", fixed_clock());
    plain.save(d);

    // The background pass compresses the chunks in place (the metadata stays plain).
    const auto report = strata::recompress(backend, strata::zstd_compression{}, {.prefix = "t/c/"});
    CHECK(report.rewritten >= 3);
    CHECK(report.bytes_saved > 0);
    CHECK(strata::read_frame_header(*backend.get(chunk_key("d", "items", 0)), "c").codec ==
          strata::zstd_compression::id);
    CHECK(plain.scan_metadata().size() == 1);  // listing needs no codec
    CHECK_THROWS_AS((void)plain.load("d"), strata::chunked_document_error);

    // A store that lists zstd reads them, and appends to a compressed last chunk.
    strata::chunked_store<doc, strata::memory_backend, strata::no_compression,
                          strata::zstd_compression>
        reader(backend, "t/", fixed_clock());
    check_same(reader.load("d"), d);
    reader.append<"items">("d", item{"new", 1});
    d.items.push_back(item{"new", 1});
    check_same(reader.load("d"), d);

    // A store that writes zstd.
    strata::chunked_store<doc, strata::memory_backend, strata::zstd_compression> compressed(
        backend, "z/", fixed_clock(), strata::zstd_compression{.level = 5});
    compressed.save(d);
    CHECK(strata::read_frame_header(*backend.get("z/m/d"), "m").codec ==
          strata::zstd_compression::id);
    CHECK(strata::read_frame_header(*backend.get("z/c/d\0\x01items\0\0\0\0\0"s), "c").codec ==
          strata::zstd_compression::id);
    check_same(compressed.load("d"), d);
}

TEST_CASE(
    "chunked_store: a member the metadata keeps whole (written by another layout) reads from it") {
    strata::memory_backend backend;
    store_over<strata::memory_backend> store(backend, "t/", fixed_clock());
    // Only `items` chunked in this document: its `notes` are in the metadata's document.
    backend.put(metadata_key("d"),
                framed(R"({"chunked":{"items":{"length":1,"chunk_size":4}},"document":{"id":"d",)"
                       R"("title":"t","counter":1,"items":[],"notes":["a","b"],"values":[]}})"));
    backend.put(chunk_key("d", "items", 0), framed(R"([{"name":"x","n":1}])"));
    const auto loaded = store.load("d");
    REQUIRE(loaded.has_value());
    CHECK(loaded->notes == std::vector<std::string>{"a", "b"});
    CHECK(loaded->items.size() == 1);
    const auto meta = store.load_metadata("d");
    REQUIRE(meta.has_value());
    CHECK(meta->length<"notes">() == 2);  // not chunked here: the document's own
    CHECK(meta->document.notes.size() == 2);

    const auto err =
        expect_error<strata::chunked_document_error>([&] { store.append<"notes">("d", "c"); });
    CHECK(std::string(err.what()) ==
          "storage: append \"t/m/d\": document \"d\": at notes: the document keeps this member "
          "whole (it "
          "was saved with another layout); save it again before appending");
    store.append<"items">("d", item{"y", 2});  // the chunked one still appends
    store.save(*store.load("d"));              // a save chunks both
    CHECK(backend.contains(chunk_key("d", "notes", 0)));
    CHECK(store.load_metadata("d")->length<"notes">() == 2);
}
