// An id inside a composite key (internal): the id's bytes with each NUL written NUL 0xFF, then
// NUL 0x01. That terminator then occurs nowhere inside, so the keys of one id are never a prefix
// of another id's, whatever bytes ids hold, and ids stay readable in a dump of the keys. Used by
// the chunked store's chunk keys and the migrator's backup and journal keys.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {
namespace detail {

/// Appends `id` escaped, then the terminator NUL 0x01.
inline void append_escaped_id(std::string& key, std::string_view id) {
    for (char c : id) {
        key += c;
        if (c == '\0') key += '\xff';
    }
    key += '\0';
    key += '\x01';
}

/// The id back from an escaped id at the start of `key` (up to its terminator), and the rest.
inline std::pair<std::string, std::string_view> split_escaped_id(std::string_view key) {
    std::string id;
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (key[i] == '\0') {
            if (i + 1 < key.size() && key[i + 1] == '\x01') return {id, key.substr(i + 2)};
            ++i;  // NUL 0xFF: one NUL of the id
            id += '\0';
            continue;
        }
        id += key[i];
    }
    return {id, {}};
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
