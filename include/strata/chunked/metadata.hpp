/**
 * @file
 * @brief What a `chunked_store` reads without the chunks: `chunked_metadata<Doc>` (the document
 * with its chunked members empty, and their lengths), the store's options and its error type.
 *
 * @code
 * auto meta = store.load_metadata("session-7");   // std::optional<chunked_metadata<session_v3>>
 * meta->document.name;                            // every member but the chunked ones
 * meta->length<"screenshots">();                  // how many screenshots the session holds
 * @endcode
 */
#pragma once

#include <strata/clock.hpp>
#include <strata/chunked/layout.hpp>
#include <strata/compression/frame.hpp>
#include <strata/error.hpp>
#include <strata/fixed_string.hpp>
#include <strata/reflection.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {

/// How a `chunked_store` writes and reads its values.
struct chunked_options {
    /// The clock (milliseconds since 1970) that dates every frame written. Tests inject one.
    std::function<std::int64_t()> now_ms = system_now_ms;
    /// A stored value that declares more bytes than this is refused before anything is
    /// allocated (the frame's bound against decompression bombs).
    std::uint64_t max_value_size = default_max_frame_size;
};

/**
 * @brief A stored value of a chunked document could not be read: a damaged frame, JSON that
 * does not decode, a chunk that is missing or holds the wrong number of elements.
 *
 * `what()` names the operation, the backend key, the document and the JSON path, e.g.
 * `storage: load "sessions/c/s-7…": document "s-7": at screenshots[130].attachment.hash:
 * expected string, found number 12`. Paths are those of the whole document (as if it were
 * stored in one piece), except for the metadata's own bookkeeping, under `chunked.`.
 */
class chunked_document_error : public storage_error {
public:
    /// `reason` is what went wrong; the message adds the document's id in front of it.
    chunked_document_error(std::string operation, std::string key, std::string document,
                           std::string path, const std::string& reason)
        : storage_error(std::move(operation), std::move(key),
                        "document \"" + document + "\": " + reason),
          document_(std::move(document)),
          path_(std::move(path)) {}

    /// The id of the document concerned.
    const std::string& document() const noexcept { return document_; }
    /// The JSON path of the failure in the document ("" when it concerns no one place).
    const std::string& path() const noexcept { return path_; }

private:
    std::string document_;
    std::string path_;
};

/**
 * @brief A chunked document without its chunks: every member but the chunked ones (which are
 * empty), and the length of each chunked member.
 * @tparam Doc a reflected struct with a `chunk_layout`
 */
template <class Doc>
struct chunked_metadata {
    /// The number of chunked members.
    static constexpr std::size_t chunked_count = chunk_layout<Doc>::members.size();

    /// The document, its chunked members empty (but for one the stored document keeps whole,
    /// written with a layout that did not chunk it).
    Doc document{};
    /// The length of each chunked member, in the layout's order.
    std::array<std::uint64_t, chunked_count> lengths{};

    /// The document's id.
    const std::string& id() const noexcept {
        return get_member<detail::chunk_layout_info<Doc>::id_index>(document);
    }

    /// The length of the chunked member `Member` (its C++ name).
    template <fixed_string Member>
    std::uint64_t length() const noexcept {
        constexpr std::size_t position = detail::chunk_layout_info<Doc>::position_of(Member.view());
        static_assert(position < chunked_count,
                      "strata: length<Member> names a member the layout does not chunk");
        return lengths[position];
    }

    /// The length of the chunked member named `member`; `std::out_of_range` when the layout
    /// does not chunk it.
    std::uint64_t length(std::string_view member) const {
        const std::size_t position = detail::chunk_layout_info<Doc>::position_of(member);
        if (position == chunked_count) {
            throw std::out_of_range("strata: the layout does not chunk a member named \"" +
                                    std::string(member) + "\"");
        }
        return lengths[position];
    }
};

}  // namespace v1
}  // namespace strata
