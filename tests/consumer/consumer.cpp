// The program both consumer projects build: it includes the umbrella header and the opt-in
// integrations (the SQLite backend, the hash and compression policies, each with its component)
// and uses them.
#include <strata/cas/cas_store.hpp>
#include <strata/compression/lz4.hpp>
#include <strata/compression/zstd.hpp>
#include <strata/hash/blake2b.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/hash/xxh3.hpp>
#include <strata/migration/log.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/strata.hpp>

#include <cstdio>

int main() {
    static_assert(strata::version.major == STRATA_VERSION_MAJOR);
    auto store = strata::sqlite_backend::in_memory();
    strata::write_batch batch;
    batch.put("a", "1");
    batch.put("b", "2");
    store.apply(batch);
    if (store.count("") != 2 || store.get("b") != "2") {
        std::printf("strata consumer: the SQLite backend does not work\n");
        return 1;
    }
    strata::cas_store<strata::sqlite_backend, strata::sha256, strata::zstd_compression, strata::lz4_compression> blobs(
        store);
    const auto digest = blobs.put("attachment");
    if (blobs.get(digest) != "attachment" || !blobs.verify().ok() ||
        strata::xxh3_128::hash("x") == strata::xxh3_128::hash("y") ||
        strata::blake2b_256::hash("abc").to_string().rfind("blake2b-256:bddd813c", 0) != 0 ||
        strata::decode_frame<strata::lz4_compression>(strata::encode_frame(strata::lz4_compression{}, "abc", 0), "k") !=
            "abc") {
        std::printf("strata consumer: the content store or a policy does not work\n");
        return 1;
    }
    if (strata::console_log::format_line({0, strata::log_level::info, "ok", "doc", ""}).find("doc: ok") ==
        std::string::npos) {
        std::printf("strata consumer: the console log (fmt) does not work\n");
        return 1;
    }
    std::printf("strata consumer: ok (strata %.*s)\n",
                static_cast<int>(strata::version_string.size()), strata::version_string.data());
    return 0;
}
