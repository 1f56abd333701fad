/**
 * @file
 * @brief The content store's options and what its maintenance calls report: statistics,
 * garbage collection, verification.
 */
#pragma once

#include <strata/clock.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strata {
inline namespace v1 {

/// How a `cas_store` keeps its blobs.
struct cas_options {
    /// Every key of the store starts with this, so that it can share a backend with documents.
    std::string prefix = "cas/";
    /// `get` re-hashes what it read and refuses bytes that do not match their digest.
    bool verify_on_read = true;
    /// Blobs larger than this are refused by `put` and by `get` (a frame that declares more is
    /// refused before anything is allocated: decompression bombs).
    std::uint64_t max_blob_size = std::uint64_t{1} << 30;
    /// A blob with no reference is kept while younger than this: it may have been put by a
    /// migration whose document (and references) has not committed yet. A deduplicated put
    /// refreshes a put time older than half of it.
    std::chrono::milliseconds grace = std::chrono::hours(1);
    /// The clock (milliseconds since 1970): put times, grace periods, ages. Tests inject one.
    std::function<std::int64_t()> now_ms = system_now_ms;
};

/// What the store knows of one blob without reading it.
struct blob_info {
    std::uint64_t size = 0;         ///< the blob's bytes
    std::uint64_t stored_size = 0;  ///< what it takes in the backend (frame header, compressed)
    std::int64_t put_ms = 0;        ///< when it was last put
    std::size_t refcount = 0;
};

/// One reference to a blob: who holds it (`owner`, e.g. a document id) and under which name
/// (`ref`, e.g. a screenshot id within the document).
struct blob_reference {
    std::string owner;
    std::string ref;
    friend bool operator==(const blob_reference&, const blob_reference&) = default;
    friend auto operator<=>(const blob_reference&, const blob_reference&) = default;
};

/// Totals over the whole store. Deduplication saves `referenced_bytes - logical_bytes` of the
/// referenced blobs: the bytes that a store without it would keep once per reference.
struct cas_stats {
    std::uint64_t blobs = 0;
    std::uint64_t references = 0;
    std::uint64_t logical_bytes = 0;   ///< Σ blob size
    std::uint64_t physical_bytes = 0;  ///< Σ stored size (after compression, with headers)
    std::uint64_t referenced_bytes = 0;  ///< Σ blob size × its references
    std::uint64_t dedup_savings = 0;     ///< Σ blob size × (references − 1), over referenced blobs
    std::uint64_t unreferenced_blobs = 0;
    std::uint64_t unreferenced_bytes = 0;  ///< their logical bytes
};

/// How `collect_garbage` runs.
struct gc_options {
    /// Overrides the store's grace period (`cas_options::grace`) for this collection.
    std::optional<std::chrono::milliseconds> grace;
    /// Report what would be done, change nothing.
    bool dry_run = false;
    /// Operations per batch applied (each batch is atomic; a crash loses no more than one).
    std::size_t batch_size = 512;
};

/// What `collect_garbage` did (or, in a dry run, would do).
struct gc_report {
    bool dry_run = false;
    std::uint64_t blobs_examined = 0;
    std::uint64_t blobs_removed = 0;
    std::uint64_t bytes_freed = 0;        ///< stored bytes of the removed blobs
    std::uint64_t kept_in_grace = 0;      ///< unreferenced, but younger than the grace period
    // Mark and sweep only (collect_garbage with the documents' own references):
    std::uint64_t references_added = 0;    ///< held by documents, missing from the store
    std::uint64_t references_removed = 0;  ///< in the store, held by no document
    /// References that documents hold to blobs the store does not have (cannot be repaired
    /// here: the bytes are gone). "owner / ref -> digest" each.
    std::vector<std::string> dangling;
};

/// How `verify` reads.
struct verify_options {
    /// Share of blobs to read and re-hash, 0 to 1 (like restic's `--read-data-subset`). Which
    /// blobs is decided by their digest and `seed`: the same seed picks the same subset, other
    /// seeds other subsets. References and records are always checked, all of them.
    double sample = 1.0;
    std::uint64_t seed = 0;
};

/// One problem `verify` found.
struct verify_problem {
    enum class kind {
        hash_mismatch,      ///< the blob's bytes do not hash to its digest
        unreadable_blob,    ///< the frame is damaged (the reason says how)
        missing_blob,       ///< a record without its blob
        missing_record,     ///< a blob without its record
        record_mismatch,    ///< the record's sizes disagree with the blob
        dangling_reference, ///< a reference to a digest the store does not hold
        broken_reference,   ///< the two halves of a reference (by digest, by owner) disagree
    };
    kind what;
    std::string key;     ///< the backend key concerned
    std::string detail;  ///< what was found, in words
};

/// What `verify` found. `ok()` when nothing.
struct verify_report {
    std::uint64_t blobs = 0;          ///< blobs in the store
    std::uint64_t blobs_read = 0;     ///< blobs read and re-hashed (the sample)
    std::uint64_t bytes_read = 0;     ///< their stored bytes
    std::uint64_t references = 0;     ///< references checked
    std::vector<verify_problem> problems;
    bool ok() const noexcept { return problems.empty(); }
};

}  // namespace v1
}  // namespace strata
