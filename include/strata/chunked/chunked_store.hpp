/**
 * @file
 * @brief `chunked_store`: large documents kept as metadata plus fixed-size chunks of their
 * big arrays, so that listing reads the metadata only and appending an element rewrites one
 * chunk and the metadata (needs strata::json).
 *
 * @code
 * template <>
 * struct strata::chunk_layout<session_v3> : strata::chunked<"id", 16, "screenshots"> {};
 *
 * strata::sqlite_backend backend("sessions.db");
 * strata::chunked_store<session_v3, strata::sqlite_backend> store(backend, "sessions/");
 * store.save(session);                                  // one atomic batch
 * store.append<"screenshots">("session-7", shot,        // rewrites the last chunk + metadata
 *                             [](session_v3& meta) { ++meta.stats.screenshot_count; });
 * store.for_each_metadata([](const strata::chunked_metadata<session_v3>& m) {
 *     std::cout << m.id() << ": " << m.length<"screenshots">() << " screenshots\n";
 * });
 * std::optional<session_v3> whole = store.load("session-7");
 * @endcode
 *
 * ## Layout in the backend
 * Under the store's prefix P (a constructor argument: give each store its own, not the prefix
 * of another's), for a document whose id member holds I:
 *
 * | key                                           | value                                        |
 * |-----------------------------------------------|----------------------------------------------|
 * | P `m/` I                                      | the metadata                                 |
 * | P `c/` esc(I) `\x00\x01` M `\x00` n           | chunk n of the chunked member M              |
 *
 * M is the member's C++ name and n the chunk's number as 4 bytes big-endian, so that a
 * member's chunks sort in order and form one key range; esc(I) is I with each NUL byte written
 * `\x00\xff`, so ids may hold any bytes and no document's chunk range contains another's. All
 * metadata sorts by id under P `m/`, apart from every chunk: a scan of the metadata reads no
 * chunk. Every value is a frame (compression/frame.hpp: codec, size, time written) around JSON:
 * - metadata: `{"chunked":{"screenshots":{"length":130,"chunk_size":16}},"document":{…}}`, the
 *   document as strata's codec writes it, its chunked members `[]`;
 * - chunk: a JSON array of `chunk_size` elements (fewer in the last), as the codec writes them.
 *
 * The metadata records each member's chunk size, so a document keeps reading (and appending)
 * with the size it was written with after the layout's size changes; `save` re-chunks it.
 *
 * ## Atomicity
 * Every call that writes applies exactly one `write_batch`: after a crash a document is whole in
 * its old state or its new one. Each writing call has an overload that adds its operations to
 * the caller's batch instead (and applies nothing), so that a document commits together with
 * other writes (its content-store references, an index). Those overloads read the backend, not
 * the batch: one batch must not hold two writes of the same document.
 *
 * Reads are not isolated from a concurrent write of the same document (backends offer no
 * snapshots): a `load` that finds the chunks disagreeing with the metadata reads again when the
 * metadata has changed meanwhile, and reports the damage otherwise. Serialise the writers of one
 * document.
 */
#pragma once

#include <strata/chunked/layout.hpp>
#include <strata/chunked/metadata.hpp>
#include <strata/compression/frame.hpp>
#include <strata/detail/chunked_codec.hpp>
#include <strata/detail/chunked_keys.hpp>
#include <strata/error.hpp>
#include <strata/fixed_string.hpp>
#include <strata/json/encode.hpp>
#include <strata/reflection.hpp>
#include <strata/storage/backend.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief A store of documents split into metadata and chunks (see the file comment).
 * @tparam Doc a reflected struct with a `chunk_layout<Doc>`
 * @tparam Backend any `strata::backend`, used by reference
 * @tparam Compression the codec of the values it writes (`no_compression`, `zstd_compression`…)
 * @tparam Readable further codecs it can read (values written by other settings); values
 * without compression are always readable
 */
template <class Doc, class Backend, compression_policy Compression = no_compression,
          compression_policy... Readable>
class chunked_store {
    static_assert(check_backend<Backend>());
    static_assert(check_chunk_layout<Doc>());

    using info = detail::chunk_layout_info<Doc>;
    using counts_type = detail::chunked_codec::chunk_counts<info::count>;

    template <fixed_string Member>
    static constexpr std::size_t position_of = info::position_of(Member.view());

public:
    /// The document type.
    using document_type = Doc;
    /// What `load_metadata` and the scans return.
    using metadata_type = chunked_metadata<Doc>;
    /// The element type of the chunked member `Member`.
    template <fixed_string Member>
    using element_type = typename detail::chunked_element<Doc, position_of<Member>>::type;

    /**
     * @brief A store over `backend` (which must outlive it), under the key prefix `prefix`
     * (e.g. `"sessions/"`).
     */
    chunked_store(Backend& backend, std::string prefix, chunked_options options = {},
                  Compression compression = {})
        : backend_(&backend),
          prefix_(std::move(prefix)),
          metadata_prefix_(prefix_ + std::string(detail::chunked_keys::metadata_part)),
          options_(std::move(options)),
          compression_(std::move(compression)) {}

    /// The key prefix of every key of the store.
    const std::string& prefix() const noexcept { return prefix_; }
    /// The backend.
    Backend& backend() const noexcept { return *backend_; }

    // --- writing ------------------------------------------------------------------------------

    /**
     * @brief Stores `doc` whole (replacing any document of the same id), in one batch: its
     * metadata, every chunk, and the erasure of chunks beyond its lengths when it shrank.
     * @throws encode_error naming the document and path of a value with no JSON form (nothing
     * is written)
     */
    void save(const Doc& doc) {
        write_batch batch;
        add_save(batch, doc);
        backend_->apply(batch);
    }
    /// As `save(doc)`, adding the operations to `batch` (applies nothing).
    void save(write_batch& batch, const Doc& doc) {
        write_batch local;
        add_save(local, doc);
        batch.append(local);
    }

    /**
     * @brief Appends `element` to the chunked member `Member` of the document `id`, in one
     * batch: rewrites its last chunk (or starts a new one) and the metadata's lengths. The
     * stored values are the same bytes a `save` of the whole document would write.
     * @throws storage_error when there is no document `id`; chunked_document_error when its
     * stored values are damaged; encode_error for an element with no JSON form
     */
    template <fixed_string Member>
    void append(std::string_view id, const element_type<Member>& element) {
        write_batch batch;
        add_append<Member>(batch, id, element, nullptr);
        backend_->apply(batch);
    }
    /**
     * @brief As above, and calls `adjust(Doc&)` on the metadata's document before writing it
     * back (e.g. to count the new element in a statistics member), in the same batch. `adjust`
     * must change neither the id nor the chunked members.
     */
    template <fixed_string Member, std::invocable<Doc&> Adjust>
    void append(std::string_view id, const element_type<Member>& element, Adjust&& adjust) {
        write_batch batch;
        add_append<Member>(batch, id, element, &adjust);
        backend_->apply(batch);
    }
    /// As `append(id, element)`, adding the operations to `batch` (applies nothing).
    template <fixed_string Member>
    void append(write_batch& batch, std::string_view id, const element_type<Member>& element) {
        write_batch local;
        add_append<Member>(local, id, element, nullptr);
        batch.append(local);
    }
    /// As `append(id, element, adjust)`, adding the operations to `batch` (applies nothing).
    template <fixed_string Member, std::invocable<Doc&> Adjust>
    void append(write_batch& batch, std::string_view id, const element_type<Member>& element,
                Adjust&& adjust) {
        write_batch local;
        add_append<Member>(local, id, element, &adjust);
        batch.append(local);
    }

    /**
     * @brief Removes the document `id`, its metadata and every chunk, in one batch.
     * @return whether the document was there
     */
    bool remove(std::string_view id) {
        write_batch batch;
        const bool existed = add_remove(batch, id);
        backend_->apply(batch);
        return existed;
    }
    /// As `remove(id)`, adding the operations to `batch` (applies nothing).
    bool remove(write_batch& batch, std::string_view id) {
        write_batch local;
        const bool existed = add_remove(local, id);
        batch.append(local);
        return existed;
    }

    // --- reading ------------------------------------------------------------------------------

    /**
     * @brief The whole document `id`, or `std::nullopt` when there is none.
     * @throws chunked_document_error when a value is damaged or a chunk is missing (naming the
     * document, the key and the JSON path)
     */
    std::optional<Doc> load(std::string_view id) const {
        const std::string key = detail::chunked_keys::metadata_key(prefix_, id);
        std::optional<std::string> stored = backend_->get(key);
        for (int attempt = 0;; ++attempt) {
            if (!stored) return std::nullopt;
            try {
                return load_from(id, key, *stored);
            } catch (const inconsistent_chunks&) {
                // The chunks disagree with the metadata: a write of this document may have
                // run meanwhile. Read again if the metadata changed; else the store is damaged.
                std::optional<std::string> again = backend_->get(key);
                if (attempt >= 8 || again == stored) throw;
                stored = std::move(again);
            }
        }
    }

    /// The metadata of the document `id` (its chunks are not read), or `std::nullopt`.
    std::optional<chunked_metadata<Doc>> load_metadata(std::string_view id) const {
        const std::string key = detail::chunked_keys::metadata_key(prefix_, id);
        std::optional<std::string> stored = backend_->get(key);
        if (!stored) return std::nullopt;
        chunked_metadata<Doc> out;
        out.lengths = lengths_of(read_metadata("load metadata", id, key, *stored, out.document),
                                 out.document);
        return out;
    }

    /**
     * @brief Up to `limit` documents' metadata, in ascending byte order of id, starting after
     * the id `after` (none: from the first). Page on with the last one's `id()`.
     */
    std::vector<chunked_metadata<Doc>> scan_metadata(
        std::optional<std::string_view> after = std::nullopt, std::size_t limit = 256) const {
        std::optional<std::string> after_key;
        if (after) after_key = detail::chunked_keys::metadata_key(prefix_, *after);
        std::vector<key_value> entries = backend_->scan(
            metadata_prefix_,
            after_key ? std::optional<std::string_view>(*after_key) : std::nullopt, limit);
        std::vector<chunked_metadata<Doc>> out(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const std::string_view id =
                std::string_view(entries[i].key).substr(metadata_prefix_.size());
            const counts_type counts = read_metadata("scan metadata", id, entries[i].key,
                                                     entries[i].value, out[i].document);
            out[i].lengths = lengths_of(counts, out[i].document);
        }
        return out;
    }

    /**
     * @brief Calls `fn(chunked_metadata<Doc>&&)` for every document, in ascending byte order of
     * id, reading `page` (at least 1) at a time, so memory stays flat.
     */
    template <class Fn>
    void for_each_metadata(Fn&& fn, std::size_t page = 256) const {
        page = std::max<std::size_t>(page, 1);
        std::optional<std::string> after;
        for (;;) {
            std::vector<chunked_metadata<Doc>> batch =
                scan_metadata(after ? std::optional<std::string_view>(*after) : std::nullopt, page);
            if (batch.empty()) return;
            after = batch.back().id();  // before fn may move the documents out
            for (chunked_metadata<Doc>& meta : batch) fn(std::move(meta));
            if (batch.size() < page) return;
        }
    }

    /// Whether there is a document `id` (reads no value).
    bool contains(std::string_view id) const {
        return backend_->contains(detail::chunked_keys::metadata_key(prefix_, id));
    }

    /// The number of documents in the store (counts metadata keys only).
    std::size_t count() const { return backend_->count(metadata_prefix_); }

private:
    // Thrown (as a chunked_document_error) when chunks disagree with their metadata.
    struct inconsistent_chunks : chunked_document_error {
        using chunked_document_error::chunked_document_error;
    };

    std::string frame(std::string_view bytes, std::int64_t now) const {
        return encode_frame(compression_, bytes, now);
    }

    std::string unframe(std::string_view stored, std::string_view key, std::string_view operation,
                        std::string_view id) const {
        try {
            if constexpr (Compression::id == no_compression::id) {
                return decode_frame<Readable...>(stored, key, options_.max_value_size);
            } else {
                return decode_frame<Compression, Readable...>(stored, key, options_.max_value_size);
            }
        } catch (const storage_error& e) {
            throw chunked_document_error(std::string(operation), std::string(key), std::string(id),
                                         "", e.operation() + ": " + e.reason());
        }
    }

    // Turns a decode_error into a chunked_document_error naming the key and the document.
    [[noreturn]] static void located(const document_error& e, std::string_view operation,
                                     std::string_view key, std::string_view id) {
        throw chunked_document_error(std::string(operation), std::string(key), std::string(id),
                                     e.path(),
                                     "at " + (e.path().empty() ? std::string("(root)") : e.path()) +
                                         ": expected " + e.expected() + ", found " + e.found());
    }

    std::string chunk_prefix(std::string_view id, std::size_t position) const {
        return detail::chunked_keys::member_chunks_prefix(
            detail::chunked_keys::document_chunks_prefix(prefix_, id),
            chunk_layout<Doc>::members[position]);
    }

    // Each chunked member's length: as the metadata records it, or, for a member the document
    // keeps whole (written with a layout that did not chunk it), its size in the document.
    static std::array<std::uint64_t, info::count> lengths_of(const counts_type& counts,
                                                             const Doc& document) {
        std::array<std::uint64_t, info::count> lengths{};
        for_each_chunked([&](auto p) {
            constexpr std::size_t position = decltype(p)::value;
            lengths[position] = counts.present[position]
                                    ? counts.lengths[position]
                                    : get_member<info::member_indices[position]>(document).size();
        });
        return lengths;
    }

    // Reads a metadata value: its counts, and the document's JSON text into `document_text`.
    counts_type read_metadata(std::string_view operation, std::string_view id, std::string_view key,
                              std::string_view stored, std::string& document_text) const {
        const std::string json = unframe(stored, key, operation, id);
        counts_type counts;
        try {
            std::string_view view;
            detail::chunked_codec::parse_metadata<Doc>(json, counts, static_cast<Doc*>(nullptr),
                                                       &view);
            document_text.assign(view);
        } catch (const document_error& error) {
            located(error, operation, key, id);
        }
        return counts;
    }

    // Reads a metadata value: its counts, and the document decoded into `document`. Checks that
    // the metadata is the document `id`'s and that the members it keeps in chunks are empty.
    counts_type read_metadata(std::string_view operation, std::string_view id, std::string_view key,
                              std::string_view stored, Doc& document) const {
        const std::string json = unframe(stored, key, operation, id);
        counts_type counts;
        try {
            detail::chunked_codec::parse_metadata<Doc>(json, counts, &document, nullptr);
        } catch (const document_error& error) {
            located(error, operation, key, id);
        }
        constexpr std::string_view id_key = member_key<Doc, info::id_index>;
        if (get_member<info::id_index>(document) != id) {
            throw chunked_document_error(
                std::string(operation), std::string(key), std::string(id), std::string(id_key),
                "at " + std::string(id_key) + ": the metadata belongs to document \"" +
                    get_member<info::id_index>(document) + "\"");
        }
        for_each_chunked([&](auto p) {
            constexpr std::size_t position = decltype(p)::value;
            constexpr std::string_view json_key = member_key<Doc, info::member_indices[position]>;
            if (counts.present[position] &&
                !get_member<info::member_indices[position]>(document).empty()) {
                throw chunked_document_error(
                    std::string(operation), std::string(key), std::string(id),
                    std::string(json_key),
                    "at " + std::string(json_key) +
                        ": expected [] (the member is stored in chunks), found elements "
                        "in the metadata");
            }
        });
        return counts;
    }

    template <class F>
    static void for_each_chunked(F&& f) {
        [&]<std::size_t... P>(std::index_sequence<P...>) {
            (f(std::integral_constant<std::size_t, P>{}), ...);
        }
        (std::make_index_sequence<info::count>{});
    }

    static std::uint64_t chunk_count(std::uint64_t length, std::uint64_t chunk_size) {
        return length / chunk_size + (length % chunk_size != 0 ? 1 : 0);
    }

    Doc load_from(std::string_view id, std::string_view key, std::string_view stored) const {
        Doc document{};
        const counts_type counts = read_metadata("load", id, key, stored, document);
        const std::string document_prefix =
            detail::chunked_keys::document_chunks_prefix(prefix_, id);
        for_each_chunked([&](auto p) {
            constexpr std::size_t position = decltype(p)::value;
            if (!counts.present[position]) return;  // kept whole in the metadata's document
            load_member<position>(id, document_prefix, counts.lengths[position],
                                  counts.chunk_sizes[position],
                                  get_member<info::member_indices[position]>(document));
        });
        return document;
    }

    template <std::size_t Position, class Vector>
    void load_member(std::string_view id, std::string_view document_prefix, std::uint64_t length,
                     std::uint64_t chunk_size, Vector& out) const {
        constexpr std::string_view name = chunk_layout<Doc>::members[Position];
        constexpr std::string_view json_key = member_key<Doc, info::member_indices[Position]>;
        const std::string member_prefix =
            detail::chunked_keys::member_chunks_prefix(document_prefix, name);
        const std::uint64_t chunks = chunk_count(length, chunk_size);
        const auto fail = [&](std::string_view at_key, std::uint64_t chunk,
                              const std::string& what) {
            throw inconsistent_chunks(
                "load", std::string(at_key), std::string(id),
                std::string(json_key) + "[" + std::to_string(chunk * chunk_size) + "]",
                "at " + std::string(json_key) + ": " + what);
        };
        if (chunks > std::uint64_t{std::numeric_limits<std::uint32_t>::max()} + 1) {
            fail(member_prefix, 0,
                 std::to_string(length) + " elements in chunks of " + std::to_string(chunk_size) +
                     " need more chunks than a key can number: the metadata is damaged");
        }
        if (chunks == 0) {
            // Still check that no chunk is left over.
            std::vector<key_value> stray = backend_->scan(member_prefix, std::nullopt, 1);
            if (!stray.empty())
                fail(stray.front().key, 0,
                     "a chunk beyond the length 0 the metadata records: the store is damaged");
            return;
        }
        std::vector<key_value> entries =
            backend_->scan(member_prefix, std::nullopt, static_cast<std::size_t>(chunks + 1));
        std::uint64_t total_bytes = 0;
        for (const key_value& e : entries) total_bytes += e.value.size();
        out.reserve(
            static_cast<std::size_t>(std::min(length, total_bytes)));  // >= 1 byte per element
        for (std::uint64_t n = 0; n < chunks; ++n) {
            const std::string expected_key =
                detail::chunked_keys::chunk_key(member_prefix, static_cast<std::uint32_t>(n));
            if (n >= entries.size() || entries[static_cast<std::size_t>(n)].key != expected_key) {
                fail(expected_key, n,
                     "chunk " + std::to_string(n) + " of " + std::to_string(chunks) +
                         " is missing (the metadata records " + std::to_string(length) +
                         " elements in chunks of " + std::to_string(chunk_size) +
                         "): the store is damaged");
            }
            const key_value& entry = entries[static_cast<std::size_t>(n)];
            const std::string json = unframe(entry.value, entry.key, "load", id);
            const std::uint64_t first = n * chunk_size;
            const std::uint64_t expected = std::min(chunk_size, length - first);
            std::size_t found = 0;
            try {
                found = detail::chunked_codec::decode_chunk(json, out, first);
            } catch (document_error& error) {
                error.prepend_key(json_key);
                located(error, "load", entry.key, id);
            }
            if (found != expected) {
                fail(entry.key, n,
                     "chunk " + std::to_string(n) + " holds " + std::to_string(found) +
                         " elements, the metadata says " + std::to_string(expected) + " (" +
                         std::to_string(length) + " in chunks of " + std::to_string(chunk_size) +
                         "): the store is damaged");
            }
        }
        if (entries.size() > chunks) {
            fail(entries[static_cast<std::size_t>(chunks)].key, chunks,
                 "a chunk beyond the " + std::to_string(chunks) +
                     " the metadata records: the store is damaged");
        }
    }

    void add_save(write_batch& batch, const Doc& doc) const {
        const std::string& id = get_member<info::id_index>(doc);
        const std::int64_t now = options_.now_ms();
        // The metadata: the document without its chunked members.
        Doc meta{};
        for_each_member_index<Doc>([&](auto i) {
            constexpr std::size_t index = decltype(i)::value;
            if constexpr (info::position_of_member(index) == info::count)
                get_member<index>(meta) = get_member<index>(doc);
        });
        counts_type counts;
        for_each_chunked([&](auto p) {
            constexpr std::size_t position = decltype(p)::value;
            counts.present[position] = true;
            counts.lengths[position] = get_member<info::member_indices[position]>(doc).size();
            counts.chunk_sizes[position] = chunk_layout<Doc>::chunk_sizes[position];
        });
        std::string json;
        detail::chunked_codec::append_metadata_head<Doc>(json, counts);
        try {
            json::encode_to(json, meta);
        } catch (document_error& error) {
            error.set_document(id);
            throw;
        }
        json += '}';
        batch.put(detail::chunked_keys::metadata_key(prefix_, id), frame(json, now));

        const std::string document_prefix =
            detail::chunked_keys::document_chunks_prefix(prefix_, id);
        for_each_chunked([&](auto p) {
            constexpr std::size_t position = decltype(p)::value;
            constexpr std::size_t size = chunk_layout<Doc>::chunk_sizes[position];
            const auto& elements = get_member<info::member_indices[position]>(doc);
            const std::string member_prefix = detail::chunked_keys::member_chunks_prefix(
                document_prefix, chunk_layout<Doc>::members[position]);
            const std::uint64_t chunks = chunk_count(elements.size(), size);
            if (chunks > std::uint64_t{std::numeric_limits<std::uint32_t>::max()} + 1) {
                throw strata::error("strata: document \"" + id +
                                    "\": " + std::to_string(elements.size()) +
                                    " elements in chunks of " + std::to_string(size) +
                                    " need more chunks than a key can number");
            }
            for (std::uint64_t n = 0; n < chunks; ++n) {
                json.clear();
                json += '[';
                const std::size_t first = static_cast<std::size_t>(n * size);
                const std::size_t last = std::min(elements.size(), first + size);
                for (std::size_t i = first; i < last; ++i) {
                    if (i != first) json += ',';
                    encode_element(json, elements[i], position_json_key<position>(), i, id);
                }
                json += ']';
                batch.put(
                    detail::chunked_keys::chunk_key(member_prefix, static_cast<std::uint32_t>(n)),
                    frame(json, now));
            }
            // Chunks beyond the new length (the document shrank, or its chunk size changed).
            erase_from(batch, member_prefix,
                       chunks == 0 ? std::nullopt
                                   : std::optional<std::string>(detail::chunked_keys::chunk_key(
                                         member_prefix, static_cast<std::uint32_t>(chunks - 1))));
        });
    }

    template <std::size_t Position>
    static constexpr std::string_view position_json_key() {
        return member_key<Doc, info::member_indices[Position]>;
    }

    template <class Element>
    static void encode_element(std::string& out, const Element& element, std::string_view json_key,
                               std::size_t index, std::string_view id) {
        try {
            json::encode_to(out, element);
        } catch (document_error& error) {
            error.prepend_index(index);
            error.prepend_key(json_key);
            error.set_document(std::string(id));
            throw;
        }
    }

    // Adds an erase of every key under `key_prefix` (strictly after `after`, when given).
    void erase_from(write_batch& batch, const std::string& key_prefix,
                    std::optional<std::string> after) const {
        constexpr std::size_t page = 64;
        for (;;) {
            std::vector<key_value> entries = backend_->scan(
                key_prefix, after ? std::optional<std::string_view>(*after) : std::nullopt, page);
            for (const key_value& e : entries) batch.erase(e.key);
            if (entries.size() < page) return;
            after = std::move(entries.back().key);
        }
    }

    // `adjust` is a pointer to the caller's callback, or nullptr.
    template <fixed_string Member, class AdjustPointer>
    void add_append(write_batch& batch, std::string_view id, const element_type<Member>& element,
                    AdjustPointer adjust) const {
        constexpr std::size_t position = position_of<Member>;
        constexpr std::size_t index = info::member_indices[position];
        constexpr std::string_view json_key = member_key<Doc, index>;
        const std::string meta_key = detail::chunked_keys::metadata_key(prefix_, id);
        const std::optional<std::string> stored = backend_->get(meta_key);
        if (!stored) {
            throw storage_error("append", meta_key,
                                "there is no document \"" + std::string(id) + "\"");
        }
        const std::int64_t now = options_.now_ms();

        // The metadata, with the new length (and the caller's adjustment).
        counts_type counts;
        std::string json;
        std::string document_text;
        Doc document{};
        if constexpr (std::is_same_v<AdjustPointer, std::nullptr_t>) {
            counts = read_metadata("append", id, meta_key, *stored, document_text);
        } else {
            counts = read_metadata("append", id, meta_key, *stored, document);
            (*adjust)(document);
            bool chunked_members_empty = true;
            for_each_chunked([&](auto p) {
                chunked_members_empty =
                    chunked_members_empty &&
                    get_member<info::member_indices[decltype(p)::value]>(document).empty();
            });
            if (get_member<info::id_index>(document) != id || !chunked_members_empty) {
                throw strata::error("strata: append to document \"" + std::string(id) +
                                    "\": the adjust callback changed the id or filled a chunked "
                                    "member; it may change the other members only");
            }
        }
        if (!counts.present[position]) {
            throw chunked_document_error(
                "append", meta_key, std::string(id), std::string(json_key),
                "at " + std::string(json_key) +
                    ": the document keeps this member whole (it was saved with another "
                    "layout); save it again before appending");
        }
        const std::uint64_t length = counts.lengths[position];
        const std::uint64_t chunk_size = counts.chunk_sizes[position];
        if (length / chunk_size >= std::uint64_t{std::numeric_limits<std::uint32_t>::max()} + 1) {
            throw strata::error("strata: document \"" + std::string(id) +
                                "\": " + std::string(json_key) +
                                " holds as many chunks as a key can number");
        }
        const auto last = static_cast<std::uint32_t>(length / chunk_size);
        counts.lengths[position] = length + 1;
        detail::chunked_codec::append_metadata_head<Doc>(json, counts);
        if constexpr (std::is_same_v<AdjustPointer, std::nullptr_t>) {
            json += document_text;
        } else {
            try {
                json::encode_to(json, document);
            } catch (document_error& error) {
                error.set_document(std::string(id));
                throw;
            }
        }
        json += '}';
        std::string meta_value = frame(json, now);

        // The last chunk, extended as text (its elements are not decoded), or a new one.
        const std::string member_prefix = chunk_prefix(id, position);
        const std::string key = detail::chunked_keys::chunk_key(member_prefix, last);
        json.clear();
        if (length % chunk_size == 0) {
            json += '[';
        } else {
            const std::optional<std::string> chunk = backend_->get(key);
            if (!chunk) {
                throw chunked_document_error(
                    "append", key, std::string(id),
                    std::string(json_key) + "[" + std::to_string(last * chunk_size) + "]",
                    "at " + std::string(json_key) + ": chunk " + std::to_string(last) +
                        " is missing (the metadata records " + std::to_string(length) +
                        " elements): the store is damaged");
            }
            json = unframe(*chunk, key, "append", id);
            const std::string_view text = json::detail::trim_right(json);
            if (text.size() < 3 || text.front() != '[' || text.back() != ']') {
                throw chunked_document_error("append", key, std::string(id), std::string(json_key),
                                             "at " + std::string(json_key) +
                                                 ": expected a chunk (a non-empty JSON "
                                                 "array), found something else");
            }
            json.resize(static_cast<std::size_t>(text.data() - json.data()) + text.size() - 1);
            json += ',';
        }
        encode_element(json, element, json_key, static_cast<std::size_t>(length), id);
        json += ']';
        batch.put(key, frame(json, now));
        batch.put(meta_key, meta_value);
    }

    bool add_remove(write_batch& batch, std::string_view id) const {
        const std::string meta_key = detail::chunked_keys::metadata_key(prefix_, id);
        const bool existed = backend_->contains(meta_key);
        batch.erase(meta_key);
        erase_from(batch, detail::chunked_keys::document_chunks_prefix(prefix_, id), std::nullopt);
        return existed;
    }

    Backend* backend_;
    std::string prefix_;
    std::string metadata_prefix_;
    chunked_options options_;
    Compression compression_;
};

}  // namespace v1
}  // namespace strata
