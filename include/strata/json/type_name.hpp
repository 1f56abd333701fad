/**
 * @file
 * @brief What the codec expects for a C++ type, in words for error messages
 * ("integer in [0, 255]", "array", "string or null"), and the container traits it dispatches on.
 */
#pragma once

#include <strata/detail/dependent_false.hpp>
#include <strata/raw_json.hpp>
#include <strata/string_coded.hpp>
#include <strata/reflection.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace strata {
inline namespace v1 {
namespace json {

/// @cond internal
namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct optional_value {};
template <class T>
struct optional_value<std::optional<T>> {
    using type = T;
};

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

}  // namespace detail
/// @endcond

/// The JSON the codec expects for `T`, in words.
template <class T>
std::string type_name() {
    if constexpr (std::is_same_v<T, bool>) {
        return "boolean";
    } else if constexpr (std::is_integral_v<T>) {
        if constexpr (sizeof(T) == 8) {
            return std::is_signed_v<T> ? "integer (64-bit)" : "non-negative integer (64-bit)";
        } else {
            return "integer in [" + std::to_string(std::numeric_limits<T>::min()) + ", " +
                   std::to_string(std::numeric_limits<T>::max()) + "]";
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        return "number";
    } else if constexpr (std::is_same_v<T, std::string>) {
        return "string";
    } else if constexpr (std::is_same_v<T, raw_json>) {
        return "a JSON value";
    } else if constexpr (is_string_coded<T>) {
        return "string (" + std::string(string_coded<T>::expected) + ")";
    } else if constexpr (requires { typename detail::optional_value<T>::type; }) {
        return type_name<typename detail::optional_value<T>::type>() + " or null";
    } else if constexpr (detail::is_vector<T>::value) {
        return "array";
    } else {
        return "object";
    }
}

}  // namespace json
}  // namespace v1
}  // namespace strata
