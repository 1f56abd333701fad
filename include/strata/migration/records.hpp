/**
 * @file
 * @brief What the migrator keeps in the store besides the documents: the catalogue, backups,
 * the journal, failures, rollback points and the run checkpoint; and where each lives (needs
 * strata::json).
 *
 * Every record is a small JSON object written by strata's own codec (so a dump of the store is
 * readable). Under the migrator's prefix P (default empty), for a document I:
 *
 * | key                                   | value                                                  |
 * |---------------------------------------|--------------------------------------------------------|
 * | P `doc/` I                            | the document's bytes, whole (as imported; any version) |
 * | P `latest/…`                          | chunked documents at the latest version (`chunked_store`) |
 * | P `cat/` I                            | `catalogue_entry`: version and form, read by `status`  |
 * | P `bak/` esc(I) `\0\1` T              | `backup_record` (T: creation time, 16 hex digits)      |
| P `bakdata/` esc(I) `\0\1` T          | a copy of the original, when the migration overwrote it |
 * | P `fail/` I                           | `failure_record`: the last failure of the document     |
 * | P `jnl/next`                          | the last run number handed out                         |
 * | P `jnl/run/` R                        | `run_record` of run R                                  |
 * | P `jnl/entry/` R `/` S                | `journal_entry` S (16 hex digits) of run R             |
 * | P `jnl/doc/` esc(I) `\0\1` R `/` S    | the same entry, found by document                      |
 * | P `pt/` N `\0` / P `pt/` N `\1` I     | `point_record` of rollback point N / its entries       |
 * | P `run`                               | the run in progress (`run_checkpoint`)                 |
 * | P `pass/compress`                     | where the compression of old latest documents resumes  |
 * | P `lease`                             | the lease of the runner that holds the store           |
 *
 * esc(I) is I with each NUL byte written NUL 0xFF, so that the NUL 0x01 after it ends the id
 * whatever bytes ids hold (detail/escaped_id.hpp, as in the chunked store's keys).
 */
#pragma once

#include <strata/detail/escaped_id.hpp>
#include <strata/detail/hex16.hpp>
#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>
#include <strata/reflection.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
inline namespace v1 {

/// Where a document's current state lives.
namespace document_form {
inline constexpr std::string_view whole = "whole";      ///< bytes at P `doc/` I (any version)
inline constexpr std::string_view chunked = "chunked";  ///< the chunked store (latest version)
}  // namespace document_form

/// What `status` reads per document: its version and where it lives.
struct catalogue_entry {
    BOOST_HANA_DEFINE_STRUCT(catalogue_entry,
                             (std::uint32_t, schema),  ///< the schema version
                             (std::string, form),      ///< document_form::whole or ::chunked
                             (std::uint64_t, bytes));  ///< size of the stored bytes (whole form)
};

/// The original bytes of a migrated document, kept until `expires_ms`.
struct backup_record {
    BOOST_HANA_DEFINE_STRUCT(backup_record,
                             (std::string, document),
                             (std::string, run),           ///< the run that made it
                             (std::int64_t, created_ms),
                             (std::int64_t, expires_ms),
                             (std::uint32_t, schema),      ///< the version of the original
                             (std::uint64_t, bytes),       ///< its size
                             (std::string, checksum),      ///< its digest, "sha256:<hex>"
                             (std::string, key));          ///< where its bytes are
};

/// The last failure of a document (cleared when it later migrates).
struct failure_record {
    BOOST_HANA_DEFINE_STRUCT(failure_record,
                             (std::string, document),
                             (std::string, run),
                             (std::int64_t, time_ms),
                             (std::uint32_t, schema),  ///< its version (0: unknown)
                             (std::string, stage),     ///< decode, upgrade, validate, verify, write
                             (std::string, path),      ///< the JSON path, when known
                             (std::string, error));    ///< the whole message
};

/// One step of one document in one run (the journal, like Flyway's schema history).
struct journal_entry {
    BOOST_HANA_DEFINE_STRUCT(journal_entry,
                             (std::string, run),
                             (std::uint64_t, seq),
                             (std::int64_t, time_ms),
                             (std::string, document),
                             (std::uint32_t, from),
                             (std::uint32_t, to),
                             (std::string, outcome),  ///< migrated, failed, rolled_back
                             (std::string, before),   ///< digest of the bytes before
                             (std::string, after),    ///< digest of the bytes after ("" if none)
                             (std::string, error),
                             (std::string, path));
};

/// One run: what it was asked to do and what it did.
struct run_record {
    BOOST_HANA_DEFINE_STRUCT(run_record,
                             (std::string, run),
                             (std::string, kind),   ///< migrate, rollback
                             (std::string, state),  ///< running, completed, cancelled, interrupted, rolled_back
                             (std::int64_t, started_ms),
                             (std::int64_t, finished_ms),
                             (std::string, cursor),  ///< the last document it finished (batch runs)
                             (std::uint64_t, migrated),
                             (std::uint64_t, skipped),
                             (std::uint64_t, failed),
                             (std::uint64_t, bytes_in),
                             (std::uint64_t, bytes_out),
                             (std::uint64_t, next_seq));  ///< the next journal sequence number
};

/// A named rollback point: the state of the documents a run may touch.
struct point_record {
    BOOST_HANA_DEFINE_STRUCT(point_record,
                             (std::string, name),
                             (std::int64_t, created_ms),
                             (std::int64_t, expires_ms),  ///< 0: never
                             (std::uint64_t, documents),
                             (std::string, checksum));    ///< over its entries, in order
};

/// One document of a rollback point: where its bytes were and their digest.
struct point_entry {
    BOOST_HANA_DEFINE_STRUCT(point_entry,
                             (std::uint32_t, schema),
                             (std::string, form),
                             (std::uint64_t, bytes),
                             (std::string, checksum));
};


/// Every key the migrator uses, under one prefix (see the file comment).
class migration_keys {
public:
    explicit migration_keys(std::string prefix = {}) : prefix_(std::move(prefix)) {}

    const std::string& prefix() const noexcept { return prefix_; }

    std::string documents() const { return prefix_ + "doc/"; }
    std::string document(std::string_view id) const { return documents().append(id); }
    std::string latest_store() const { return prefix_ + "latest/"; }
    std::string catalogue() const { return prefix_ + "cat/"; }
    std::string catalogue(std::string_view id) const { return catalogue().append(id); }
    std::string failures() const { return prefix_ + "fail/"; }
    std::string failure(std::string_view id) const { return failures().append(id); }

    std::string backups() const { return prefix_ + "bak/"; }
    std::string backups_of(std::string_view id) const {
        std::string k = backups();
        detail::append_escaped_id(k, id);
        return k;
    }
    std::string backup(std::string_view id, std::int64_t created_ms) const {
        return backups_of(id).append(detail::hex16(static_cast<std::uint64_t>(created_ms)));
    }

    /// Where a backup keeps a copy of the original bytes (when the migration overwrites them).
    std::string backup_bytes(std::string_view id, std::int64_t created_ms) const {
        std::string k = prefix_ + "bakdata/";
        detail::append_escaped_id(k, id);
        return k.append(detail::hex16(static_cast<std::uint64_t>(created_ms)));
    }

    std::string next_run() const { return prefix_ + "jnl/next"; }
    std::string runs() const { return prefix_ + "jnl/run/"; }
    std::string run(std::string_view run_id) const { return runs().append(run_id); }
    std::string entries() const { return prefix_ + "jnl/entry/"; }
    std::string entries_of_run(std::string_view run_id) const { return entries().append(run_id).append("/"); }
    std::string entry(std::string_view run_id, std::uint64_t seq) const {
        return entries_of_run(run_id).append(detail::hex16(seq));
    }
    std::string entries_of_document(std::string_view id) const {
        std::string k = prefix_ + "jnl/doc/";
        detail::append_escaped_id(k, id);
        return k;
    }
    std::string document_entry(std::string_view id, std::string_view run_id, std::uint64_t seq) const {
        return entries_of_document(id).append(run_id).append("/").append(detail::hex16(seq));
    }

    std::string points() const { return prefix_ + "pt/"; }
    std::string point(std::string_view name) const { return points().append(name).append(1, '\0'); }
    std::string point_entries(std::string_view name) const { return points().append(name).append(1, '\x01'); }
    std::string point_entry_key(std::string_view name, std::string_view id) const {
        return point_entries(name).append(id);
    }

    std::string checkpoint() const { return prefix_ + "run"; }
    std::string lease() const { return prefix_ + "lease"; }
    /// The cursor of the compression stage over the latest documents (compress.hpp).
    std::string compress_cursor() const { return prefix_ + "pass/compress"; }

private:
    std::string prefix_;
};

/// @cond internal
namespace detail {
/// Reads a migration record, naming its key when it is damaged.
template <class Record>
Record read_record(std::string_view key, std::string_view bytes) {
    try {
        return json::decode<Record>(bytes);
    } catch (document_error& e) {
        std::string name;
        append_quoted_bytes(name, key);
        e.set_document("record " + name);
        throw;
    }
}
}  // namespace detail
/// @endcond

}  // namespace v1
}  // namespace strata
