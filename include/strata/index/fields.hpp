/**
 * @file
 * @brief Which members of a reflected document the inverted index reads, declared at compile
 * time: text (tokenized), tags (exact terms), dates (range queries), and the id (core: needs
 * Boost.Hana only).
 *
 * Members are named by their C++ names (as given to `BOOST_HANA_DEFINE_STRUCT`) along a path
 * through nested structs; a `std::vector` on the way means "every element", a
 * `std::optional` "when present":
 * @code
 * using session_fields = strata::index_fields<
 *     strata::text<"name">, strata::text<"screenshots", "ai_analysis">,  // every screenshot's
 *     strata::tags<"tags">, strata::date<"start_time">>;
 * strata::index_entry e = strata::extract_index_entry<session_v3, session_fields>(session);
 * @endcode
 *
 * - `text<Path...>`: a `std::string` (or vector/optional of them), cut into terms by
 *   `strata::for_each_token`; every text field feeds one bag of terms per document.
 * - `tags<Path...>`: each `std::string` is one exact term of that field (no folding).
 * - `date<Path...>`: one value per document (the path may not pass through a vector): an
 *   ISO-8601 `std::string` (parsed strictly, see date.hpp) or an integer of milliseconds since
 *   1970; an empty optional means "no date".
 * - `document_id<"name">`: the `std::string` member that names the document (default `"id"`).
 *
 * A path that names no member, or a member of the wrong type, is refused at compile time with a
 * `strata:` message.
 */
#pragma once

#include <strata/detail/dependent_false.hpp>
#include <strata/error.hpp>
#include <strata/fixed_string.hpp>
#include <strata/index/date.hpp>
#include <strata/index/tokenizer.hpp>
#include <strata/naming.hpp>
#include <strata/reflection.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// What an index field is.
enum class field_kind : unsigned char {
    text,  ///< tokenized words
    tags,  ///< exact terms
    date,  ///< one instant per document, for range filters and ordering
    id     ///< the member that names the document
};

/// @cond internal
namespace detail {
template <field_kind Kind, fixed_string... Path>
struct index_field {
    static_assert(sizeof...(Path) > 0, "strata: an index field needs the name of at least one member");
    /// What the field is.
    static constexpr field_kind kind = Kind;
    /// The C++ member names along the path.
    static constexpr std::array<std::string_view, sizeof...(Path)> path = {Path.view()...};
    /// The path joined with '.', e.g. "screenshots.ai_analysis": how queries name the field.
    static std::string name() {
        std::string out;
        for (std::string_view p : path) {
            if (!out.empty()) out += '.';
            out += p;
        }
        return out;
    }
};
}  // namespace detail
/// @endcond

/// @brief A text field: the string(s) at `Path` are tokenized into the document's terms.
template <fixed_string... Path>
struct text : detail::index_field<field_kind::text, Path...> {};
/// @brief A tags field: each string at `Path` is one exact term of this field.
template <fixed_string... Path>
struct tags : detail::index_field<field_kind::tags, Path...> {};
/// @brief A date field: the one ISO-8601 string or integer (ms since 1970) at `Path`.
template <fixed_string... Path>
struct date : detail::index_field<field_kind::date, Path...> {};
/// @brief The `std::string` member that names the document (when it is not `"id"`).
template <fixed_string Name>
struct document_id : detail::index_field<field_kind::id, Name> {};

/// `F` is one of `text`, `tags`, `date`, `document_id`.
template <class F>
concept is_index_field = requires {
    { F::kind } -> std::convertible_to<field_kind>;
    F::path.size();
    { F::name() } -> std::same_as<std::string>;
};

/**
 * @brief The fields an `inverted_index` reads: any number of `text`, `tags` and `date`, and at
 * most one `document_id`, in any order. The order of the dates is the order of their numbers
 * in queries (`query::date_field`); the first `tags` field is the one a bare tag filter uses.
 */
template <class... Fields>
struct index_fields {
    static_assert((is_index_field<Fields> && ...),
                  "strata: index_fields takes strata::text<...>, strata::tags<...>, "
                  "strata::date<...> and strata::document_id<...> only");
    /// The id member's C++ name.
    static constexpr std::string_view id = [] {
        std::string_view found = "id";
        ((Fields::kind == field_kind::id ? (void)(found = Fields::path[0]) : (void)0), ...);
        return found;
    }();
    /// How many `document_id` fields (at most one is allowed).
    static constexpr std::size_t id_fields = ((Fields::kind == field_kind::id ? 1 : 0) + ... + 0);
    /// How many date fields.
    static constexpr std::size_t date_count = ((Fields::kind == field_kind::date ? 1 : 0) + ... + 0);
    /// Calls `f(std::type_identity<Field>{})` for each field, in order.
    template <class F>
    static constexpr void for_each(F&& f) {
        (f(std::type_identity<Fields>{}), ...);
    }
    /// The names of the fields of `kind`, in order.
    static std::vector<std::string> names(field_kind kind) {
        std::vector<std::string> out;
        ((Fields::kind == kind ? out.push_back(Fields::name()) : void()), ...);
        return out;
    }
};

/// `Spec` is an `index_fields<...>`.
template <class Spec>
concept is_index_fields = requires {
    { Spec::id } -> std::convertible_to<std::string_view>;
    Spec::date_count;
    Spec::names(field_kind::text);
};

/**
 * @brief What the index records of one document: its id, its terms with their counts, the
 * number of text tokens (for BM25's length normalisation) and its dates.
 *
 * A term is `"t" + token` for text and `"g" + field name + ":" + value` for a tag, so the two
 * never meet. `terms` is sorted by term, each term once, with its count (1 for a tag, however
 * often the document holds it).
 */
struct index_entry {
    std::string id;
    std::vector<std::pair<std::string, std::uint32_t>> terms;
    std::uint64_t length = 0;                          ///< text tokens indexed
    std::vector<std::optional<std::int64_t>> dates;    ///< one per date field, ms since 1970
    friend bool operator==(const index_entry&, const index_entry&) = default;
};

/// The term under which a text token is indexed.
inline std::string text_term(std::string_view token) {
    std::string t = "t";
    t += token;
    return t;
}
/// The term under which the tag `value` of the tags field `field` is indexed.
inline std::string tag_term(std::string_view field, std::string_view value) {
    std::string t = "g";
    t += field;
    t += ':';
    t += value;
    return t;
}

/// @cond internal
namespace detail {

template <class T>
struct index_is_vector : std::false_type {};
template <class T, class A>
struct index_is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct index_is_optional : std::false_type {};
template <class T>
struct index_is_optional<std::optional<T>> : std::true_type {};

template <class T>
inline constexpr bool is_date_integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Walks `value` along Field::path from position Depth, calling emit(leaf) for every leaf.
// InVector: a vector was crossed on the way (dates refuse it).
template <class Field, std::size_t Depth, bool InVector, class T, class Emit>
void walk_field(const T& value, Emit& emit) {
    if constexpr (index_is_vector<T>::value) {
        if constexpr (Field::kind == field_kind::date) {
            static_assert(dependent_false<T>,
                          "strata: a date field must hold one value per document: its path may not "
                          "pass through a std::vector");
        } else {
            for (const auto& element : value) walk_field<Field, Depth, true>(element, emit);
        }
    } else if constexpr (index_is_optional<T>::value) {
        if (value) walk_field<Field, Depth, InVector>(*value, emit);
    } else if constexpr (Depth == Field::path.size()) {
        emit(value);
    } else if constexpr (!is_reflected<T>) {
        static_assert(dependent_false<T>,
                      "strata: an index field's path goes on past a member that is not a reflected "
                      "struct (or a vector/optional of one)");
    } else {
        constexpr std::size_t I = member_index<T>(Field::path[Depth]);
        static_assert(I < member_count<T>,
                      "strata: an index field names a member the struct does not declare (use the "
                      "member's C++ name, as given to BOOST_HANA_DEFINE_STRUCT)");
        if constexpr (I < member_count<T>) {
            if constexpr (Field::kind == field_kind::date) {
                try {
                    walk_field<Field, Depth + 1, InVector>(get_member<I>(value), emit);
                } catch (document_error& e) {
                    e.prepend_key(member_key<T, I>);
                    throw;
                }
            } else {
                walk_field<Field, Depth + 1, InVector>(get_member<I>(value), emit);
            }
        }
    }
}

template <class Doc, class Spec>
consteval bool check_id_member() {
    constexpr std::size_t I = member_index<Doc>(Spec::id);
    static_assert(I < member_count<Doc>,
                  "strata: the index's document id names a member the struct does not declare "
                  "(declare strata::document_id<\"name\"> among the index_fields, or give the "
                  "struct an `id` member)");
    if constexpr (I < member_count<Doc>) {
        static_assert(std::is_same_v<member_type<Doc, I>, std::string>,
                      "strata: the index's document id member must be a std::string");
    }
    static_assert(Spec::id_fields <= 1, "strata: index_fields names more than one document_id");
    return true;
}

}  // namespace detail
/// @endcond

/// The id of `doc`, as the index `Spec` names documents.
template <class Doc, class Spec>
const std::string& index_document_id(const Doc& doc) {
    static_assert(detail::check_id_member<Doc, Spec>());
    return get_member<member_index<Doc>(Spec::id)>(doc);
}

/**
 * @brief Reads the fields `Spec` declares out of `doc`. A date that does not parse is a
 * `decode_error` naming the document and the JSON path (e.g. `document "s-1": at startTime:
 * expected an ISO-8601 date ..., found "yesterday"`).
 * @param stops words left out of the text fields
 */
template <class Doc, class Spec>
index_entry extract_index_entry(const Doc& doc, const stop_words& stops = {}) {
    static_assert(is_reflected<Doc>,
                  "strata: an indexed document must be a reflected struct (declare its members with "
                  "BOOST_HANA_DEFINE_STRUCT or BOOST_HANA_ADAPT_STRUCT)");
    static_assert(is_index_fields<Spec>, "strata: the index's Spec must be a strata::index_fields<...>");
    index_entry entry;
    entry.id = index_document_id<Doc, Spec>(doc);
    entry.dates.reserve(Spec::date_count);
    std::vector<std::string> terms;
    try {
        Spec::for_each([&]<class Field>(std::type_identity<Field>) {
            if constexpr (Field::kind == field_kind::text) {
                auto emit = [&]<class Leaf>(const Leaf& leaf) {
                    static_assert(std::is_convertible_v<const Leaf&, std::string_view>,
                                  "strata: a text field must be a std::string (or a std::vector or "
                                  "std::optional of them)");
                    for_each_token(std::string_view(leaf), [&](std::string_view token) {
                        if (stops.contains(token)) return;
                        terms.push_back(text_term(token));
                        ++entry.length;
                    });
                };
                detail::walk_field<Field, 0, false>(doc, emit);
            } else if constexpr (Field::kind == field_kind::tags) {
                const std::string field = Field::name();
                auto emit = [&]<class Leaf>(const Leaf& leaf) {
                    static_assert(std::is_convertible_v<const Leaf&, std::string_view>,
                                  "strata: a tags field must be a std::string (or a std::vector or "
                                  "std::optional of them)");
                    terms.push_back(tag_term(field, std::string_view(leaf)));
                };
                detail::walk_field<Field, 0, false>(doc, emit);
            } else if constexpr (Field::kind == field_kind::date) {
                std::optional<std::int64_t> value;
                auto emit = [&]<class Leaf>(const Leaf& leaf) {
                    if constexpr (std::is_convertible_v<const Leaf&, std::string_view>) {
                        value = parse_iso8601_ms(std::string_view(leaf));
                    } else if constexpr (detail::is_date_integer<Leaf>) {
                        value = static_cast<std::int64_t>(leaf);
                    } else {
                        static_assert(detail::dependent_false<Leaf>,
                                      "strata: a date field must be a std::string (ISO-8601) or an "
                                      "integer (milliseconds since 1970), or a std::optional of one");
                    }
                };
                detail::walk_field<Field, 0, false>(doc, emit);
                entry.dates.push_back(value);
            }
        });
    } catch (document_error& e) {
        e.set_document(entry.id);
        throw;
    }
    std::sort(terms.begin(), terms.end());
    for (std::size_t i = 0; i < terms.size();) {
        std::size_t j = i + 1;
        while (j < terms.size() && terms[j] == terms[i]) ++j;
        const bool tag = terms[i].front() == 'g';  // a tag is held or not: its count is 1
        entry.terms.emplace_back(std::move(terms[i]), tag ? 1u : static_cast<std::uint32_t>(j - i));
        i = j;
    }
    return entry;
}

}  // namespace v1
}  // namespace strata
