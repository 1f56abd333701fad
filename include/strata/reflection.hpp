/**
 * @file
 * @brief Compile-time reflection of plain structs, through Boost.Hana.
 *
 * A record is a plain struct whose members are declared once, with
 * `BOOST_HANA_DEFINE_STRUCT` (inside the struct) or `BOOST_HANA_ADAPT_STRUCT` (outside it):
 * @code
 * struct point {
 *     BOOST_HANA_DEFINE_STRUCT(point, (int, x), (int, y));
 * };
 * @endcode
 * strata enumerates the members at compile time (names, types, accessors); nothing is declared
 * twice.
 */
#pragma once

#include <boost/hana/accessors.hpp>
#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace strata {
inline namespace v1 {

/// `T` is a struct whose members Boost.Hana can enumerate.
template <class T>
concept is_reflected = boost::hana::Struct<std::remove_cvref_t<T>>::value;

/// The number of reflected members of `T`.
template <is_reflected T>
inline constexpr std::size_t member_count =
    decltype(boost::hana::length(boost::hana::accessors<T>()))::value;

/// The declared name of member `I` of `T`.
template <is_reflected T, std::size_t I>
inline constexpr std::string_view member_name = boost::hana::to<char const*>(
    boost::hana::first(boost::hana::at_c<I>(boost::hana::accessors<T>())));

/// Member `I` of `value` (an lvalue reference, const when `value` is).
template <std::size_t I, is_reflected T>
constexpr decltype(auto) get_member(T& value) {
    return boost::hana::second(boost::hana::at_c<I>(boost::hana::accessors<std::remove_const_t<T>>()))(
        value);
}

/// The type of member `I` of `T`.
template <is_reflected T, std::size_t I>
using member_type = std::remove_cvref_t<decltype(get_member<I>(std::declval<T&>()))>;

/// Calls `f(std::integral_constant<std::size_t, I>{})` for each member index of `T`, in order.
template <is_reflected T, class F>
constexpr void for_each_member_index(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (f(std::integral_constant<std::size_t, I>{}), ...);
    }(std::make_index_sequence<member_count<T>>{});
}

/// The index of the member of `T` declared as `name`, or `member_count<T>` when there is none.
template <is_reflected T>
constexpr std::size_t member_index(std::string_view name) {
    std::size_t found = member_count<T>;
    for_each_member_index<T>([&](auto i) {
        if (found == member_count<T> && member_name<T, decltype(i)::value> == name) {
            found = decltype(i)::value;
        }
    });
    return found;
}

}  // namespace v1
}  // namespace strata
