// A 64-bit number as 16 lowercase hex digits (internal): sequence numbers and times inside keys
// (so that they sort as text), and random tokens.
#pragma once

#include <cstdint>
#include <string>

namespace strata {
inline namespace v1 {
namespace detail {

/// `n` as exactly 16 lowercase hex digits, leading zeros included.
inline std::string hex16(std::uint64_t n) {
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, n >>= 4) s[static_cast<std::size_t>(i)] = "0123456789abcdef"[n & 15];
    return s;
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
