/**
 * @file
 * @brief `system_now_ms`: the one default clock of every part that dates what it writes (the
 * content store, chunked documents, the migrator's records, the store lease, log records).
 * Each takes a `std::function<std::int64_t()>` instead, so that tests inject their own.
 */
#pragma once

#include <chrono>
#include <cstdint>

namespace strata {
inline namespace v1 {

/// Milliseconds since 1970-01-01T00:00:00Z, by the system clock.
inline std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace v1
}  // namespace strata
