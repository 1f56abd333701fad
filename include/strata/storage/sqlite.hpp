/**
 * @file
 * @brief `sqlite_backend`: strata's embedded default store, one SQLite file (CMake target
 * `strata::sqlite`, which links SQLite 3).
 *
 * @code
 * strata::sqlite_backend store("data/store.db");            // created when absent or empty
 * store.put("sessions/s-0001", bytes);
 * strata::sqlite_backend fast("data/cache.db", {.synchronous = strata::sqlite_synchronous::normal});
 * auto scratch = strata::sqlite_backend::in_memory();        // nothing reaches the disk
 * @endcode
 *
 * **The file.** One table, `kv(key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL)`. Keys and
 * values are always bound as BLOBs, never TEXT: SQLite compares BLOBs with `memcmp` (then by
 * length), which is exactly the backend order (unsigned bytes), and BLOBs keep NUL bytes and
 * invalid UTF-8 as they are. The table is an ordinary rowid table, not `WITHOUT ROWID`: SQLite's
 * documentation (withoutrowid.html, "When to use WITHOUT ROWID") advises WITHOUT ROWID only for
 * rows smaller than about 1/20 of a page (200 bytes with 4 KiB pages), because a WITHOUT ROWID
 * table is a plain B-tree that keeps row content in its interior nodes too, while a rowid table
 * is a B*-tree that keeps content in its leaves only. strata's values are documents of ~20 KB
 * and up to 16 MB and more, so the rowid table (with the key's index beside it) is the right
 * shape; key lookups cost one extra index search, which is small next to reading the value.
 *
 * **Marked as a strata store.** A new store gets `PRAGMA application_id = 0x53545241` ("STRA")
 * and `PRAGMA user_version = 1` (the format version), in the same transaction that creates the
 * table. Opening refuses, with a `storage_error` whose operation is `"open"`:
 * - a file that is not a SQLite database (SQLite's "file is not a database", `SQLITE_NOTADB`);
 * - a SQLite database that is not a strata store: another application_id, or application_id 0
 *   with tables of its own (a foreign database is never modified: not even its journal mode);
 * - a strata store of a newer format than this version of strata reads.
 * A file that does not exist, or exists and is empty, becomes a new store. The directory must
 * exist.
 *
 * **Settings, and why.**
 * | setting | value | why |
 * |---|---|---|
 * | `journal_mode` | `WAL` (stored in the file) | readers never block the writer nor the writer them; each commit is one append to the `-wal` file; a batch is seen whole or not at all by every reader |
 * | `synchronous` | `NORMAL` by default, `FULL` as an option | in WAL mode, NORMAL is still safe from corruption and keeps every batch atomic across a crash or power loss; a power loss may lose the last commits (not tear them). FULL also syncs the WAL at every commit, so a commit that returned survives power loss, at a higher cost per commit. A process crash loses nothing in either mode. (Debian builds SQLite with FULL as the WAL default, hence strata sets it explicitly.) |
 * | `busy_timeout` | 5 s by default (option) | another process (or a checkpoint) holding the lock is waited for instead of failing at once with `SQLITE_BUSY` |
 * | transactions | `BEGIN IMMEDIATE … COMMIT` per batch | the write lock is taken at the start, so the busy timeout applies and the batch cannot fail half-way on a lock; any failure rolls the whole batch back |
 * | statements | prepared once per connection (`SQLITE_PREPARE_PERSISTENT`), reset and unbound after each use | no SQL is parsed on the hot path; a reset statement ends its read transaction, so no reader holds back checkpoints |
 * | compare_and_put / compare_and_erase | `BEGIN IMMEDIATE`, read, compare, write, `COMMIT` on the writer connection | the write lock is held from the read to the write, so the check and the change are one step for every thread and process |
 * | put | `INSERT … ON CONFLICT(key) DO UPDATE` (an upsert) | replaces the value in place and keeps the rowid, so replacing a value does not touch the key index (`INSERT OR REPLACE` would delete and re-insert the row) |
 * | checkpoints | SQLite's automatic ones (every ~1000 WAL pages), and on close | the last connection to close checkpoints and removes the `-wal` and `-shm` files |
 * | page size, cache size, mmap | SQLite's defaults (4 KiB, 2 MB, off) | nothing measured called for more |
 * | anything else | the SQLite build's defaults | e.g. Debian's build turns `secure_delete` on (freed pages are zeroed), which strata leaves alone |
 *
 * **Threads.** One writer connection, used under a mutex for `put`, `erase` and `apply`, and a
 * pool of reader connections (`max_readers`, 4 by default) opened on first use: a read takes an
 * idle reader connection (or opens one, or waits for one when all are busy), runs one statement
 * and gives the connection back. In WAL mode the readers run truly in parallel with each other
 * and with the writer, each on a consistent snapshot; a write is visible to every read that
 * starts after it returned. With `max_readers = 0`, and for an in-memory store (a private
 * `:memory:` database is only visible to its one connection), reads share the writer
 * connection and its mutex instead. SQLite connections are opened with `SQLITE_OPEN_NOMUTEX`:
 * strata's locks already give each connection to one thread at a time.
 *
 * **Errors.** Every failure is a `storage_error` carrying the operation, the key, and SQLite's
 * own message with the result code's name and extended code, e.g.
 * `storage: put "k": database is locked (SQLITE_BUSY) in data/store.db`. `SQLITE_BUSY`,
 * `SQLITE_LOCKED` and `SQLITE_PROTOCOL` (lock contention: the call changed nothing) make the
 * error `transient()`, for `with_retry` (storage/retry.hpp).
 */
#pragma once

#include <strata/detail/sqlite.hpp>
#include <strata/storage/backend.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// SQLite's `PRAGMA synchronous` for a store in WAL mode (see the file comment).
enum class sqlite_synchronous : unsigned char {
    normal,  ///< batches stay atomic across power loss; the last commits may be lost
    full,    ///< every commit that returned survives power loss (one WAL sync per commit)
};

/// How a `sqlite_backend` opens its file. All fields have the defaults documented here.
struct sqlite_options {
    /// Durability of each commit against power loss (not against a process crash, which loses
    /// nothing either way).
    sqlite_synchronous synchronous = sqlite_synchronous::normal;
    /// How long a write (or an open) waits for a lock held by another connection or process
    /// before failing with `SQLITE_BUSY`.
    std::chrono::milliseconds busy_timeout{5000};
    /// Reader connections kept for parallel reads (0: reads share the writer connection).
    std::size_t max_readers = 4;
};

/// @cond detail
namespace detail {

/// `PRAGMA application_id` of a strata store: "STRA" in ASCII.
inline constexpr std::int64_t sqlite_application_id = 0x53545241;
/// `PRAGMA user_version` of a strata store: the format this code reads and writes.
inline constexpr std::int64_t sqlite_format_version = 1;

/// A connection and the statements every read needs (the statements are declared after the
/// connection, so they are finalized before it closes).
struct sqlite_reader {
    sqlite_connection connection;
    sqlite_statement get, contains;
    sqlite_statement scan_from, scan_from_to, scan_after, scan_after_to;  // key >= / > bound, < end
    sqlite_statement count_from, count_from_to;

    sqlite_reader(const std::string& name, int flags, std::chrono::milliseconds busy_timeout,
                  const std::string& file)
        : connection(name, flags, file) {
        const auto ms = std::clamp<std::chrono::milliseconds::rep>(busy_timeout.count(), 0, INT_MAX);
        sqlite3_busy_timeout(connection.get(), static_cast<int>(ms));
    }

    void prepare_reads(const std::string& file) {
        sqlite3* db = connection.get();
        get = {db, "SELECT value FROM kv WHERE key = ?1", file};
        contains = {db, "SELECT 1 FROM kv WHERE key = ?1", file};
        scan_from = {db, "SELECT key, value FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?3", file};
        scan_from_to = {db, "SELECT key, value FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3", file};
        scan_after = {db, "SELECT key, value FROM kv WHERE key > ?1 ORDER BY key LIMIT ?3", file};
        scan_after_to = {db, "SELECT key, value FROM kv WHERE key > ?1 AND key < ?2 ORDER BY key LIMIT ?3", file};
        count_from = {db, "SELECT count(*) FROM kv WHERE key >= ?1", file};
        count_from_to = {db, "SELECT count(*) FROM kv WHERE key >= ?1 AND key < ?2", file};
    }
};

/// The writer: the reader's statements plus the writing ones.
struct sqlite_writer : sqlite_reader {
    sqlite_statement upsert, erase, begin, commit, rollback;

    using sqlite_reader::sqlite_reader;

    void prepare_writes(const std::string& file) {
        sqlite3* db = connection.get();
        upsert = {db, "INSERT INTO kv(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  file};
        erase = {db, "DELETE FROM kv WHERE key = ?1", file};
        begin = {db, "BEGIN IMMEDIATE", file};
        commit = {db, "COMMIT", file};
        rollback = {db, "ROLLBACK", file};
    }
};

/// What a file's header and schema say about it.
struct sqlite_store_state {
    std::int64_t application_id = 0;
    std::int64_t format = 0;
    std::int64_t schema_objects = 0;
    bool fresh() const noexcept { return application_id == 0 && format == 0 && schema_objects == 0; }
};

inline std::string sqlite_hex32(std::int64_t v) {
    constexpr char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) s += digits[(static_cast<std::uint64_t>(v) >> shift) & 15U];
    return s;
}

/// The state behind a `sqlite_backend` (held by pointer: the backend moves, the mutexes do not).
class sqlite_store {
public:
    sqlite_store(std::filesystem::path path, sqlite_options options, bool in_memory)
        : path_(std::move(path)),
          options_(options),
          in_memory_(in_memory || path_ == ":memory:"),
          shared_reads_(in_memory_ || options.max_readers == 0),
          file_(in_memory_ ? std::string(":memory:") : display_name(path_)),
          name_(in_memory_ ? std::string(":memory:") : sqlite_name(path_)),
          writer_(open_writer()) {}

    const std::filesystem::path& path() const noexcept { return path_; }
    const sqlite_options& options() const noexcept { return options_; }
    bool in_memory() const noexcept { return in_memory_; }

    std::optional<std::string> get(std::string_view key) const {
        return read([&](sqlite_reader& r) -> std::optional<std::string> {
            sqlite_use use(r.get, r.connection.get(), "get", key, file_);
            use.bind_bytes(1, key);
            if (!use.step()) return std::nullopt;
            return std::string(use.column_bytes(0));
        });
    }

    bool contains(std::string_view key) const {
        return read([&](sqlite_reader& r) {
            sqlite_use use(r.contains, r.connection.get(), "contains", key, file_);
            use.bind_bytes(1, key);
            return use.step();
        });
    }

    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                std::size_t limit) const {
        std::vector<key_value> out;
        if (limit == 0) return out;
        // Start strictly after `after` when it lies at or past the prefix, else at the prefix.
        const bool from_after = after && *after >= prefix;
        const std::optional<std::string> end = prefix_end(prefix);
        const std::int64_t sql_limit =
            limit > static_cast<std::size_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(limit);  // -1: none
        read([&](sqlite_reader& r) {
            const sqlite_statement& s =
                from_after ? (end ? r.scan_after_to : r.scan_after) : (end ? r.scan_from_to : r.scan_from);
            sqlite_use use(s, r.connection.get(), "scan", prefix, file_);
            use.bind_bytes(1, from_after ? *after : prefix);
            if (end) use.bind_bytes(2, *end);
            use.bind_int64(3, sql_limit);
            while (use.step()) out.push_back({std::string(use.column_bytes(0)), std::string(use.column_bytes(1))});
            return 0;
        });
        return out;
    }

    std::size_t count(std::string_view prefix) const {
        const std::optional<std::string> end = prefix_end(prefix);
        return read([&](sqlite_reader& r) {
            sqlite_use use(end ? r.count_from_to : r.count_from, r.connection.get(), "count", prefix, file_);
            use.bind_bytes(1, prefix);
            if (end) use.bind_bytes(2, *end);
            use.step();
            return static_cast<std::size_t>(use.column_int64(0));
        });
    }

    void put(std::string_view key, std::string_view value) {
        std::lock_guard lock(write_mutex_);
        put_locked(key, value, "put");
    }

    bool erase(std::string_view key) {
        std::lock_guard lock(write_mutex_);
        return erase_locked(key, "erase");
    }

    void apply(const write_batch& batch) {
        if (batch.empty()) return;
        std::lock_guard lock(write_mutex_);
        in_transaction("apply batch", "", [&] {
            for (const auto& op : batch.operations()) {
                if (op.what == write_batch::operation::kind::put) {
                    put_locked(op.key, op.value, "apply batch");
                } else {
                    erase_locked(op.key, "apply batch");
                }
            }
            return true;
        });
    }

    // BEGIN IMMEDIATE takes the database's write lock, so no other connection or process
    // writes between the read and the write.
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value) {
        std::lock_guard lock(write_mutex_);
        return in_transaction("compare_and_put", key, [&] {
            const bool matches = read_on_writer(key, "compare_and_put", [&](std::optional<std::string_view> current) {
                return current ? expected && *current == *expected : !expected.has_value();
            });
            if (matches) put_locked(key, value, "compare_and_put");
            return matches;
        });
    }

    bool compare_and_erase(std::string_view key, std::string_view expected) {
        std::lock_guard lock(write_mutex_);
        return in_transaction("compare_and_erase", key, [&] {
            const bool matches = read_on_writer(key, "compare_and_erase", [&](std::optional<std::string_view> current) {
                return current && *current == expected;
            });
            if (matches) erase_locked(key, "compare_and_erase");
            return matches;
        });
    }

    template <class Fn>
    decltype(auto) with_connection(Fn&& fn) {
        std::lock_guard lock(write_mutex_);
        return std::forward<Fn>(fn)(writer_.connection.get());
    }

private:
    /// Gives back a reader connection when a read is done.
    struct reader_lease {
        const sqlite_store* store;
        std::unique_ptr<sqlite_reader> reader;
        reader_lease(const sqlite_store* s, std::unique_ptr<sqlite_reader> r) noexcept
            : store(s), reader(std::move(r)) {}
        reader_lease(const reader_lease&) = delete;
        reader_lease& operator=(const reader_lease&) = delete;
        ~reader_lease() {
            std::lock_guard lock(store->pool_mutex_);
            store->idle_readers_.push_back(std::move(reader));  // reserved: cannot throw
            store->pool_cv_.notify_one();
        }
    };

    template <class Fn>
    std::invoke_result_t<Fn&, sqlite_reader&> read(Fn&& fn) const {
        if (shared_reads_) {
            std::lock_guard lock(write_mutex_);
            return fn(static_cast<sqlite_reader&>(writer_));
        }
        reader_lease lease{this, acquire_reader()};
        return fn(*lease.reader);
    }

    std::unique_ptr<sqlite_reader> acquire_reader() const {
        std::unique_lock lock(pool_mutex_);
        for (;;) {
            if (!idle_readers_.empty()) {
                auto r = std::move(idle_readers_.back());
                idle_readers_.pop_back();
                return r;
            }
            if (opened_readers_ < options_.max_readers) break;
            pool_cv_.wait(lock);
        }
        ++opened_readers_;
        idle_readers_.reserve(opened_readers_);  // so that giving one back never allocates
        lock.unlock();
        try {
            auto r = std::make_unique<sqlite_reader>(name_, SQLITE_OPEN_READWRITE, options_.busy_timeout, file_);
            // A reader never writes: make an accidental write an error, not a lock taken.
            r->connection.exec("PRAGMA query_only = 1", "open reader", file_);
            r->prepare_reads(file_);
            return r;
        } catch (...) {
            lock.lock();
            --opened_readers_;
            pool_cv_.notify_one();
            throw;
        }
    }

    /// Runs `fn()` in one write transaction (`BEGIN IMMEDIATE … COMMIT`) on the writer
    /// connection, whose lock the caller holds, and returns its `bool`; any failure rolls it all
    /// back (then the error is thrown).
    template <class Fn>
    bool in_transaction(std::string_view operation, std::string_view key, Fn&& fn) {
        sqlite3* db = writer_.connection.get();
        {
            sqlite_use begin(writer_.begin, db, operation, key, file_);
            begin.step();
        }
        try {
            const bool result = fn();
            sqlite_use commit(writer_.commit, db, operation, key, file_);
            commit.step();
            return result;
        } catch (...) {
            // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, a RAISE(ROLLBACK)) have
            // already rolled the transaction back; otherwise roll it back here.
            if (sqlite3_get_autocommit(db) == 0) {
                sqlite_use rollback(writer_.rollback, db, operation, key, file_);
                try {
                    rollback.step();
                } catch (...) {  // the first error is the one to report
                }
            }
            throw;
        }
    }

    /// Calls `fn(std::optional<std::string_view>)` with `key`'s value read on the writer
    /// connection (inside its transaction), and returns what `fn` returns.
    template <class Fn>
    bool read_on_writer(std::string_view key, std::string_view operation, Fn&& fn) {
        sqlite_use use(writer_.get, writer_.connection.get(), operation, key, file_);
        use.bind_bytes(1, key);
        if (!use.step()) return fn(std::optional<std::string_view>());
        return fn(std::optional<std::string_view>(use.column_bytes(0)));
    }

    void put_locked(std::string_view key, std::string_view value, std::string_view operation) {
        sqlite_use use(writer_.upsert, writer_.connection.get(), operation, key, file_);
        use.bind_bytes(1, key);
        use.bind_bytes(2, value);
        use.step();
    }

    bool erase_locked(std::string_view key, std::string_view operation) {
        sqlite_use use(writer_.erase, writer_.connection.get(), operation, key, file_);
        use.bind_bytes(1, key);
        use.step();
        return sqlite3_changes(writer_.connection.get()) > 0;
    }

    static std::string display_name(const std::filesystem::path& p) {
#ifdef _WIN32
        const auto u8 = p.u8string();
        return std::string(reinterpret_cast<const char*>(u8.data()), u8.size());
#else
        return p.string();
#endif
    }
    /// The name to give sqlite3_open_v2: the path, made unmistakable for a plain file name
    /// where SQLite would read it as a URI ("file:…") or a special name (":…").
    static std::string sqlite_name(const std::filesystem::path& p) {
        if (p.empty()) throw storage_error("open", "", "an empty path names no file");
        std::string name = display_name(p);
        if (p.is_relative() && (name.starts_with("file:") || name.starts_with(":"))) name.insert(0, "./");
        return name;
    }

    sqlite_store_state inspect(const sqlite_connection& c) const {
        sqlite_store_state s;
        // The first read of the file: a file that is not a database fails here (SQLITE_NOTADB).
        s.application_id = c.query_int("PRAGMA application_id", "open", file_);
        s.format = c.query_int("PRAGMA user_version", "open", file_);
        s.schema_objects = c.query_int("SELECT count(*) FROM sqlite_master", "open", file_);
        return s;
    }

    void refuse_foreign(const sqlite_store_state& s) const {
        if (s.fresh()) return;
        if (s.application_id == sqlite_application_id) {
            if (s.format > sqlite_format_version) {
                throw storage_error("open", "",
                                    file_ + " is a strata store of format " + std::to_string(s.format) +
                                        ", newer than this version of strata reads (format " +
                                        std::to_string(sqlite_format_version) + "): upgrade strata to open it");
            }
            if (s.format < 1) {
                throw storage_error("open", "",
                                    file_ + " has strata's application_id but no format version (user_version " +
                                        std::to_string(s.format) + "): not a valid strata store");
            }
            return;
        }
        if (s.application_id != 0) {
            throw storage_error("open", "",
                                "not a strata store: " + file_ + " is a SQLite database with application_id " +
                                    sqlite_hex32(s.application_id) + " (strata's is " +
                                    sqlite_hex32(sqlite_application_id) + ")");
        }
        throw storage_error("open", "",
                            "not a strata store: " + file_ + " is a SQLite database with " +
                                std::to_string(s.schema_objects) +
                                " schema objects of its own and no strata application_id");
    }

    sqlite_writer open_writer() const {
        sqlite_writer w(name_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options_.busy_timeout, file_);
        const sqlite_connection& c = w.connection;
        auto state = inspect(c);
        refuse_foreign(state);  // before anything is written to the file, even the journal mode
        if (!in_memory_) {
            const std::string mode = c.query_text("PRAGMA journal_mode = WAL", "open", file_);
            if (mode != "wal") {
                throw storage_error("open", "", file_ + ": cannot use WAL journal mode (SQLite kept \"" + mode + "\")");
            }
        }
        c.exec(options_.synchronous == sqlite_synchronous::full ? "PRAGMA synchronous = FULL"
                                                                 : "PRAGMA synchronous = NORMAL",
               "open", file_);
        if (state.fresh()) {
            c.exec("BEGIN IMMEDIATE", "open", file_);
            try {
                state = inspect(c);  // another process may have created the store meanwhile
                refuse_foreign(state);
                if (state.fresh()) {
                    c.exec("CREATE TABLE kv(key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL)", "create store", file_);
                    c.exec(("PRAGMA application_id = " + std::to_string(sqlite_application_id)).c_str(),
                           "create store", file_);
                    c.exec(("PRAGMA user_version = " + std::to_string(sqlite_format_version)).c_str(),
                           "create store", file_);
                }
                c.exec("COMMIT", "create store", file_);
            } catch (...) {
                if (sqlite3_get_autocommit(c.get()) == 0) sqlite3_exec(c.get(), "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
        }
        w.prepare_reads(file_);
        w.prepare_writes(file_);
        return w;
    }

    std::filesystem::path path_;
    sqlite_options options_;
    bool in_memory_;
    bool shared_reads_;
    std::string file_;  // for messages
    std::string name_;  // for sqlite3_open_v2
    mutable std::mutex write_mutex_;
    mutable sqlite_writer writer_;
    // Declared after the writer: the readers close first, and the writer (the last connection)
    // checkpoints the WAL into the database file as it closes.
    mutable std::mutex pool_mutex_;
    mutable std::condition_variable pool_cv_;
    mutable std::vector<std::unique_ptr<sqlite_reader>> idle_readers_;
    mutable std::size_t opened_readers_ = 0;
};

}  // namespace detail
/// @endcond

/**
 * @brief The SQLite backend: a store in one SQLite file (WAL mode), safe for concurrent
 * readers and one writer from many threads. See the file comment for the file's shape, the
 * settings and the threading design.
 *
 * Move-only. Destroying it finalizes every statement and closes every connection; the last
 * connection to close checkpoints the WAL into the database file.
 */
class sqlite_backend {
public:
    /**
     * @brief Opens (or creates) the store in `file`.
     *
     * `":memory:"` opens a private in-memory store (as `in_memory()`). Throws `storage_error`
     * (operation `"open"`) when the file cannot be opened or created, is not a SQLite database,
     * is a SQLite database that is not a strata store, or is a strata store of a newer format.
     */
    explicit sqlite_backend(std::filesystem::path file, sqlite_options options = {})
        : store_(std::make_unique<detail::sqlite_store>(std::move(file), options, false)) {}

    /// A private in-memory store: nothing reaches the disk, everything is gone on destruction.
    /// Reads share the one connection (see the file comment).
    static sqlite_backend in_memory(sqlite_options options = {}) {
        return sqlite_backend(std::make_unique<detail::sqlite_store>(":memory:", options, true));
    }

    sqlite_backend(sqlite_backend&&) noexcept = default;
    sqlite_backend& operator=(sqlite_backend&&) noexcept = default;
    sqlite_backend(const sqlite_backend&) = delete;
    sqlite_backend& operator=(const sqlite_backend&) = delete;
    ~sqlite_backend() = default;

    /// The value stored under `key`, or `std::nullopt`.
    std::optional<std::string> get(std::string_view key) const { return store("get").get(key); }
    /// Stores `value` under `key` (one transaction of its own).
    void put(std::string_view key, std::string_view value) { store("put").put(key, value); }
    /// Removes `key`; `true` when it was there.
    bool erase(std::string_view key) { return store("erase").erase(key); }
    /// Whether `key` is there.
    bool contains(std::string_view key) const { return store("contains").contains(key); }
    /// Up to `limit` entries whose key starts with `prefix`, in key order, strictly after `after`.
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        return store("scan").scan(prefix, after, limit);
    }
    /// How many keys start with `prefix`.
    std::size_t count(std::string_view prefix) const { return store("count").count(prefix); }
    /// Applies `batch` in one transaction (`BEGIN IMMEDIATE … COMMIT`): all of it or, on any
    /// failure, none of it (then the error is thrown).
    void apply(const write_batch& batch) { store("apply batch").apply(batch); }
    /**
     * @brief When `key`'s value is `expected` (`std::nullopt`: absent), stores `value` and
     * returns `true`; else changes nothing and returns `false`. One `BEGIN IMMEDIATE`
     * transaction: atomic across threads and across processes sharing the file.
     */
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value) {
        return store("compare_and_put").compare_and_put(key, expected, value);
    }
    /**
     * @brief When `key` is present with the value `expected`, erases it and returns `true`;
     * else changes nothing and returns `false`. Atomic as `compare_and_put`.
     */
    bool compare_and_erase(std::string_view key, std::string_view expected) {
        return store("compare_and_erase").compare_and_erase(key, expected);
    }

    /// The file given to the constructor (`":memory:"` for an in-memory store).
    const std::filesystem::path& path() const { return store("path").path(); }
    /// The options the store was opened with.
    const sqlite_options& options() const { return store("options").options(); }

    /**
     * @brief Calls `fn(sqlite3*)` with the writer connection while holding the writer's lock
     * (no put, erase or batch runs meanwhile; reads on reader connections go on), and returns
     * what `fn` returns. For inspection and tuning, e.g. `PRAGMA` queries; leave no transaction
     * open and do not change the table or the journal mode. `fn` must not call this backend
     * (the writer's lock is not recursive).
     */
    template <class Fn>
    decltype(auto) with_connection(Fn&& fn) {
        return store("with_connection").with_connection(std::forward<Fn>(fn));
    }

private:
    explicit sqlite_backend(std::unique_ptr<detail::sqlite_store> store) : store_(std::move(store)) {}

    detail::sqlite_store& store(const char* operation) const {
        if (!store_) throw storage_error(operation, "", "this sqlite_backend was moved from");
        return *store_;
    }

    std::unique_ptr<detail::sqlite_store> store_;
};

static_assert(check_backend<sqlite_backend>());

}  // namespace v1
}  // namespace strata
