// Internal: a false that depends on template arguments, for static_asserts that must fire only
// when the template is instantiated.
#pragma once

namespace strata {
inline namespace v1 {
namespace detail {
template <class...>
inline constexpr bool dependent_false = false;
}  // namespace detail
}  // namespace v1
}  // namespace strata
