/**
 * @file
 * @brief The migrator's "compress old items" stage: what it is told (`compress_options`), what
 * it reports (`compress_result`), and how a plan names its compression policy.
 *
 * A plan chooses the codec at compile time by naming it; the content store it builds must be
 * able to read that codec too (list it among the store's readable codecs):
 * @code
 * #include <strata/compression/zstd.hpp>  // component strata::zstd
 *
 * template <class Backend>
 * struct my_plan {
 *     using compression_type = strata::zstd_compression;   // what old items become
 *     using cas_type = strata::cas_store<Backend, strata::sha256, strata::no_compression,
 *                                        strata::zstd_compression>;  // writes none, reads zstd
 *     strata::zstd_compression compression() const { return {.level = 9}; }  // optional: settings
 *     cas_type& cas();                                                      // optional: its blobs
 *     ...
 * };
 * strata::migrator<my_plan, strata::sqlite_backend> m(db);
 * auto preview = m.compress_old(std::chrono::days(30), {.dry_run = true});  // what it would save
 * auto done = m.compress_old(std::chrono::days(30));                         // resumable
 * @endcode
 *
 * A plan that names no `compression_type` (or `strata::no_compression`) has no compression
 * stage: `compress_old` reports it skipped and writes nothing. Why not "zstd whenever
 * strata::zstd is linked"? A default that changed with what a program links (or which headers a
 * translation unit included first) would give one template two meanings in one program; naming
 * the codec in the plan says it once, where the chain and the content store are chosen.
 *
 * What the stage rewrites (compression/recompress.hpp does the work, batch by batch, each batch
 * committed with its cursor so that a stopped or crashed pass resumes where it stopped):
 * - the frames of the chunked latest documents (their metadata and chunks), written uncompressed
 *   by migrations and saves, once older than the age (by the time they were written, against the
 *   migrator's clock);
 * - the content store's blobs (the plan's `compress_content(target, min_age, options)` hook, or
 *   else `plan.cas().compress_older_than(...)` when the plan has a `cas()`), against the content
 *   store's own clock.
 * Backups, whole documents (`P doc/ I`) and the migrator's records are not touched: a rollback
 * restores the original bytes exactly, compressed latest documents or not. Values that do not
 * shrink are marked once and skipped after that, so a second pass writes nothing.
 *
 * Run the stage while nothing else writes the latest documents (the migrator is not thread-safe
 * anyway; another process should hold off, e.g. behind the runner's lease): a pass reads a value
 * and writes its compressed form later.
 */
#pragma once

#include <strata/compression/frame.hpp>
#include <strata/compression/recompress.hpp>
#include <strata/migration/results.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace strata {
inline namespace v1 {

/// How a `migrator::compress_old` pass goes.
struct compress_options {
    /// Write nothing; the result says what a real pass would rewrite and save.
    bool dry_run = false;
    /// Compress the frames of the chunked latest documents.
    bool documents = true;
    /// Compress the content store's blobs (when the plan has one).
    bool blobs = true;
    /// A batch is committed once its rewrites hold this many bytes…
    std::size_t batch_bytes = std::size_t{4} << 20;
    /// …or once this many values were examined since the last one.
    std::size_t batch_entries = 1024;
    /// Checked after each batch: `true` stops the pass there (the next pass resumes after it).
    std::function<bool()> stop{};
};

/// What a compression pass did (or, dry, would do).
struct compress_result {
    bool dry_run = false;
    /// Both parts reached their end (false: stopped; the next pass resumes).
    bool finished = false;
    /// The frames of the chunked latest documents.
    recompress_report documents;
    /// The content store's blobs (`std::nullopt`: the plan has none, or they were not asked for).
    std::optional<recompress_report> blobs;
    /// The stage's statistics: `documents` counts the values rewritten (frames and blobs),
    /// `bytes_in`/`bytes_out` their stored bytes before and after; `skipped` when the plan
    /// names no compression.
    stage_stats stats;

    /// Stored bytes saved (or, dry, that would be).
    std::uint64_t bytes_saved() const noexcept { return stats.bytes_in - stats.bytes_out; }

    /// One line for a log.
    std::string summary() const {
        if (stats.skipped) return "compression: skipped (the plan names no compression policy)";
        std::string s = std::string(dry_run ? "compression (dry run): " : "compression: ") + "documents: " +
                        documents.summary();
        if (blobs) s += "; blobs: " + blobs->summary();
        return s;
    }
};

/// @cond internal
namespace detail::plan_hooks {

template <class P>
struct compression_of {
    using type = no_compression;
};
template <class P>
    requires requires { typename P::compression_type; }
struct compression_of<P> {
    using type = typename P::compression_type;
};

/// The codec a plan names for old items (`no_compression`: none).
template <class P>
using compression_t = typename compression_of<P>::type;

/// The plan's codec with its settings (`plan.compression()` when it has one).
template <class P>
compression_t<P> compression(const P& plan) {
    if constexpr (requires { { plan.compression() } -> std::convertible_to<compression_t<P>>; }) {
        return plan.compression();
    } else {
        return compression_t<P>{};
    }
}

/// Compresses the plan's content-store blobs; `std::nullopt` when the plan has none.
template <class P, class Target>
std::optional<recompress_report> compress_content(P& plan, const Target& target, std::chrono::milliseconds min_age,
                                                  recompress_options options) {
    if constexpr (requires { { plan.compress_content(target, min_age, options) } -> std::convertible_to<recompress_report>; }) {
        return plan.compress_content(target, min_age, std::move(options));
    } else if constexpr (requires { plan.cas().compress_older_than(target, min_age, options); }) {
        return plan.cas().compress_older_than(target, min_age, std::move(options));
    } else {
        return std::nullopt;
    }
}

/// The plan over `store`: constructed with the migrator's options too when it takes them (so
/// that its content store dates blobs with the migrator's clock), else with the store alone.
template <class P, class Backend, class Options>
P make_plan(Backend& store, const Options& options) {
    if constexpr (std::is_constructible_v<P, Backend&, const Options&>) {
        return P(store, options);
    } else {
        return P(store);
    }
}

/// Whether the plan has a content store the stage compresses.
template <class P, class Target>
constexpr bool has_content_store =
    requires(P& plan, const Target& target, std::chrono::milliseconds min_age, recompress_options options) {
        { plan.compress_content(target, min_age, options) } -> std::convertible_to<recompress_report>;
    } || requires(P& plan, const Target& target, std::chrono::milliseconds min_age, recompress_options options) {
        plan.cas().compress_older_than(target, min_age, options);
    };

}  // namespace detail::plan_hooks

namespace detail {

/**
 * Runs the compression stage over a staged view of the store. A real pass commits each of the
 * recompression's batches as soon as it is applied (the pass calls `stop` after every batch),
 * so memory stays flat and each batch commits with its cursor. A dry pass discards each batch
 * instead when nothing else was staged when it began (a `compress_old` of its own), or keeps
 * everything for its caller to discard (the stage of a dry migration run, whose staged
 * documents the pass must see).
 */
template <class Staged, class Plan, class Target>
compress_result run_compress_stage(Staged& staged, Plan& plan, const Target& target, const std::string& latest_prefix,
                                   const std::string& cursor_key, std::chrono::milliseconds min_age,
                                   const compress_options& options, const std::function<std::int64_t()>& now_ms) {
    compress_result result;
    result.dry_run = options.dry_run;
    const auto t0 = std::chrono::steady_clock::now();
    const bool alone = staged.staged_keys() == 0;
    bool stopped = false;
    const auto after_batch = [&] {
        if (!options.dry_run) {
            staged.commit();
        } else if (alone) {
            staged.discard();
        }
        stopped = options.stop && options.stop();
        return stopped;
    };
    recompress_options ro;
    ro.batch_bytes = options.batch_bytes;
    ro.batch_entries = options.batch_entries;
    ro.stop = after_batch;
    try {
        if (options.documents) {
            ro.prefix = latest_prefix;
            ro.min_age = min_age;
            ro.cursor_key = cursor_key;
            ro.now_ms = now_ms;
            result.documents = recompress(staged, target, ro);
            after_batch();
        }
        if (options.blobs && !stopped) {
            recompress_options blob_options;
            blob_options.batch_bytes = options.batch_bytes;
            blob_options.batch_entries = options.batch_entries;
            blob_options.stop = after_batch;
            result.blobs = plan_hooks::compress_content(plan, target, min_age, std::move(blob_options));
            after_batch();
        }
    } catch (...) {
        if (alone) staged.discard();  // the cursor says where the next pass resumes
        throw;
    }
    constexpr bool has_blobs = plan_hooks::has_content_store<Plan, Target>;
    result.finished = (!options.documents || result.documents.finished) &&
                      (!options.blobs || !has_blobs || (result.blobs && result.blobs->finished));
    for (const recompress_report* r : {&result.documents, result.blobs ? &*result.blobs : nullptr}) {
        if (!r) continue;
        result.stats.documents += r->rewritten;
        result.stats.bytes_in += r->bytes_before;
        result.stats.bytes_out += r->bytes_after;
    }
    result.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

}  // namespace detail
/// @endcond

}  // namespace v1
}  // namespace strata
