/**
 * @file
 * @brief How a record's members are named in its documents, and the other per-struct choices of
 * the codec: naming policies, per-member overrides, the version key, unknown keys, empty
 * optionals. All are read through `json_traits<T>`.
 *
 * A struct states its choices with members that `json_traits` detects (each is optional):
 * @code
 * struct session_v2 {
 *     static constexpr unsigned version = 2;
 *     using naming = strata::naming::camel_case;                 // start_time -> startTime
 *     static constexpr std::string_view version_key = "schemaVersion";
 *     static constexpr strata::json_name json_names[] = {{"id", "sessionId"}};  // overrides
 *     static constexpr auto on_unknown_key = strata::unknown_key_policy::ignore;
 *     static constexpr auto empty_optional = strata::empty_optional_policy::omit;
 *     BOOST_HANA_DEFINE_STRUCT(session_v2, ...);
 * };
 * @endcode
 * A naming policy is any type with `static constexpr std::string apply(std::string_view)`;
 * it renames the declared member name into the JSON key, at compile time for members and at run
 * time for the keys of unknown fields.
 */
#pragma once

#include <strata/raw_json.hpp>
#include <strata/reflection.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {
// Where a naming policy writes a name at compile time: a fixed buffer (constexpr std::string
// is not usable in constant expressions with every compiler and standard library in use).
struct name_buffer {
    char chars[256]{};
    std::size_t size = 0;
    constexpr void push_back(char c) {
        if (size < sizeof chars) chars[size] = c;
        ++size;  // an overlong name is reported by the caller
    }
    constexpr std::string_view view() const { return {chars, size < sizeof chars ? size : sizeof chars}; }
};
}  // namespace detail
/// @endcond

/**
 * @brief A naming policy: `P::apply(declared, out)` writes the JSON key of a member declared as
 * `declared` into `out` (anything with `push_back(char)`), in a constant expression when asked.
 */
template <class P>
concept is_naming_policy = requires(std::string_view name, detail::name_buffer& out) {
    P::apply(name, out);
};

/// The name `declared` gets under the naming policy `P`, at run time.
template <is_naming_policy P>
std::string apply_naming(std::string_view declared) {
    std::string out;
    out.reserve(declared.size());
    P::apply(declared, out);
    return out;
}

/// The naming policies strata ships.
namespace naming {

/// The JSON key is the member name as declared.
struct as_declared {
    template <class Out>
    static constexpr void apply(std::string_view name, Out& out) {
        for (char c : name) out.push_back(c);
    }
};

/**
 * @brief snake_case to camelCase: each `_` followed by an ASCII lowercase letter or digit is
 * removed and that character upper-cased; every other character stays
 * (`screenshot_interval_s` -> `screenshotIntervalS`, `a__b` -> `a_B`, `x_` -> `x_`).
 */
struct camel_case {
    template <class Out>
    static constexpr void apply(std::string_view name, Out& out) {
        for (std::size_t i = 0; i < name.size(); ++i) {
            const char c = name[i];
            if (c == '_' && i + 1 < name.size()) {
                const char next = name[i + 1];
                if (next >= 'a' && next <= 'z') {
                    out.push_back(static_cast<char>(next - 'a' + 'A'));
                    ++i;
                    continue;
                }
                if (next >= '0' && next <= '9') {
                    out.push_back(next);
                    ++i;
                    continue;
                }
            }
            out.push_back(c);
        }
    }
};

}  // namespace naming

/// Overrides the JSON key of one member: `{"member", "jsonKey"}`.
struct json_name {
    std::string_view member;
    std::string_view json;
};

/// What the decoder does with a key the struct does not declare (when the struct has no
/// `unknown_fields` member, which would keep it).
enum class unknown_key_policy {
    reject,  ///< a decode error naming the key (the default)
    ignore   ///< skip it (an explicit opt-in: the key is lost when the record is written back)
};

/// How the encoder writes an empty `std::optional` member.
enum class empty_optional_policy {
    null,  ///< `"key": null` (the default)
    omit   ///< leave the key out
};

/**
 * @brief Codec options for one call, as a class-type template parameter; a struct's own
 * `json_traits` choices take precedence over them.
 */
struct json_options {
    unknown_key_policy on_unknown_key = unknown_key_policy::reject;
    empty_optional_policy empty_optional = empty_optional_policy::null;
};

/// @cond internal
namespace detail {

template <class T>
consteval auto naming_of() {
    if constexpr (requires { typename T::naming; }) {
        static_assert(is_naming_policy<typename T::naming>,
                      "strata: a struct's `naming` must be a naming policy: a type with "
                      "`template <class Out> static constexpr void apply(std::string_view "
                      "declared, Out& out)` that writes the key with out.push_back(c)");
        return std::type_identity<typename T::naming>{};
    } else {
        return std::type_identity<naming::as_declared>{};
    }
}

template <class T>
consteval std::size_t unknown_fields_index() {
    std::size_t found = member_count<T>;
    for_each_member_index<T>([&](auto i) {
        if (std::is_same_v<member_type<T, decltype(i)::value>, unknown_fields>) {
            found = decltype(i)::value;
        }
    });
    return found;
}

constexpr bool is_plain_key(std::string_view key) {
    if (key.empty()) return false;
    for (char c : key) {
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
}

}  // namespace detail
/// @endcond

/**
 * @brief A record type's codec choices, read from the members it declares (see the file's
 * documentation); specialise it to give a type you cannot change its choices.
 */
template <class T>
struct json_traits {
    /// The naming policy (default: as declared).
    using naming = typename decltype(detail::naming_of<T>())::type;

    /// The key under which the document carries its schema version ("" when it carries none).
    static constexpr std::string_view version_key = [] {
        if constexpr (requires { std::string_view(T::version_key); }) {
            return std::string_view(T::version_key);
        } else {
            return std::string_view();
        }
    }();

    /// The struct's unknown-key policy, if it states one.
    static constexpr bool states_unknown_key_policy = requires { T::on_unknown_key; };
    static constexpr unknown_key_policy on_unknown_key(json_options options) {
        if constexpr (states_unknown_key_policy) {
            return T::on_unknown_key;
        } else {
            return options.on_unknown_key;
        }
    }

    /// The struct's policy for empty optionals, or the call's.
    static constexpr empty_optional_policy empty_optional(json_options options) {
        if constexpr (requires { T::empty_optional; }) {
            return T::empty_optional;
        } else {
            return options.empty_optional;
        }
    }

    /// The JSON key of member `I`: an override from `T::json_names`, or the naming policy's.
    template <std::size_t I>
    static constexpr detail::name_buffer key_of() {
        constexpr std::string_view declared = member_name<T, I>;
        detail::name_buffer out;
        if constexpr (requires { T::json_names; }) {
            for (const json_name& n : T::json_names) {
                if (n.member == declared) {
                    for (char c : n.json) out.push_back(c);
                    return out;
                }
            }
        }
        naming::apply(declared, out);
        return out;
    }
};

/// The index of `T`'s `unknown_fields` member, or `member_count<T>` when it has none.
template <is_reflected T>
inline constexpr std::size_t unknown_fields_index = detail::unknown_fields_index<T>();

/// @cond internal
namespace detail {

// The JSON key of member I of T as a constant with static storage.
template <class T, std::size_t I>
struct member_key_storage {
    static constexpr name_buffer computed = json_traits<T>::template key_of<I>();
    static_assert(computed.size <= sizeof computed.chars,
                  "strata: a JSON key may be at most 256 bytes long");
    static constexpr std::size_t size = computed.size;
    static constexpr std::array<char, size + 1> chars = [] {
        std::array<char, size + 1> a{};
        for (std::size_t i = 0; i < size; ++i) a[i] = computed.chars[i];
        return a;
    }();
    static_assert(is_plain_key(std::string_view(chars.data(), size)),
                  "strata: a JSON key must be non-empty and contain no quote, backslash or "
                  "control character: check the struct's naming policy and json_names");
};

template <class T>
consteval bool json_names_are_members() {
    if constexpr (requires { T::json_names; }) {
        for (const json_name& n : T::json_names) {
            if (member_index<T>(n.member) == member_count<T>) return false;
        }
    }
    return true;
}

}  // namespace detail
/// @endcond

/// The JSON key of member `I` of `T`.
template <is_reflected T, std::size_t I>
inline constexpr std::string_view member_key =
    std::string_view(detail::member_key_storage<T, I>::chars.data(),
                     detail::member_key_storage<T, I>::size);

}  // namespace v1
}  // namespace strata
