/**
 * @file
 * @brief `migrator`: the whole job of moving a store's documents to the latest version —
 * batch, single and on-demand migration, dry runs, verification, backups, rollback, rollback
 * points, a journal and a cheap status (needs strata::json and strata::openssl).
 *
 * @code
 * strata::sqlite_backend db("sessions.db");
 * strata::migrator<session_plan, strata::sqlite_backend> m(db);
 * m.import("session-1", legacy_bytes);                       // whole bytes, any version
 * auto preview = m.migrate_all({.dry_run = true});           // what a real run would do
 * auto result = m.migrate_all();                             // verified, backed up, journaled
 * session_v3 s = *m.read("session-1");                       // any version in, latest out
 * m.rollback({"session-1"});                                 // original bytes back, exactly
 * m.compress_old(std::chrono::days(30));                     // old items zstd (compress.hpp)
 * @endcode
 *
 * ## One document, one atomic change
 * For each document the migrator decodes the stored bytes with the struct of their version,
 * validates, upgrades through the plan's chain, and stages in one batch: the latest version
 * (in the chunked layout when it has one), what the plan adds (content-store blobs and
 * references, index postings), the backup of the original, the catalogue entry and the
 * journal entry. It then reads the document back through the staged store and compares it
 * with what it wrote (`strata::diff`). Anything that fails — decode, a step, a validator, a
 * missing attachment, a mismatch — takes back that document's staged writes, records the
 * failure (stage, JSON path, message) and the run goes on. Documents are committed
 * `batch_documents` at a time, each of them whole, with the run's checkpoint in the same
 * transaction: after a crash a rerun resumes after the last committed document.
 *
 * ## Backups cost nothing extra
 * The original bytes of a document in whole form stay where they are (P `doc/` I) when the
 * migration writes the chunked layout: the backup record points at them. They are copied only
 * when the migration would overwrite them (latest stored whole). A rollback restores those
 * bytes exactly and removes what the migration added.
 *
 * ## Old items compressed
 * A plan that names a `compression_type` (compress.hpp) gets a last pipeline stage: the frames
 * of the chunked latest documents and the content store's blobs written at least
 * `run_options::compress_min_age` ago (30 days) are recompressed with it when a batch run
 * completes (`run_options::compress`), or whenever `compress_old` is called. Documents are
 * written uncompressed (the write path stays fast) and read in either form; backups are never
 * compressed, so a rollback restores the original bytes exactly.
 *
 * Not thread-safe: one migrator per store, used from one thread (the background runner owns
 * its migrator's thread). Keys are listed in records.hpp.
 */
#pragma once

#include <strata/chunked/chunked_store.hpp>
#include <strata/diff.hpp>
#include <strata/error.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>
#include <strata/migration/compress.hpp>
#include <strata/migration/log.hpp>
#include <strata/migration/plan.hpp>
#include <strata/migration/records.hpp>
#include <strata/migration/results.hpp>
#include <strata/migration/retention.hpp>
#include <strata/storage/backend.hpp>
#include <strata/storage/staged.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// What `import` did with a document.
enum class import_outcome { added, unchanged };

/// Importing a document was refused; nothing was written.
class import_error : public error {
public:
    using error::error;
};

/**
 * @brief Migrates the documents of a store (see the file comment).
 * @tparam Plan the user's plan, a class template over the staged backend (plan.hpp)
 * @tparam Backend the store, any `strata::backend`
 * @tparam Log the logging policy (log.hpp): runs, failures and rollbacks are logged to it
 * @tparam Checksum the hash of backups, journal and rollback points
 */
template <template <class> class Plan, backend Backend, log_sink Log = null_log, hash_policy Checksum = sha256>
class migrator {
public:
    using staged_type = staged_backend<Backend>;
    using plan_type = Plan<staged_type>;
    static_assert(migration_plan<plan_type>,
                  "strata: a migration plan needs `using chain_type = ...;`, `using detector_type = ...;` "
                  "and `chain_type& chain();`");
    using chain_type = typename plan_type::chain_type;
    using detector_type = typename plan_type::detector_type;
    using latest = typename chain_type::latest;
    static constexpr schema_version_t latest_version = chain_type::latest_version;
    static constexpr bool chunks = has_chunk_layout<latest>;
    /// The codec old items are compressed with: the plan's `compression_type` (compress.hpp);
    /// `no_compression` when it names none (then there is no compression stage).
    using compression_type = detail::plan_hooks::compression_t<plan_type>;
    static_assert(compression_policy<compression_type>,
                  "strata: a plan's compression_type must be a compression policy, e.g. strata::zstd_compression "
                  "(see strata/compression/frame.hpp)");
    /// Whether the plan names a compression policy (the "compress old items" stage exists).
    static constexpr bool compresses = compression_type::id != no_compression::id;

    /// Progress after each document: (outcome, documents done, documents in the run, or 0).
    using progress_callback = std::function<void(const document_outcome&, std::uint64_t, std::uint64_t)>;

    explicit migrator(Backend& store, migration_options options = {}, Log log = {})
        : log_(std::move(log)),
          options_(std::move(options)),
          keys_(options_.prefix),
          staged_(store),
          plan_(detail::plan_hooks::make_plan<plan_type>(staged_, options_)),
          latest_store_(staged_, keys_.latest_store(), chunked_options{options_.now_ms, default_max_frame_size}) {}

    plan_type& plan() noexcept { return plan_; }
    /// The logging sink.
    Log& log() noexcept { return log_; }
    staged_type& staged() noexcept { return staged_; }
    Backend& store() const noexcept { return staged_.base(); }
    const migration_keys& keys() const noexcept { return keys_; }
    /// Called after each document of a run or a rollback (outcome `rolled_back`, `skipped` or
    /// `failed` then).
    void on_progress(progress_callback callback) { progress_ = std::move(callback); }

    // --- documents in -----------------------------------------------------------------------------

    /**
     * @brief Stores the bytes of a document of any version the chain knows, verbatim.
     * @return `added`, or `unchanged` when the same bytes are already stored under `id`
     * @throws import_error when `id` holds other bytes, or the bytes are not a JSON object of a
     * version the chain knows (naming the document and the place)
     */
    import_outcome import(std::string_view id, std::string_view bytes) {
        if (id.empty()) throw import_error("import: a document needs a non-empty id");
        if (auto existing = current_whole_bytes(id)) {
            if (*existing == bytes) return import_outcome::unchanged;
            throw import_error("import: document \"" + std::string(id) +
                               "\" is already stored with other bytes (conflict); nothing was written");
        }
        if (staged_.contains(keys_.catalogue(id))) {
            throw import_error("import: document \"" + std::string(id) +
                               "\" is already stored (migrated); nothing was written");
        }
        schema_version_t version = 0;
        try {
            version = detect(id, bytes);
        } catch (const error& e) {
            throw import_error(std::string("import: ") + e.what());
        }
        if (version < chain_type::first_version || version > latest_version) {
            throw import_error("import: document \"" + std::string(id) + "\" is schema version " +
                               std::to_string(version) + "; this program knows " +
                               std::to_string(chain_type::first_version) + " to " +
                               std::to_string(latest_version));
        }
        write_batch batch;
        batch.put(keys_.document(id), bytes);
        batch.put(keys_.catalogue(id), json::encode(catalogue_entry{version, std::string(document_form::whole), bytes.size()}));
        staged_.base().apply(batch);
        return import_outcome::added;
    }

    /// Writes the latest version of a document (chunked when it has a layout): how an
    /// application saves after migration.
    void write(const latest& doc) {
        write_batch batch;
        detail::plan_hooks::begin_document(plan_, batch, id_of(doc));
        stage_latest(batch, doc, true);
        detail::plan_hooks::index_document(plan_, batch, doc);
        staged_.base().apply(batch);
    }

    // --- documents out ----------------------------------------------------------------------------

    /// The ids of every catalogued document, in byte order, `limit` at most after `after`.
    std::vector<std::pair<std::string, catalogue_entry>> list(std::optional<std::uint32_t> version = {},
                                                              std::size_t limit = no_limit,
                                                              std::string_view after = {}) const {
        std::vector<std::pair<std::string, catalogue_entry>> out;
        const std::string prefix = keys_.catalogue();
        for_each_catalogued(prefix, after, [&](std::string id, catalogue_entry entry) {
            if (version && entry.schema != *version) return true;
            out.emplace_back(std::move(id), std::move(entry));
            return out.size() < limit;
        });
        return out;
    }

    /**
     * @brief The latest version of document `id` (dual read: works before migration, writes
     * nothing), or `std::nullopt` when there is none.
     * @throws decode_error / version_error / validation errors naming the document and path
     */
    std::optional<latest> read(std::string_view id) {
        auto entry = catalogue_of(id);
        if (!entry) return std::nullopt;
        if (entry->form == document_form::chunked) return load_latest(id);
        auto bytes = staged_.get(keys_.document(id));
        if (!bytes) throw storage_error("read", keys_.document(id), "the catalogue lists the document, its bytes are missing");
        write_batch scratch;
        detail::plan_hooks::begin_document(plan_, scratch, id);
        return decode_latest(id, *bytes, nullptr).value;
    }

    /// Reads `id` and, when it is not at the latest version, migrates it (one document, one
    /// transaction): on-demand migration. The outcome says what happened.
    std::pair<std::optional<latest>, document_outcome> read_and_migrate(std::string_view id, const run_options& run = {}) {
        auto result = migrate(std::vector<std::string>{std::string(id)}, run);
        document_outcome outcome = result.documents.empty() ? document_outcome{} : result.documents.front();
        return {read(id), std::move(outcome)};
    }

    /**
     * @brief The bytes a document is stored as: the whole bytes, or the codec's encoding of a
     * chunked document (what `export --stored` writes); `std::nullopt` when there is none.
     */
    std::optional<std::string> stored_bytes(std::string_view id) {
        auto entry = catalogue_of(id);
        if (!entry) return std::nullopt;
        if (entry->form == document_form::chunked) {
            auto doc = load_latest(id);
            if (!doc) return std::nullopt;
            return json::encode(*doc);
        }
        return staged_.get(keys_.document(id));
    }

    // --- status -----------------------------------------------------------------------------------

    /// The store at a glance, reading the catalogue only (and up to `failure_limit` failures).
    migration_status status(std::size_t failure_limit = 100) const {
        migration_status s;
        s.latest_version = latest_version;
        for_each_catalogued(keys_.catalogue(), {}, [&](std::string, catalogue_entry entry) {
            ++s.total;
            ++s.per_version[entry.schema];
            if (entry.schema == latest_version) ++s.at_latest;
            return true;
        });
        s.percent_at_latest = s.total == 0 ? 100.0 : 100.0 * static_cast<double>(s.at_latest) / static_cast<double>(s.total);
        s.failed = staged_.count(keys_.failures());
        for (const auto& kv : staged_.scan(keys_.failures(), std::nullopt, failure_limit)) {
            s.failures.push_back(detail::read_record<failure_record>(kv.key, kv.value));
        }
        s.backups = staged_.count(keys_.backups());
        s.points = list_points();
        if (auto cp = staged_.get(keys_.checkpoint())) {
            auto r = staged_.get(keys_.run(*cp));
            if (r) s.run_in_progress = detail::read_record<run_record>(keys_.run(*cp), *r);
        }
        return s;
    }

    // --- migration --------------------------------------------------------------------------------

    /**
     * @brief Migrates every document not at the latest version, in id order. Resumes the run
     * left unfinished by a crash or a stop (from its checkpoint) when there is one.
     */
    migration_result migrate_all(const run_options& run = {}) {
        try {
            return migrate_all_from_checkpoint(run);
        } catch (...) {
            staged_.discard();  // nothing half-done stays staged; the checkpoint says where to resume
            throw;
        }
    }

    /// Migrates the documents `ids` (in the order given); unknown ids fail with a reason.
    migration_result migrate(std::span<const std::string> ids, const run_options& run = {}) {
        try {
            return migrate_ids(ids, run);
        } catch (...) {
            staged_.discard();
            throw;
        }
    }

    // --- compression of old items ------------------------------------------------------------

    /**
     * @brief The "compress old items" stage on its own: recompresses with the plan's
     * `compression_type` the chunked latest documents' frames and the content store's blobs
     * written at least `min_age` ago (compress.hpp). Resumable (a cursor per part, committed
     * with each batch), stoppable (`options.stop`), idempotent (a second pass writes nothing);
     * with `options.dry_run`, writes nothing and says what it would save. Reads afterwards give
     * the same documents; rollbacks restore the same original bytes (backups are not touched).
     * When the plan names no compression, writes nothing and reports the stage skipped.
     * @throws whatever the store throws (what was committed stays; the next pass resumes)
     */
    compress_result compress_old(std::chrono::milliseconds min_age = std::chrono::hours(24 * 30),
                                 const compress_options& options = {}) {
        if constexpr (!compresses) {
            compress_result skipped;
            skipped.dry_run = options.dry_run;
            skipped.finished = true;
            skipped.stats.skipped = true;
            return skipped;
        } else {
            if (options.dry_run) {
                staged_.discard();
            } else {
                staged_.commit();
            }
            auto result = detail::run_compress_stage(staged_, plan_, detail::plan_hooks::compression(plan_),
                                                     keys_.latest_store(), keys_.compress_cursor(), min_age, options,
                                                     options_.now_ms);
            log(log_level::info, {}, {}, result.summary());
            return result;
        }
    }

private:
    migration_result migrate_all_from_checkpoint(const run_options& run) {
        run_state state = begin_run(run, true);
        std::string after = state.record.cursor;
        bool stopped = false;
        std::vector<std::string> page_ids;
        for (;;) {
            page_ids.clear();
            // One page of the catalogue at a time: flat memory over any store size.
            for_each_catalogued(keys_.catalogue(), after, [&](std::string id, catalogue_entry) {
                page_ids.push_back(std::move(id));
                return page_ids.size() < 256;
            });
            for (const std::string& id : page_ids) {
                process(state, id);
                after = id;
                if (state.group_documents >= run.batch_documents || staged_.staged_bytes() >= run.batch_bytes) {
                    commit_group(state, after);
                    if (stop_requested(run)) {
                        stopped = true;
                        break;
                    }
                }
            }
            if (stopped || page_ids.size() < 256) break;
        }
        return finish_run(state, after, stopped);
    }

    migration_result migrate_ids(std::span<const std::string> ids, const run_options& run) {
        run_state state = begin_run(run, false);
        bool stopped = false;
        for (const std::string& id : ids) {
            process(state, id);
            if (state.group_documents >= run.batch_documents || staged_.staged_bytes() >= run.batch_bytes) {
                commit_group(state, {});
                if (stop_requested(run)) {
                    stopped = true;
                    break;
                }
            }
        }
        return finish_run(state, {}, stopped);
    }

public:

    // --- rollback ---------------------------------------------------------------------------------

    /// Rolls back the documents `ids` to the bytes of their newest backup.
    rollback_result rollback(std::span<const std::string> ids) {
        rollback_result result;
        run_state state = begin_rollback_run();
        guard_rollback([&] {
            for (const std::string& id : ids) {
                rollback_one(state, id, std::nullopt, result);
                report_rollback(result, id, ids.size());
            }
        });
        finish_rollback_run(state);
        return result;
    }
    /// Rolls back every document that has a backup and is not in whole form.
    rollback_result rollback_all() {
        std::vector<std::string> ids;
        std::string last;
        for_each_entry(staged_, keys_.backups(), [&](const key_value& kv) {
            auto [id, rest] = detail::split_escaped_id(std::string_view(kv.key).substr(keys_.backups().size()));
            if (id != last) {
                ids.push_back(id);
                last = id;
            }
        });
        return rollback(ids);
    }
    /// Rolls back every document run `run_id` migrated.
    rollback_result rollback_run(std::string_view run_id) {
        std::vector<std::string> ids;
        for (const journal_entry& e : journal_of_run(run_id)) {
            if (e.outcome == "migrated") ids.push_back(e.document);
        }
        return rollback(ids);
    }

    // --- backups ----------------------------------------------------------------------------------

    /// Every backup, by document then time.
    std::vector<backup_record> backups() const {
        std::vector<backup_record> out;
        for_each_entry(staged_, keys_.backups(), [&](const key_value& kv) {
            out.push_back(detail::read_record<backup_record>(kv.key, kv.value));
        });
        return out;
    }

    /**
     * @brief Removes the backups `remove` says to (by document and creation time), and their
     * bytes when nothing else needs them (the document itself in whole form, another backup, a
     * rollback point); returns how many were removed. With `dry_run`, removes nothing.
     */
    std::size_t remove_backups(std::span<const backup_record> remove, bool dry_run = false) {
        if (dry_run) return remove.size();
        write_batch batch;
        for (const backup_record& b : remove) {
            batch.erase(keys_.backup(b.document, b.created_ms));
            staged_.apply(batch);
            batch.clear();
            if (!bytes_needed(b.document, b.key)) staged_.erase(b.key);
        }
        staged_.commit();
        return remove.size();
    }

    /// What a backup cleanup decided: every backup, and per backup whether it stays and why.
    struct backup_cleanup {
        std::vector<backup_record> backups;
        std::vector<retention_decision> decisions;  ///< `index` into `backups`
        std::size_t removed = 0;                    ///< 0 in a dry run
    };

    /**
     * @brief Removes the backups `policy` lets go (retention.hpp: expiry by default, or
     * restic-style keep rules, an age limit, a cap per document). A backup a rollback point
     * needs is kept whatever the policy says. With `dry_run`, removes nothing and says what it
     * would do.
     */
    backup_cleanup cleanup_backups(const retention_policy& policy = {}, bool dry_run = false) {
        backup_cleanup out;
        out.backups = backups();
        std::vector<backup_info> infos;
        infos.reserve(out.backups.size());
        for (const backup_record& b : out.backups) {
            infos.push_back({b.document, keys_.backup(b.document, b.created_ms), b.created_ms, b.expires_ms, b.bytes});
        }
        out.decisions = decide_retention(infos, policy, now_ms());
        const auto points = list_points();
        std::vector<backup_record> remove;
        for (retention_decision& d : out.decisions) {
            const backup_record& b = out.backups[d.index];
            if (!d.keep) {
                for (const point_record& p : points) {
                    auto pe = staged_.get(keys_.point_entry_key(p.name, b.document));
                    if (pe && detail::read_record<point_entry>(keys_.point_entry_key(p.name, b.document), *pe).checksum == b.checksum) {
                        d.keep = true;
                        d.reason = "kept: rollback point " + p.name + " needs it";
                        break;
                    }
                }
            }
            if (!d.keep) remove.push_back(b);
        }
        if (!dry_run) out.removed = remove_backups(remove);
        return out;
    }

    // --- rollback points --------------------------------------------------------------------------

    /**
     * @brief Creates rollback point `name`: the version, form and digest of every document not
     * at the latest version (the documents a run may touch). Their bytes stay pinned (backup
     * cleanup keeps them) while the point exists.
     * @throws error when the name is taken or not [A-Za-z0-9._-]{1,64}
     */
    point_record create_point(std::string_view name, std::chrono::milliseconds keep_for = std::chrono::milliseconds(0)) {
        check_point_name(name);
        if (staged_.contains(keys_.point(name))) throw error("rollback point \"" + std::string(name) + "\" exists already");
        write_batch batch;
        typename Checksum::hasher manifest;
        std::uint64_t count = 0;
        for_each_catalogued(keys_.catalogue(), {}, [&](std::string id, catalogue_entry entry) {
            if (entry.schema == latest_version || entry.form != document_form::whole) return true;
            auto bytes = staged_.get(keys_.document(id));
            if (!bytes) return true;
            point_entry pe{entry.schema, entry.form, bytes->size(), Checksum::hash(*bytes).to_string()};
            add_to_manifest(manifest, id, pe);
            batch.put(keys_.point_entry_key(name, id), json::encode(pe));
            ++count;
            if (batch.byte_size() > (std::size_t{8} << 20)) {
                staged_.apply(batch);
                batch.clear();
            }
            return true;
        });
        const std::int64_t now = now_ms();
        point_record record{std::string(name), now, keep_for.count() > 0 ? now + keep_for.count() : 0, count,
                            manifest.finish().to_string()};
        batch.put(keys_.point(name), json::encode(record));
        staged_.apply(batch);
        staged_.commit();
        return record;
    }
    /// Every rollback point, by name.
    std::vector<point_record> list_points() const {
        std::vector<point_record> out;
        for_each_entry(staged_, keys_.points(), [&](const key_value& kv) {
            if (!kv.key.empty() && kv.key.back() == '\0') out.push_back(detail::read_record<point_record>(kv.key, kv.value));
        });
        return out;
    }
    /// Problems with point `name`: its checksum, and every document whose bytes are gone.
    std::vector<std::string> verify_point(std::string_view name) const {
        std::vector<std::string> problems;
        auto record = point(name);
        typename Checksum::hasher manifest;
        std::uint64_t count = 0;
        for_each_point_entry(name, [&](const std::string& id, const point_entry& pe) {
            add_to_manifest(manifest, id, pe);
            ++count;
            if (!restorable(id, pe)) problems.push_back("document \"" + id + "\": its bytes at the point (" + pe.checksum + ") are no longer kept");
        });
        if (count != record.documents) {
            problems.push_back("the point lists " + std::to_string(count) + " documents, its record says " +
                               std::to_string(record.documents));
        }
        if (manifest.finish().to_string() != record.checksum) problems.push_back("the point's checksum does not match its entries");
        return problems;
    }
    /// Deletes point `name`; whether it existed.
    bool delete_point(std::string_view name) {
        if (!staged_.contains(keys_.point(name))) return false;
        for_each_entry(staged_, keys_.point_entries(name), [&](const key_value& kv) { staged_.erase(kv.key); });
        staged_.erase(keys_.point(name));
        staged_.commit();
        return true;
    }
    /// Deletes the points whose expiry has passed; their names.
    std::vector<std::string> expire_points() {
        std::vector<std::string> gone;
        const std::int64_t now = now_ms();
        for (const point_record& p : list_points()) {
            if (p.expires_ms != 0 && p.expires_ms <= now && delete_point(p.name)) gone.push_back(p.name);
        }
        return gone;
    }
    /// Returns every document of point `name` to its bytes at the point (those migrated since
    /// are rolled back from their backups).
    rollback_result rollback_to_point(std::string_view name) {
        (void)point(name);
        std::vector<std::pair<std::string, point_entry>> entries;
        for_each_point_entry(name, [&](const std::string& id, const point_entry& pe) { entries.emplace_back(id, pe); });
        rollback_result result;
        run_state state = begin_rollback_run();
        guard_rollback([&] {
            for (auto& [id, pe] : entries) {
                auto entry = catalogue_of(id);
                if (entry && entry->form == document_form::whole) {
                    auto bytes = staged_.get(keys_.document(id));
                    if (bytes && Checksum::hash(*bytes).to_string() == pe.checksum) {  // as it was
                        report_rollback(result, id, entries.size(), true);
                        continue;
                    }
                }
                rollback_one(state, id, pe.checksum, result);
                report_rollback(result, id, entries.size());
            }
        });
        finish_rollback_run(state);
        return result;
    }

    // --- journal ----------------------------------------------------------------------------------

    /// Every run, oldest first.
    std::vector<run_record> runs() const {
        std::vector<run_record> out;
        for_each_entry(staged_, keys_.runs(), [&](const key_value& kv) { out.push_back(detail::read_record<run_record>(kv.key, kv.value)); });
        return out;
    }
    /// The journal entries of run `run_id`, in order.
    std::vector<journal_entry> journal_of_run(std::string_view run_id) const {
        std::vector<journal_entry> out;
        for_each_entry(staged_, keys_.entries_of_run(run_id), [&](const key_value& kv) {
            out.push_back(detail::read_record<journal_entry>(kv.key, kv.value));
        });
        return out;
    }
    /// The journal entries of document `id`, oldest run first.
    std::vector<journal_entry> journal_of_document(std::string_view id) const {
        std::vector<journal_entry> out;
        for_each_entry(staged_, keys_.entries_of_document(id), [&](const key_value& kv) {
            out.push_back(detail::read_record<journal_entry>(kv.key, kv.value));
        });
        return out;
    }
    /// Every journal entry with `outcome` (migrated, failed, rolled_back), by run.
    std::vector<journal_entry> journal_with_outcome(std::string_view outcome) const {
        std::vector<journal_entry> out;
        for_each_entry(staged_, keys_.entries(), [&](const key_value& kv) {
            auto e = detail::read_record<journal_entry>(kv.key, kv.value);
            if (e.outcome == outcome) out.push_back(std::move(e));
        });
        return out;
    }
    /// Entries as a JSON array.
    static std::string to_json(const std::vector<journal_entry>& entries) { return json::encode(entries); }

    /// The failure of document `id`, if its last migration failed.
    std::optional<failure_record> failure_of(std::string_view id) const {
        auto v = staged_.get(keys_.failure(id));
        if (!v) return std::nullopt;
        return detail::read_record<failure_record>(keys_.failure(id), *v);
    }

private:
    struct run_state {
        run_options options{};
        run_record record{};  // value-initialised: the counters start at 0
        migration_result result{};
        std::size_t group_documents = 0;
        std::uint64_t done = 0;
        std::uint64_t total = 0;
        std::chrono::steady_clock::time_point started;
    };
    struct decoded {
        latest value;
        schema_version_t from = 0;
    };
    /// A failure with the stage it happened in.
    struct stage_failure {
        std::string stage;
        std::string path;
        std::string message;
        std::vector<difference> differences;
    };

    std::int64_t now_ms() const { return options_.now_ms(); }

    void log(log_level level, std::string_view run, std::string_view document, std::string message) {
        if (!sink_enabled(log_, level)) return;
        log_.write(log_record{now_ms(), level, std::move(message), std::string(document), std::string(run)});
    }
    static bool stop_requested(const run_options& run) { return run.stop != nullptr && run.stop->load(); }

    template <class Fn>
    void for_each_catalogued(const std::string& prefix, std::string_view after, Fn&& fn) const {
        std::string cursor = after.empty() ? std::string() : prefix + std::string(after);
        for (;;) {
            auto page = staged_.scan(prefix, cursor.empty() ? std::nullopt : std::optional<std::string_view>(cursor), 256);
            for (auto& kv : page) {
                auto entry = detail::read_record<catalogue_entry>(kv.key, kv.value);
                if (!fn(kv.key.substr(prefix.size()), std::move(entry))) return;
            }
            if (page.size() < 256) return;
            cursor = std::move(page.back().key);
        }
    }

    std::optional<catalogue_entry> catalogue_of(std::string_view id) const {
        auto v = staged_.get(keys_.catalogue(id));
        if (!v) return std::nullopt;
        return detail::read_record<catalogue_entry>(keys_.catalogue(id), *v);
    }
    std::optional<std::string> current_whole_bytes(std::string_view id) const {
        auto entry = catalogue_of(id);
        if (!entry || entry->form != document_form::whole) return std::nullopt;
        return staged_.get(keys_.document(id));
    }

    schema_version_t detect(std::string_view id, std::string_view bytes) {
        try {
            auto doc = decoder_.iterate(bytes);
            return detector_.detect(bytes, doc);
        } catch (document_error& e) {
            if (e.document().empty()) e.set_document(std::string(id));
            throw;
        }
    }

    /// Decodes `bytes` with the struct of their version, validates, upgrades. Fills `failure`
    /// (when given) with the stage of an error before rethrowing it.
    decoded decode_latest(std::string_view id, std::string_view bytes, stage_failure* failure) {
        const char* stage = "decode";
        try {
            auto doc = decoder_.iterate(bytes);
            const schema_version_t version = detector_.detect(bytes, doc);
            if (version > latest_version || version < chain_type::first_version) {
                throw version_error("document \"" + std::string(id) + "\" is schema version " + std::to_string(version) +
                                    "; this program knows " + std::to_string(chain_type::first_version) + " to " +
                                    std::to_string(latest_version) + " (left untouched)");
            }
            doc.rewind();
            return decode_version(version, doc, stage, std::make_index_sequence<chain_type::step_count + 1>{});
        } catch (document_error& e) {
            if (e.document().empty()) e.set_document(std::string(id));
            if (failure) *failure = {stage, e.path(), e.what(), {}};
            throw;
        } catch (const std::exception& e) {
            if (failure) *failure = {stage, {}, "document \"" + std::string(id) + "\": " + e.what(), {}};
            throw;
        }
    }
    template <std::size_t... I>
    decoded decode_version(schema_version_t version, simdjson::ondemand::document& doc, const char*& stage,
                           std::index_sequence<I...>) {
        std::optional<decoded> out;
        (void)((version == chain_type::first_version + I
                    ? (out.emplace(decode_as<chain_type::first_version + I>(doc, stage)), true)
                    : false) ||
               ...);
        return std::move(*out);
    }
    template <schema_version_t V>
    decoded decode_as(simdjson::ondemand::document& doc, const char*& stage) {
        typename chain_type::template version_type<V> record{};
        decoder_.decode_document(doc, record);
        stage = "validate";
        detail::plan_hooks::validate(plan_, record);
        stage = "upgrade";
        decoded out{plan_.chain().upgrade(std::move(record)), V};
        stage = "validate";
        if constexpr (V != latest_version) detail::plan_hooks::validate(plan_, out.value);
        stage = "upgrade";
        return out;
    }

    std::string id_of(const latest& doc) const {
        if constexpr (chunks) {
            using info = detail::chunk_layout_info<latest>;
            return std::string(get_member<info::id_index>(doc));
        } else {
            static_assert(requires { doc.id; }, "strata: the latest version needs a string member `id` (or a chunk_layout naming its id)");
            return std::string(doc.id);
        }
    }

    /// Stages the latest version of a document; whether it was written chunked.
    bool stage_latest(write_batch& batch, const latest& doc, bool chunk) {
        const std::string id = id_of(doc);
        if constexpr (chunks) {
            if (chunk) {
                latest_store_.save(batch, doc);
                batch.put(keys_.catalogue(id), json::encode(catalogue_entry{latest_version, std::string(document_form::chunked), 0}));
                return true;
            }
            latest_store_.remove(batch, id);
        }
        std::string bytes = json::encode(doc);
        batch.put(keys_.catalogue(id), json::encode(catalogue_entry{latest_version, std::string(document_form::whole), bytes.size()}));
        batch.put(keys_.document(id), bytes);
        return false;
    }

    std::optional<latest> load_latest(std::string_view id) const {
        if constexpr (chunks) {
            return latest_store_.load(id);
        } else {
            auto bytes = staged_.get(keys_.document(id));
            if (!bytes) return std::nullopt;
            return json::decode<latest>(std::string_view(*bytes));
        }
    }

    // --- runs -------------------------------------------------------------------------------------

    std::string new_run_id() {
        std::uint64_t n = 0;
        if (auto v = staged_.get(keys_.next_run())) n = std::stoull(*v);
        ++n;
        staged_.put(keys_.next_run(), std::to_string(n));
        std::string id = std::to_string(n);
        return std::string(8 - std::min<std::size_t>(8, id.size()), '0') + id;
    }

    run_state begin_run(const run_options& run, bool resumable) {
        run_state state;
        state.options = run;
        state.started = std::chrono::steady_clock::now();
        state.result.dry_run = run.dry_run;
        if (!run.dry_run) staged_.commit();  // nothing of earlier calls mixes into this run
        // Resume an unfinished batch run (crashed or stopped).
        if (resumable) {
            if (auto cp = staged_.get(keys_.checkpoint())) {
                if (auto r = staged_.get(keys_.run(*cp))) {
                    run_record previous = detail::read_record<run_record>(keys_.run(*cp), *r);
                    if (previous.kind == "migrate" && previous.state != "completed") {
                        state.record = std::move(previous);
                        state.record.state = "running";
                        state.result.run = run.dry_run ? std::string() : state.record.run;
                        state.result.migrated = state.record.migrated;
                        state.result.skipped = state.record.skipped;
                        state.result.failed = state.record.failed;
                        state.result.bytes_in = state.record.bytes_in;
                        state.result.bytes_out = state.record.bytes_out;
                        if (!run.dry_run) {
                            staged_.put(keys_.run(state.record.run), json::encode(state.record));
                            staged_.commit();
                        }
                        // Debug: a background runner resumes its run at every batch.
                        log(log_level::debug, state.record.run, {},
                            std::string(run.dry_run ? "dry run of " : "") + "run resumed after " +
                                (state.record.cursor.empty() ? std::string("its start") : "\"" + state.record.cursor + "\""));
                        return state;
                    }
                }
            }
        }
        state.record.run = new_run_id();
        state.record.kind = "migrate";
        state.record.state = "running";
        state.record.started_ms = now_ms();
        if (!run.dry_run) state.result.run = state.record.run;
        log(log_level::info, run.dry_run ? std::string() : state.record.run, {}, run.dry_run ? "dry run started" : "run started");
        if (resumable) staged_.put(keys_.checkpoint(), state.record.run);
        staged_.put(keys_.run(state.record.run), json::encode(state.record));
        if (!run.dry_run) staged_.commit();
        return state;
    }

    void commit_group(run_state& state, std::string_view cursor) {
        if (!cursor.empty()) state.record.cursor = std::string(cursor);
        sync_record(state);
        staged_.put(keys_.run(state.record.run), json::encode(state.record));
        if (!state.options.dry_run) {
            const auto t0 = std::chrono::steady_clock::now();
            staged_.commit();
            state.result.stages["commit"].seconds += seconds_since(t0);
        }
        state.group_documents = 0;
    }

    migration_result finish_run(run_state& state, std::string_view cursor, bool stopped) {
        state.result.cancelled = stopped;
        state.record.state = stopped ? "cancelled" : "completed";
        state.record.finished_ms = now_ms();
        if (!stopped) {
            // A finished batch run no longer holds the checkpoint.
            if (auto cp = staged_.get(keys_.checkpoint()); cp && *cp == state.record.run) staged_.erase(keys_.checkpoint());
        }
        commit_group(state, cursor);
        if (!stopped) compress_stage(state);
        if (state.options.dry_run) staged_.discard();
        state.result.seconds = seconds_since(state.started);
        log(stopped ? log_level::debug : log_level::info, state.result.run, {},  // stops: every batch of a runner
            std::string(state.options.dry_run ? "dry run " : "run ") + (stopped ? "stopped" : "completed") + ": " +
                std::to_string(state.result.migrated) + " migrated, " + std::to_string(state.result.skipped) + " skipped, " +
                std::to_string(state.result.failed) + " failed");
        const std::uint64_t tried = state.result.migrated + state.result.failed;
        if (!state.options.dry_run && state.options.rollback_when_failed_over && tried > 0 &&
            100.0 * static_cast<double>(state.result.failed) / static_cast<double>(tried) > *state.options.rollback_when_failed_over) {
            rollback_run(state.record.run);
            state.result.rolled_back = true;
            if (auto r = staged_.get(keys_.run(state.record.run))) {
                run_record record = detail::read_record<run_record>(keys_.run(state.record.run), *r);
                record.state = "rolled_back";
                staged_.put(keys_.run(state.record.run), json::encode(record));
                staged_.commit();
            }
        }
        return std::move(state.result);
    }

    /// The run's last stage: compress old items (skipped when the plan names no compression or
    /// the run asks not to). Not stopped by `run.stop`: for a large store, run `compress_old`
    /// with a stop predicate of its own.
    void compress_stage(run_state& state) {
        if constexpr (compresses) {
            if (state.options.compress) {
                compress_options co;
                co.dry_run = state.options.dry_run;
                state.result.stages["compress"] = detail::run_compress_stage(
                    staged_, plan_, detail::plan_hooks::compression(plan_), keys_.latest_store(), keys_.compress_cursor(),
                    state.options.compress_min_age, co, options_.now_ms).stats;
                return;
            }
        }
        state.result.stages["compress"].skipped = true;
    }

    void sync_record(run_state& state) {
        state.record.migrated = state.result.migrated;
        state.record.skipped = state.result.skipped;
        state.record.failed = state.result.failed;
        state.record.bytes_in = state.result.bytes_in;
        state.record.bytes_out = state.result.bytes_out;
    }

    static double seconds_since(std::chrono::steady_clock::time_point t0) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }

    void journal(write_batch& batch, run_state& state, journal_entry entry) {
        entry.run = state.record.run;
        entry.seq = state.record.next_seq++;
        entry.time_ms = now_ms();
        const std::string text = json::encode(entry);
        batch.put(keys_.entry(entry.run, entry.seq), text);
        batch.put(keys_.document_entry(entry.document, entry.run, entry.seq), text);
    }

    void keep_outcome(run_state& state, document_outcome&& outcome) {
        ++state.done;
        if (progress_) progress_(outcome, state.done, state.total);
        if (state.options.outcomes == keep_outcomes::all || outcome.outcome == "failed") {
            state.result.documents.push_back(std::move(outcome));
        }
    }

    /// One document: migrate it, or say why not (see the file comment).
    void process(run_state& state, const std::string& id) {
        document_outcome outcome;
        outcome.document = id;
        auto entry = catalogue_of(id);
        if (!entry) {
            outcome.outcome = "failed";
            outcome.stage = "read";
            outcome.error = "document \"" + id + "\" is not in the store";
            ++state.result.failed;
            keep_outcome(state, std::move(outcome));
            return;
        }
        outcome.from = entry->schema;
        outcome.to = entry->schema;
        if (entry->schema == latest_version || entry->form != document_form::whole) {
            outcome.outcome = "skipped";
            ++state.result.skipped;
            keep_outcome(state, std::move(outcome));
            return;
        }
        const auto point = staged_.savepoint();
        const content_counts counts_before = detail::plan_hooks::counts(plan_);
        stage_failure failure;
        std::string original;
        try {
            auto bytes = staged_.get(keys_.document(id));
            if (!bytes) {
                failure = {"read", {}, "document \"" + id + "\": the catalogue lists it, its bytes are missing", {}};
                throw error(failure.message);
            }
            original = std::move(*bytes);
            outcome.bytes_in = original.size();
            write_batch batch;
            detail::plan_hooks::begin_document(plan_, batch, id);
            auto t0 = std::chrono::steady_clock::now();
            decoded d = decode_latest(id, original, &failure);
            add_stage(state, "upgrade", t0, original.size(), 0);
            outcome.from = d.from;
            outcome.to = latest_version;
            if (id_of(d.value) != id) {
                failure = {"upgrade", {}, "document \"" + id + "\": the upgraded document's id is \"" + id_of(d.value) + "\"", {}};
                throw error(failure.message);
            }

            // The latest version, what the plan adds, the backup, the journal: one batch.
            t0 = std::chrono::steady_clock::now();
            failure = {"write", {}, {}, {}};
            const bool chunked = stage_latest(batch, d.value, state.options.chunk);
            add_stage(state, "chunk", t0, 0, batch.byte_size(), !state.options.chunk || !chunks);
            if (state.options.index && detail::plan_hooks::has_index<plan_type>) {
                t0 = std::chrono::steady_clock::now();
                const std::size_t before = batch.byte_size();
                detail::plan_hooks::index_document(plan_, batch, d.value);
                add_stage(state, "index", t0, 0, batch.byte_size() - before);
            } else {
                state.result.stages["index"].skipped = true;
            }
            const std::string before_digest = Checksum::hash(original).to_string();
            const std::string after_bytes = json::encode(d.value);
            if (state.options.backup) {
                t0 = std::chrono::steady_clock::now();
                const std::int64_t now = now_ms();
                backup_record b{id, state.record.run, now, now + state.options.backup_retention.count(), d.from,
                                original.size(), before_digest, keys_.document(id)};
                if (!chunked) {
                    b.key = keys_.backup_bytes(id, now);
                    batch.put(b.key, original);
                }
                batch.put(keys_.backup(id, now), json::encode(b));
                add_stage(state, "backup", t0, 0, chunked ? 0 : original.size());
            } else if (chunked) {
                batch.erase(keys_.document(id));  // no backup: the original goes
            }
            batch.erase(keys_.failure(id));
            journal(batch, state, {{}, 0, 0, id, d.from, latest_version, "migrated", before_digest,
                                   Checksum::hash(after_bytes).to_string(), {}, {}});
            outcome.bytes_out = batch.byte_size();
            staged_.apply(batch);

            failure = {"validate", {}, {}, {}};
            detail::plan_hooks::check_references(plan_, d.value);  // sees the staged blobs

            if (state.options.verify) {
                t0 = std::chrono::steady_clock::now();
                failure = {"verify", {}, {}, {}};
                std::optional<latest> back = load_latest(id);
                if (!back) {
                    failure.message = "document \"" + id + "\": not found when read back";
                    throw error(failure.message);
                }
                if (!strata::equal(d.value, *back)) {
                    failure.differences = diff(d.value, *back);
                    failure.path = failure.differences.front().path;
                    failure.message = "document \"" + id + "\": read back differs from what was written at " +
                                      std::to_string(failure.differences.size()) + " place(s): " +
                                      format(failure.differences);
                    if (!failure.message.empty() && failure.message.back() == '\n') failure.message.pop_back();
                    throw error(failure.message);
                }
                add_stage(state, "verify", t0, 0, 0);
            } else {
                state.result.stages["verify"].skipped = true;
            }
        } catch (const document_error& e) {
            if (failure.message.empty()) failure.message = e.what();
            if (failure.path.empty()) failure.path = e.path();
            fail(state, id, point, std::move(outcome), std::move(failure), original);
            return;
        } catch (const std::exception& e) {
            if (failure.message.empty()) failure.message = "document \"" + id + "\": " + e.what();
            if (failure.stage.empty()) failure.stage = "upgrade";
            fail(state, id, point, std::move(outcome), std::move(failure), original);
            return;
        }
        const content_counts counts_after = detail::plan_hooks::counts(plan_);
        outcome.blobs_new = counts_after.blobs_new - counts_before.blobs_new;
        outcome.blobs_deduplicated = counts_after.blobs_deduplicated - counts_before.blobs_deduplicated;
        outcome.outcome = "migrated";
        ++state.result.migrated;
        state.result.bytes_in += outcome.bytes_in;
        state.result.bytes_out += outcome.bytes_out;
        state.result.blobs_new += outcome.blobs_new;
        state.result.blobs_deduplicated += outcome.blobs_deduplicated;
        ++state.group_documents;
        keep_outcome(state, std::move(outcome));
    }

    void add_stage(run_state& state, const char* name, std::chrono::steady_clock::time_point t0, std::uint64_t in,
                   std::uint64_t out, bool skipped = false) {
        stage_stats& s = state.result.stages[name];
        if (skipped) {
            s.skipped = true;
            return;
        }
        ++s.documents;
        s.bytes_in += in;
        s.bytes_out += out;
        s.seconds += seconds_since(t0);
    }

    /// Takes back the document's staged writes; records its failure (in the same group).
    void fail(run_state& state, const std::string& id, typename staged_type::savepoint_type point,
              document_outcome&& outcome, stage_failure&& failure, std::string_view original) {
        staged_.rollback_to(point);
        log(log_level::warning, state.result.run, id, failure.stage + ": " + failure.message);
        outcome.outcome = "failed";
        outcome.stage = failure.stage;
        outcome.path = failure.path;
        outcome.error = failure.message;
        outcome.differences = std::move(failure.differences);
        outcome.bytes_out = 0;
        write_batch batch;
        batch.put(keys_.failure(id), json::encode(failure_record{id, state.record.run, now_ms(), outcome.from, failure.stage,
                                                                 failure.path, failure.message}));
        journal(batch, state, {{}, 0, 0, id, outcome.from, latest_version, "failed",
                               original.empty() ? std::string() : Checksum::hash(original).to_string(), {},
                               failure.message, failure.path});
        staged_.apply(batch);
        ++state.result.failed;
        ++state.group_documents;
        keep_outcome(state, std::move(outcome));
    }

    // --- rollback internals -------------------------------------------------------------------

    run_state begin_rollback_run() {
        rollback_done_ = 0;
        staged_.commit();
        run_state state;
        state.record.run = new_run_id();
        state.record.kind = "rollback";
        state.record.state = "running";
        state.record.started_ms = now_ms();
        staged_.put(keys_.run(state.record.run), json::encode(state.record));
        staged_.commit();
        return state;
    }
    void finish_rollback_run(run_state& state) {
        state.record.state = "completed";
        state.record.finished_ms = now_ms();
        staged_.put(keys_.run(state.record.run), json::encode(state.record));
        staged_.commit();
    }

    static constexpr std::size_t rollback_group_documents = 64;
    static constexpr std::size_t rollback_group_bytes = std::size_t{32} << 20;

    /// Runs a rollback's loop: its documents commit in groups (one transaction each, every
    /// document whole in it); when anything throws, the group in flight is dropped and the
    /// error goes on (the documents of earlier groups stay rolled back; rolling back again
    /// finishes the job).
    template <class Loop>
    void guard_rollback(Loop&& loop) {
        try {
            loop();
        } catch (...) {
            staged_.discard();
            throw;
        }
    }

    /// Tells the progress callback what became of `id` in a rollback of `total` documents:
    /// rolled_back, skipped (already as it should be) or failed (with the reason).
    void report_rollback(const rollback_result& result, const std::string& id, std::uint64_t total, bool skipped = false) {
        if (!progress_) return;
        document_outcome o;
        o.document = id;
        if (skipped) {
            o.outcome = "skipped";
        } else if (!result.documents.empty() && result.documents.back() == id) {
            o.outcome = "rolled_back";
        } else {
            o.outcome = "failed";
            o.stage = "rollback";
            if (!result.failures.empty()) o.error = result.failures.back().second;
        }
        progress_(o, ++rollback_done_, total);
    }

    /// The newest backup of `id` (with digest `checksum` when given).
    std::optional<backup_record> backup_of(std::string_view id, const std::optional<std::string>& checksum) const {
        std::optional<backup_record> found;
        for_each_entry(staged_, keys_.backups_of(id), [&](const key_value& kv) {
            auto b = detail::read_record<backup_record>(kv.key, kv.value);
            if (!checksum || b.checksum == *checksum) found = std::move(b);
        });
        return found;
    }

    void rollback_one(run_state& state, const std::string& id, const std::optional<std::string>& checksum,
                      rollback_result& result) {
        const auto refuse = [&](std::string reason) { result.failures.emplace_back(id, std::move(reason)); };
        auto entry = catalogue_of(id);
        if (!entry) return refuse("not in the store");
        auto b = backup_of(id, checksum);
        if (!b) return refuse(checksum ? "no backup with the bytes of the rollback point" : "no backup to roll back to");
        auto bytes = staged_.get(b->key);
        if (!bytes) return refuse("the backup's bytes are missing (" + b->key + ")");
        if (Checksum::hash(*bytes).to_string() != b->checksum) return refuse("the backup's bytes do not match its checksum");
        write_batch batch;
        if constexpr (chunks) latest_store_.remove(batch, id);
        detail::plan_hooks::release_document(plan_, batch, id);
        detail::plan_hooks::unindex_document(plan_, batch, id);
        if (b->key != keys_.document(id)) {
            batch.put(keys_.document(id), *bytes);
            batch.erase(b->key);
        }
        batch.put(keys_.catalogue(id), json::encode(catalogue_entry{b->schema, std::string(document_form::whole), bytes->size()}));
        batch.erase(keys_.backup(id, b->created_ms));
        batch.erase(keys_.failure(id));
        journal(batch, state, {{}, 0, 0, id, entry->schema, b->schema, "rolled_back", {}, b->checksum, {}, {}});
        staged_.apply(batch);
        // Documents commit rollback_group_documents at a time (each whole; see guard_rollback).
        if (++state.group_documents >= rollback_group_documents || staged_.staged_bytes() >= rollback_group_bytes) {
            staged_.commit();
            state.group_documents = 0;
        }
        ++result.rolled_back;
        result.documents.push_back(id);
        log(log_level::info, state.record.run, id, "rolled back to version " + std::to_string(b->schema));
    }

    /// Whether the bytes at `key` (a backup of `id`) are still needed by anything else.
    bool bytes_needed(std::string_view id, std::string_view key) const {
        if (key == keys_.document(id)) {
            auto entry = catalogue_of(id);
            if (entry && entry->form == document_form::whole) return true;  // the document itself
        }
        bool needed = false;
        for_each_entry(staged_, keys_.backups_of(id), [&](const key_value& kv) {
            if (detail::read_record<backup_record>(kv.key, kv.value).key == key) needed = true;
        });
        if (needed) return true;
        for (const point_record& p : list_points()) {
            if (staged_.contains(keys_.point_entry_key(p.name, id))) return true;
        }
        return false;
    }

    bool restorable(const std::string& id, const point_entry& pe) const {
        auto entry = catalogue_of(id);
        if (entry && entry->form == document_form::whole) {
            auto bytes = staged_.get(keys_.document(id));
            if (bytes && Checksum::hash(*bytes).to_string() == pe.checksum) return true;
        }
        auto b = backup_of(id, pe.checksum);
        return b && staged_.contains(b->key);
    }

    point_record point(std::string_view name) const {
        auto v = staged_.get(keys_.point(name));
        if (!v) throw error("no rollback point \"" + std::string(name) + "\"");
        return detail::read_record<point_record>(keys_.point(name), *v);
    }
    template <class Fn>
    void for_each_point_entry(std::string_view name, Fn&& fn) const {
        const std::string prefix = keys_.point_entries(name);
        for_each_entry(staged_, prefix, [&](const key_value& kv) {
            fn(kv.key.substr(prefix.size()), detail::read_record<point_entry>(kv.key, kv.value));
        });
    }
    static void add_to_manifest(typename Checksum::hasher& h, std::string_view id, const point_entry& pe) {
        h.update(id);
        h.update(std::string_view("\0", 1));
        h.update(pe.checksum);
        h.update("\n");
    }
    static void check_point_name(std::string_view name) {
        const bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        });
        if (!ok) throw error("a rollback point's name is 1 to 64 of A-Z a-z 0-9 . _ -, not \"" + std::string(name) + "\"");
    }

    /// Stands in for the chunked store when the latest version has no chunk layout.
    struct no_latest_store {
        no_latest_store(staged_type&, const std::string&, const chunked_options&) {}
    };
    /// Writes frames uncompressed (the compression stage compresses them once old); reads those
    /// and the plan's codec.
    using chunked_type = std::conditional_t<compresses, chunked_store<latest, staged_type, no_compression, compression_type>,
                                            chunked_store<latest, staged_type>>;
    using latest_store_type = std::conditional_t<chunks, chunked_type, no_latest_store>;

    Log log_;
    migration_options options_;
    migration_keys keys_;
    mutable staged_type staged_;
    plan_type plan_;
    latest_store_type latest_store_;
    json::decoder decoder_;
    detector_type detector_{};
    progress_callback progress_;
    std::uint64_t rollback_done_ = 0;  // documents a rollback has dealt with, for progress_
};

}  // namespace v1
}  // namespace strata
