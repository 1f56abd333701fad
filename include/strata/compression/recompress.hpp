/**
 * @file
 * @brief The background compression pass: compresses, in place, the frames under a key prefix
 * that were written uncompressed and are older than a minimum age; resumable, cancellable,
 * idempotent, and it reports the bytes saved.
 *
 * @code
 * #include <strata/compression/recompress.hpp>
 * #include <strata/compression/zstd.hpp>
 *
 * // Blobs written with 'none' (fast on the write path) become zstd-9 after 30 days.
 * strata::recompress_report r = strata::recompress(store, strata::zstd_compression{.level = 9}, {
 *     .prefix = "cas/blob/",
 *     .min_age = std::chrono::days{30},
 *     .cursor_key = "cas/meta/recompress-cursor",   // resume here after a stop or a crash
 *     .stop = [&] { return shutting_down.load(); },  // checked between batches
 * });
 * log(r.summary());  // "examined 1200, rewritten 800 (… bytes, saved …), skipped …; finished"
 *
 * // Also turn lz4 frames (hot data written fast) into zstd once they are cold:
 * strata::recompress<strata::lz4_compression>(store, strata::zstd_compression{.level = 9}, options);
 * @endcode
 *
 * **What is rewritten.** Every value under `prefix` is examined, in key order:
 * - not a frame, or a frame that does not decode (corrupt, over `max_frame_size`, a codec this
 *   pass does not read): **left as it is**, counted in `skipped_errors` and listed (key and
 *   reason) in `problems`; the pass goes on;
 * - a frame already in the target codec, or in a codec the pass was not asked to recode:
 *   `skipped_compressed` (frames in the target codec are never recompressed, even at another
 *   level: the frame does not record the level);
 * - marked *incompressible* by an earlier pass (see below): `skipped_incompressible`, unless
 *   `retry_incompressible` (e.g. for a stronger target);
 * - younger than `min_age` (by its written time against `now_ms()`, taken once at the start):
 *   `skipped_young`;
 * - otherwise ('none', or one of the `Recoded` codecs) its bytes are compressed with the target
 *   into a new frame **with the original written time**, which replaces the value if it is
 *   smaller. If it is not (`skipped_no_gain`: JPEG or PNG screenshots, anything already
 *   compressed), the value keeps its codec and payload but, with `mark_incompressible` (the
 *   default), is rewritten once with the frame's *incompressible* flag set (`marked`), so that
 *   later passes skip it after reading its header instead of compressing it again: one write
 *   of the value, once, against one compression per value per pass. Without marking, such
 *   values are not written at all and are compressed again by every pass.
 *
 * **Batches and resuming.** Rewrites go into a `write_batch` that is applied when it holds
 * `batch_bytes` bytes or when `batch_entries` values were examined since the last one. When a
 * `cursor_key` is given, each batch also puts the last key examined under it, so the batch's
 * rewrites and the position commit together: after a stop (the `stop` predicate, checked after
 * each batch) or a crash (a failed `apply`, a killed process), the next pass with the same
 * options starts after that key. The pass that reaches the end erases the cursor in its last
 * batch, so the pass after it starts from the beginning. The cursor key may lie anywhere (it is
 * skipped if it lies under the prefix, but a key outside it keeps other scans of the prefix
 * clean). A report counts only what its own call did.
 *
 * **Idempotent.** A second pass over the same data writes nothing and reports 0 bytes saved:
 * rewritten frames are in the target codec, marked ones are skipped, and the others are skipped
 * for the same reasons as before (until they grow old enough).
 *
 * **The caller's metadata.** `on_rewrite(batch, key, before, stored_size_after)` is called for
 * each value the pass writes (a rewrite, or a mark, whose size is unchanged), after the new
 * frame is put in the batch: a store that keeps sizes or codecs of its own (the content store's
 * physical bytes) adds its updates to the same batch, which then commits with the write (or
 * erases the key again in the batch, when the value must not be written after all).
 *
 * **Concurrency: the pass must not race with writers of the same keys.** It reads a value and
 * writes its recompressed form later, in a batch; the backend has no compare-and-swap, so a
 * value that another writer replaces in between is overwritten with the older bytes, and that
 * write is lost. What is safe:
 * - **content-addressed blobs** (the content store): a key's bytes never change, so a rewrite
 *   can only put back the same bytes. The one race left is with deletion: a blob the garbage
 *   collector erases between the read and the batch is put back; it is still unreferenced and
 *   keeps its old written time, so the next collection removes it again;
 * - any other keys while no writer touches them: run the pass with writers stopped, under the
 *   application's own lock for those keys, or only over values that are no longer written
 *   (`min_age` beyond the age at which a chunk or document can still change narrows the window
 *   but does not close it).
 * Readers are never disturbed: each rewrite replaces a value atomically with one that decodes
 * to the same bytes (readers must list the target codec in `decode_frame`).
 */
#pragma once

#include <strata/compression/frame.hpp>
#include <strata/error.hpp>
#include <strata/storage/backend.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// The options of a compression pass (`recompress`).
struct recompress_options {
    /// The keys to examine: those that start with it ("" is the whole store).
    std::string prefix{};
    /// Only frames at least this old (by their written time) are rewritten; 0: every frame.
    std::chrono::milliseconds min_age{0};
    /// Where the pass records its position so that a stopped or crashed pass resumes ("" : it
    /// does not; each pass starts at the beginning). Give each pass (prefix) its own key.
    std::string cursor_key{};
    /// A batch is applied once its puts hold this many bytes (keys + values)…
    std::size_t batch_bytes = std::size_t{4} << 20;
    /// …or once this many values were examined since the last one.
    std::size_t batch_entries = 1024;
    /// Values read per scan (memory holds one page of values at a time).
    std::size_t scan_page = 64;
    /// Frames declaring more bytes than this are not decoded (reported as problems).
    std::uint64_t max_frame_size = default_max_frame_size;
    /// At most this many problems are listed in the report (all are counted).
    std::size_t max_problems = 100;
    /// The clock: ms since the Unix epoch (default: `std::chrono::system_clock`).
    std::function<std::int64_t()> now_ms{};
    /// Rewrite a value that did not shrink once, with the frame's *incompressible* flag, so that
    /// later passes skip it (see the file comment).
    bool mark_incompressible = true;
    /// Examine values marked incompressible again (e.g. with a stronger target).
    bool retry_incompressible = false;
    /// Checked after each batch (and before the first): `true` stops the pass there.
    std::function<bool()> stop{};
    /// Called for each value written (rewrite or mark), after it was put in `batch` (see the
    /// file comment).
    std::function<void(write_batch& batch, std::string_view key, const frame_info& before,
                       std::size_t stored_size_after)>
        on_rewrite{};
};

/// A value the pass could not read, left as it was.
struct recompress_problem {
    std::string key;     ///< the value's key
    std::string reason;  ///< why (the `storage_error`'s reason)
    friend bool operator==(const recompress_problem&, const recompress_problem&) = default;
};

/// What a compression pass did (only this call: a resumed pass counts from where it resumed).
struct recompress_report {
    std::size_t examined = 0;            ///< values read under the prefix (the cursor key excluded)
    std::size_t rewritten = 0;           ///< values replaced by a smaller frame in the target codec
    std::size_t skipped_young = 0;       ///< frames younger than `min_age`
    std::size_t skipped_compressed = 0;  ///< frames in the target codec or one not recoded
    std::size_t skipped_no_gain = 0;     ///< frames whose recompressed form is not smaller
    std::size_t marked = 0;              ///< of those, marked incompressible by this pass
    std::size_t skipped_incompressible = 0;  ///< frames marked incompressible by an earlier pass
    std::size_t skipped_errors = 0;  ///< not frames, or frames that do not decode (left alone)
    std::uint64_t bytes_before = 0;  ///< stored bytes of the rewritten values, before
    std::uint64_t bytes_after = 0;   ///< and after
    std::uint64_t bytes_saved = 0;   ///< `bytes_before - bytes_after`
    std::size_t batches = 0;         ///< batches applied
    bool finished = false;           ///< reached the end of the prefix (false: stopped)
    std::optional<std::string> resumed_after;  ///< the cursor the pass started after, if any
    std::vector<recompress_problem> problems;  ///< the first `max_problems` problems

    /// One line for a log: counts, bytes, and whether the pass finished.
    std::string summary() const {
        std::string s =
            "examined " + std::to_string(examined) + ", rewritten " + std::to_string(rewritten) +
            " (" + std::to_string(bytes_before) + " -> " + std::to_string(bytes_after) +
            " bytes, saved " + std::to_string(bytes_saved) + "), skipped " +
            std::to_string(skipped_young) + " young, " + std::to_string(skipped_compressed) +
            " compressed, " + std::to_string(skipped_incompressible) + " incompressible, " +
            std::to_string(skipped_no_gain) + " no gain (" + std::to_string(marked) + " marked), " +
            std::to_string(skipped_errors) + " unreadable; " + std::to_string(batches) +
            " batches; " + (finished ? "finished" : "stopped");
        return s;
    }
};

/**
 * @brief Recompresses with `target`, in place, the frames under `options.prefix` written with
 * 'none' (or one of the `Recoded` codecs) and older than `options.min_age`; see the file
 * comment for what is rewritten, batches, resuming, the hook and concurrency.
 * @tparam Recoded codecs whose frames are also recompressed into the target (none by default).
 * @throws error when the cursor holds a key not under the prefix (another pass's cursor);
 * whatever the backend or the hook throws (the batch being built is then not applied; rerun
 * to resume).
 */
template <compression_policy... Recoded, backend B, compression_policy Target>
recompress_report recompress(B& store, const Target& target,
                             const recompress_options& options = {}) {
    static_assert(check_backend<B>());
    static_assert(check_compression_policy<Target>());
    static_assert(
        Target::id != no_compression::id,
        "strata: recompress into no_compression would only make values larger; pass the codec to "
        "compress into, e.g. strata::zstd_compression{.level = 9}");
    recompress_report report;
    const bool has_cursor = !options.cursor_key.empty();
    std::optional<std::string> after;
    if (has_cursor) {
        if (auto cursor = store.get(options.cursor_key)) {
            if (!cursor->starts_with(options.prefix)) {
                throw error("strata: recompress: the cursor key \"" + options.cursor_key +
                            "\" holds \"" + *cursor + "\", which is not under the prefix \"" +
                            options.prefix +
                            "\" (another pass's cursor? give each pass its own cursor key)");
            }
            report.resumed_after = *cursor;
            after = std::move(*cursor);
        }
    }
    const std::int64_t now =
        options.now_ms ? options.now_ms() : to_unix_ms(std::chrono::system_clock::now());
    const auto min_age =
        static_cast<std::uint64_t>(options.min_age.count() < 0 ? 0 : options.min_age.count());
    const std::size_t page_size = options.scan_page == 0 ? 1 : options.scan_page;

    write_batch batch;
    std::size_t examined_in_batch = 0;
    std::string last;  // the last key examined
    bool cursor_stored = report.resumed_after.has_value();  // erased at the end if so
    auto commit = [&](bool at_end) {
        if (has_cursor) {
            if (at_end) {
                if (cursor_stored) batch.erase(options.cursor_key);
            } else if (examined_in_batch > 0) {
                batch.put(options.cursor_key, last);
                cursor_stored = true;
            }
        }
        if (!batch.empty()) {
            store.apply(batch);
            ++report.batches;
        }
        batch.clear();
        examined_in_batch = 0;
    };
    auto done = [&](bool finished) {
        report.finished = finished;
        report.bytes_saved = report.bytes_before - report.bytes_after;
        return std::move(report);
    };
    auto problem = [&](const std::string& key, std::string reason) {
        ++report.skipped_errors;
        if (report.problems.size() < options.max_problems)
            report.problems.push_back({key, std::move(reason)});
    };
    auto stop_requested = [&] { return options.stop && options.stop(); };

    if (stop_requested()) return done(false);
    std::string bytes;
    std::string fresh;
    for (;;) {
        auto page =
            store.scan(options.prefix,
                       after ? std::optional<std::string_view>(*after) : std::nullopt, page_size);
        for (const key_value& entry : page) {
            if (has_cursor && entry.key == options.cursor_key) continue;
            ++report.examined;
            ++examined_in_batch;
            last = entry.key;
            [&] {
                frame_info info;
                try {
                    info = read_frame_header(entry.value, entry.key);
                } catch (const storage_error& e) {
                    return problem(entry.key, e.reason());
                }
                const bool recoded =
                    info.codec == no_compression::id || ((info.codec == Recoded::id) || ...);
                if (info.codec == Target::id || !recoded) {
                    ++report.skipped_compressed;
                    return;
                }
                if (info.incompressible() && !options.retry_incompressible) {
                    ++report.skipped_incompressible;
                    return;
                }
                if (info.written_ms > now ||
                    static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(info.written_ms) <
                        min_age) {
                    ++report.skipped_young;
                    return;
                }
                bytes.clear();
                fresh.clear();
                try {
                    decode_frame_to<Recoded...>(bytes, entry.value, entry.key,
                                                options.max_frame_size);
                } catch (const storage_error& e) {
                    return problem(entry.key, e.reason());
                }
                try {
                    encode_frame_to(fresh, target, bytes, info.written_ms);
                } catch (const compression_error& e) {
                    return problem(entry.key, "the target codec (" + std::string(Target::name) +
                                                  ") cannot compress it: " + e.what());
                }
                if (fresh.size() >= entry.value.size()) {
                    ++report.skipped_no_gain;
                    if (options.mark_incompressible && !info.incompressible()) {
                        fresh.assign(entry.value);
                        fresh[frame_flags_offset] =
                            static_cast<char>(info.flags | frame_flag_incompressible);
                        batch.put(entry.key, fresh);
                        if (options.on_rewrite)
                            options.on_rewrite(batch, entry.key, info, fresh.size());
                        ++report.marked;
                    }
                    return;
                }
                batch.put(entry.key, fresh);
                if (options.on_rewrite) options.on_rewrite(batch, entry.key, info, fresh.size());
                ++report.rewritten;
                report.bytes_before += entry.value.size();
                report.bytes_after += fresh.size();
            }();
            if (batch.byte_size() >= options.batch_bytes ||
                examined_in_batch >= options.batch_entries) {
                commit(false);
                if (stop_requested()) return done(false);
            }
        }
        if (page.size() < page_size) break;
        after = std::move(page.back().key);
    }
    commit(true);
    return done(true);
}

}  // namespace v1
}  // namespace strata
