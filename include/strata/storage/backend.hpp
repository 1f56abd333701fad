/**
 * @file
 * @brief The storage backend concept: where documents, blobs, chunks and indexes live.
 *
 * A backend maps byte-string keys to byte-string values (both may hold any bytes, NUL and 0xFF
 * included; a value may be empty). Every later part of strata (chunked documents, the content
 * store, the index, the migrator) stores through this concept, so a user's own backend plugs in
 * everywhere. A backend offers:
 *
 * | call                          | does                                                        |
 * |-------------------------------|-------------------------------------------------------------|
 * | `get(key)`                    | the value, or `std::nullopt` when the key is absent         |
 * | `put(key, value)`             | stores the value (replacing any), atomically                |
 * | `erase(key)`                  | removes the key; `true` when it was there                   |
 * | `contains(key)`               | whether the key is there                                    |
 * | `scan(prefix, after, limit)`  | up to `limit` entries whose key starts with `prefix`, in    |
 * |                               | ascending byte order of key, strictly after `after` (paging)|
 * | `count(prefix)`               | how many keys start with `prefix`                           |
 * | `apply(batch)`                | a `write_batch` of puts and erases, all or nothing          |
 *
 * and, optionally (detected with the concepts below; memory, filesystem and SQLite have both):
 *
 * | call                                     | does                                             |
 * |------------------------------------------|--------------------------------------------------|
 * | `compare_and_put(key, expected, value)`  | atomically: when the key's value is `expected`   |
 * |                                          | (`std::nullopt`: the key is absent), stores      |
 * |                                          | `value` and returns `true`; else changes nothing |
 * |                                          | and returns `false` (`has_compare_and_put`)      |
 * | `compare_and_erase(key, expected)`       | atomically: when the key's value is `expected`,  |
 * |                                          | erases it and returns `true`; else `false`       |
 * |                                          | (`has_compare_and_erase`)                        |
 *
 * "Atomically" holds for every user of the store: other threads, and other processes where
 * the backend is shared between processes (SQLite). The store lease (storage/lease.hpp) is
 * built on them.
 *
 * Ordering is by unsigned bytes (`memcmp`), the order of `std::string`'s `operator<` over
 * `char_traits<char>`. Errors are thrown as `strata::storage_error` carrying the operation, the
 * key and the OS or SQLite message (see error.hpp for why strata uses exceptions).
 *
 * Backends are safe to call from several threads at once: concurrent readers with one writer
 * at least. A batch is atomic for readers too: a reader sees all of it or none of it.
 *
 * Test a backend of your own with the conformance suite, `<strata/testing/backend_conformance.hpp>`.
 */
#pragma once

#include <strata/error.hpp>

#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// A key and its value, as a scan returns them.
struct key_value {
    std::string key;
    std::string value;
    friend bool operator==(const key_value&, const key_value&) = default;
};

/**
 * @brief Puts and erases to apply together, all or nothing, in the order they were added (a
 * later operation on the same key wins).
 *
 * A batch is a plain value: build it, then hand it to `backend.apply(batch)`. Higher layers
 * (the content store's references, the index, the migrator's journal) add their operations to
 * the caller's batch so that a document and everything about it commit together.
 */
class write_batch {
public:
    /// One operation of a batch.
    struct operation {
        enum class kind : unsigned char { put, erase };
        kind what;
        std::string key;
        std::string value;  ///< empty for an erase
        friend bool operator==(const operation&, const operation&) = default;
    };

    /// Adds a put of `value` under `key`.
    void put(std::string_view key, std::string_view value) {
        bytes_ += key.size() + value.size();
        ops_.push_back({operation::kind::put, std::string(key), std::string(value)});
    }
    /// Adds an erase of `key` (erasing an absent key is not an error).
    void erase(std::string_view key) {
        bytes_ += key.size();
        ops_.push_back({operation::kind::erase, std::string(key), {}});
    }
    /// Appends every operation of `other`, after this batch's own.
    void append(const write_batch& other) {
        ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
        bytes_ += other.bytes_;
    }

    /// The operations, in the order they were added.
    const std::vector<operation>& operations() const noexcept { return ops_; }
    std::size_t size() const noexcept { return ops_.size(); }
    bool empty() const noexcept { return ops_.empty(); }
    /// Total bytes of keys and values: a measure for flushing by size.
    std::size_t byte_size() const noexcept { return bytes_; }
    void clear() noexcept {
        ops_.clear();
        bytes_ = 0;
    }

    friend bool operator==(const write_batch& a, const write_batch& b) { return a.ops_ == b.ops_; }

private:
    std::vector<operation> ops_;
    std::size_t bytes_ = 0;
};

/// `limit` value meaning "no limit" for `scan`.
inline constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

// One requirement per concept, so that the compiler names the missing one.

/// `b.get(key)` returns `std::optional<std::string>` (callable on a const backend).
template <class B>
concept has_get = requires(const B& b, std::string_view key) {
    { b.get(key) } -> std::same_as<std::optional<std::string>>;
};
/// `b.put(key, value)`.
template <class B>
concept has_put = requires(B& b, std::string_view key, std::string_view value) { b.put(key, value); };
/// `b.erase(key)` returns whether the key was there.
template <class B>
concept has_erase = requires(B& b, std::string_view key) {
    { b.erase(key) } -> std::same_as<bool>;
};
/// `b.contains(key)` returns `bool` (callable on a const backend).
template <class B>
concept has_contains = requires(const B& b, std::string_view key) {
    { b.contains(key) } -> std::same_as<bool>;
};
/// `b.scan(prefix, after, limit)` returns `std::vector<key_value>` (callable on a const backend).
template <class B>
concept has_scan = requires(const B& b, std::string_view prefix,
                            std::optional<std::string_view> after, std::size_t limit) {
    { b.scan(prefix, after, limit) } -> std::same_as<std::vector<key_value>>;
};
/// `b.count(prefix)` returns `std::size_t` (callable on a const backend).
template <class B>
concept has_count = requires(const B& b, std::string_view prefix) {
    { b.count(prefix) } -> std::same_as<std::size_t>;
};
/// `b.apply(batch)` applies a `write_batch` all or nothing.
template <class B>
concept has_apply = requires(B& b, const write_batch& batch) { b.apply(batch); };

/**
 * @brief A storage backend: byte-string keys to byte-string values, ordered scans and atomic
 * batches. See the file comment for what each call must do.
 */
template <class B>
concept backend = has_get<B> && has_put<B> && has_erase<B> && has_contains<B> && has_scan<B> &&
                  has_count<B> && has_apply<B>;

/**
 * @brief The optional conditional put: `b.compare_and_put(key, expected, value)` returns `bool`.
 *
 * Atomically, when the key's current value equals `expected` (`std::nullopt`: the key is
 * absent), stores `value` and returns `true`; otherwise changes nothing and returns `false`.
 * `memory_backend`, `filesystem_backend` and `sqlite_backend` offer it.
 */
template <class B>
concept has_compare_and_put = requires(B& b, std::string_view key, std::optional<std::string_view> expected,
                                       std::string_view value) {
    { b.compare_and_put(key, expected, value) } -> std::same_as<bool>;
};

/**
 * @brief The optional conditional erase: `b.compare_and_erase(key, expected)` returns `bool`.
 *
 * Atomically, when the key is present with the value `expected`, erases it and returns
 * `true`; otherwise changes nothing and returns `false`. `memory_backend`,
 * `filesystem_backend` and `sqlite_backend` offer it.
 */
template <class B>
concept has_compare_and_erase = requires(B& b, std::string_view key, std::string_view expected) {
    { b.compare_and_erase(key, expected) } -> std::same_as<bool>;
};

/**
 * @brief Checks that `B` is a backend, with one `strata:` message per missing call that shows
 * the signature to write. Use it where a template takes a backend:
 * `static_assert(strata::check_backend<B>());`
 */
template <class B>
consteval bool check_backend() {
    static_assert(has_get<B>,
                  "strata: backend lacks get; write `std::optional<std::string> get(std::string_view key) const`");
    static_assert(has_put<B>,
                  "strata: backend lacks put; write `void put(std::string_view key, std::string_view value)`");
    static_assert(has_erase<B>, "strata: backend lacks erase; write `bool erase(std::string_view key)`");
    static_assert(has_contains<B>,
                  "strata: backend lacks contains; write `bool contains(std::string_view key) const`");
    static_assert(has_scan<B>,
                  "strata: backend lacks scan; write `std::vector<strata::key_value> scan(std::string_view prefix, "
                  "std::optional<std::string_view> after, std::size_t limit) const`");
    static_assert(has_count<B>,
                  "strata: backend lacks count; write `std::size_t count(std::string_view prefix) const`");
    static_assert(has_apply<B>,
                  "strata: backend lacks apply; write `void apply(const strata::write_batch& batch)`");
    return backend<B>;
}

/**
 * @brief Calls `fn(const key_value&)` for every entry whose key starts with `prefix`, in key
 * order, reading `page` entries at a time (so memory stays flat over a large store).
 */
template <backend B, class Fn>
void for_each_entry(const B& b, std::string_view prefix, Fn&& fn, std::size_t page = 256) {
    std::string after;
    bool first = true;
    for (;;) {
        auto entries = b.scan(prefix, first ? std::nullopt : std::optional<std::string_view>(after), page);
        for (const auto& e : entries) fn(e);
        if (entries.size() < page) return;
        after = std::move(entries.back().key);
        first = false;
    }
}

/// The smallest key greater than every key that starts with `prefix` (`nullopt`: none, i.e. the
/// prefix is empty or all 0xFF). Backends use it to bound a prefix scan.
inline std::optional<std::string> prefix_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(end.back());
        if (last != 0xff) {
            ++last;
            return end;
        }
        end.pop_back();
    }
    return std::nullopt;
}

}  // namespace v1
}  // namespace strata
