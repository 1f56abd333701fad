// The README's tour of attachments and chunked documents: photo albums whose photos' bytes live
// in a content-addressed store (stored once, referenced by album and photo, compressed with
// zstd) and whose photo lists are kept in chunks apart from the album's metadata, all in one
// SQLite file. Run as a test: it checks what it prints.
//
//   content_tour [DIR]     (default: a fresh folder under the system temp directory)
#include <strata/cas/cas_store.hpp>
#include <strata/chunked.hpp>
#include <strata/compression/zstd.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/storage/sqlite.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct photo {
    BOOST_HANA_DEFINE_STRUCT(photo, (std::string, name), (std::string, hash));
};
struct album {
    BOOST_HANA_DEFINE_STRUCT(album, (std::string, id), (std::string, title), (std::vector<photo>, photos));
};
// The photos are kept in chunks of 16, apart from the album's other members.
template <>
struct strata::chunk_layout<album> : strata::chunked<"id", 16, "photos"> {};

using blob_store = strata::cas_store<strata::sqlite_backend, strata::sha256, strata::zstd_compression>;

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "strata-content-tour";
    fs::remove_all(dir);
    fs::create_directories(dir);
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "content_tour: %s\n", what);
            ++failures;
        }
    };

    strata::sqlite_backend db(dir / "store.db");
    blob_store blobs(db);                                                   // keys under "cas/"
    strata::chunked_store<album, strata::sqlite_backend> albums(db, "albums/");

    // An album, its photos' bytes and their references commit in one batch, or not at all.
    album holidays{"a-1", "Holidays", {}};
    strata::write_batch batch;
    auto writer = blobs.writer(batch);
    for (int i = 0; i < 40; ++i) {
        const std::string bytes(5000, static_cast<char>('a' + i % 4));      // 4 distinct pictures
        const std::string name = "img-" + std::to_string(i) + ".png";
        const auto digest = writer.put(bytes);                              // each stored once
        writer.add_ref(digest, holidays.id, name);                          // who holds it
        holidays.photos.push_back({name, digest.to_string()});
    }
    albums.save(batch, holidays);
    db.apply(batch);

    // Appending a photo rewrites the last chunk and the metadata, nothing else.
    albums.append<"photos">("a-1", photo{"img-40.png", holidays.photos[0].hash});
    // Listing reads the metadata only: the lengths, not the photos.
    for (const auto& meta : albums.scan_metadata()) {
        std::printf("%s \"%s\": %llu photos\n", meta.id().c_str(), meta.document.title.c_str(),
                    static_cast<unsigned long long>(meta.length<"photos">()));
        check(meta.length<"photos">() == 41, "the album should list 41 photos");
    }
    // The bytes come back by digest, re-hashed on the way out.
    const auto first = strata::digest<strata::sha256>::parse(albums.load("a-1")->photos[0].hash);
    check(blobs.get(first) == std::string(5000, 'a'), "the first photo's bytes");

    const strata::cas_stats stats = blobs.stats();
    std::printf("blobs: %llu (%llu bytes, %llu stored), %llu references, deduplication saved %llu bytes\n",
                static_cast<unsigned long long>(stats.blobs), static_cast<unsigned long long>(stats.logical_bytes),
                static_cast<unsigned long long>(stats.physical_bytes), static_cast<unsigned long long>(stats.references),
                static_cast<unsigned long long>(stats.dedup_savings));
    check(stats.blobs == 4 && stats.references == 40, "4 blobs, 40 references");

    // Maintenance: re-hash everything; collect garbage, recomputing the references from the
    // albums themselves (the photo added by append was never referenced: the sweep repairs it).
    check(blobs.verify().ok(), "verify");
    const strata::gc_report gc = blobs.collect_garbage([&](auto emit) {
        albums.for_each_metadata([&](const strata::chunked_metadata<album>& meta) {
            const std::optional<album> whole = albums.load(meta.id());
            for (const photo& p : whole->photos) emit(meta.id(), p.name, strata::digest<strata::sha256>::parse(p.hash));
        });
    });
    std::printf("gc: %llu references added, %llu removed, %llu blobs removed\n",
                static_cast<unsigned long long>(gc.references_added),
                static_cast<unsigned long long>(gc.references_removed),
                static_cast<unsigned long long>(gc.blobs_removed));
    check(gc.references_added == 1 && blobs.refcount(first) == 11, "the appended photo's reference");
    return failures == 0 ? 0 : 1;
}
