// The README's "Storing documents" tour (keep them in sync): the SQLite backend (the embedded
// default), an atomic batch, a paged scan, and the filesystem backend, the write-behind queue
// and a cached backend over the same calls. Everything lives in a fresh temporary directory.
#include <strata/cache.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/sqlite.hpp>  // link strata::sqlite
#include <strata/storage/write_behind.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

int main() {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "strata-storage-tour";
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
    const std::string bytes = R"({"id":"s-0001"})", more_bytes = R"({"id":"s-0002"})";
    bool ok = true;
    {
        strata::sqlite_backend store((dir / "data/store.db").string());  // created when absent
        store.put("sessions/s-0001", bytes);
        strata::write_batch batch;  // all or nothing
        batch.put("sessions/s-0002", more_bytes);
        batch.erase("sessions/s-0001");
        store.apply(batch);
        std::size_t seen = 0;
        for (const auto& [key, value] : store.scan("sessions/", std::nullopt, 100)) {  // a page
            std::printf("%s = %s\n", key.c_str(), value.c_str());
            ++seen;
        }
        ok = ok && seen == 1 && !store.contains("sessions/s-0001");

        strata::filesystem_backend files(dir / "documents");  // one file per key
        files.put("sessions/s-0001", bytes);
        ok = ok && files.get("sessions/s-0001") == bytes;

        strata::write_behind<strata::sqlite_backend> queued({}, (dir / "data/queued.db").string());
        queued.put("sessions/s-0003", bytes);  // returns at once
        queued.flush();                        // applied now, or throws strata::storage_error
        ok = ok && queued.inner().get("sessions/s-0003") == bytes;

        strata::cached<strata::sqlite_backend, strata::s3_fifo> hot(64 << 20, (dir / "data/hot.db").string());
        hot.put("sessions/s-0004", bytes);
        ok = ok && hot.get("sessions/s-0004") == bytes && hot.get("sessions/s-0004") == bytes;
        std::printf("cache: %llu hit(s), %llu miss(es)\n", static_cast<unsigned long long>(hot.cache_stats().hits),
                    static_cast<unsigned long long>(hot.cache_stats().misses));
    }
    fs::remove_all(dir);
    std::printf("storage tour: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
