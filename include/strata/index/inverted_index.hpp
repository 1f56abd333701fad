/**
 * @file
 * @brief `inverted_index<Doc, Spec, Backend>`: text, tags and date search over reflected
 * documents, stored in any backend and updated in the caller's atomic batch.
 *
 * @code
 * using fields = strata::index_fields<strata::text<"name">, strata::text<"screenshots", "ai_analysis">,
 *                                     strata::tags<"tags">, strata::date<"start_time">>;
 * strata::sqlite_backend db("store.db");
 * strata::inverted_index<session_v3, fields, strata::sqlite_backend> index(db);
 *
 * strata::write_batch batch;                 // the document and its postings commit together
 * batch.put("sessions/" + s.id, strata::json::encode(s));
 * index.update(batch, s);                    // replaces the postings s had before
 * db.apply(batch);
 *
 * strata::search_page page = index.search(strata::parse_query("migr* schema --tag ops --limit 10"));
 * for (const strata::search_hit& hit : page.hits) std::printf("%s %.3f\n", hit.id.c_str(), hit.score);
 * @endcode
 *
 * **Many documents in one batch.** `index.update(batch, doc)` reads the index from the
 * backend, so two such calls on one batch must not touch the same posting segments unless the
 * backend's reads already see the batch (a `staged_backend`). Otherwise take a writer, which
 * keeps the segments it changed and writes each once: `auto w = index.writer(batch);
 * w.update(a); w.update(b); w.flush(); db.apply(batch);`.
 *
 * **Layout** under the prefix (default "idx/"): `m` the meta record (next dense id, document
 * count, total text length); `f/<id>` each document's forward record (its dense id, terms and
 * counts, length, dates: what an update must take back); `r/<dense>` the id of a dense id;
 * `w/<term>` the dictionary (document frequency); `p/<term>\0<segment>` posting segments;
 * `l/<segment>` the live documents and their text lengths; `c/<field><segment>` a date field's
 * values. Documents get dense ids in the order they are first indexed; a segment covers 1,024
 * dense ids as a sorted-slot list or a 128-byte bitmap with one value (term count, length, date)
 * per document. Updating a document rewrites the forward record plus, per term it gains, loses
 * or recounts, one dictionary entry and one segment of at most 1,024 entries: the cost is
 * bounded by the document's size, not by the store's.
 *
 * **Ranking.** BM25 (k1 = 1.2, b = 0.75 by default) over all text fields as one bag of words,
 * idf = ln(1 + (N - df + 0.5) / (df + 0.5)); a prefix term scores every term it expands to.
 *
 * **Consistency.** `verify(documents)` compares every stored part with a fresh reading of the
 * documents and lists each discrepancy; `rebuild(documents)` starts over (not atomic as a
 * whole: an interrupted rebuild leaves the meta record marked, searches refuse with a
 * storage_error, and a new rebuild finishes the job). One writer at a time (dense ids are
 * allocated from the meta record).
 */
#pragma once

#include <strata/detail/index_codec.hpp>
#include <strata/error.hpp>
#include <strata/index/fields.hpp>
#include <strata/index/query.hpp>
#include <strata/index/reports.hpp>
#include <strata/index/tokenizer.hpp>
#include <strata/storage/backend.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// The choices of an `inverted_index` that are not in its `Spec`.
struct index_options {
    std::string prefix = "idx/";   ///< every key of the index starts with it
    stop_words stops;              ///< words left out of text fields and queries (none by default)
    double k1 = 1.2;               ///< BM25 term-frequency saturation
    double b = 0.75;               ///< BM25 length normalisation
    std::size_t rebuild_batch_bytes = std::size_t{8} << 20;  ///< rebuild applies batches of about this size
};

/// @cond internal
namespace detail::index {
inline values_kind kind_of_term(std::string_view term) noexcept {
    return !term.empty() && term.front() == 't' ? values_kind::counts : values_kind::none;
}
// Calls fn(const Doc&) for each document of a source: a range of documents, or a callable that
// takes an emit(const Doc&) callback.
template <class Doc, class Source, class Fn>
void for_each_document(Source&& source, Fn&& fn) {
    if constexpr (std::ranges::input_range<Source>) {
        for (const auto& doc : source) fn(static_cast<const Doc&>(doc));
    } else if constexpr (std::is_invocable_v<Source&, Fn&>) {
        source(fn);
    } else {
        static_assert(dependent_false<Source>,
                      "strata: documents for rebuild/verify must be a range of Doc or a callable "
                      "`void(auto emit)` that calls emit(const Doc&) for each document");
    }
}
}  // namespace detail::index
/// @endcond

/**
 * @brief Adds index changes to one caller's `write_batch`, keeping the segments, dictionary
 * entries and forward records it changed so that several documents updated in the same batch
 * never overwrite each other's changes. Get one from `inverted_index::writer(batch)`; call
 * `flush()` before applying the batch (the destructor flushes what is left, for a writer that
 * goes out of scope before the batch is applied). It must not outlive the batch or the index.
 */
template <class Index>
class index_writer {
public:
    using document_type = typename Index::document_type;

    index_writer(const Index& index, write_batch& batch) : index_(&index), batch_(&batch) {}
    index_writer(const index_writer&) = delete;
    index_writer& operator=(const index_writer&) = delete;
    index_writer(index_writer&&) noexcept = default;
    index_writer& operator=(index_writer&&) noexcept = default;
    ~index_writer() {
        try {
            if (batch_ != nullptr) flush();
        } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; flush() reports
        }
    }

    /// Indexes `doc`, replacing what the index held for its id. A date that does not parse is a
    /// `decode_error` naming the document and path, thrown before anything changes.
    void update(const document_type& doc) { update_entry(index_->entry_of(doc)); }

    /// Indexes a document from its `index_entry` (what `extract_index_entry` reads).
    void update_entry(const index_entry& entry) {
        namespace ix = detail::index;
        const auto& keys = index_->keys();
        const auto old = forward(entry.id);  // a copy: the cache entry is replaced below
        // Everything is read first, so that a read that fails leaves the writer as it was.
        meta();
        std::uint32_t dense = 0;
        if (old) {
            dense = old->dense;
        } else {
            if (meta().next_dense >= 0xffffffffu)
                throw storage_error("update index", keys.meta(), "no dense id left: rebuild the index");
            dense = static_cast<std::uint32_t>(meta().next_dense);
        }
        const std::uint32_t seg = ix::segment_of(dense), slot = ix::slot_of(dense);
        static const index_entry none;
        const index_entry& before = old ? old->entry : none;
        merge_terms(before, entry, [&](const std::string& term, std::uint32_t, std::uint32_t) {
            segment(keys.postings(term, seg), ix::kind_of_term(term));
            frequency(term);
        });
        segment(keys.lengths(seg), ix::values_kind::counts);
        for (std::size_t f = 0; f < entry.dates.size(); ++f) segment(keys.dates(f, seg), ix::values_kind::instants);

        // Then changed, in memory only.
        if (!old) {
            ++meta_->next_dense;
            ++meta_->documents;
            batch_->put(keys.reverse(dense), entry.id);
        }
        meta_->total_length = meta_->total_length - before.length + entry.length;
        meta_dirty_ = true;
        merge_terms(before, entry, [&](const std::string& term, std::uint32_t was, std::uint32_t now) {
            auto& cached = segment(keys.postings(term, seg), ix::kind_of_term(term));
            auto& df = frequency(term);
            if (now == 0) {
                cached.dirty |= cached.seg.reset(slot);
                --df.first;
            } else {
                cached.dirty |= cached.seg.set(slot, now);
                if (was == 0) ++df.first;
            }
            df.second |= (was == 0) != (now == 0);
        });
        auto& lengths = segment(keys.lengths(seg), ix::values_kind::counts);
        lengths.dirty |= lengths.seg.set(slot, entry.length);
        for (std::size_t f = 0; f < entry.dates.size(); ++f) {
            auto& dates = segment(keys.dates(f, seg), ix::values_kind::instants);
            dates.dirty |= entry.dates[f] ? dates.seg.set(slot, static_cast<std::uint64_t>(*entry.dates[f]))
                                          : dates.seg.reset(slot);
        }
        ix::forward_record record{dense, entry};
        batch_->put(keys.forward(entry.id), ix::encode_forward(record));
        forwards_[entry.id] = std::move(record);
    }

    /// Removes the document `id` from the index; whether the index held it.
    bool remove(std::string_view id) {
        namespace ix = detail::index;
        const auto& keys = index_->keys();
        const auto old = forward(id);
        if (!old) return false;
        meta();
        const std::uint32_t seg = ix::segment_of(old->dense), slot = ix::slot_of(old->dense);
        for (const auto& [term, count] : old->entry.terms) {
            segment(keys.postings(term, seg), ix::kind_of_term(term));
            frequency(term);
        }
        segment(keys.lengths(seg), ix::values_kind::counts);
        for (std::size_t f = 0; f < old->entry.dates.size(); ++f) segment(keys.dates(f, seg), ix::values_kind::instants);

        for (const auto& [term, count] : old->entry.terms) {
            auto& cached = segment(keys.postings(term, seg), ix::kind_of_term(term));
            cached.dirty |= cached.seg.reset(slot);
            auto& df = frequency(term);
            --df.first;
            df.second = true;
        }
        auto& lengths = segment(keys.lengths(seg), ix::values_kind::counts);
        lengths.dirty |= lengths.seg.reset(slot);
        for (std::size_t f = 0; f < old->entry.dates.size(); ++f) {
            auto& dates = segment(keys.dates(f, seg), ix::values_kind::instants);
            dates.dirty |= dates.seg.reset(slot);
        }
        --meta_->documents;
        meta_->total_length -= old->entry.length;
        meta_dirty_ = true;
        batch_->erase(keys.forward(id));
        batch_->erase(keys.reverse(old->dense));
        forwards_[std::string(id)] = std::nullopt;
        return true;
    }

    /// Writes the changed segments, dictionary entries and meta record into the batch (each
    /// once, however many documents changed it). Call it before applying the batch.
    void flush() {
        namespace ix = detail::index;
        const auto& keys = index_->keys();
        for (auto& [key, cached] : segments_) {
            if (!cached.dirty) continue;
            if (cached.seg.empty()) batch_->erase(key);
            else batch_->put(key, ix::encode_segment(cached.seg, cached.kind));
            cached.dirty = false;
        }
        for (auto& [term, df] : frequencies_) {
            if (!df.second) continue;
            if (df.first == 0) {
                batch_->erase(keys.dictionary(term));
            } else {
                std::string v;
                ix::put_varint(v, df.first);
                batch_->put(keys.dictionary(term), v);
            }
            df.second = false;
        }
        if (meta_dirty_) {
            batch_->put(keys.meta(), ix::encode_meta(*meta_));
            meta_dirty_ = false;
        }
    }

    /// The batch this writer adds to.
    write_batch& batch() noexcept { return *batch_; }

private:
    struct cached_segment {
        detail::index::segment seg;
        detail::index::values_kind kind;
        bool dirty = false;
    };

    // Calls fn(term, count before, count now) for every term of either entry (0: absent), in
    // term order, skipping terms whose count is unchanged.
    template <class Fn>
    static void merge_terms(const index_entry& before, const index_entry& now, Fn&& fn) {
        auto a = before.terms.begin(), b = now.terms.begin();
        while (a != before.terms.end() || b != now.terms.end()) {
            if (b == now.terms.end() || (a != before.terms.end() && a->first < b->first)) {
                fn(a->first, a->second, 0u);
                ++a;
            } else if (a == before.terms.end() || b->first < a->first) {
                fn(b->first, 0u, b->second);
                ++b;
            } else {
                if (a->second != b->second) fn(a->first, a->second, b->second);
                ++a;
                ++b;
            }
        }
    }

    const std::optional<detail::index::forward_record>& forward(std::string_view id) {
        auto it = forwards_.find(std::string(id));
        if (it == forwards_.end()) it = forwards_.emplace(std::string(id), index_->load_forward(id)).first;
        return it->second;
    }
    detail::index::meta_record& meta() {
        if (!meta_) meta_ = index_->load_meta();
        return *meta_;
    }
    cached_segment& segment(const std::string& key, detail::index::values_kind kind) {
        auto it = segments_.find(key);
        if (it == segments_.end()) {
            cached_segment c{{}, kind, false};
            if (auto bytes = index_->backend().get(key)) c.seg = detail::index::decode_segment(*bytes, kind, key);
            it = segments_.emplace(key, std::move(c)).first;
        }
        return it->second;
    }
    std::pair<std::uint64_t, bool>& frequency(const std::string& term) {
        auto it = frequencies_.find(term);
        if (it == frequencies_.end()) it = frequencies_.emplace(term, std::pair{index_->document_frequency(term), false}).first;
        return it->second;
    }

    const Index* index_;
    write_batch* batch_;
    std::map<std::string, cached_segment> segments_;
    std::unordered_map<std::string, std::pair<std::uint64_t, bool>> frequencies_;  // term -> (df, dirty)
    std::unordered_map<std::string, std::optional<detail::index::forward_record>> forwards_;
    std::optional<detail::index::meta_record> meta_;
    bool meta_dirty_ = false;
};

/**
 * @brief An inverted index over the documents of type `Doc`, reading the fields `Spec` declares,
 * stored in `Backend` under a prefix. See the file comment.
 * @tparam Doc a reflected struct with a `std::string` id member
 * @tparam Spec a `strata::index_fields<...>`
 * @tparam Backend any `strata::backend`
 */
template <class Doc, class Spec, backend Backend>
class inverted_index {
public:
    using document_type = Doc;
    using fields = Spec;
    using backend_type = Backend;
    using writer_type = index_writer<inverted_index>;

    /// An index in `store` under `options.prefix`.
    explicit inverted_index(Backend& store, index_options options = {})
        : backend_(&store), options_(std::move(options)), keys_{options_.prefix} {}

    Backend& backend() const noexcept { return *backend_; }
    const index_options& options() const noexcept { return options_; }

    /// What the index reads of `doc` (its fields, with this index's stop words).
    index_entry entry_of(const Doc& doc) const { return extract_index_entry<Doc, Spec>(doc, options_.stops); }

    // --- Writes -------------------------------------------------------------------------------

    /// A writer that adds index changes for any number of documents to `batch`.
    writer_type writer(write_batch& batch) const { return writer_type(*this, batch); }

    /// Indexes `doc` in the caller's batch, replacing its old postings (see the file comment
    /// for several calls on one batch).
    void update(write_batch& batch, const Doc& doc) const {
        auto w = writer(batch);
        w.update(doc);
        w.flush();
    }
    /// Removes the document `id` in the caller's batch; whether the index held it.
    bool remove(write_batch& batch, std::string_view id) const {
        auto w = writer(batch);
        const bool found = w.remove(id);
        w.flush();
        return found;
    }
    /// Indexes `doc` in a batch of its own.
    void update(const Doc& doc) {
        write_batch batch;
        update(batch, doc);
        backend_->apply(batch);
    }
    /// Removes the document `id` in a batch of its own; whether the index held it.
    bool remove(std::string_view id) {
        write_batch batch;
        const bool found = remove(batch, id);
        if (!batch.empty()) backend_->apply(batch);
        return found;
    }

    /// Erases every key of the index.
    void clear() {
        write_batch batch;
        for (;;) {
            auto entries = backend_->scan(keys_.prefix, std::nullopt, 4096);
            if (entries.empty()) return;
            for (const auto& e : entries) batch.erase(e.key);
            backend_->apply(batch);
            batch.clear();
        }
    }

    /**
     * @brief Builds the index afresh from `documents` (a range of `Doc`, or a callable
     * `void(auto emit)` that calls `emit(doc)` for each). Documents whose dates do not parse, or
     * whose id was already seen, are left out and listed in the report.
     */
    template <class Source>
    index_rebuild_report rebuild(Source&& documents) {
        namespace ix = detail::index;
        index_rebuild_report report;
        clear();
        ix::meta_record meta;
        meta.building = true;
        backend_->put(keys_.meta(), ix::encode_meta(meta));

        write_batch batch;
        std::unordered_map<std::string, std::uint64_t> frequencies;
        std::unordered_set<std::string> seen;
        std::map<std::string, ix::segment> postings;  // of the current segment
        ix::segment lengths;
        std::vector<ix::segment> dates(Spec::date_count);
        std::uint32_t current = 0;
        auto flush_segment = [&] {
            for (auto& [term, seg] : postings) batch.put(keys_.postings(term, current), ix::encode_segment(seg, ix::kind_of_term(term)));
            if (!lengths.empty()) batch.put(keys_.lengths(current), ix::encode_segment(lengths, ix::values_kind::counts));
            for (std::size_t f = 0; f < dates.size(); ++f) {
                if (!dates[f].empty()) batch.put(keys_.dates(f, current), ix::encode_segment(dates[f], ix::values_kind::instants));
                dates[f] = {};
            }
            postings.clear();
            lengths = {};
        };
        auto maybe_apply = [&] {
            if (batch.byte_size() < options_.rebuild_batch_bytes) return;
            backend_->apply(batch);
            batch.clear();
        };
        detail::index::for_each_document<Doc>(documents, [&](const Doc& doc) {
            index_entry entry;
            try {
                entry = entry_of(doc);
            } catch (const document_error& e) {
                report.skipped.emplace_back(index_document_id<Doc, Spec>(doc), e.what());
                return;
            }
            if (!seen.insert(entry.id).second) {
                report.skipped.emplace_back(entry.id, "the documents name this id more than once");
                return;
            }
            if (meta.next_dense >= 0xffffffffu) throw storage_error("rebuild index", entry.id, "more documents than dense ids");
            const auto dense = static_cast<std::uint32_t>(meta.next_dense++);
            if (ix::segment_of(dense) != current) {
                flush_segment();
                current = ix::segment_of(dense);
                maybe_apply();
            }
            const std::uint32_t slot = ix::slot_of(dense);
            for (const auto& [term, count] : entry.terms) {
                postings[term].append(slot, count);
                ++frequencies[term];
            }
            lengths.append(slot, entry.length);
            for (std::size_t f = 0; f < dates.size(); ++f) {
                if (entry.dates[f]) dates[f].append(slot, static_cast<std::uint64_t>(*entry.dates[f]));
            }
            ++meta.documents;
            meta.total_length += entry.length;
            report.postings += entry.terms.size();
            batch.put(keys_.reverse(dense), entry.id);
            const std::string forward_key = keys_.forward(entry.id);
            batch.put(forward_key, ix::encode_forward({dense, std::move(entry)}));
            maybe_apply();
        });
        flush_segment();
        for (const auto& [term, df] : frequencies) {
            std::string v;
            ix::put_varint(v, df);
            batch.put(keys_.dictionary(term), v);
            maybe_apply();
        }
        meta.building = false;
        batch.put(keys_.meta(), ix::encode_meta(meta));
        backend_->apply(batch);
        report.documents = static_cast<std::size_t>(meta.documents);
        report.terms = frequencies.size();
        return report;
    }

    // --- Reads --------------------------------------------------------------------------------

    /// How many documents the index holds.
    std::size_t size() const { return static_cast<std::size_t>(load_meta().documents); }

    /// What the index holds for the document `id` (its terms, length, dates), if anything.
    std::optional<index_entry> indexed(std::string_view id) const {
        auto f = load_forward(id);
        if (!f) return std::nullopt;
        return std::move(f->entry);
    }

    /// The number of documents that hold `term` ("t" + token, or `tag_term(field, value)`).
    std::uint64_t document_frequency(std::string_view term) const {
        const std::string key = keys_.dictionary(term);
        auto bytes = backend_->get(key);
        if (!bytes) return 0;
        std::string_view in = *bytes;
        std::uint64_t df = 0;
        if (!detail::index::get_varint(in, df) || !in.empty()) detail::index::damaged(key, "index dictionary entry");
        return df;
    }

    /**
     * @brief The documents matching `q`: how many in all, and the page `q.offset`,
     * `q.offset + q.limit` in the order asked (ties: the document indexed first). A query that
     * names a date field or a tags field the index lacks is a `query_error`.
     */
    search_page search(const query& q) const;

    /// Sizes of the index: documents, terms, postings, segments, bytes.
    index_stats stats() const {
        index_stats s;
        const auto meta = load_meta();
        s.documents = static_cast<std::size_t>(meta.documents);
        s.total_length = meta.total_length;
        const std::string dictionary = keys_.dictionary_prefix(), postings = keys_.postings_root();
        for_each_entry(*backend_, keys_.prefix, [&](const key_value& e) {
            s.bytes += e.key.size() + e.value.size();
            if (e.key.starts_with(postings)) {
                ++s.segments;
                s.posting_bytes += e.key.size() + e.value.size();
            } else if (e.key.starts_with(dictionary)) {
                const std::string term = detail::index::unescape(std::string_view(e.key).substr(dictionary.size()));
                (term.starts_with('t') ? s.text_terms : s.tag_terms) += 1;
                std::string_view in = e.value;
                std::uint64_t df = 0;
                if (detail::index::get_varint(in, df)) s.postings += static_cast<std::size_t>(df);
            }
        }, 1024);
        return s;
    }

    /**
     * @brief Compares the stored index with a fresh reading of `documents` (the whole set the
     * index should describe: a range of `Doc` or a callable `void(auto emit)`) and lists each
     * discrepancy: documents missing, extra or stale; postings missing, extra or miscounted;
     * dictionary frequencies, lengths and dates that are wrong; ids that dangle; totals.
     */
    template <class Source>
    index_verify_report verify(Source&& documents) const;

    /// @cond internal
    const detail::index::key_scheme& keys() const noexcept { return keys_; }
    detail::index::meta_record load_meta() const {
        const std::string key = keys_.meta();
        auto bytes = backend_->get(key);
        if (!bytes) return {};
        return detail::index::decode_meta(*bytes, key);
    }
    std::optional<detail::index::forward_record> load_forward(std::string_view id) const {
        const std::string key = keys_.forward(id);
        auto bytes = backend_->get(key);
        if (!bytes) return std::nullopt;
        return detail::index::decode_forward(*bytes, std::string(id), key);
    }
    /// @endcond

private:
    // Every segment under `prefix` (keys ending in a segment number), by segment number.
    std::vector<detail::index::segment> load_segments(const std::string& prefix, detail::index::values_kind kind,
                                                      std::size_t count) const {
        std::vector<detail::index::segment> out(count);
        for_each_entry(*backend_, prefix, [&](const key_value& e) {
            if (e.key.size() != prefix.size() + 4) return;
            const std::uint32_t seg = detail::index::key_scheme::segment_in(e.key);
            if (seg >= count) detail::index::damaged(e.key, "index segment (beyond the last dense id)");
            out[seg] = detail::index::decode_segment(e.value, kind, e.key);
        }, 1024);
        return out;
    }
    std::string tags_field(std::string_view field) const {
        const auto names = Spec::names(field_kind::tags);
        if (names.empty()) throw query_error("strata: query: the index has no tags field");
        if (field.empty()) return names.front();
        for (const auto& n : names) {
            if (n == field) return n;
        }
        throw query_error("strata: query: the index has no tags field \"" + std::string(field) + "\"");
    }

    Backend* backend_;
    index_options options_;
    detail::index::key_scheme keys_;
};

// --- search -------------------------------------------------------------------------------------

template <class Doc, class Spec, backend Backend>
search_page inverted_index<Doc, Spec, Backend>::search(const query& q) const {
    namespace ix = detail::index;
    const auto meta = load_meta();
    if (meta.building)
        throw storage_error("search index", keys_.meta(), "a rebuild of the index was interrupted: run rebuild again");
    const bool dated = q.from || q.to || q.order != result_order::relevance;
    if (dated && q.date_field >= Spec::date_count)
        throw query_error("strata: query: the index has " + std::to_string(Spec::date_count) +
                          " date field(s); date field " + std::to_string(q.date_field) + " does not exist");
    const auto segments = static_cast<std::size_t>((meta.next_dense + ix::segment_span - 1) / ix::segment_span);

    // The clauses: one per query token; a prefix token expands to every term it starts.
    struct term_postings {
        double idf = 0;
        std::vector<ix::segment> segs;
    };
    using clause = std::vector<term_postings>;
    std::vector<clause> clauses;
    const double n = static_cast<double>(meta.documents);
    auto postings_of = [&](const std::string& term, std::uint64_t df) {
        term_postings t;
        t.idf = std::log(1.0 + (n - static_cast<double>(df) + 0.5) / (static_cast<double>(df) + 0.5));
        t.segs = load_segments(keys_.postings_prefix(term), ix::kind_of_term(term), segments);
        return t;
    };
    for (const std::string& word : q.terms) {
        const bool prefix = word.ends_with('*');
        std::vector<std::string> tokens = tokenize(prefix ? std::string_view(word).substr(0, word.size() - 1) : word);
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const bool expand = prefix && i + 1 == tokens.size();
            if (!expand && options_.stops.contains(tokens[i])) continue;
            clause c;
            if (expand) {
                const std::string dictionary = keys_.dictionary_prefix();
                for_each_entry(*backend_, keys_.dictionary(text_term(tokens[i])), [&](const key_value& e) {
                    std::string term = ix::unescape(std::string_view(e.key).substr(dictionary.size()));
                    std::string_view in = e.value;
                    std::uint64_t df = 0;
                    if (!ix::get_varint(in, df)) ix::damaged(e.key, "index dictionary entry");
                    c.push_back(postings_of(term, df));
                });
            } else {
                const std::string term = text_term(tokens[i]);
                if (const std::uint64_t df = document_frequency(term); df > 0) c.push_back(postings_of(term, df));
            }
            clauses.push_back(std::move(c));
        }
    }
    std::vector<std::vector<ix::segment>> tag_filters;
    for (const tag_filter& t : q.tags) {
        const std::string term = tag_term(tags_field(t.field), t.value);
        tag_filters.push_back(load_segments(keys_.postings_prefix(term), ix::values_kind::none, segments));
    }
    const auto lengths = load_segments(keys_.lengths_prefix(), ix::values_kind::counts, segments);
    std::vector<ix::segment> dates;
    if (dated) dates = load_segments(keys_.dates_prefix(q.date_field), ix::values_kind::instants, segments);

    // Match segment by segment, on 1,024-bit masks.
    struct candidate {
        double score;
        std::int64_t instant;  // (not `date`: clang would read `c.date <` as the template strata::date)
        bool has_date;
        std::uint32_t dense;
    };
    const bool scored = q.order == result_order::relevance && !clauses.empty();
    const double average = meta.documents == 0 ? 1.0 : static_cast<double>(meta.total_length) / n;
    const double k1 = options_.k1, b = options_.b;
    const std::int64_t from = q.from.value_or(std::numeric_limits<std::int64_t>::min());
    const std::int64_t to = q.to.value_or(std::numeric_limits<std::int64_t>::max());
    auto before = [&](const candidate& x, const candidate& y) {
        if (q.order == result_order::relevance) {
            if (x.score != y.score) return x.score > y.score;
        } else if (x.has_date != y.has_date) {
            return x.has_date;
        } else if (x.has_date && x.instant != y.instant) {
            return q.order == result_order::newest ? x.instant > y.instant : x.instant < y.instant;
        }
        return x.dense < y.dense;
    };
    // The best `wanted` candidates so far, as a heap whose top is the worst of them.
    const std::size_t wanted = q.limit == 0 ? 0 : q.offset + q.limit;
    std::vector<candidate> best;
    best.reserve(std::min<std::size_t>(wanted, 4096));
    std::size_t total = 0;
    // Set bits before each word of a segment: a value's position is one popcount away.
    using word_ranks = std::array<std::uint32_t, ix::segment_words>;
    auto ranks_of = [](const ix::segment& seg) {
        word_ranks r{};
        std::uint32_t sum = 0;
        for (std::size_t w = 0; w < ix::segment_words; ++w) {
            r[w] = sum;
            sum += static_cast<std::uint32_t>(std::popcount(seg.bits[w]));
        }
        return r;
    };
    auto value_at = [](const ix::segment& seg, const word_ranks& r, std::uint32_t w, std::uint64_t below) {
        return seg.values[r[w] + static_cast<std::uint32_t>(std::popcount(seg.bits[w] & below))];
    };
    std::vector<word_ranks> term_ranks;
    for (std::size_t s = 0; s < segments; ++s) {
        ix::bit_words mask = lengths[s].bits;
        if (!clauses.empty()) {
            ix::bit_words combined{};
            if (q.mode == match_mode::all) combined.fill(~std::uint64_t{0});
            for (const clause& c : clauses) {
                ix::bit_words any{};
                for (const term_postings& t : c) {
                    for (std::size_t w = 0; w < ix::segment_words; ++w) any[w] |= t.segs[s].bits[w];
                }
                for (std::size_t w = 0; w < ix::segment_words; ++w) {
                    combined[w] = q.mode == match_mode::all ? combined[w] & any[w] : combined[w] | any[w];
                }
            }
            for (std::size_t w = 0; w < ix::segment_words; ++w) mask[w] &= combined[w];
        }
        for (const auto& tag : tag_filters) {
            for (std::size_t w = 0; w < ix::segment_words; ++w) mask[w] &= tag[s].bits[w];
        }
        const word_ranks length_ranks = ranks_of(lengths[s]);
        const word_ranks date_ranks = dated ? ranks_of(dates[s]) : word_ranks{};
        if (scored) {
            term_ranks.clear();
            for (const clause& c : clauses) {
                for (const term_postings& t : c) term_ranks.push_back(ranks_of(t.segs[s]));
            }
        }
        for (std::uint32_t w = 0; w < ix::segment_words; ++w) {
            for (std::uint64_t bits = mask[w]; bits != 0; bits &= bits - 1) {
                const auto bit = static_cast<std::uint32_t>(std::countr_zero(bits));
                const std::uint64_t below = (std::uint64_t{1} << bit) - 1;
                candidate c{0.0, 0, false, static_cast<std::uint32_t>(s * ix::segment_span + w * 64 + bit)};
                if (dated) {
                    c.has_date = (dates[s].bits[w] >> bit) & 1u;
                    if (c.has_date) c.instant = static_cast<std::int64_t>(value_at(dates[s], date_ranks, w, below));
                    if ((q.from || q.to) && (!c.has_date || c.instant < from || c.instant > to)) continue;
                }
                ++total;
                if (wanted == 0) continue;
                if (scored) {
                    const auto length = static_cast<double>(value_at(lengths[s], length_ranks, w, below));
                    const double norm = k1 * (1.0 - b + b * length / average);
                    std::size_t r = 0;
                    for (const clause& cl : clauses) {
                        for (const term_postings& t : cl) {
                            const word_ranks& tr = term_ranks[r++];
                            if (((t.segs[s].bits[w] >> bit) & 1u) == 0) continue;
                            const auto tf = static_cast<double>(value_at(t.segs[s], tr, w, below));
                            c.score += t.idf * (tf * (k1 + 1.0)) / (tf + norm);
                        }
                    }
                }
                if (best.size() < wanted) {
                    best.push_back(c);
                    std::push_heap(best.begin(), best.end(), before);
                } else if (before(c, best.front())) {
                    std::pop_heap(best.begin(), best.end(), before);
                    best.back() = c;
                    std::push_heap(best.begin(), best.end(), before);
                }
            }
        }
    }

    search_page page;
    page.total = total;
    std::sort_heap(best.begin(), best.end(), before);
    const std::size_t end = best.size();
    const std::vector<candidate>& found = best;
    std::unordered_map<std::uint32_t, ix::segment> date_cache;
    for (std::size_t i = q.offset; i < end; ++i) {
        const candidate& c = found[i];
        const std::string key = keys_.reverse(c.dense);
        auto id = backend_->get(key);
        if (!id) ix::damaged(key, "index: a dense id with no document");
        search_hit hit{std::move(*id), c.score, std::nullopt};
        if (dated) {
            if (c.has_date) hit.date = c.instant;
        } else if (q.date_field < Spec::date_count) {
            const std::uint32_t seg = ix::segment_of(c.dense);
            auto it = date_cache.find(seg);
            if (it == date_cache.end()) {
                const std::string dkey = keys_.dates(q.date_field, seg);
                auto bytes = backend_->get(dkey);
                it = date_cache.emplace(seg, bytes ? ix::decode_segment(*bytes, ix::values_kind::instants, dkey) : ix::segment{}).first;
            }
            if (it->second.test(ix::slot_of(c.dense))) hit.date = static_cast<std::int64_t>(it->second.value_at(ix::slot_of(c.dense)));
        }
        page.hits.push_back(std::move(hit));
    }
    return page;
}

// --- verify -------------------------------------------------------------------------------------

template <class Doc, class Spec, backend Backend>
template <class Source>
index_verify_report inverted_index<Doc, Spec, Backend>::verify(Source&& documents) const {
    namespace ix = detail::index;
    using kind = index_discrepancy::kind;
    index_verify_report report;
    auto note = [&](kind k, std::string document, std::string term, std::string detail) {
        report.discrepancies.push_back({k, std::move(document), std::move(term), std::move(detail)});
    };
    const auto meta = load_meta();
    if (meta.building) note(kind::wrong_totals, "", "", "a rebuild was interrupted");

    // The stored forward records and the dense id map.
    std::map<std::string, ix::forward_record> stored;
    const std::string forward_prefix = keys_.forward_prefix();
    for_each_entry(*backend_, forward_prefix, [&](const key_value& e) {
        std::string id = e.key.substr(forward_prefix.size());
        stored.emplace(id, ix::decode_forward(e.value, id, e.key));
    }, 1024);
    std::unordered_map<std::uint32_t, std::string> reverse;
    const std::string reverse_prefix = keys_.reverse_prefix();
    for_each_entry(*backend_, reverse_prefix, [&](const key_value& e) {
        const std::uint32_t dense = ix::get_be32(std::string_view(e.key).substr(reverse_prefix.size()));
        reverse.emplace(dense, e.value);
    }, 1024);

    // The documents, read afresh, against the forward records.
    std::map<std::string, index_entry> expected;  // by id
    std::unordered_map<std::uint32_t, const index_entry*> by_dense;  // documents the index knows
    detail::index::for_each_document<Doc>(documents, [&](const Doc& doc) {
        ++report.documents;
        index_entry entry;
        try {
            entry = entry_of(doc);
        } catch (const document_error& e) {
            note(kind::stale_document, index_document_id<Doc, Spec>(doc), "", std::string("cannot be indexed: ") + e.what());
            return;
        }
        std::string id = entry.id;
        if (!expected.emplace(id, std::move(entry)).second) note(kind::stale_document, id, "", "the documents name this id more than once");
    });
    std::uint64_t known = 0, total_length = 0;
    for (const auto& [id, entry] : expected) {
        const auto it = stored.find(id);
        if (it == stored.end()) {
            note(kind::missing_document, id, "", "no forward record");
            continue;
        }
        ++known;
        total_length += entry.length;
        by_dense[it->second.dense] = &entry;
        const index_entry& held = it->second.entry;
        if (held.terms != entry.terms) note(kind::stale_document, id, "", "the forward record's terms differ from the document's");
        if (held.length != entry.length)
            note(kind::stale_document, id, "", "length " + std::to_string(held.length) + ", expected " + std::to_string(entry.length));
        if (held.dates != entry.dates) note(kind::stale_document, id, "", "the forward record's dates differ from the document's");
        const auto r = reverse.find(it->second.dense);
        if (r == reverse.end() || r->second != id)
            note(kind::dangling_id, id, "", "dense id " + std::to_string(it->second.dense) + " does not map back to it");
    }
    for (const auto& [id, record] : stored) {
        if (expected.count(id) == 0) note(kind::extra_document, id, "", "a forward record for a document not among them");
    }
    for (const auto& [dense, id] : reverse) {
        const auto it = stored.find(id);
        if (it == stored.end() || it->second.dense != dense)
            note(kind::dangling_id, id, "", "dense id " + std::to_string(dense) + " names it, but its forward record does not");
    }
    auto id_of = [&](std::uint32_t dense) {
        const auto it = reverse.find(dense);
        return it == reverse.end() ? "#" + std::to_string(dense) : it->second;
    };

    // Postings, term by term (the scan is in term order), against the documents' terms.
    std::map<std::string, std::map<std::uint32_t, std::uint32_t>> wanted;  // term -> dense -> count
    for (const auto& [dense, entry] : by_dense) {
        for (const auto& [term, count] : entry->terms) wanted[term][dense] = count;
    }
    std::map<std::string, std::map<std::uint32_t, std::uint32_t>> held;
    const std::string root = keys_.postings_root();
    for_each_entry(*backend_, root, [&](const key_value& e) {
        const std::string_view rest = std::string_view(e.key).substr(root.size());
        const std::size_t end = rest.size() >= 5 ? rest.size() - 5 : std::string_view::npos;
        if (end == std::string_view::npos || rest[end] != '\0') ix::damaged(e.key, "index posting key");
        const std::string term = ix::unescape(rest.substr(0, end));
        const std::uint32_t seg = ix::key_scheme::segment_in(e.key);
        auto& into = held[term];
        ix::decode_segment(e.value, ix::kind_of_term(term), e.key).for_each([&](std::uint32_t slot, std::uint64_t count) {
            into[seg * ix::segment_span + slot] = static_cast<std::uint32_t>(count);
        });
    }, 1024);
    for (const auto& [term, docs] : held) {
        const auto w = wanted.find(term);
        for (const auto& [dense, count] : docs) {
            if (w == wanted.end() || w->second.count(dense) == 0) {
                note(kind::extra_posting, id_of(dense), term, "");
            } else if (w->second.at(dense) != count) {
                note(kind::wrong_count, id_of(dense), term, "count " + std::to_string(count) + ", expected " + std::to_string(w->second.at(dense)));
            }
        }
    }
    for (const auto& [term, docs] : wanted) {
        const auto h = held.find(term);
        for (const auto& [dense, count] : docs) {
            if (h == held.end() || h->second.count(dense) == 0) note(kind::missing_posting, id_of(dense), term, "");
        }
    }

    // The dictionary.
    std::set<std::string> listed;
    const std::string dictionary = keys_.dictionary_prefix();
    for_each_entry(*backend_, dictionary, [&](const key_value& e) {
        std::string term = ix::unescape(std::string_view(e.key).substr(dictionary.size()));
        std::string_view in = e.value;
        std::uint64_t df = 0;
        if (!ix::get_varint(in, df)) ix::damaged(e.key, "index dictionary entry");
        const auto w = wanted.find(term);
        const std::uint64_t want = w == wanted.end() ? 0 : w->second.size();
        if (df != want) note(kind::wrong_frequency, "", term, "document frequency " + std::to_string(df) + ", expected " + std::to_string(want));
        listed.insert(std::move(term));
    }, 1024);
    for (const auto& [term, docs] : wanted) {
        if (listed.count(term) == 0) note(kind::wrong_frequency, "", term, "not in the dictionary (expected " + std::to_string(docs.size()) + ")");
    }

    // Columns: lengths (and liveness), dates.
    auto check_column = [&](const std::string& prefix, ix::values_kind vk, auto&& want, const char* what) {
        std::unordered_set<std::uint32_t> present;
        for_each_entry(*backend_, prefix, [&](const key_value& e) {
            const std::uint32_t seg = ix::key_scheme::segment_in(e.key);
            ix::decode_segment(e.value, vk, e.key).for_each([&](std::uint32_t slot, std::uint64_t v) {
                const std::uint32_t dense = seg * ix::segment_span + slot;
                present.insert(dense);
                const auto it = by_dense.find(dense);
                const std::optional<std::uint64_t> expected_value = it == by_dense.end() ? std::nullopt : want(*it->second);
                if (!expected_value || *expected_value != v)
                    note(kind::wrong_column, id_of(dense), "", std::string(what) + " " + std::to_string(v) + ", expected " +
                                                                   (expected_value ? std::to_string(*expected_value) : std::string("none")));
            });
        }, 1024);
        for (const auto& [dense, entry] : by_dense) {
            if (present.count(dense) == 0 && want(*entry)) note(kind::wrong_column, entry->id, "", std::string(what) + " missing");
        }
    };
    check_column(keys_.lengths_prefix(), ix::values_kind::counts,
                 [](const index_entry& e) { return std::optional<std::uint64_t>(e.length); }, "length");
    for (std::size_t f = 0; f < Spec::date_count; ++f) {
        check_column(keys_.dates_prefix(f), ix::values_kind::instants, [f](const index_entry& e) {
            return e.dates[f] ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*e.dates[f])) : std::nullopt;
        }, "date");
    }

    // Totals.
    if (meta.documents != stored.size() || meta.documents != known)
        note(kind::wrong_totals, "", "", "document count " + std::to_string(meta.documents) + ", expected " + std::to_string(known));
    std::uint64_t held_length = 0;
    for (const auto& [id, record] : stored) held_length += record.entry.length;
    if (meta.total_length != held_length || (known == stored.size() && meta.total_length != total_length))
        note(kind::wrong_totals, "", "", "total length " + std::to_string(meta.total_length) + ", expected " + std::to_string(total_length));
    for (const auto& [id, record] : stored) {
        if (record.dense >= meta.next_dense) note(kind::dangling_id, id, "", "dense id beyond the next one to allocate");
    }
    return report;
}

}  // namespace v1
}  // namespace strata
