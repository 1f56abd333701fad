/**
 * @file
 * @brief Internals of the SQLite backend: owning handles for a connection and a prepared
 * statement, byte binding, and SQLite failures turned into `storage_error`s.
 * @cond detail
 */
#pragma once

#include <strata/error.hpp>

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {
namespace detail {

/// "SQLITE_BUSY" for a primary or extended result code (the primary part is the low byte).
inline std::string_view sqlite_code_name(int code) noexcept {
    static constexpr std::string_view names[] = {
        "SQLITE_OK",       "SQLITE_ERROR",    "SQLITE_INTERNAL", "SQLITE_PERM",     "SQLITE_ABORT",
        "SQLITE_BUSY",     "SQLITE_LOCKED",   "SQLITE_NOMEM",    "SQLITE_READONLY", "SQLITE_INTERRUPT",
        "SQLITE_IOERR",    "SQLITE_CORRUPT",  "SQLITE_NOTFOUND", "SQLITE_FULL",     "SQLITE_CANTOPEN",
        "SQLITE_PROTOCOL", "SQLITE_EMPTY",    "SQLITE_SCHEMA",   "SQLITE_TOOBIG",   "SQLITE_CONSTRAINT",
        "SQLITE_MISMATCH", "SQLITE_MISUSE",   "SQLITE_NOLFS",    "SQLITE_AUTH",     "SQLITE_FORMAT",
        "SQLITE_RANGE",    "SQLITE_NOTADB",   "SQLITE_NOTICE",   "SQLITE_WARNING"};
    const auto primary = static_cast<std::size_t>(code & 0xff);
    return primary < std::size(names) ? names[primary] : std::string_view("SQLITE_(unknown)");
}

/// "database is locked (SQLITE_BUSY) in /path/store.db", or with ", extended code 1034" when the
/// extended code says more than the primary one.
inline std::string sqlite_reason(std::string_view message, int code, std::string_view file) {
    std::string r(message);
    r += " (";
    r += sqlite_code_name(code);
    if ((code & ~0xff) != 0) r += ", extended code " + std::to_string(code);
    r += ")";
    if (!file.empty()) {
        r += " in ";
        r += file;
    }
    return r;
}

/**
 * Whether a failure with `code` (primary or extended) is transient: the statement changed
 * nothing and may succeed when run again later.
 * - SQLITE_BUSY (and its extended codes): another connection or process holds the lock past
 *   the busy timeout, or a WAL snapshot went stale (SQLITE_BUSY_SNAPSHOT), or WAL recovery
 *   runs elsewhere (SQLITE_BUSY_RECOVERY).
 * - SQLITE_LOCKED: a conflict with another connection sharing the same cache.
 * - SQLITE_PROTOCOL: in WAL mode, a connection lost the race to start a transaction dozens of
 *   times over several seconds (SQLite's own retries gave up): contention, not damage.
 * Not transient: SQLITE_FULL (a full disk does not empty itself in milliseconds), SQLITE_IOERR,
 * SQLITE_NOMEM, SQLITE_CORRUPT, SQLITE_INTERRUPT (someone asked to stop) and every other code.
 */
inline constexpr bool sqlite_transient(int code) noexcept {
    const int primary = code & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_PROTOCOL;
}

/// Throws the `storage_error` for a failed call on `db` that returned `code` (transient for the
/// codes `sqlite_transient` names).
[[noreturn]] inline void sqlite_fail(sqlite3* db, int code, std::string_view operation, std::string_view key,
                                     std::string_view file) {
    // sqlite3_errmsg describes the most recent failure on this connection, which the caller
    // holds alone; without a connection (open ran out of memory) only the code is known.
    const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    throw storage_error(std::string(operation), std::string(key), sqlite_reason(message, code, file),
                        sqlite_transient(code));
}

/// A prepared statement, finalized on destruction.
class sqlite_statement {
public:
    sqlite_statement() = default;
    /// Prepares `sql`; a failure is reported as `operation` (by default "prepare <sql>").
    sqlite_statement(sqlite3* db, std::string_view sql, std::string_view file, std::string_view operation = {}) {
        // PERSISTENT: a hint that the statement lives long and is run many times.
        const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(stmt_);
            stmt_ = nullptr;
            if (operation.empty()) sqlite_fail(db, rc, "prepare \"" + std::string(sql) + "\"", "", file);
            sqlite_fail(db, rc, operation, "", file);
        }
    }
    sqlite_statement(sqlite_statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    sqlite_statement& operator=(sqlite_statement&& other) noexcept {
        if (this != &other) {
            sqlite3_finalize(stmt_);
            stmt_ = std::exchange(other.stmt_, nullptr);
        }
        return *this;
    }
    ~sqlite_statement() { sqlite3_finalize(stmt_); }

    sqlite3_stmt* get() const noexcept { return stmt_; }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

/**
 * One use of a prepared statement: bind, step, read columns; the destructor resets the
 * statement and clears its bindings, on success and on failure alike, so the statement is
 * ready for the next use and holds no pointer into the caller's bytes (and, for a query, so
 * its read transaction ends).
 */
class sqlite_use {
public:
    sqlite_use(const sqlite_statement& statement, sqlite3* db, std::string_view operation, std::string_view key,
               std::string_view file) noexcept
        : stmt_(statement.get()), db_(db), operation_(operation), key_(key), file_(file) {}
    sqlite_use(const sqlite_use&) = delete;
    sqlite_use& operator=(const sqlite_use&) = delete;
    ~sqlite_use() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    /// Binds bytes as a BLOB (never TEXT: BLOBs compare with memcmp, strata's key order). The
    /// bytes must outlive the use (SQLITE_STATIC, no copy).
    void bind_bytes(int index, std::string_view bytes) {
        // An empty value must still be a zero-length BLOB, not NULL (which a null pointer binds).
        // The last argument is SQLITE_STATIC, whose macro is an old-style cast.
        const int rc = bytes.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                                     : sqlite3_bind_blob64(stmt_, index, bytes.data(),
                                                           static_cast<sqlite3_uint64>(bytes.size()), nullptr);
        if (rc != SQLITE_OK) fail(rc);
    }
    void bind_int64(int index, std::int64_t value) {
        const int rc = sqlite3_bind_int64(stmt_, index, value);
        if (rc != SQLITE_OK) fail(rc);
    }

    /// Runs one step: `true` when a row is ready, `false` when done; throws otherwise.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(rc);
    }

    /// Column `i` of the current row as bytes (valid until the next step or the reset).
    std::string_view column_bytes(int i) const noexcept {
        const void* data = sqlite3_column_blob(stmt_, i);  // blob first, then its size
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i));
        return data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
    }
    std::int64_t column_int64(int i) const noexcept { return sqlite3_column_int64(stmt_, i); }

    [[noreturn]] void fail(int rc) const { sqlite_fail(db_, rc, operation_, key_, file_); }

private:
    sqlite3_stmt* stmt_;
    sqlite3* db_;
    std::string_view operation_;
    std::string_view key_;
    std::string_view file_;
};

/// A connection, closed on destruction (after its owner finalized its statements).
class sqlite_connection {
public:
    sqlite_connection() = default;
    /// Opens `name` with `flags` (plus NOMUTEX: strata's own locks give each connection to one
    /// thread at a time) and turns on extended result codes.
    sqlite_connection(const std::string& name, int flags, std::string_view file) {
        const int rc = sqlite3_open_v2(name.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK) {
            // A handle is usually returned even on failure: take its message, then close it.
            std::string reason = sqlite_reason(db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc), rc, file);
            sqlite3_close_v2(db_);
            db_ = nullptr;
            throw storage_error("open", "", std::move(reason), sqlite_transient(rc));
        }
        sqlite3_extended_result_codes(db_, 1);
    }
    sqlite_connection(sqlite_connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
    sqlite_connection& operator=(sqlite_connection&& other) noexcept {
        if (this != &other) {
            sqlite3_close_v2(db_);
            db_ = std::exchange(other.db_, nullptr);
        }
        return *this;
    }
    // close_v2 never fails for statements left unfinalized (it defers); ours are finalized first.
    ~sqlite_connection() { sqlite3_close_v2(db_); }

    sqlite3* get() const noexcept { return db_; }

    /// Runs SQL that returns no rows (or whose rows are ignored), e.g. a PRAGMA or DDL.
    void exec(const char* sql, std::string_view operation, std::string_view file) const {
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) sqlite_fail(db_, rc, operation, "", file);
    }

    /// The first column of the first row of a query, as text ("" when there is no row).
    std::string query_text(std::string_view sql, std::string_view operation, std::string_view file) const {
        sqlite_statement s(db_, sql, file, operation);
        sqlite_use use(s, db_, operation, "", file);
        if (!use.step()) return {};
        return std::string(use.column_bytes(0));
    }
    /// The first column of the first row of a query, as an integer (0 when there is no row).
    std::int64_t query_int(std::string_view sql, std::string_view operation, std::string_view file) const {
        sqlite_statement s(db_, sql, file, operation);
        sqlite_use use(s, db_, operation, "", file);
        return use.step() ? use.column_int64(0) : 0;
    }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace detail
}  // namespace v1
}  // namespace strata
/// @endcond
