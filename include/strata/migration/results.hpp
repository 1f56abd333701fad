/**
 * @file
 * @brief What the migrator is told (`migration_options`, `run_options`) and what it reports
 * (`migration_status`, `migration_result`, `document_outcome`, `stage_stats`).
 */
#pragma once

#include <strata/clock.hpp>
#include <strata/diff.hpp>
#include <strata/migration/records.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata {
inline namespace v1 {

/// How a migrator keeps its store; fixed for the store's life.
struct migration_options {
    /// The prefix of every key the migrator writes (records.hpp lists them).
    std::string prefix;
    /// The clock (milliseconds since the epoch); replace it in tests.
    std::function<std::int64_t()> now_ms = system_now_ms;
};

/// Which outcomes a run keeps in its result (counts are always kept).
enum class keep_outcomes { all, failures };

/// What one run does.
struct run_options {
    /// Everything but the writes: the result says what a real run would do.
    bool dry_run = false;
    /// Read each document back after writing and compare it with what was written.
    bool verify = true;
    /// Keep the original bytes of each migrated document (needed to roll it back).
    bool backup = true;
    /// How long backups are kept (their expiry).
    std::chrono::milliseconds backup_retention = std::chrono::hours(24 * 30);
    /// Documents per transaction.
    std::size_t batch_documents = 64;
    /// Bytes staged before a transaction is committed early.
    std::size_t batch_bytes = std::size_t{32} << 20;
    /// Pipeline stages that may be skipped (each reports its own statistics).
    bool chunk = true;  ///< store the latest version in the chunked layout (else whole)
    bool index = true;  ///< update the plan's index, when it has one
    /// Compress old items when the run completes, with the plan's `compression_type` (skipped
    /// when it names none; see compress.hpp and `migrator::compress_old`).
    bool compress = true;
    /// The age from which the compression stage compresses a stored value.
    std::chrono::milliseconds compress_min_age = std::chrono::hours(24 * 30);
    /// Roll the run back when more than this percentage of the documents it tried failed.
    std::optional<double> rollback_when_failed_over = std::nullopt;
    /// Which outcomes the result lists.
    keep_outcomes outcomes = keep_outcomes::all;
    /// Asked between documents: stop after the current batch (the run can be resumed).
    const std::atomic<bool>* stop = nullptr;
};

/// What happened to one document in a run.
struct document_outcome {
    std::string document;
    std::string outcome;  ///< migrated, skipped, failed (a dry run says what would happen)
    std::uint32_t from = 0, to = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0;
    std::uint64_t blobs_new = 0, blobs_deduplicated = 0;
    std::string stage;  ///< where it failed: read, decode, upgrade, validate, write, verify
    std::string path;   ///< the JSON path of the failure, when known
    std::string error;  ///< the whole message
    std::vector<difference> differences;  ///< verification: every differing path
    friend bool operator==(const document_outcome&, const document_outcome&) = default;
};

/// One pipeline stage's work in a run.
struct stage_stats {
    std::uint64_t documents = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0;
    double seconds = 0;
    bool skipped = false;
};

/// What a run did (or, dry, would do).
struct migration_result {
    std::string run;  ///< the run's id ("" for a dry run)
    bool dry_run = false;
    bool cancelled = false;    ///< stopped early on request; resumable
    bool rolled_back = false;  ///< rolled back by `rollback_when_failed_over`
    std::uint64_t migrated = 0, skipped = 0, failed = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0;
    std::uint64_t blobs_new = 0, blobs_deduplicated = 0;
    std::vector<document_outcome> documents;       ///< in the order they were processed
    std::map<std::string, stage_stats> stages;     ///< upgrade, chunk, index, verify, backup, commit, compress
    double seconds = 0;
};

/// The store at a glance (cheap: reads the catalogue, not the documents).
struct migration_status {
    std::uint64_t total = 0;
    std::map<std::uint32_t, std::uint64_t> per_version;
    std::uint32_t latest_version = 0;
    std::uint64_t at_latest = 0;
    double percent_at_latest = 100;
    std::uint64_t failed = 0;
    std::vector<failure_record> failures;  ///< up to the limit asked
    std::uint64_t backups = 0;
    std::vector<point_record> points;
    std::optional<run_record> run_in_progress;
};

/// What a rollback did.
struct rollback_result {
    std::uint64_t rolled_back = 0;
    std::vector<std::string> documents;
    std::vector<std::pair<std::string, std::string>> failures;  ///< document, reason
};

}  // namespace v1
}  // namespace strata
