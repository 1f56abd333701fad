// sqlite_backend: the conformance suite (pooled reader connections, reads on the writer
// connection, in memory), plus what only the SQLite backend promises: the file is marked and
// foreign files are refused, settings, statement reuse, batch rollback, error text.
#include <strata/storage/sqlite.hpp>
#include <strata/testing/backend_conformance.hpp>

#include <doctest/doctest.h>

#include "../scratch_dir.hpp"
#include "expect_storage_error.hpp"
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

using strata_test::scratch;

/// A plain SQLite connection for preparing files and looking at them from outside.
class raw_db {
public:
    explicit raw_db(const fs::path& file) {
        REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
        sqlite3_busy_timeout(db_, 5000);
    }
    raw_db(const raw_db&) = delete;
    raw_db& operator=(const raw_db&) = delete;
    ~raw_db() { sqlite3_close(db_); }
    void exec(const std::string& sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        INFO(sql << ": " << (message != nullptr ? message : ""));
        sqlite3_free(message);
        REQUIRE(rc == SQLITE_OK);
    }
    std::string text(const std::string& sql) { return query(db_, sql); }

    static std::string query(sqlite3* db, const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
        std::string out;
        if (sqlite3_step(s) == SQLITE_ROW) {
            const auto* p = sqlite3_column_text(s, 0);
            if (p != nullptr) out = reinterpret_cast<const char*>(p);
        }
        sqlite3_finalize(s);
        return out;
    }

private:
    sqlite3* db_ = nullptr;
};

/// `prefix` followed by the decimal `n` (built by appending: g++ 12 warns falsely, -Wrestrict,
/// on `"literal" + std::to_string(n)`).
std::string numbered(std::string prefix, long n) {
    prefix += std::to_string(n);
    return prefix;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The same backend with every read on the writer connection (`max_readers = 0`).
struct sqlite_shared_reads : strata::sqlite_backend {
    using sqlite_backend::sqlite_backend;
};
/// The same backend in memory (one connection).
struct sqlite_in_memory : strata::sqlite_backend {
    sqlite_in_memory() : sqlite_backend(sqlite_backend::in_memory()) {}
};

}  // namespace

template <>
struct strata::testing::backend_factory<strata::sqlite_backend> {
    static strata::sqlite_backend make(const fs::path& dir) { return strata::sqlite_backend(dir / "store.db"); }
};
template <>
struct strata::testing::backend_factory<sqlite_shared_reads> {
    static sqlite_shared_reads make(const fs::path& dir) {
        return sqlite_shared_reads(dir / "store.db", {.max_readers = 0});
    }
};

TYPE_TO_STRING(strata::sqlite_backend);
TYPE_TO_STRING(sqlite_shared_reads);
TYPE_TO_STRING(sqlite_in_memory);
STRATA_BACKEND_CONFORMANCE(strata::sqlite_backend, sqlite_shared_reads, sqlite_in_memory);

TEST_CASE("sqlite_backend: a new file becomes a marked store, and its data survives reopening") {
    const auto file = scratch("reopen") / "store.db";
    const std::string big(3'000'000, '\xab');
    {
        strata::sqlite_backend b(file);
        b.put("a", "1");
        b.put("bin\0key\xff"s, "\0v\xff"s);
        b.put("empty", "");
        b.put("big", big);
        strata::write_batch batch;
        batch.put("c", "3");
        batch.erase("a");
        b.apply(batch);
    }
    CHECK_FALSE(fs::exists(fs::path(file) += "-wal"));  // the last close checkpointed the WAL
    {
        raw_db raw(file);
        CHECK(raw.text("PRAGMA application_id") == std::to_string(0x53545241));
        CHECK(raw.text("PRAGMA user_version") == "1");
        CHECK(raw.text("PRAGMA journal_mode") == "wal");  // persistent in the file
        CHECK(raw.text("SELECT typeof(key) || typeof(value) FROM kv WHERE key = CAST('empty' AS BLOB)") ==
              "blobblob");  // an empty value is a zero-length BLOB, not NULL
    }
    strata::sqlite_backend b(file);
    CHECK_FALSE(b.contains("a"));
    CHECK(b.get("bin\0key\xff"s) == "\0v\xff"s);
    CHECK(b.get("empty") == "");
    CHECK(b.get("big") == big);
    CHECK(b.get("c") == "3");
    CHECK(b.count("") == 4);
}

TEST_CASE("sqlite_backend: an existing empty file becomes a store") {
    const auto file = scratch("empty_file") / "store.db";
    std::ofstream(file).close();
    REQUIRE(fs::file_size(file) == 0);
    strata::sqlite_backend b(file);
    b.put("k", "v");
    CHECK(b.get("k") == "v");
}

TEST_CASE("sqlite_backend: refuses a file that is not a SQLite database, and leaves it alone") {
    const auto file = scratch("not_a_database") / "notes.txt";
    std::string text;
    for (int i = 0; i < 200; ++i) text += "These are my notes, not a database. ";
    std::ofstream(file, std::ios::binary) << text;

    const auto e = expect_storage_error([&] { strata::sqlite_backend b(file); });
    CHECK(e.operation() == "open");
    CHECK(e.key().empty());
    CHECK(std::string(e.reason()).find("file is not a database") != std::string::npos);
    CHECK(std::string(e.reason()).find("SQLITE_NOTADB") != std::string::npos);
    CHECK(std::string(e.reason()).find(file.string()) != std::string::npos);
    CHECK(read_file(file) == text);
    CHECK_FALSE(fs::exists(fs::path(file) += "-wal"));
}

TEST_CASE("sqlite_backend: refuses a SQLite database that is not a strata store, and leaves it alone") {
    const auto dir = scratch("foreign");

    SUBCASE("tables of its own, no application_id") {
        const auto file = dir / "app.db";
        {
            raw_db raw(file);
            raw.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES('hi')");
        }
        const auto before = read_file(file);
        const auto e = expect_storage_error([&] { strata::sqlite_backend b(file); });
        CHECK(e.operation() == "open");
        CHECK(std::string(e.what()).find("not a strata store") != std::string::npos);
        CHECK(std::string(e.what()).find("1 schema objects") != std::string::npos);
        CHECK(read_file(file) == before);
        raw_db raw(file);
        CHECK(raw.text("PRAGMA journal_mode") == "delete");  // not switched to WAL
    }
    SUBCASE("a table named like strata's, no application_id") {
        const auto file = dir / "lookalike.db";
        raw_db(file).exec("CREATE TABLE kv(key BLOB PRIMARY KEY, value BLOB)");
        const auto e = expect_storage_error([&] { strata::sqlite_backend b(file); });
        CHECK(std::string(e.what()).find("not a strata store") != std::string::npos);
    }
    SUBCASE("another application's id") {
        const auto file = dir / "other.db";
        raw_db(file).exec("PRAGMA application_id = 305419896");  // 0x12345678, no tables
        const auto e = expect_storage_error([&] { strata::sqlite_backend b(file); });
        CHECK(e.operation() == "open");
        CHECK(std::string(e.what()).find("application_id 0x12345678") != std::string::npos);
    }
}

TEST_CASE("sqlite_backend: refuses a strata store of a newer format") {
    const auto file = scratch("newer") / "store.db";
    strata::sqlite_backend(file).put("k", "v");
    raw_db(file).exec("PRAGMA user_version = 2");
    const auto e = expect_storage_error([&] { strata::sqlite_backend b(file); });
    CHECK(e.operation() == "open");
    CHECK(std::string(e.what()).find("format 2, newer than this version of strata reads (format 1)") !=
          std::string::npos);
    raw_db(file).exec("PRAGMA user_version = 1");  // and the same file opens again once it is format 1
    CHECK(strata::sqlite_backend(file).get("k") == "v");
}

TEST_CASE("sqlite_backend: a file that cannot be opened is an open error") {
    const auto dir = scratch("cannot_open");
    const auto e = expect_storage_error([&] { strata::sqlite_backend b(dir / "missing" / "store.db"); });
    CHECK(e.operation() == "open");
    CHECK(std::string(e.reason()).find("SQLITE_CANTOPEN") != std::string::npos);
    CHECK_THROWS_AS((void)strata::sqlite_backend(fs::path{}), strata::storage_error);
}

TEST_CASE("sqlite_backend: the documented settings are the connection's") {
    const auto dir = scratch("settings");
    auto pragma = [](strata::sqlite_backend& b, const char* sql) {
        return b.with_connection([&](sqlite3* db) { return raw_db::query(db, sql); });
    };
    SUBCASE("defaults: WAL, synchronous NORMAL, 5 s busy timeout") {
        strata::sqlite_backend b(dir / "default.db");
        CHECK(pragma(b, "PRAGMA journal_mode") == "wal");
        CHECK(pragma(b, "PRAGMA synchronous") == "1");  // NORMAL
        CHECK(pragma(b, "PRAGMA busy_timeout") == "5000");
        CHECK(b.options().max_readers == 4);
    }
    SUBCASE("synchronous FULL and another busy timeout") {
        strata::sqlite_backend b(dir / "full.db", {.synchronous = strata::sqlite_synchronous::full,
                                                   .busy_timeout = std::chrono::milliseconds(250)});
        CHECK(pragma(b, "PRAGMA journal_mode") == "wal");
        CHECK(pragma(b, "PRAGMA synchronous") == "2");  // FULL
        CHECK(pragma(b, "PRAGMA busy_timeout") == "250");
    }
    SUBCASE("in memory: no WAL (nothing to share), still one table") {
        auto b = strata::sqlite_backend::in_memory();
        CHECK(pragma(b, "PRAGMA journal_mode") == "memory");
        CHECK(pragma(b, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'") == "kv");
        CHECK(b.path() == ":memory:");
    }
}

TEST_CASE("sqlite_backend: statements are prepared once and reused") {
    const auto file = scratch("reuse") / "store.db";
    strata::sqlite_backend b(file);
    auto statements = [&] {
        return b.with_connection([](sqlite3* db) {
            std::vector<std::pair<std::string, int>> out;  // SQL and times run
            for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr; s = sqlite3_next_stmt(db, s)) {
                out.emplace_back(sqlite3_sql(s), sqlite3_stmt_status(s, SQLITE_STMTSTATUS_RUN, 0));
            }
            return out;
        });
    };
    auto runs_of = [](const auto& list, std::string_view starts) {
        for (const auto& [sql, runs] : list) {
            if (sql.starts_with(starts)) return runs;
        }
        return -1;
    };
    const auto before = statements();
    for (int i = 0; i < 500; ++i) b.put(numbered("k", i % 50), std::to_string(i));
    strata::write_batch batch;
    for (int i = 0; i < 300; ++i) batch.put(numbered("b", i), "v");
    batch.erase("k0");
    b.apply(batch);
    CHECK(b.erase("k1"));
    CHECK_FALSE(b.erase("k1"));
    const auto after = statements();
    CHECK(after.size() == before.size());  // nothing prepared on the way
    CHECK(runs_of(after, "INSERT") - runs_of(before, "INSERT") == 800);  // one statement for all puts
    CHECK(runs_of(after, "DELETE") - runs_of(before, "DELETE") == 3);
    CHECK(runs_of(after, "BEGIN") - runs_of(before, "BEGIN") == 1);
    CHECK(b.count("k") == 48);
    CHECK(b.count("b") == 300);
}

TEST_CASE("sqlite_backend: a batch that fails half-way leaves nothing applied") {
    auto b = strata::sqlite_backend(scratch("failing_batch") / "store.db");
    b.put("keep", "old");
    b.put("doomed", "still here");

    // A temporary trigger (on this connection only; the file is not changed) makes SQLite
    // itself fail the batch's sixth operation, after five have run inside the transaction.
    std::string raise;
    SUBCASE("the statement aborts, the transaction stays open: strata rolls it back") { raise = "ABORT"; }
    SUBCASE("SQLite rolls the transaction back itself") { raise = "ROLLBACK"; }
    CAPTURE(raise);
    b.with_connection([&](sqlite3* db) {
        const std::string sql = "CREATE TEMP TRIGGER poison BEFORE INSERT ON main.kv WHEN NEW.key = CAST('poison' AS BLOB) "
                                "BEGIN SELECT RAISE(" + raise + ", 'injected failure'); END";
        REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    });

    strata::write_batch batch;
    batch.put("keep", "new");
    batch.erase("doomed");
    batch.put("n1", "1");
    batch.put("n2", "2");
    batch.put("n3", "3");
    batch.put("poison", "x");
    batch.put("n4", "4");
    const auto e = expect_storage_error([&] { b.apply(batch); });
    CHECK(e.operation() == "apply batch");
    CHECK(e.key() == "poison");
    CHECK(std::string(e.reason()).find("injected failure") != std::string::npos);

    CHECK(b.get("keep") == "old");
    CHECK(b.get("doomed") == "still here");
    CHECK(b.count("n") == 0);
    CHECK(b.count("") == 2);

    // The connection is usable again: no transaction was left open.
    CHECK(b.with_connection([](sqlite3* db) { return sqlite3_get_autocommit(db); }) != 0);
    b.with_connection([](sqlite3* db) { sqlite3_exec(db, "DROP TRIGGER temp.poison", nullptr, nullptr, nullptr); });
    b.apply(batch);
    CHECK(b.get("keep") == "new");
    CHECK(b.count("n") == 4);
    CHECK_FALSE(b.contains("doomed"));
}

TEST_CASE("sqlite_backend: a lock held elsewhere is waited for, then reported as SQLITE_BUSY") {
    const auto file = scratch("busy") / "store.db";
    strata::sqlite_backend b(file, {.busy_timeout = std::chrono::milliseconds(20)});
    b.put("k", "v");
    raw_db other(file);
    other.exec("BEGIN IMMEDIATE");  // another writer holds the write lock

    strata::write_batch batch;
    batch.put("k", "w");
    const auto e = expect_storage_error([&] { b.apply(batch); });
    CHECK(e.operation() == "apply batch");
    CHECK(std::string(e.reason()).find("database is locked (SQLITE_BUSY") != std::string::npos);
    const auto p = expect_storage_error([&] { b.put("k2", "v"); });
    CHECK(p.operation() == "put");
    CHECK(p.key() == "k2");
    CHECK(b.get("k") == "v");  // readers are not blocked by the other writer (WAL)

    other.exec("COMMIT");
    b.apply(batch);
    CHECK(b.get("k") == "w");
}

TEST_CASE("sqlite_backend: errors carry the operation, the key and SQLite's code") {
    auto b = strata::sqlite_backend(scratch("errors") / "store.db");
    b.with_connection([](sqlite3* db) { sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000); });
    const auto e = expect_storage_error([&] { b.put("big\x01", std::string(2000, 'x')); });
    CHECK(e.operation() == "put");
    CHECK(e.key() == "big\x01");
    CHECK(std::string(e.reason()).find("SQLITE_TOOBIG") != std::string::npos);
    CHECK(std::string(e.what()).find("put \"big\\x01\"") != std::string::npos);
    CHECK_FALSE(b.contains("big\x01"));
}

TEST_CASE("sqlite_backend: keys order by unsigned bytes; prefix scans page and count") {
    auto b = strata::sqlite_backend::in_memory();
    const std::vector<std::string> keys = {""s, "\0"s, "\0\0"s, "a"s, "a\0"s, "a\x7f"s, "a\x80"s, "a\xff"s,
                                           "a\xff\xff"s, "b"s, "\xff"s, "\xff\xff"s};
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) b.put(*it, "v" + *it);
    std::vector<std::string> got;
    for (const auto& kv : b.scan("")) got.push_back(kv.key);
    CHECK(got == keys);
    CHECK(b.count("a") == 6);
    CHECK(b.count("\xff") == 2);  // no upper bound: prefix_end is nullopt
    CHECK(b.count("a\xff") == 2);
    auto page = b.scan("a", "a\x7f"s, 2);
    REQUIRE(page.size() == 2);
    CHECK(page[0].key == "a\x80"s);
    CHECK(page[1] == strata::key_value{"a\xff"s, "va\xff"s});
    CHECK(b.scan("a", "a\xff\xff"s, 10).empty());
    CHECK(b.scan("a", "0"s, 1).at(0).key == "a");  // `after` before the prefix: start at the prefix
    CHECK(b.scan("a", std::nullopt, 0).empty());
    CHECK(b.get("") == "v");
}

TEST_CASE("sqlite_backend: in-memory stores are private and gone on destruction") {
    {
        auto b = strata::sqlite_backend::in_memory();
        b.put("k", "v");
        auto c = strata::sqlite_backend(":memory:");
        CHECK_FALSE(c.contains("k"));
        CHECK(b.get("k") == "v");
    }
    CHECK(strata::sqlite_backend::in_memory().count("") == 0);
}

TEST_CASE("sqlite_backend: moves, and a moved-from backend says so") {
    auto a = strata::sqlite_backend::in_memory();
    a.put("k", "v");
    strata::sqlite_backend b = std::move(a);
    CHECK(b.get("k") == "v");
    const auto e = expect_storage_error([&] { (void)a.get("k"); });  // NOLINT(bugprone-use-after-move)
    CHECK(std::string(e.reason()).find("moved from") != std::string::npos);
}

TEST_CASE("sqlite_backend: readers see each batch whole while a writer commits (pooled and shared readers)") {
    const auto dir = scratch("concurrent");
    auto run = [](strata::sqlite_backend& b) {
        constexpr int keys = 8;
        constexpr int rounds = 150;
        std::atomic<bool> done{false};
        std::atomic<int> torn{0};
        std::atomic<long> reads{0};
        std::vector<std::thread> readers;
        for (int t = 0; t < 3; ++t) {
            readers.emplace_back([&] {
                while (!done.load()) {
                    const auto entries = b.scan("k");
                    if (entries.empty()) continue;
                    bool same = entries.size() == keys;
                    for (const auto& e : entries) same = same && e.value == entries.front().value;
                    if (!same) ++torn;
                    if (b.get("k0").has_value() != b.contains("k0")) {
                        // both are read after the first batch committed, so both must be true
                        ++torn;
                    }
                    ++reads;
                }
            });
        }
        for (int r = 0; r < rounds; ++r) {
            strata::write_batch batch;
            for (int k = 0; k < keys; ++k) batch.put(numbered("k", k), numbered("round ", r));
            b.apply(batch);
        }
        while (reads.load() < 20) std::this_thread::yield();
        done = true;
        for (auto& t : readers) t.join();
        CHECK(torn.load() == 0);
        CHECK(b.count("k") == keys);
        CHECK(b.get("k3") == numbered("round ", rounds - 1));
    };
    SUBCASE("pooled reader connections") {
        strata::sqlite_backend b(dir / "pooled.db", {.max_readers = 2});  // fewer than the threads: they wait
        run(b);
    }
    SUBCASE("reads on the writer connection") {
        strata::sqlite_backend b(dir / "shared.db", {.max_readers = 0});
        run(b);
    }
    SUBCASE("in memory") {
        auto b = strata::sqlite_backend::in_memory();
        run(b);
    }
}
