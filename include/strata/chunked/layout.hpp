/**
 * @file
 * @brief How a document is split for a `chunked_store`: which member is its id, which
 * `std::vector` members are stored apart in fixed-size chunks, and how many elements a chunk
 * holds (core: needs Boost.Hana only).
 *
 * Name the members by their C++ names (the names given to `BOOST_HANA_DEFINE_STRUCT`):
 * @code
 * template <>
 * struct strata::chunk_layout<sessions::session_v3>
 *     : strata::chunked<"id", strata::default_chunk_size, "screenshots",
 *                       strata::chunk_member{"audio_segments", 64}> {};
 * @endcode
 * Here `screenshots` is kept in chunks of the layout's size (16 elements) and `audio_segments`
 * in chunks of 64; every other member stays in the document's metadata. The layout is checked
 * when a `chunked_store` is instantiated, and a wrong one is refused with a `strata:` message: a
 * name the struct does not declare, a chunked member that is not a `std::vector`, an id that is
 * not a `std::string`, a chunk size of 0, the same member twice.
 *
 * A layout may also be written by hand: any `chunk_layout<Doc>` specialisation with
 * `static constexpr std::string_view id`, `static constexpr std::array<std::string_view, N>
 * members` and `static constexpr std::array<std::size_t, N> chunk_sizes`.
 */
#pragma once

#include <strata/fixed_string.hpp>
#include <strata/reflection.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief A chunk size that suits elements of a few hundred bytes of JSON, such as the sessions'
 * screenshots (~290 bytes each: a chunk of 16 is about 4 KB).
 *
 * Measured on SQLite (benchmarks/README.md, "Chunked documents"): an append rewrites the last
 * chunk, so its cost grows with the chunk's bytes: 45 µs at 16 elements, 54 µs at 32, 69 µs at
 * 64, 141 µs at 256 (sessions of 1,000 screenshots), while 8 is no faster than 16 and loading a
 * whole document costs the same at every size. For much larger or smaller elements, aim at a
 * few KB of JSON per chunk.
 */
inline constexpr std::size_t default_chunk_size = 16;

/**
 * @brief One chunked member of a `chunked<...>` layout: its C++ name, and optionally its own
 * chunk size. A bare string literal converts to one that uses the layout's default size.
 * @tparam N the size of the name's literal, its terminating NUL included
 */
template <std::size_t N>
struct chunk_member {
    fixed_string<N> name;        ///< the member's C++ name
    std::size_t chunk_size = 0;  ///< elements per chunk, when `sized`
    bool sized = false;          ///< whether this member overrides the layout's chunk size

    /// The member `name`, in chunks of the layout's default size.
    constexpr chunk_member(const char (&text)[N]) : name(text) {}
    /// The member `name`, in chunks of `size` elements.
    constexpr chunk_member(const char (&text)[N], std::size_t size)
        : name(text), chunk_size(size), sized(true) {}
};

/**
 * @brief A chunk layout: derive `chunk_layout<Doc>` from it.
 * @tparam Id the C++ name of the id member (a `std::string`): the document's key
 * @tparam ChunkSize elements per chunk, for the members that do not give their own
 * @tparam Members the chunked `std::vector` members, by C++ name (`"screenshots"`), or
 * `chunk_member{"name", size}` for a size of their own
 */
template <fixed_string Id, std::size_t ChunkSize, chunk_member... Members>
struct chunked {
    /// The id member's C++ name.
    static constexpr std::string_view id = Id.view();
    /// The chunked members' C++ names, in the order given.
    static constexpr std::array<std::string_view, sizeof...(Members)> members = {
        Members.name.view()...};
    /// Elements per chunk of each chunked member.
    static constexpr std::array<std::size_t, sizeof...(Members)> chunk_sizes = {
        (Members.sized ? Members.chunk_size : ChunkSize)...};
};

/**
 * @brief The chunk layout of `Doc`: specialise it, usually by deriving from `chunked<...>`.
 * The primary template is empty: a document without a layout cannot be stored chunked.
 */
template <class Doc>
struct chunk_layout {};

/// `chunk_layout<Doc>` is specialised with an id, the chunked members and their chunk sizes.
template <class Doc>
concept has_chunk_layout = requires {
    { chunk_layout<Doc>::id } -> std::convertible_to<std::string_view>;
    chunk_layout<Doc>::members.size();
    chunk_layout<Doc>::chunk_sizes.size();
    requires chunk_layout<Doc>::members.size() == chunk_layout<Doc>::chunk_sizes.size();
};

/// @cond internal
namespace detail {

template <class T>
struct chunked_is_vector : std::false_type {};
template <class T, class A>
struct chunked_is_vector<std::vector<T, A>> : std::true_type {};

// Member I of Doc, or void when I is out of range (so that checks can name it safely).
template <class Doc, std::size_t I>
struct member_type_or_void {
    using type = void;
};
template <class Doc, std::size_t I>
requires(I < member_count<Doc>) struct member_type_or_void<Doc, I> {
    using type = member_type<Doc, I>;
};

template <class Doc>
struct chunk_layout_info {
    using layout = chunk_layout<Doc>;
    static constexpr std::size_t count = layout::members.size();
    static constexpr std::size_t id_index = member_index<Doc>(layout::id);
    // The Doc member index of each chunked member (member_count<Doc> when unknown).
    static constexpr std::array<std::size_t, count> member_indices = [] {
        std::array<std::size_t, count> out{};
        for (std::size_t i = 0; i < count; ++i) out[i] = member_index<Doc>(layout::members[i]);
        return out;
    }();
    // The position in the layout of the member named `name` (count when not chunked).
    static constexpr std::size_t position_of(std::string_view name) {
        for (std::size_t i = 0; i < count; ++i) {
            if (layout::members[i] == name) return i;
        }
        return count;
    }
    // The position in the layout of Doc member `index` (count when not chunked).
    static constexpr std::size_t position_of_member(std::size_t index) {
        for (std::size_t i = 0; i < count; ++i) {
            if (member_indices[i] == index) return i;
        }
        return count;
    }
};

// The element type of the chunked member at `Position` of the layout.
template <class Doc, std::size_t Position>
struct chunked_element {
    static_assert(Position < chunk_layout_info<Doc>::count,
                  "strata: the member named is not one the document's chunk_layout chunks");
    using type = typename member_type<
        Doc, chunk_layout_info<Doc>::member_indices
                 [Position < chunk_layout_info<Doc>::count ? Position : 0]>::value_type;
};

template <class Doc, std::size_t P>
consteval bool check_chunked_member() {
    using info = chunk_layout_info<Doc>;
    constexpr std::size_t index = info::member_indices[P];
    static_assert(index < member_count<Doc>,
                  "strata: chunk_layout names a chunked member the struct does not declare "
                  "(use the member's C++ name, as given to BOOST_HANA_DEFINE_STRUCT)");
    if constexpr (index < member_count<Doc>) {
        static_assert(chunked_is_vector<typename member_type_or_void<Doc, index>::type>::value,
                      "strata: a chunked member must be a std::vector");
    }
    static_assert(info::layout::chunk_sizes[P] > 0,
                  "strata: a chunk size must be at least 1 element");
    static_assert(info::position_of(info::layout::members[P]) == P,
                  "strata: chunk_layout names the same member twice");
    return true;
}

}  // namespace detail
/// @endcond

/**
 * @brief Checks `chunk_layout<Doc>`, with one `strata:` message per mistake. `chunked_store`
 * calls it; call it yourself to check a layout where it is declared:
 * `static_assert(strata::check_chunk_layout<session_v3>());`
 */
template <class Doc>
consteval bool check_chunk_layout() {
    static_assert(is_reflected<Doc>,
                  "strata: a chunked document must be a reflected struct (declare its members with "
                  "BOOST_HANA_DEFINE_STRUCT or BOOST_HANA_ADAPT_STRUCT)");
    static_assert(has_chunk_layout<Doc>,
                  "strata: the document has no chunk layout; declare one: `template <> struct "
                  "strata::chunk_layout<Doc> : strata::chunked<\"id\", 16, \"screenshots\"> {};`");
    if constexpr (is_reflected<Doc> && has_chunk_layout<Doc>) {
        using info = detail::chunk_layout_info<Doc>;
        static_assert(info::id_index < member_count<Doc>,
                      "strata: chunk_layout's id names a member the struct does not declare "
                      "(use the member's C++ name, as given to BOOST_HANA_DEFINE_STRUCT)");
        if constexpr (info::id_index < member_count<Doc>) {
            static_assert(
                std::is_same_v<typename detail::member_type_or_void<Doc, info::id_index>::type,
                               std::string>,
                "strata: chunk_layout's id member must be a std::string");
        }
        static_assert(info::count > 0, "strata: chunk_layout names no chunked member");
        [&]<std::size_t... P>(std::index_sequence<P...>) {
            ((void)detail::check_chunked_member<Doc, P>(), ...);
        }
        (std::make_index_sequence<info::count>{});
    }
    return true;
}

}  // namespace v1
}  // namespace strata
