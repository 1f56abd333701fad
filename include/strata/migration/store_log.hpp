/**
 * @file
 * @brief A log sink that keeps records in a backend, so that a later process (the CLI's `log`
 * command) can read what a migration said; and the reader (needs strata::json and fmt).
 *
 * @code
 * strata::sqlite_backend store("strata.db");
 * {
 *     strata::store_log log(store);                 // the newest 10,000 records, info and above
 *     log.write({now_ms, strata::log_level::warning, "slow step", "session-7", "run-3"});
 * }                                                 // flushed at the latest here
 * for (const auto& r : strata::read_store_log(store, strata::log_level::warning, 50)) ...
 * @endcode
 *
 * Records are JSON objects (`append_json`'s form) under P `e/` + a 16-hex-digit sequence
 * number, P (`log/` by default) `next` holding the next number, so they read back in the order
 * they were written, across processes. `write` buffers; every `flush_every` records, and on
 * `flush()` and destruction, the buffer goes to the store in one batch, which also erases the
 * oldest records beyond `capacity`. Logging never fails the caller's work: a failed automatic
 * flush keeps the records for the next try (up to 16 batches' worth, then the oldest are
 * dropped and counted by `lost()`); only an explicit `flush()` throws. Records are advisory:
 * the ones buffered when a process dies are gone (the journal is the durable history).
 */
#pragma once

#include <strata/detail/hex16.hpp>
#include <strata/error.hpp>
#include <strata/json/decode.hpp>
#include <strata/migration/log.hpp>
#include <strata/reflection.hpp>
#include <strata/storage/backend.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// How a `store_log` keeps records.
struct store_log_options {
    std::string prefix = "log/";         ///< where in the store
    std::size_t capacity = 10'000;       ///< the newest this many records are kept
    log_level at_least = log_level::info;  ///< lower levels are not kept
    std::size_t flush_every = 64;        ///< records buffered before they go to the store
};

/// @cond internal
namespace detail {

/// A log record as stored (see `append_json`).
struct stored_log_record {
    BOOST_HANA_DEFINE_STRUCT(stored_log_record,
                             (std::string, time),
                             (std::int64_t, time_ms),
                             (std::string, level),
                             (std::string, run),
                             (std::string, document),
                             (std::string, message));
};

inline std::string log_sequence_text(std::uint64_t sequence) { return hex16(sequence); }

/// The record stored under `key`, or a `decode_error` naming the key and the place.
inline log_record read_log_record(std::string_view key, std::string_view bytes) {
    try {
        auto stored = json::decode<stored_log_record>(bytes);
        const auto level = parse_log_level(stored.level);
        if (!level) {
            decode_error e("a log level (trace, debug, info, warning, error)", "\"" + stored.level + "\"");
            e.prepend_key("level");
            throw e;
        }
        return log_record{stored.time_ms, *level, std::move(stored.message), std::move(stored.document),
                          std::move(stored.run)};
    } catch (document_error& e) {
        std::string name;
        append_quoted_bytes(name, key);
        e.set_document("log record " + name);
        throw;
    }
}

}  // namespace detail
/// @endcond

/**
 * @brief A log sink that keeps the newest records in a backend (see the file comment).
 *
 * Thread-safe. The backend must outlive it.
 * @tparam B the backend.
 */
template <backend B>
class store_log {
public:
    /// Keeps records in `store` as `options` says; reads where the sequence stands.
    explicit store_log(B& store, store_log_options options = {})
        : store_(&store), options_(std::move(options)), entries_(options_.prefix + "e/"),
          next_key_(options_.prefix + "next") {
        if (options_.capacity == 0) options_.capacity = 1;
        if (options_.flush_every == 0) options_.flush_every = 1;
        if (auto text = store_->get(next_key_)) {
            const char* end = text->data() + text->size();
            auto [p, ec] = std::from_chars(text->data(), end, next_, 16);
            if (ec != std::errc{} || p != end || text->size() != 16) {
                std::string shown;
                detail::append_quoted_bytes(shown, *text);
                throw storage_error("read", next_key_, "expected 16 hex digits (the next log sequence number), found " + shown);
            }
        }
    }

    store_log(const store_log&) = delete;
    store_log& operator=(const store_log&) = delete;

    /// Flushes what is buffered; a failure here is ignored (the records are lost).
    ~store_log() {
        try {
            const std::lock_guard lock(mutex_);
            flush_locked();
        } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
        }
    }

    /// Whether records of `level` are kept.
    bool enabled(log_level level) const noexcept { return level >= options_.at_least; }

    /// Buffers the record (when enabled); flushes every `flush_every` records, never throwing.
    void write(const log_record& record) {
        if (!enabled(record.level)) return;
        const std::lock_guard lock(mutex_);
        pending_.push_back(record);
        if (pending_.size() % options_.flush_every != 0) return;
        try {
            flush_locked();
        } catch (const std::exception&) {
            while (pending_.size() > 16 * options_.flush_every) {
                pending_.pop_front();
                ++lost_;
            }
        }
    }

    /// Writes the buffered records to the store now, trimming to `capacity`; throws
    /// `storage_error` when the store fails (the records stay buffered).
    void flush() {
        const std::lock_guard lock(mutex_);
        flush_locked();
    }

    /// Records buffered, not yet in the store.
    std::size_t pending() const {
        const std::lock_guard lock(mutex_);
        return pending_.size();
    }
    /// Records dropped because the store kept failing.
    std::uint64_t lost() const {
        const std::lock_guard lock(mutex_);
        return lost_;
    }

private:
    void flush_locked() {
        if (pending_.empty()) return;
        // Records beyond capacity in the buffer itself would be trimmed at once: skip them.
        const std::size_t skip = pending_.size() > options_.capacity ? pending_.size() - options_.capacity : 0;
        write_batch batch;
        std::uint64_t next = next_ + skip;
        std::string json;
        for (std::size_t i = skip; i < pending_.size(); ++i) {
            json.clear();
            append_json(json, pending_[i]);
            batch.put(entries_ + detail::log_sequence_text(next++), json);
        }
        batch.put(next_key_, detail::log_sequence_text(next));
        const std::size_t stored = store_->count(entries_);
        const std::size_t kept_new = pending_.size() - skip;
        if (stored + kept_new > options_.capacity) {
            const std::size_t excess = stored + kept_new - options_.capacity;
            for (const auto& old : store_->scan(entries_, std::nullopt, excess)) batch.erase(old.key);
        }
        store_->apply(batch);
        next_ = next;
        pending_.clear();
    }

    B* store_;
    store_log_options options_;
    std::string entries_;
    std::string next_key_;
    mutable std::mutex mutex_;
    std::deque<log_record> pending_;
    std::uint64_t next_ = 0;
    std::uint64_t lost_ = 0;
};

/**
 * @brief The newest `count` records at or above `at_least` that a `store_log` with `prefix`
 * kept in `store`, oldest first. A damaged record is a `decode_error` naming its key.
 */
template <backend B>
std::vector<log_record> read_store_log(const B& store, log_level at_least = log_level::trace,
                                       std::size_t count = std::numeric_limits<std::size_t>::max(),
                                       std::string_view prefix = "log/") {
    std::deque<log_record> newest;
    if (count == 0) return {};
    for_each_entry(store, std::string(prefix) + "e/", [&](const key_value& entry) {
        auto record = detail::read_log_record(entry.key, entry.value);
        if (record.level < at_least) return;
        if (newest.size() == count) newest.pop_front();
        newest.push_back(std::move(record));
    });
    return {newest.begin(), newest.end()};
}

}  // namespace v1
}  // namespace strata
