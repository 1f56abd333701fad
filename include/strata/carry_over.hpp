/**
 * @file
 * @brief The carry-over helper: a step writes only what changed; everything else moves over.
 *
 * @code
 * session_v2 up(session_v1&& old) const {
 *     auto next = strata::carry_over<session_v2>(old);  // moves every member that carries over
 *     next.tags = split_labels(old.labels);               // old.labels did not: still readable
 *     next.folder = "inbox";
 *     return next;
 * }
 * @endcode
 *
 * A member of the next version carries over from the member of the same name (or the one it
 * declares it was renamed from) when its type is the same, or is a reflected struct, vector,
 * optional or string map whose elements carry over in turn (so a nested struct that only
 * changed its naming policy needs no code). The `unknown_fields` member carries over too, its
 * keys renamed, at every depth, by the next version's naming policy when that differs. Members
 * whose type changed are left value-initialised for the step to fill; members the next version
 * dropped are not moved and stay readable in the old record.
 *
 * A rename is declared, never inferred as a drop plus an add:
 * @code
 * struct note_v3 {
 *     static constexpr strata::renamed_from renames[] = {{"began_at", "start_time"}};
 *     ...
 * };
 * @endcode
 */
#pragma once

#include <strata/detail/rename_keys.hpp>
#include <strata/error.hpp>
#include <strata/naming.hpp>
#include <strata/raw_json.hpp>
#include <strata/reflection.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// Declares that member `member` of a version was called `from` in the version before.
struct renamed_from {
    std::string_view member;
    std::string_view from;
};

/// @cond internal
namespace detail {

// The name member `name` of To had in the version before; "" when it has no source there
// (its name was given to another member by a rename: the old value went to its new name).
template <class To>
constexpr std::string_view previous_name(std::string_view name) {
    if constexpr (requires { To::renames; }) {
        for (const renamed_from& r : To::renames) {
            if (r.member == name) return r.from;
        }
        for (const renamed_from& r : To::renames) {
            if (r.from == name) return {};
        }
    }
    return name;
}

// Unknown keys must not repeat a key of the record they land in: a declared member's key, the
// version key, or another unknown key. A collision is an error naming the key: the document
// stays as it was rather than be written with a key twice or lose one of the values.
template <class ToOwner>
void check_unknown_keys(const unknown_fields& fields) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        bool collides = !json_traits<ToOwner>::version_key.empty() &&
                        it->key == json_traits<ToOwner>::version_key;
        for_each_member_index<ToOwner>([&](auto index) {
            constexpr std::size_t I = decltype(index)::value;
            if constexpr (I != ::strata::unknown_fields_index<ToOwner>) {
                collides = collides || it->key == ::strata::member_key<ToOwner, I>;
            }
        });
        for (auto other = fields.begin(); other != it && !collides; ++other) {
            collides = other->key == it->key;
        }
        if (collides) {
            decode_error error("keys the next version does not already have",
                               "the key \"" + it->key + "\" twice after migration (the record "
                               "has it, or another key renames to it)");
            error.prepend_key(it->key);
            throw error;
        }
    }
}

template <class To>
consteval bool renames_are_members() {
    if constexpr (requires { To::renames; }) {
        for (const renamed_from& r : To::renames) {
            if (member_index<To>(r.member) == member_count<To>) return false;
        }
    }
    return true;
}

template <class A, class B>
struct carries;

// A value of type A carries over into type B.
template <class A, class B>
inline constexpr bool can_carry = carries<std::remove_cvref_t<A>, std::remove_cvref_t<B>>::value;

template <class A, class B>
struct carries {
    static constexpr bool value = [] {
        if constexpr (std::is_same_v<A, B>) {
            return true;
        } else if constexpr (is_reflected<A> && is_reflected<B>) {
            return true;
        } else {
            return false;
        }
    }();
};
template <class A, class B>
struct carries<std::vector<A>, std::vector<B>> {
    static constexpr bool value = can_carry<A, B>;
};
template <class A, class B>
struct carries<std::optional<A>, std::optional<B>> {
    static constexpr bool value = can_carry<A, B>;
};
template <class A, class B>
struct carries<std::map<std::string, A>, std::map<std::string, B>> {
    static constexpr bool value = can_carry<A, B>;
};

template <class To, class From>
void carry_struct_into(From& from, To& to);

// Carries `from` into `to`; FromOwner/ToOwner are the structs holding them (for naming).
template <class FromOwner, class ToOwner, class A, class B>
void carry_value(A& from, B& to) {
    if constexpr (std::is_same_v<A, unknown_fields>) {
        using from_naming = typename json_traits<FromOwner>::naming;
        using to_naming = typename json_traits<ToOwner>::naming;
        if constexpr (std::is_same_v<from_naming, to_naming>) {
            to = std::move(from);
        } else {
            to.clear();
            for (unknown_field& field : from) {
                to.push_back(apply_naming<to_naming>(field.key),
                             raw_json(rename_keys<to_naming>(field.value.text())));
            }
        }
        check_unknown_keys<ToOwner>(to);
    } else if constexpr (std::is_same_v<A, B>) {
        to = std::move(from);
    } else if constexpr (is_reflected<A> && is_reflected<B>) {
        carry_struct_into(from, to);
    } else if constexpr (requires { from.size(); from.begin()->first; }) {  // string maps
        to.clear();
        for (auto& [key, item] : from) carry_value<FromOwner, ToOwner>(item, to[key]);
    } else if constexpr (requires { from.size(); from.data(); }) {  // vectors
        to.clear();
        to.resize(from.size());
        for (std::size_t i = 0; i < from.size(); ++i) {
            carry_value<FromOwner, ToOwner>(from[i], to[i]);
        }
    } else {  // optionals
        if (from) {
            carry_value<FromOwner, ToOwner>(*from, to.emplace());
        } else {
            to.reset();
        }
    }
}

// Carries `from` into `to`, member by member, in place. Members of `to` that do not carry over
// are left as they are (value-initialised by the callers: carry_struct, vector resize,
// optional emplace).
template <class To, class From>
void carry_struct_into(From& from, To& to) {
    static_assert(renames_are_members<To>(),
                  "strata: `renames` names a member the struct does not declare: each entry is "
                  "{\"member in this version\", \"its name in the version before\"}");
    for_each_member_index<To>([&](auto to_index) {
        constexpr std::size_t J = decltype(to_index)::value;
        constexpr std::string_view source = previous_name<To>(member_name<To, J>);
        constexpr std::size_t I = source.empty() ? member_count<From> : member_index<From>(source);
        if constexpr (I != member_count<From>) {
            using A = member_type<From, I>;
            using B = member_type<To, J>;
            if constexpr (can_carry<A, B>) {
                carry_value<From, To>(get_member<I>(from), get_member<J>(to));
            }
        }
    });
}

template <class To, class From>
To carry_struct(From& from) {
    To to{};
    carry_struct_into(from, to);
    return to;
}

}  // namespace detail
/// @endcond

/**
 * @brief A `To` whose members are carried over from `from` (moved out of it); members that do
 * not carry over are value-initialised, and `from`'s members that did not move stay readable.
 */
template <is_reflected To, is_reflected From>
To carry_over(From& from) {
    return detail::carry_struct<To>(from);
}

/// As above, copying from a const record.
template <is_reflected To, is_reflected From>
To carry_over(const From& from) {
    From copy = from;
    return detail::carry_struct<To>(copy);
}

}  // namespace v1
}  // namespace strata
