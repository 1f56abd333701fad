/**
 * @file
 * @brief `cas_store`: content-addressed blobs (attachments) stored once by hash, with
 * references, garbage collection, statistics and verification, over any storage backend.
 *
 * @code
 * strata::sqlite_backend db("store.db");
 * strata::cas_store<strata::sqlite_backend, strata::sha256> blobs(db);
 *
 * strata::write_batch batch;                         // the document and its references
 * batch.put("sessions/s-1", document_bytes);         // commit together, or not at all
 * auto pending = blobs.writer(batch);
 * auto digest = pending.put(png_bytes);              // stored once, however often put
 * pending.add_ref(digest, "s-1", "shot-7");          // who holds it, under which name
 * db.apply(batch);
 *
 * std::optional<std::string> png = blobs.get(digest); // re-hashed on read
 * blobs.collect_garbage();                            // blobs nobody refers to (after a grace period)
 * @endcode
 *
 * **Blobs.** `put` hashes the bytes with the `Hash` policy; a blob already stored is not
 * written again. Each blob is kept as a frame (compression/frame.hpp) compressed with the
 * `Compression` policy, beside a 25-byte record of its sizes and put time. `get` reads frames
 * of any codec in `Compression`, `Readable...` or none, so a store whose codec changed over time
 * reads back whole.
 *
 * **References.** A reference is (digest, owner, ref): e.g. the session "s-1" holds the blob
 * under its screenshot id "shot-7". An (owner, ref) pair names one blob at a time; adding it
 * again with another digest moves it. Every reference change can join the caller's
 * `write_batch`, so a document and its references commit together. The references are the
 * truth the store keeps; `refcount(d)` counts them.
 *
 * **Garbage.** `collect_garbage()` removes blobs no reference names, once older than a grace
 * period (a blob put by a migration whose document has not committed yet is young).
 * `collect_garbage(live)` first recomputes the references from the documents themselves
 * (`live` calls back with every reference the documents hold) and repairs the store's where
 * they drifted (a writer that crashed between two batches, or wrote a document without its
 * references); then it sweeps.
 *
 * **Concurrency.** Reads are safe from any thread when the backend's are. Garbage collection
 * must not run while another writer adds references to blobs that are unreferenced at that
 * moment (the backend has no compare-and-swap): run it from the process that migrates, between
 * runs, or hold the writers off. A deduplicated `put` refreshes the put time of a blob whose
 * time is older than half the grace period, which keeps it out of a collection that starts
 * while the caller's batch is being built.
 *
 * Errors are `storage_error`s naming the key: a blob whose bytes do not match its digest, a
 * damaged frame or record, a blob over the size limit.
 */
#pragma once

#include <strata/cas/reports.hpp>
#include <strata/compression/frame.hpp>
#include <strata/compression/recompress.hpp>
#include <strata/detail/cas_keys.hpp>
#include <strata/error.hpp>
#include <strata/hash/digest.hpp>
#include <strata/hash/hash_policy.hpp>
#include <strata/storage/backend.hpp>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

template <backend Backend, hash_policy Hash, compression_policy Compression = no_compression,
          compression_policy... Readable>
class cas_store;

/**
 * @brief Adds blobs and references to one caller's `write_batch`, remembering the blobs it
 * added so that the same bytes put twice in one batch are written once. Get one from
 * `cas_store::writer(batch)`; it must not outlive the batch or the store.
 */
template <class Store>
class cas_writer {
public:
    using digest_type = typename Store::digest_type;

    cas_writer(const Store& store, write_batch& batch) : store_(&store), batch_(&batch) {}

    /// Puts `bytes` in the batch unless the store (or this batch) already has them.
    digest_type put(std::string_view bytes) {
        digest_type d = Store::hash_policy::hash(bytes);
        if (added_.insert(d).second && store_->put_digest(*batch_, d, bytes)) {
            ++blobs_new_;
        } else {
            ++blobs_deduplicated_;
        }
        return d;
    }
    /// Puts that added a new blob to the batch.
    std::uint64_t blobs_new() const noexcept { return blobs_new_; }
    /// Puts of bytes the store (or this batch) already held.
    std::uint64_t blobs_deduplicated() const noexcept { return blobs_deduplicated_; }
    /// Adds the reference (owner, ref) → `d` to the batch (see `cas_store::add_ref`); adding
    /// the same (owner, ref) again in this batch moves it.
    void add_ref(const digest_type& d, std::string_view owner, std::string_view ref) {
        std::string text = d.to_string();
        auto [it, inserted] = refs_.try_emplace(detail::cas::owner_ref(owner, ref), text);
        if (!inserted) {
            if (it->second == text) return;
            batch_->erase(store_->ref_key_text(it->second, it->first));
            it->second = std::move(text);
        }
        store_->add_ref(*batch_, d, owner, ref);
    }
    /// Removes the reference (owner, ref) in the batch, whether stored or added to this batch;
    /// whether it was there.
    bool remove_ref(std::string_view owner, std::string_view ref) {
        bool found = false;
        if (auto it = refs_.find(detail::cas::owner_ref(owner, ref)); it != refs_.end()) {
            batch_->erase(store_->ref_key_text(it->second, it->first));
            batch_->erase(store_->owner_key(it->first));
            refs_.erase(it);
            found = true;
        }
        return store_->remove_ref(*batch_, owner, ref) || found;
    }
    /// Removes every reference `owner` holds, in the batch; how many.
    std::size_t remove_refs_of(std::string_view owner) { return store_->remove_refs_of(*batch_, owner); }

    write_batch& batch() noexcept { return *batch_; }

private:
    const Store* store_;
    write_batch* batch_;
    std::unordered_set<digest_type> added_;
    std::unordered_map<std::string, std::string> refs_;  // encoded (owner, ref) -> digest text
    std::uint64_t blobs_new_ = 0;
    std::uint64_t blobs_deduplicated_ = 0;
};

/**
 * @brief Content-addressed blobs over a backend: stored once by their `Hash`, compressed with
 * `Compression`, referenced by (owner, ref) pairs, collected when nothing refers to them. See
 * the file comment.
 */
template <backend Backend, hash_policy Hash, compression_policy Compression, compression_policy... Readable>
class cas_store {
public:
    using backend_type = Backend;
    using hash_policy = Hash;
    using compression = Compression;
    using digest_type = digest<Hash>;
    using writer_type = cas_writer<cas_store>;

    /// A store of blobs in `store` under `options.prefix`, written with `codec`.
    explicit cas_store(Backend& store, cas_options options = {}, Compression codec = {})
        : backend_(&store), options_(std::move(options)), codec_(std::move(codec)) {
        if (!options_.now_ms) options_.now_ms = system_now_ms;
    }

    const cas_options& options() const noexcept { return options_; }
    Backend& backend() const noexcept { return *backend_; }

    // --- Blobs ------------------------------------------------------------------------------

    /// Stores `bytes` (unless already stored) in a batch of its own; their digest.
    digest_type put(std::string_view bytes) {
        write_batch batch;
        digest_type d = put(batch, bytes);
        if (!batch.empty()) backend_->apply(batch);
        return d;
    }
    /// Adds `bytes` to the caller's batch, unless the store already holds them; their digest.
    digest_type put(write_batch& batch, std::string_view bytes) const {
        digest_type d = Hash::hash(bytes);
        put_digest(batch, d, bytes);
        return d;
    }
    /// A writer that adds blobs and references to `batch` (deduplicating within it too).
    writer_type writer(write_batch& batch) const { return writer_type(*this, batch); }

    /// The blob's bytes, or nullopt when the store does not hold it. Re-hashed unless
    /// `options.verify_on_read` is off: bytes that do not match are a storage_error.
    std::optional<std::string> get(const digest_type& d) const {
        const std::string key = blob_key(d);
        std::optional<std::string> stored = backend_->get(key);
        if (!stored) return std::nullopt;
        std::string bytes = decode_frame<Compression, Readable...>(*stored, key, options_.max_blob_size);
        if (options_.verify_on_read) {
            const digest_type actual = Hash::hash(bytes);
            if (actual != d) {
                throw storage_error("get blob", key,
                                    "the stored bytes hash to " + actual.to_string() +
                                        ", not to their digest: the blob is damaged");
            }
        }
        return bytes;
    }
    /// Whether the store holds the blob.
    bool contains(const digest_type& d) const { return backend_->contains(blob_key(d)); }

    /// Sizes, put time and reference count of a blob, without reading it.
    std::optional<blob_info> info(const digest_type& d) const {
        const std::string key = record_key(d);
        auto bytes = backend_->get(key);
        if (!bytes) return std::nullopt;
        const auto r = detail::cas::decode_record(*bytes, key);
        return blob_info{r.size, r.stored_size, r.put_ms, refcount(d)};
    }

    // --- References -------------------------------------------------------------------------

    /// Adds the reference (owner, ref) → `d`, in a batch of its own.
    void add_ref(const digest_type& d, std::string_view owner, std::string_view ref) {
        write_batch batch;
        add_ref(batch, d, owner, ref);
        if (!batch.empty()) backend_->apply(batch);
    }
    /**
     * @brief Adds the reference (owner, ref) → `d` to the caller's batch. If (owner, ref)
     * named another blob, that reference is removed in the same batch. Adding a reference to a
     * blob the store does not hold (and the batch does not add) is allowed: `verify` reports it
     * as dangling until the blob is put.
     */
    void add_ref(write_batch& batch, const digest_type& d, std::string_view owner, std::string_view ref) const {
        const std::string encoded = detail::cas::owner_ref(owner, ref);
        const std::string by_owner = owner_key(encoded);
        const std::string text = d.to_string();
        if (auto current = backend_->get(by_owner)) {
            if (*current == text) return;
            batch.erase(ref_key_text(*current, encoded));
        }
        batch.put(ref_key_text(text, encoded), {});
        batch.put(by_owner, text);
    }
    /// Removes the reference (owner, ref), in a batch of its own; whether it was there.
    bool remove_ref(std::string_view owner, std::string_view ref) {
        write_batch batch;
        const bool found = remove_ref(batch, owner, ref);
        if (!batch.empty()) backend_->apply(batch);
        return found;
    }
    /// Removes the reference (owner, ref) in the caller's batch; whether it was there.
    bool remove_ref(write_batch& batch, std::string_view owner, std::string_view ref) const {
        const std::string encoded = detail::cas::owner_ref(owner, ref);
        const std::string by_owner = owner_key(encoded);
        auto current = backend_->get(by_owner);
        if (!current) return false;
        batch.erase(ref_key_text(*current, encoded));
        batch.erase(by_owner);
        return true;
    }
    /// Removes every reference `owner` holds, in the caller's batch (a document removed or
    /// rolled back); how many.
    std::size_t remove_refs_of(write_batch& batch, std::string_view owner) const {
        const std::string prefix = owner_key(detail::cas::owner_prefix(owner));
        std::size_t n = 0;
        for_each_entry(*backend_, prefix, [&](const key_value& e) {
            batch.erase(ref_key_text(e.value, std::string_view(e.key).substr(key_in('o').size())));
            batch.erase(e.key);
            ++n;
        });
        return n;
    }
    /// How many references name `d`.
    std::size_t refcount(const digest_type& d) const { return backend_->count(refs_prefix(d.to_string())); }
    /// Every reference to `d`, by owner then ref.
    std::vector<blob_reference> refs_of(const digest_type& d) const {
        const std::string prefix = refs_prefix(d.to_string());
        std::vector<blob_reference> out;
        for_each_entry(*backend_, prefix, [&](const key_value& e) {
            if (auto pair = detail::cas::split_owner_ref(std::string_view(e.key).substr(prefix.size())))
                out.push_back({std::move(pair->first), std::move(pair->second)});
        });
        return out;
    }
    /// Every reference `owner` holds: ref → digest, by ref.
    std::vector<std::pair<std::string, digest_type>> refs_held_by(std::string_view owner) const {
        const std::string prefix = owner_key(detail::cas::owner_prefix(owner));
        std::vector<std::pair<std::string, digest_type>> out;
        for_each_entry(*backend_, prefix, [&](const key_value& e) {
            out.emplace_back(e.key.substr(prefix.size()), parse_stored_digest(e.value, e.key));
        });
        return out;
    }

    /// Calls `fn(digest, info)` for every blob, in digest order (reads records, not blobs; the
    /// refcount in `info` is left 0: ask `refcount` where it matters).
    template <class Fn>
    void for_each_blob(Fn&& fn) const {
        for_each_record([&](std::string_view text, const detail::cas::blob_record& r) {
            fn(parse_stored_digest(text, key_in('m', text)),
               blob_info{r.size, r.stored_size, r.put_ms, 0});
        });
    }

    // --- Maintenance ------------------------------------------------------------------------

    /// Totals over the whole store (reads the records and the references, not the blobs).
    cas_stats stats() const {
        cas_stats s;
        std::unordered_map<std::string, std::uint64_t> counts;
        for_each_entry(*backend_, key_in('r'), [&](const key_value& e) {
            ++s.references;
            ++counts[std::string(split_ref_key(e.key).first)];
        }, 1024);
        for_each_record([&](std::string_view digest_text, const detail::cas::blob_record& r) {
            ++s.blobs;
            s.logical_bytes += r.size;
            s.physical_bytes += r.stored_size;
            const auto it = counts.find(std::string(digest_text));
            const std::uint64_t n = it == counts.end() ? 0 : it->second;
            if (n == 0) {
                ++s.unreferenced_blobs;
                s.unreferenced_bytes += r.size;
            } else {
                s.referenced_bytes += r.size * n;
                s.dedup_savings += r.size * (n - 1);
            }
        });
        return s;
    }

    /// Removes blobs that no reference names and that are older than the grace period.
    gc_report collect_garbage(const gc_options& gc = {}) {
        gc_report report;
        report.dry_run = gc.dry_run;
        sweep(gc, report);
        return report;
    }

    /**
     * @brief Mark and sweep: recomputes the references from the documents, repairs the store's,
     * then removes unreferenced blobs. `live(emit)` must call `emit(owner, ref, digest)` for
     * every reference every document holds (the whole store's documents: an owner it does not
     * mention loses its references).
     */
    template <class LiveReferences>
        requires(!std::same_as<std::remove_cvref_t<LiveReferences>, gc_options>)
    gc_report collect_garbage(LiveReferences&& live, const gc_options& gc = {}) {
        gc_report report;
        report.dry_run = gc.dry_run;
        // Mark: what the documents hold, by encoded (owner, ref).
        std::map<std::string, std::string> held;  // encoded (owner, ref) -> digest text
        live([&](std::string_view owner, std::string_view ref, const digest_type& d) {
            held[detail::cas::owner_ref(owner, ref)] = d.to_string();
        });
        // Compare with the references the store has, both halves; remove what no document holds.
        std::unordered_set<std::string> by_digest_ok, complete, removed;  // encoded pairs
        write_batch batch;
        auto flush = [&] {
            if (!gc.dry_run && !batch.empty()) backend_->apply(batch);
            batch.clear();
        };
        for_each_entry(*backend_, key_in('r'), [&](const key_value& e) {
            const auto [text, encoded_view] = split_ref_key(e.key);
            std::string encoded(encoded_view);
            const auto it = held.find(encoded);
            if (it != held.end() && it->second == text) {
                by_digest_ok.insert(std::move(encoded));
            } else {
                batch.erase(e.key);
                removed.insert(std::move(encoded));
            }
            if (batch.size() >= gc.batch_size) flush();
        }, 1024);
        const std::string owners = key_in('o');
        for_each_entry(*backend_, owners, [&](const key_value& e) {
            std::string encoded = e.key.substr(owners.size());
            const auto it = held.find(encoded);
            if (it == held.end()) {
                batch.erase(e.key);
                removed.insert(std::move(encoded));
            } else if (it->second == e.value && by_digest_ok.count(encoded) != 0) {
                complete.insert(std::move(encoded));
            }
            if (batch.size() >= gc.batch_size) flush();
        }, 1024);
        for (const auto& encoded : removed) {
            if (held.count(encoded) == 0) ++report.references_removed;
        }
        // Add what the documents hold and the store lacks (when the blob is there to refer to).
        std::unordered_map<std::string, bool> blob_present;
        for (const auto& [encoded, text] : held) {
            if (complete.count(encoded) != 0) continue;
            auto [known, inserted] = blob_present.try_emplace(text, false);
            if (inserted) known->second = backend_->contains(key_in('b', text));
            if (!known->second) {
                const auto pair = detail::cas::split_owner_ref(encoded);
                report.dangling.push_back(pair->first + " / " + pair->second + " -> " + text);
                continue;
            }
            batch.put(ref_key_text(text, encoded), {});
            batch.put(owner_key(encoded), text);
            ++report.references_added;  // added, or repaired (moved to the digest the document names)
            if (batch.size() >= gc.batch_size) flush();
        }
        flush();
        if (gc.dry_run) {  // the store's references were not repaired: judge by the documents'
            std::unordered_set<std::string> referenced;
            for (const auto& entry : held) referenced.insert(entry.second);
            sweep(gc, report, [&](std::string_view text) { return referenced.count(std::string(text)) != 0; });
        } else {
            sweep(gc, report);
        }
        return report;
    }

    /// Re-hashes every blob (or a sample), checks every record and reference; see verify_options.
    verify_report verify(const verify_options& v = {}) const {
        verify_report report;
        auto problem = [&](verify_problem::kind what, std::string key, std::string detail) {
            report.problems.push_back({what, std::move(key), std::move(detail)});
        };
        std::unordered_set<std::string> held_digests;
        std::uint64_t blobs_with_record = 0;
        for_each_record([&](std::string_view text, const detail::cas::blob_record& r) {
            ++report.blobs;
            held_digests.insert(std::string(text));
            const std::string key = key_in('b', text);
            const auto d = digest_type::try_parse(text);
            if (!d) {
                problem(verify_problem::kind::record_mismatch, key_in('m', text),
                        "the key does not hold a " + std::string(Hash::name) + " digest");
                return;
            }
            if (!sampled(*d, v)) {
                if (backend_->contains(key)) {
                    ++blobs_with_record;
                } else {
                    problem(verify_problem::kind::missing_blob, key, "the record has no blob");
                }
                return;
            }
            auto stored = backend_->get(key);
            if (!stored) {
                problem(verify_problem::kind::missing_blob, key, "the record has no blob");
                return;
            }
            ++blobs_with_record;
            ++report.blobs_read;
            report.bytes_read += stored->size();
            std::string bytes;
            try {
                bytes = decode_frame<Compression, Readable...>(*stored, key, options_.max_blob_size);
            } catch (const storage_error& e) {
                problem(verify_problem::kind::unreadable_blob, key, e.reason());
                return;
            }
            const digest_type actual = Hash::hash(bytes);
            if (actual != *d) {
                problem(verify_problem::kind::hash_mismatch, key, "the bytes hash to " + actual.to_string());
            }
            if (r.size != bytes.size() || r.stored_size != stored->size()) {
                problem(verify_problem::kind::record_mismatch, key_in('m', text),
                        "the record says " + std::to_string(r.size) + " bytes stored in " +
                            std::to_string(r.stored_size) + "; the blob has " + std::to_string(bytes.size()) +
                            " stored in " + std::to_string(stored->size()));
            }
        });
        // Blobs without a record: only looked for when the counts disagree (it reads blobs).
        const std::string blobs = key_in('b');
        if (backend_->count(blobs) != blobs_with_record) {
            for_each_entry(*backend_, blobs, [&](const key_value& e) {
                if (held_digests.count(e.key.substr(blobs.size())) == 0)
                    problem(verify_problem::kind::missing_record, e.key, "the blob has no record");
            }, 16);
        }
        // References: each names a held blob, and its two halves agree.
        for_each_entry(*backend_, key_in('r'), [&](const key_value& e) {
            ++report.references;
            const auto [text_view, encoded] = split_ref_key(e.key);
            const std::string text(text_view);
            const auto pair = detail::cas::split_owner_ref(encoded);
            const std::string who = pair ? "\"" + pair->first + "\" / \"" + pair->second + "\"" : "?";
            if (held_digests.count(text) == 0)
                problem(verify_problem::kind::dangling_reference, e.key,
                        "the reference " + who + " names " + text + ", which the store does not hold");
            const auto by_owner = backend_->get(owner_key(encoded));
            if (!by_owner || *by_owner != text)
                problem(verify_problem::kind::broken_reference, e.key,
                        "the reference " + who + " by owner names " + (by_owner ? *by_owner : "nothing"));
        }, 1024);
        const std::string owners = key_in('o');
        for_each_entry(*backend_, owners, [&](const key_value& e) {
            if (!backend_->contains(ref_key_text(e.value, std::string_view(e.key).substr(owners.size()))))
                problem(verify_problem::kind::broken_reference, e.key,
                        "the reference names " + e.value + " by owner, but not by digest");
        }, 1024);
        return report;
    }

    /**
     * @brief The background compression pass over the blobs: every blob stored uncompressed
     * (or in one of the `Recoded` codecs) and put at least `min_age` ago is recompressed with
     * `target`, its record updated in the same batch. Resumable (a cursor under the store's
     * prefix), cancellable (`options.stop`), idempotent; see compression/recompress.hpp. The
     * store must be able to read `target` (its `Compression` or one of `Readable...`). Safe
     * beside writers: blobs never change; run it apart from `collect_garbage`.
     */
    template <compression_policy... Recoded, compression_policy Target>
    recompress_report compress_older_than(const Target& target, std::chrono::milliseconds min_age,
                                          recompress_options options = {}) {
        static_assert(std::is_same_v<Target, Compression> || (std::is_same_v<Target, Readable> || ...),
                      "strata: compress_older_than: the store would not read what it writes; list the target codec "
                      "as the store's Compression or among its Readable codecs");
        options.prefix = key_in('b');
        options.min_age = min_age;
        if (options.cursor_key.empty()) options.cursor_key = options_.prefix + "pass/compress";
        if (!options.now_ms) options.now_ms = options_.now_ms;
        options.max_frame_size = options_.max_blob_size;
        options.on_rewrite = [this](write_batch& batch, std::string_view key, const frame_info&, std::size_t after) {
            const std::string rkey = key_in('m', key.substr(key_in('b').size()));
            if (auto bytes = backend_->get(rkey)) {
                auto r = detail::cas::decode_record(*bytes, rkey);
                r.stored_size = after;
                batch.put(rkey, detail::cas::encode_record(r));
            } else {
                batch.erase(key);  // collected meanwhile: do not put back a blob without its record
            }
        };
        return recompress<Recoded...>(*backend_, target, options);
    }

private:
    friend class cas_writer<cas_store>;

    /// The store's key for `rest` in one of its areas: 'b' blobs, 'm' records, 'r' references by
    /// digest, 'o' references by owner ("" gives the area's prefix).
    std::string key_in(char area, std::string_view rest = {}) const {
        std::string k = options_.prefix;
        k += area;
        k += '/';
        k += rest;
        return k;
    }
    std::string blob_key(const digest_type& d) const { return key_in('b', d.to_string()); }
    std::string record_key(const digest_type& d) const { return key_in('m', d.to_string()); }
    std::string owner_key(std::string_view encoded) const { return key_in('o', encoded); }
    std::string refs_prefix(std::string_view text) const {
        std::string k = key_in('r', text);
        k += '/';
        return k;
    }
    std::string ref_key_text(std::string_view text, std::string_view encoded) const {
        std::string k = refs_prefix(text);
        k += encoded;
        return k;
    }
    /// A P "r/" D "/" R key's digest text D and encoded (owner, ref) R (digests of one policy
    /// have one length, and their text holds no '/').
    std::pair<std::string_view, std::string_view> split_ref_key(std::string_view key) const {
        const std::size_t start = options_.prefix.size() + 2;
        const std::size_t slash = key.find('/', start + Hash::name.size() + 1);
        if (slash == std::string_view::npos) return {key.substr(start), {}};
        return {key.substr(start, slash - start), key.substr(slash + 1)};
    }
    digest_type parse_stored_digest(std::string_view text, std::string_view key) const {
        auto d = digest_type::try_parse(text);
        if (!d) throw storage_error("read reference", std::string(key), "the value is not a digest: " + std::string(text.substr(0, 80)));
        return *d;
    }

    /// Adds the blob (frame + record) to `batch` unless stored (then true); refreshes an old
    /// put time.
    bool put_digest(write_batch& batch, const digest_type& d, std::string_view bytes) const {
        if (bytes.size() > options_.max_blob_size) {
            throw storage_error("put blob", blob_key(d),
                                "the blob has " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                                    std::to_string(options_.max_blob_size));
        }
        const std::int64_t now = options_.now_ms();
        const std::string rkey = record_key(d);
        if (auto existing = backend_->get(rkey)) {
            auto r = detail::cas::decode_record(*existing, rkey);
            if (now - r.put_ms > options_.grace.count() / 2) {
                r.put_ms = now;
                batch.put(rkey, detail::cas::encode_record(r));
            }
            return false;
        }
        std::string frame;
        encode_frame_to(frame, codec_, bytes, now);
        batch.put(rkey, detail::cas::encode_record({bytes.size(), frame.size(), now}));
        batch.put(blob_key(d), frame);
        return true;
    }

    /// Calls `fn(digest text, record)` for every record, in digest order.
    template <class Fn>
    void for_each_record(Fn&& fn) const {
        const std::string records = key_in('m');
        for_each_entry(*backend_, records, [&](const key_value& e) {
            fn(std::string_view(e.key).substr(records.size()), detail::cas::decode_record(e.value, e.key));
        }, 1024);
    }

    bool sampled(const digest_type& d, const verify_options& v) const {
        if (v.sample >= 1.0) return true;
        if (v.sample <= 0.0) return false;
        std::uint64_t x = v.seed;
        for (std::size_t i = 0; i < 8 && i < d.bytes().size(); ++i) x ^= std::uint64_t{d.bytes()[i]} << (8 * i);
        x += 0x9e3779b97f4a7c15ull;  // splitmix64 finaliser
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        x ^= x >> 31;
        return static_cast<double>(x >> 11) * 0x1.0p-53 < v.sample;
    }

    /// Removes unreferenced blobs past the grace period (or counts them, in a dry run). A blob
    /// is referenced when `referenced(digest text)` says so; by default, when the store holds a
    /// reference to it.
    template <class Referenced>
    void sweep(const gc_options& gc, gc_report& report, Referenced referenced) {
        const std::int64_t now = options_.now_ms();
        write_batch batch;
        for_each_record([&](std::string_view text, const detail::cas::blob_record& r) {
            ++report.blobs_examined;
            if (referenced(text)) return;
            if (now - r.put_ms < gc.grace.value_or(options_.grace).count()) {
                ++report.kept_in_grace;
                return;
            }
            ++report.blobs_removed;
            report.bytes_freed += r.stored_size;
            batch.erase(key_in('b', text));
            batch.erase(key_in('m', text));
            if (batch.size() >= gc.batch_size) {
                if (!gc.dry_run) backend_->apply(batch);
                batch.clear();
            }
        });
        if (!gc.dry_run && !batch.empty()) backend_->apply(batch);
    }
    void sweep(const gc_options& gc, gc_report& report) {
        sweep(gc, report, [&](std::string_view text) { return backend_->count(refs_prefix(text)) != 0; });
    }

    Backend* backend_;
    cas_options options_;
    Compression codec_;
};

}  // namespace v1
}  // namespace strata
