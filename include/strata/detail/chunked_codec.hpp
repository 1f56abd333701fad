// The JSON of a chunked_store's values (internal; see chunked/chunked_store.hpp):
//   metadata  {"chunked":{"<member>":{"length":N,"chunk_size":S},...},"document":<the document,
//             its chunked members []>}
//   chunk     [<element>,<element>,...]   (S elements, fewer in the last chunk)
// Reading goes through simdjson On-Demand with a reader per thread; elements and the document
// are decoded by the codec's own functions, so errors carry the codec's paths.
#pragma once

#include <strata/chunked/layout.hpp>
#include <strata/error.hpp>
#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {
namespace detail::chunked_codec {

namespace od = simdjson::ondemand;

/// A simdjson On-Demand parser over a padded copy of the text, knowing where the text ends.
class reader {
public:
    od::document iterate(std::string_view text) {
        if (buffer_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
            buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
        }
        std::copy(text.begin(), text.end(), buffer_.begin());
        std::fill_n(buffer_.begin() + static_cast<std::ptrdiff_t>(text.size()),
                    simdjson::SIMDJSON_PADDING, '\0');
        end_ = buffer_.data() + text.size();
        od::document doc;
        if (auto e = parser_.iterate(buffer_.data(), text.size(), buffer_.size()).get(doc)) {
            json::detail::malformed(e);
        }
        return doc;
    }
    /// After the root value, nothing but whitespace may follow.
    void expect_end(od::document& doc) const { json::detail::expect_end(doc, end_); }

private:
    od::parser parser_;
    std::string buffer_;
    const char* end_ = nullptr;
};

/// The reader of the calling thread (the store's reads may run on several threads at once).
inline reader& thread_reader() {
    thread_local reader r;
    return r;
}

/// Chunked members' lengths and chunk sizes as the metadata records them.
template <std::size_t N>
struct chunk_counts {
    std::array<std::uint64_t, N> lengths{};
    std::array<std::uint64_t, N> chunk_sizes{};
    std::array<bool, N> present{};  ///< false: the member is not chunked in this document
};

/// Appends `{"chunked":{...},"document":` (the document and the closing brace follow).
template <class Doc, std::size_t N>
void append_metadata_head(std::string& out, const chunk_counts<N>& counts) {
    using layout = chunk_layout<Doc>;
    out += R"({"chunked":{)";
    bool first = true;
    for (std::size_t i = 0; i < N; ++i) {
        if (!counts.present[i]) continue;
        if (!first) out += ',';
        first = false;
        json::detail::append_string(out, layout::members[i]);
        out += R"(:{"length":)";
        json::detail::append_number(out, counts.lengths[i]);
        out += R"(,"chunk_size":)";
        json::detail::append_number(out, counts.chunk_sizes[i]);
        out += '}';
    }
    out += R"(},"document":)";
}

inline std::uint64_t read_count(od::value value, std::string_view what) {
    std::uint64_t n = 0;
    if (auto e = value.get_uint64().get(n)) json::detail::fail(e, value, std::string(what));
    return n;
}

// {"length":N,"chunk_size":S}
inline void parse_member_counts(od::value value, std::uint64_t& length, std::uint64_t& chunk_size) {
    od::object object;
    if (auto e = value.get_object().get(object)) json::detail::fail(e, value, "object");
    bool seen_length = false, seen_size = false;
    for (auto field_result : object) {
        od::field field;
        if (auto e = std::move(field_result).get(field)) json::detail::malformed(e);
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) json::detail::malformed(e);
        if (key == "length" && !seen_length) {
            seen_length = true;
            try {
                length = read_count(field.value(), "a length (an unsigned integer)");
            } catch (document_error& error) {
                error.prepend_key("length");
                throw;
            }
        } else if (key == "chunk_size" && !seen_size) {
            seen_size = true;
            try {
                chunk_size = read_count(field.value(), "a chunk size (an unsigned integer)");
                if (chunk_size == 0) throw decode_error("a chunk size of at least 1", "0");
            } catch (document_error& error) {
                error.prepend_key("chunk_size");
                throw;
            }
        } else {
            throw decode_error("the keys length and chunk_size, once each",
                               "key \"" + std::string(key) + "\"");
        }
    }
    if (!seen_length) throw decode_error("the keys length and chunk_size", "no key \"length\"");
    if (!seen_size) throw decode_error("the keys length and chunk_size", "no key \"chunk_size\"");
}

template <class Doc, std::size_t N>
void parse_counts(od::value value, chunk_counts<N>& counts) {
    using info = chunk_layout_info<Doc>;
    od::object object;
    if (auto e = value.get_object().get(object)) json::detail::fail(e, value, "object");
    for (auto field_result : object) {
        od::field field;
        if (auto e = std::move(field_result).get(field)) json::detail::malformed(e);
        std::string_view raw_name;
        if (auto e = field.unescaped_key().get(raw_name)) json::detail::malformed(e);
        const std::string name(raw_name);
        try {
            const std::size_t position = info::position_of(name);
            if (position == N) {
                std::string expected = "a member the layout chunks (";
                for (std::size_t i = 0; i < N; ++i) {
                    expected += (i == 0 ? "" : ", ");
                    expected += chunk_layout<Doc>::members[i];
                }
                throw decode_error(expected + ")", "another member");
            }
            if (counts.present[position])
                throw decode_error("each member once", "a second \"" + name + "\"");
            counts.present[position] = true;
            parse_member_counts(field.value(), counts.lengths[position],
                                counts.chunk_sizes[position]);
        } catch (document_error& error) {
            error.prepend_key(name);
            throw;
        }
    }
}

/**
 * Reads a metadata value: the counts, and either the document decoded into `*document` or,
 * when `document` is null, the document's raw text in `*document_text` (a view into the
 * thread's reader, valid until its next use). Throws decode_error: paths in the document are
 * the document's own; those of the bookkeeping start with `chunked`.
 */
template <class Doc, std::size_t N>
void parse_metadata(std::string_view text, chunk_counts<N>& counts, Doc* document,
                    std::string_view* document_text) {
    reader& r = thread_reader();
    od::document doc = r.iterate(text);
    od::object object;
    if (auto e = doc.get_object().get(object)) {
        if (e == simdjson::INCORRECT_TYPE)
            throw decode_error("a metadata object", "another JSON type");
        json::detail::malformed(e);
    }
    bool seen_counts = false, seen_document = false;
    for (auto field_result : object) {
        od::field field;
        if (auto e = std::move(field_result).get(field)) json::detail::malformed(e);
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) json::detail::malformed(e);
        if (key == "chunked" && !seen_counts) {
            seen_counts = true;
            try {
                parse_counts<Doc>(field.value(), counts);
            } catch (document_error& error) {
                error.prepend_key("chunked");
                throw;
            }
        } else if (key == "document" && !seen_document) {
            seen_document = true;
            od::value value = field.value();
            if (document != nullptr) {
                json::detail::decode_value<json_options{}>(value, *document);
            } else {
                od::object inner;
                if (auto e = value.get_object().get(inner)) json::detail::fail(e, value, "object");
                std::string_view raw;
                if (auto e = inner.raw_json().get(raw)) json::detail::malformed(e);
                *document_text = json::detail::trim_right(raw);
            }
        } else {
            throw decode_error("the metadata keys chunked and document, once each",
                               "key \"" + std::string(key) + "\"");
        }
    }
    if (!seen_counts)
        throw decode_error("the metadata keys chunked and document", "no key \"chunked\"");
    if (!seen_document)
        throw decode_error("the metadata keys chunked and document", "no key \"document\"");
    r.expect_end(doc);
}

/**
 * Decodes a chunk, a JSON array, appending its elements to `out`. Element `i` of the chunk is
 * element `first_index + i` of the member: errors say so in their path. Returns the count.
 */
template <class Vector>
std::size_t decode_chunk(std::string_view text, Vector& out, std::uint64_t first_index) {
    reader& r = thread_reader();
    od::document doc = r.iterate(text);
    od::array array;
    if (auto e = doc.get_array().get(array)) {
        if (e == simdjson::INCORRECT_TYPE)
            throw decode_error("a chunk (an array)", "another JSON type");
        json::detail::malformed(e);
    }
    std::size_t count = 0;
    for (auto element_result : array) {
        const std::uint64_t index = first_index + count;
        od::value element;
        if (auto e = std::move(element_result).get(element)) {
            decode_error error("valid JSON",
                               std::string("malformed JSON (") + simdjson::error_message(e) + ")");
            error.prepend_index(static_cast<std::size_t>(index));
            throw error;
        }
        try {
            if constexpr (std::is_same_v<typename Vector::value_type, bool>) {
                bool b = false;
                json::detail::decode_value<json_options{}>(element, b);
                out.push_back(b);
            } else {
                json::detail::decode_value<json_options{}>(element, out.emplace_back());
            }
        } catch (document_error& error) {
            error.prepend_index(static_cast<std::size_t>(index));
            throw;
        }
        ++count;
    }
    r.expect_end(doc);
    return count;
}

}  // namespace detail::chunked_codec
}  // namespace v1
}  // namespace strata
