// filesystem_backend: the conformance suite, plus what only the filesystem backend promises:
// the key encoding (round trips, safe names, case-insensitive file systems, long keys), no path
// traversal, recovery of committed and torn batch intents, refusing foreign directories, one
// opener at a time, and errors that carry the key, the path and the OS's message.
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/testing/backend_conformance.hpp>

#include <doctest/doctest.h>

#include "expect_storage_error.hpp"

#include <boost/crc.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;
using namespace std::string_literals;

// The conformance suite, each case in a fresh scratch directory (durable: the real thing).
template <>
struct strata::testing::backend_factory<strata::filesystem_backend> {
    static strata::filesystem_backend make(const std::filesystem::path& scratch_dir) {
        return strata::filesystem_backend(scratch_dir);
    }
};
STRATA_BACKEND_CONFORMANCE(strata::filesystem_backend);

namespace {

/// A path for one test's store, absent (the backend creates it); its parent exists and is empty.
fs::path fresh(const std::string& name) {
    const fs::path parent = fs::path(STRATA_TEST_WORK_DIR) / name;
    fs::remove_all(parent);
    fs::create_directories(parent);
    return parent / "store";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

bool safe_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/// Keys biased towards the bytes file systems care about.
std::string random_key(std::mt19937& rng, std::size_t max_size) {
    static constexpr char awkward[] = {'\0', '\xff', '/', '.', '\\', ':', 'A', 'a', 'Z', 'z', '_', '-', ' ', '0', '%', '~'};
    std::string key(rng() % (max_size + 1), '\0');
    for (auto& c : key) {
        c = rng() % 2 ? awkward[rng() % sizeof awkward] : static_cast<char>(rng() % 256);
    }
    return key;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Every name under `dir`, relative, recursively (directories included).
std::vector<std::string> tree(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir)) names.push_back(fs::relative(e.path(), dir).string());
    std::sort(names.begin(), names.end());
    return names;
}

// A batch intent file, written here byte by byte from the documented layout (so that the test
// pins the on-disk format rather than reusing the library's writer).
struct intent_op {
    bool put;
    std::string key;
    std::string value;
};
std::string le(std::uint64_t v, int bytes) {
    std::string s;
    for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
}
std::uint32_t crc32(std::string_view s) {
    boost::crc_32_type crc;
    crc.process_bytes(s.data(), s.size());
    return crc.checksum();
}
std::string intent_bytes(const std::vector<intent_op>& ops) {
    std::string payload;
    for (const auto& op : ops) {
        payload += op.put ? '\x01' : '\x02';
        payload += le(op.key.size(), 8);
        payload += op.key;
        if (op.put) {
            payload += le(op.value.size(), 8);
            payload += op.value;
        }
    }
    std::string header = "STRATAWI";
    header += le(1, 4);
    header += le(0, 4);
    header += le(ops.size(), 8);
    header += le(payload.size(), 8);
    header += le(crc32(payload), 4);
    header += le(crc32(header), 4);
    return header + payload;
}

}  // namespace

TEST_CASE("filesystem key encoding: round trips, safe names, distinct under case folding") {
    using strata::detail::decode_key;
    using strata::detail::encode_key;
    using strata::detail::key_relative_path;

    std::mt19937 rng(4);
    std::set<std::string> keys = {""s, "\0"s, "\xff"s, "A"s, "a"s, "."s, ".."s, "/"s, "\\"s, ":"s, "_"s, "_41"s};
    while (keys.size() < 3000) keys.insert(random_key(rng, keys.size() % 10 == 0 ? 400 : 24));

    std::set<std::string> folded_names;
    for (const auto& key : keys) {
        const std::string encoded = encode_key(key);
        CAPTURE(encoded);
        CHECK(decode_key(encoded) == key);  // decode(encode(k)) == k
        CHECK(std::all_of(encoded.begin(), encoded.end(), safe_name_char));
        const std::string path = key_relative_path(encoded);
        // Every component: a tag, then at most 128 safe characters; never ".", "..", or empty.
        std::size_t start = 0;
        for (;;) {
            const auto slash = path.find('/', start);
            const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            CHECK(part.size() >= 1);
            CHECK(part.size() <= 129);
            CHECK(part[0] == (slash == std::string::npos ? 'k' : 'd'));
            CHECK(std::all_of(part.begin() + 1, part.end(), safe_name_char));
            if (slash == std::string::npos) break;
            CHECK(part.size() == 129);
            start = slash + 1;
        }
        // Distinct keys get distinct paths even where case does not count.
        CHECK(folded_names.insert(lower(path)).second);
    }

    // "A" and "a" differ in more than case; so do all two-letter mixes.
    CHECK(lower(encode_key("A")) != lower(encode_key("a")));
    CHECK(lower(encode_key("Ab")) != lower(encode_key("aB")));
    CHECK(encode_key("sessions/S-1") == "sessions_2f_53-1");

    // The encoding keeps prefixes: k starts with p exactly when encode(k) starts with encode(p).
    const std::vector<std::string> some(keys.begin(), std::next(keys.begin(), 300));
    for (const auto& k : some) {
        for (const auto& p : some) {
            CHECK(encode_key(k).starts_with(encode_key(p)) == k.starts_with(p));
        }
    }

    // Names that are not the canonical encoding of a key decode to nothing (a foreign file is
    // never mistaken for a key, and no key has two names).
    for (const auto* bad : {"A", "_61", "_2F", "_2", "_", "_zz", ".", "a.b", "a b", "_2e_2e/"}) {
        CAPTURE(bad);
        CHECK(decode_key(bad) == std::nullopt);
    }
}

TEST_CASE("filesystem key encoding: the intent writer and the CRC are the documented ones") {
    // CRC-32 (IEEE) check value.
    CHECK(strata::detail::crc32_of("123456789") == 0xCBF43926u);

    strata::write_batch batch;
    batch.put("a\0b"s, "value");
    batch.erase("gone");
    batch.put("", "");
    std::vector<const strata::write_batch::operation*> ops;
    for (const auto& op : batch.operations()) ops.push_back(&op);
    std::string payload;
    strata::detail::for_each_intent_piece(ops, [&](std::string_view piece) { payload.append(piece); });
    const std::string written = strata::detail::intent_header(ops.size(), payload.size(), crc32(payload)) + payload;
    CHECK(written == intent_bytes({{true, "a\0b"s, "value"}, {false, "gone", ""}, {true, "", ""}}));

    std::string why;
    const auto parsed = strata::detail::parse_intent(written, why);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == batch.operations());
    // Every truncation and a flipped bit in any byte are detected.
    for (std::size_t n = 0; n < written.size(); ++n) {
        CAPTURE(n);
        CHECK_FALSE(strata::detail::parse_intent(std::string_view(written).substr(0, n), why).has_value());
        std::string flipped = written;
        flipped[n] = static_cast<char>(flipped[n] ^ 0x10);
        CHECK_FALSE(strata::detail::parse_intent(flipped, why).has_value());
    }
}

TEST_CASE("filesystem_backend: agrees with memory_backend on random operations, across reopening") {
    const fs::path dir = fresh("model");
    const strata::filesystem_options fast{.durable = false};
    std::optional<strata::filesystem_backend> fsb(std::in_place, dir, fast);
    strata::memory_backend model;

    std::mt19937 rng(17);
    std::vector<std::string> pool;
    for (std::size_t n : std::initializer_list<std::size_t>{127, 128, 129, 255, 256, 257}) pool.push_back(std::string(n, 'a'));  // chunk edges
    pool.push_back(std::string(42, '/'));  // 126 encoded characters
    pool.push_back(std::string(43, '/'));  // 129: the first nested key
    while (pool.size() < 90) pool.push_back(random_key(rng, pool.size() % 6 == 0 ? 900 : 6));
    const auto any_key = [&] { return pool[rng() % pool.size()]; };

    for (int step = 0; step < 700; ++step) {
        CAPTURE(step);
        switch (rng() % 7) {
            case 0:
            case 1: {
                const auto k = any_key();
                const auto v = random_key(rng, 20);
                fsb->put(k, v);
                model.put(k, v);
                break;
            }
            case 2: {
                const auto k = any_key();
                CHECK(fsb->erase(k) == model.erase(k));
                break;
            }
            case 3: {
                strata::write_batch batch;
                for (auto n = rng() % 7; n > 0; --n) {
                    if (rng() % 3 == 0) {
                        batch.erase(any_key());
                    } else {
                        batch.put(any_key(), random_key(rng, 10));
                    }
                }
                fsb->apply(batch);
                model.apply(batch);
                break;
            }
            case 4: {
                const auto k = any_key();
                const std::string prefix = k.substr(0, rng() % (k.size() + 1));
                CHECK(fsb->count(prefix) == model.count(prefix));
                const auto after = any_key();
                const bool use_after = rng() % 2 == 0;
                const std::size_t limits[] = {0, 1, 2, 5, strata::no_limit};
                const std::size_t limit = limits[rng() % 5];
                const auto a = use_after ? std::optional<std::string_view>(after) : std::nullopt;
                CHECK(fsb->scan(prefix, a, limit) == model.scan(prefix, a, limit));
                break;
            }
            case 5: {
                const auto k = any_key();
                CHECK(fsb->get(k) == model.get(k));
                CHECK(fsb->contains(k) == model.contains(k));
                break;
            }
            default:
                if (step % 50 == 6) {  // now and then: close and reopen
                    fsb.reset();
                    fsb.emplace(dir, fast);
                }
                CHECK(fsb->scan("", std::nullopt, strata::no_limit) == model.scan("", std::nullopt, strata::no_limit));
        }
    }
    CHECK(fsb->scan("", std::nullopt, strata::no_limit) == model.scan("", std::nullopt, strata::no_limit));

    // Prefixes across the 128-character chunk edges.
    for (std::size_t n : std::initializer_list<std::size_t>{128, 129}) {
        fsb->put(std::string(n, 'a'), "x");
        model.put(std::string(n, 'a'), "x");
    }
    for (std::size_t n : std::initializer_list<std::size_t>{126, 127, 128, 129, 130}) {
        CAPTURE(n);
        CHECK(fsb->count(std::string(n, 'a')) == model.count(std::string(n, 'a')));
        CHECK(fsb->scan(std::string(n, 'a'), std::nullopt, strata::no_limit) ==
              model.scan(std::string(n, 'a'), std::nullopt, strata::no_limit));
    }

    // Erasing every key leaves no key file and no directory of a long key behind.
    for (const auto& e : fsb->scan("", std::nullopt, strata::no_limit)) CHECK(fsb->erase(e.key));
    CHECK(fsb->count("") == 0);
    CHECK(tree(dir) == std::vector<std::string>{".strata-store", ".tmp"});
}

TEST_CASE("filesystem_backend: no key reaches outside the directory; every name is safe") {
    const fs::path dir = fresh("traversal");
    const std::vector<std::string> keys = {
        "../x", "../../x", "/etc/passwd", "a/../../b", "..", ".", "", "/", "\\..\\x", "C:\\x", "c:x",
        "CON", "con", "nul", "NUL.txt", "com1", "LPT1", "a.", "a ", " ", "~", ".strata-store", ".intent",
        ".tmp", ".tmp/v0", "k", "d", std::string(300, '.') + "/x", "\0/../y"s, std::string(200, '/')};
    {
        strata::filesystem_backend b(dir);
        for (std::size_t i = 0; i < keys.size(); ++i) b.put(keys[i], std::to_string(i));
        for (std::size_t i = 0; i < keys.size(); ++i) CHECK(b.get(keys[i]) == std::to_string(i));
        CHECK(b.count("") == keys.size());
    }
    // Nothing beside the store, and the marker survived a key named like it.
    for (const auto& e : fs::directory_iterator(dir.parent_path())) CHECK(e.path().filename() == "store");
    CHECK(read_file(dir / ".strata-store") == "strata filesystem store\nformat 1\n");
    // Every name in the store is the store's own or a tag followed by [a-z0-9_-]: no dots,
    // spaces, upper case, or Windows device names.
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        CAPTURE(name);
        if (name == ".strata-store" || name == ".tmp") continue;
        CHECK((name[0] == 'k' || name[0] == 'd'));
        CHECK(std::all_of(name.begin() + 1, name.end(), safe_name_char));
        CHECK(name.size() <= 129);
    }
    // The store still opens (the keys named like its own files did not disturb it).
    strata::filesystem_backend b(dir);
    CHECK(b.count("") == keys.size());
    const auto marker_key = std::find(keys.begin(), keys.end(), ".strata-store") - keys.begin();
    CHECK(b.get(".strata-store") == std::to_string(marker_key));
}

TEST_CASE("filesystem_backend: recovery applies a committed intent and discards a torn one") {
    const fs::path dir = fresh("recovery");
    const std::string long_key = std::string(300, 'L') + "/\xff";
    {
        strata::filesystem_backend b(dir);
        b.put("a", "old");
        b.put("b", "old");
        b.put("keep", "1");
    }
    // As a crash would leave them: a committed intent (its batch partly applied or not at all),
    // an uncommitted intent torn halfway, and an unfinished value file.
    write_file(dir / ".intent", intent_bytes({{true, "a", "new"},
                                              {false, "b", ""},
                                              {false, "never was", ""},
                                              {true, long_key, "long"},
                                              {true, "", "the empty key"}}));
    const std::string torn = intent_bytes({{true, "torn", "x"}, {false, "keep", ""}});
    write_file(dir / ".tmp" / "intent-7", torn.substr(0, torn.size() / 2));
    write_file(dir / ".tmp" / "v3", "half a val");

    for (int round = 0; round < 2; ++round) {  // the second open finds nothing to do
        strata::filesystem_backend b(dir);
        CHECK(b.get("a") == "new");
        CHECK(b.get("b") == std::nullopt);
        CHECK(b.get(long_key) == "long");
        CHECK(b.get("") == "the empty key");
        CHECK(b.get("torn") == std::nullopt);
        CHECK(b.get("keep") == "1");
        CHECK(b.count("") == 4);
        CHECK_FALSE(fs::exists(dir / ".intent"));
        CHECK(fs::is_empty(dir / ".tmp"));
    }

    // Applying a committed intent again is harmless (a crash during recovery).
    write_file(dir / ".intent", intent_bytes({{true, "a", "newer"}, {false, "b", ""}, {true, "c", "c"}}));
    {
        strata::filesystem_backend b(dir);
        CHECK(b.get("a") == "newer");
        CHECK(b.get("c") == "c");
    }
    write_file(dir / ".intent", intent_bytes({{true, "a", "newer"}, {false, "b", ""}, {true, "c", "c"}}));
    {
        strata::filesystem_backend b(dir);
        CHECK(b.scan("", std::nullopt, strata::no_limit).size() == 5);
    }
}

TEST_CASE("filesystem_backend: a torn or corrupt committed intent stops the open, naming it") {
    const fs::path dir = fresh("corrupt_intent");
    { strata::filesystem_backend(dir).put("a", "old"); }
    const std::string good = intent_bytes({{true, "a", "new"}, {true, "b", "new"}});

    std::string flipped = good;
    flipped.back() = 'X';
    for (const auto& [bytes, why] : {std::pair{good.substr(0, good.size() - 3), "payload is"},
                                    std::pair{good.substr(0, 20), "shorter than its header"},
                                    std::pair{flipped, "payload checksum mismatch"}}) {
        CAPTURE(why);
        write_file(dir / ".intent", bytes);
        const auto e = expect_storage_error([&] { strata::filesystem_backend b(dir); });
        CHECK(e.operation() == "open");
        CHECK(e.reason().find((dir / ".intent").string()) != std::string::npos);
        CHECK(e.reason().find("corrupt") != std::string::npos);
        CHECK(e.reason().find(why) != std::string::npos);
    }
    // Moved away, the store opens as it was: nothing of the batch was guessed at.
    fs::rename(dir / ".intent", dir.parent_path() / "intent.bad");
    strata::filesystem_backend b(dir);
    CHECK(b.get("a") == "old");
    CHECK_FALSE(b.contains("b"));
}

TEST_CASE("filesystem_backend: a directory that is not a store is refused") {
    SUBCASE("not empty, no marker") {
        const fs::path dir = fresh("foreign");
        fs::create_directories(dir);
        write_file(dir / "notes.txt", "mine");
        const auto e = expect_storage_error([&] { strata::filesystem_backend b(dir); });
        CHECK(e.operation() == "open");
        CHECK(e.key().empty());
        CHECK(e.reason().find("not a strata filesystem store") != std::string::npos);
        CHECK(e.reason().find("notes.txt") != std::string::npos);
        CHECK(tree(dir) == std::vector<std::string>{"notes.txt"});  // nothing written
        CHECK(read_file(dir / "notes.txt") == "mine");
    }
    SUBCASE("an empty directory becomes a store; so does one left by an interrupted creation") {
        const fs::path dir = fresh("empty");
        fs::create_directories(dir);
        write_file(dir / ".strata-store.new", "strata filesy");
        { strata::filesystem_backend(dir).put("k", "v"); }
        CHECK(read_file(dir / ".strata-store") == "strata filesystem store\nformat 1\n");
        CHECK(strata::filesystem_backend(dir).get("k") == "v");
    }
    SUBCASE("another format, or a marker that is not one") {
        const fs::path dir = fresh("format");
        { strata::filesystem_backend b(dir); }
        write_file(dir / ".strata-store", "strata filesystem store\nformat 2\n");
        auto e = expect_storage_error([&] { strata::filesystem_backend b(dir); });
        CHECK(e.reason().find("format 2") != std::string::npos);
        write_file(dir / ".strata-store", "something else");
        e = expect_storage_error([&] { strata::filesystem_backend b(dir); });
        CHECK(e.reason().find("not a strata filesystem store marker") != std::string::npos);
    }
    SUBCASE("a file, not a directory; an absent directory without create_if_missing") {
        const fs::path dir = fresh("file");
        write_file(dir, "a file");
        auto e = expect_storage_error([&] { strata::filesystem_backend b(dir); });
        CHECK(e.operation() == "open");
        CHECK(e.reason().find(dir.string()) != std::string::npos);
        const fs::path absent = dir.parent_path() / "absent";
        e = expect_storage_error([&] { strata::filesystem_backend b(absent, {.create_if_missing = false}); });
        CHECK(e.reason().find(std::system_category().message(ENOENT)) != std::string::npos);
        CHECK_FALSE(fs::exists(absent));
    }
}

TEST_CASE("filesystem_backend: one opener at a time") {
    const fs::path dir = fresh("lock");
    {
        strata::filesystem_backend first(dir);
        first.put("k", "v");
        const auto e = expect_storage_error([&] { strata::filesystem_backend second(dir); });
        CHECK(e.operation() == "open");
        CHECK(e.reason().find("already open") != std::string::npos);
        CHECK(first.get("k") == "v");  // the refused opener disturbed nothing
    }
    strata::filesystem_backend again(dir);
    CHECK(again.get("k") == "v");
}

TEST_CASE("filesystem_backend: errors carry the operation, the key, the path and the OS message") {
    // Failures that stop root too: a key's file path taken by a directory, and a long key's
    // directory taken by a file.
    const fs::path dir = fresh("errors");
    const std::string eisdir = std::system_category().message(EISDIR);
    const std::string long_key = std::string(200, 'n');  // nested: its file sits in a directory
    {
        strata::filesystem_backend b(dir);
        b.put("fine", "1");
        b.put(long_key, "1");
    }
    fs::create_directory(dir / "kblocked");
    const fs::path long_dir = dir / ("d" + std::string(128, 'n'));
    fs::remove_all(long_dir);
    write_file(long_dir, "in the way");

    strata::filesystem_backend b(dir);
    auto e = expect_storage_error([&] { b.put("blocked", "x"); });
    CHECK(e.operation() == "put");
    CHECK(e.key() == "blocked");
    CHECK(e.reason().find((dir / "kblocked").string()) != std::string::npos);
    CHECK(e.reason().find(eisdir) != std::string::npos);
    CHECK(std::string(e.what()).find("put \"blocked\"") != std::string::npos);

    e = expect_storage_error([&] { (void)b.get("blocked"); });
    CHECK(e.operation() == "get");
    CHECK(e.key() == "blocked");
    CHECK(e.reason().find(eisdir) != std::string::npos);

    e = expect_storage_error([&] { (void)b.scan("bl", std::nullopt, strata::no_limit); });
    CHECK(e.operation() == "scan");
    CHECK(e.key() == "blocked");

    e = expect_storage_error([&] { (void)b.erase("blocked"); });
    CHECK(e.operation() == "erase");
    CHECK(e.reason().find((dir / "kblocked").string()) != std::string::npos);
    CHECK((e.reason().find(eisdir) != std::string::npos ||
           e.reason().find(std::system_category().message(EPERM)) != std::string::npos));

    const std::string enotdir = std::system_category().message(ENOTDIR);
    e = expect_storage_error([&] { b.put(long_key, "2"); });
    CHECK(e.key() == long_key);
    CHECK(e.reason().find(long_dir.string()) != std::string::npos);
    CHECK(e.reason().find(enotdir) != std::string::npos);
    e = expect_storage_error([&] { (void)b.get(long_key); });
    CHECK(e.reason().find(enotdir) != std::string::npos);

    // A key whose path would pass the OS's limit (4096 bytes on Linux) is refused by the OS,
    // cleanly; 1,000 bytes of anything work (the conformance suite stores such keys).
    const std::string too_long(2000, '\xff');
    e = expect_storage_error([&] { b.put(too_long, "x"); });
    CHECK(e.key() == too_long);
    CHECK(e.reason().find(std::system_category().message(ENAMETOOLONG)) != std::string::npos);
    const std::string first_dir = "d" + strata::detail::encode_key(too_long).substr(0, 128);
    CHECK_FALSE(fs::exists(dir / first_dir));  // the directories made on the way are gone

    CHECK(b.get("fine") == "1");  // the failures left the rest alone
    CHECK(b.count("") == 2);
    CHECK(fs::is_empty(dir / ".tmp"));  // and no temporary file behind
}

TEST_CASE("filesystem_backend: a batch that fails midway is completed by reopening") {
    const fs::path dir = fresh("batch_failure");
    { strata::filesystem_backend(dir).put("ok", "old"); }
    fs::create_directory(dir / "kblocked");
    {
        strata::filesystem_backend b(dir);
        strata::write_batch batch;
        batch.put("ok", "new");
        batch.put("blocked", "new");
        const auto e = expect_storage_error([&] { b.apply(batch); });
        CHECK(e.operation() == "apply batch");
        CHECK(e.key() == "blocked");
        CHECK(e.reason().find(std::system_category().message(EISDIR)) != std::string::npos);
        // Half the batch is on disk, so this object refuses to show it.
        const auto refused = expect_storage_error([&] { (void)b.get("ok"); });
        CHECK(refused.operation() == "get");
        CHECK(refused.reason().find("reopen") != std::string::npos);
        CHECK_THROWS_AS(b.put("x", "y"), strata::storage_error);
    }
    // Still in the way: opening tries to complete the batch and says why it cannot.
    const auto e = expect_storage_error([&] { strata::filesystem_backend b(dir); });
    CHECK(e.operation() == "open");
    CHECK(e.key() == "blocked");
    // Out of the way: the batch completes on open.
    fs::remove(dir / "kblocked");
    strata::filesystem_backend b(dir);
    CHECK(b.get("ok") == "new");
    CHECK(b.get("blocked") == "new");
    CHECK_FALSE(fs::exists(dir / ".intent"));
}

TEST_CASE("filesystem_backend: puts, erases and batches leave only the store's files") {
    const fs::path dir = fresh("layout");
    strata::filesystem_backend b(dir);
    CHECK(b.directory() == fs::absolute(dir));
    b.put("Hello/World", "1");
    strata::write_batch batch;
    batch.put("x", "1");
    batch.put("y", "2");
    batch.erase("Hello/World");
    b.apply(batch);
    CHECK(tree(dir) == std::vector<std::string>{".strata-store", ".tmp", "kx", "ky"});
    CHECK(read_file(dir / "kx") == "1");  // a value file is the value's raw bytes
    b.put("Hello/World", "2");
    CHECK(fs::exists(dir / "k_48ello_2f_57orld"));
}
