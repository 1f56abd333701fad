/**
 * @file
 * @brief The migrator's logging policy: log records, the `log_sink` concept and the sinks
 * strata ships (console, in-memory ring buffer, tee, none), with a small `logger` front.
 *
 * @code
 * strata::ring_log recent;                                  // the newest 1,024 records
 * strata::logger log{strata::tee_log{strata::console_log{}, strata::log_ref{recent}}, "run-7"};
 * log.warning("session-7", "step {} -> {} took {} ms", 1, 2, 840);
 * // stderr: 2026-11-20T10:15:30.123Z warning session-7: step 1 -> 2 took 840 ms
 * std::string json = recent.to_json(strata::log_level::warning, 50);
 * @endcode
 *
 * A sink is any type with `write(const log_record&)` (the `log_sink` concept); the migrator
 * holds one by value and hands it every record. A sink may also offer
 * `bool enabled(log_level) const`: the `logger` front asks it first and skips formatting a
 * message nobody keeps. To share one sink (a `ring_log` the CLI queries) between the migrator
 * and its owner, pass `log_ref{sink}`.
 *
 * The console sink and the `logger` front format with {fmt}: link `fmt::fmt`.
 */
#pragma once

#include <strata/clock.hpp>
#include <strata/detail/utc_time.hpp>
#include <strata/detail/utf8_text.hpp>

#include <boost/circular_buffer.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// How much a log record matters, least first.
enum class log_level : std::uint8_t { trace, debug, info, warning, error };

/// The level's name: `trace`, `debug`, `info`, `warning` or `error`.
constexpr std::string_view to_string(log_level level) noexcept {
    switch (level) {
        case log_level::trace: return "trace";
        case log_level::debug: return "debug";
        case log_level::info: return "info";
        case log_level::warning: return "warning";
        case log_level::error: return "error";
    }
    return "unknown";
}

/**
 * @brief The level named `text` (`trace`, `debug`, `info`, `warning` or `warn`, `error`; any
 * case), or `std::nullopt` when it names none.
 */
constexpr std::optional<log_level> parse_log_level(std::string_view text) noexcept {
    const auto equals = [text](std::string_view name) {
        if (text.size() != name.size()) return false;
        for (std::size_t i = 0; i < name.size(); ++i) {
            char c = text[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (c != name[i]) return false;
        }
        return true;
    };
    for (auto level : {log_level::trace, log_level::debug, log_level::info, log_level::warning,
                       log_level::error}) {
        if (equals(to_string(level))) return level;
    }
    if (equals("warn")) return log_level::warning;
    return std::nullopt;
}

/// One thing the migrator (or anything else) has to say.
struct log_record {
    std::int64_t time_ms = 0;  ///< when, in milliseconds since 1970-01-01T00:00:00Z
    log_level level = log_level::info;
    std::string message;
    std::string document;  ///< the document it is about; empty when none
    std::string run;       ///< the migration run it belongs to; empty when none
    friend bool operator==(const log_record&, const log_record&) = default;
};

/**
 * @brief A logging policy: a type that takes log records with `write(const log_record&)`.
 *
 * It may also offer `bool enabled(log_level) const`, which says whether a record of that level
 * would be kept at all (see `sink_enabled`).
 */
template <class L>
concept log_sink = requires(L& l, const log_record& r) { l.write(r); };

/// Whether `sink` keeps records of `level`: its `enabled(level)` when it has one, else `true`.
template <log_sink S>
constexpr bool sink_enabled(const S& sink, log_level level) {
    if constexpr (requires { { sink.enabled(level) } -> std::convertible_to<bool>; }) {
        return sink.enabled(level);
    } else {
        return true;
    }
}

/**
 * @brief Appends one record as a JSON object:
 * `{"time":"2026-11-20T10:15:30.123Z","time_ms":1795169730123,"level":"info","run":"...","document":"...","message":"..."}`.
 *
 * Every key is always there (`run` and `document` may be `""`). Any bytes are written as valid
 * JSON: control characters escaped, invalid UTF-8 replaced with U+FFFD.
 */
inline void append_json(std::string& out, const log_record& record) {
    out += "{\"time\":\"";
    detail::append_utc_time(out, record.time_ms, detail::utc_precision::milliseconds);
    out += "\",\"time_ms\":";
    out += std::to_string(record.time_ms);
    out += ",\"level\":\"";
    out += to_string(record.level);
    out += "\",\"run\":";
    detail::append_json_text(out, record.run);
    out += ",\"document\":";
    detail::append_json_text(out, record.document);
    out += ",\"message\":";
    detail::append_json_text(out, record.message);
    out += '}';
}

/// The records as a JSON array of `append_json` objects, in the given order.
inline std::string to_json(const std::vector<log_record>& records) {
    std::string out = "[";
    for (const auto& record : records) {
        if (out.size() > 1) out += ',';
        append_json(out, record);
    }
    out += ']';
    return out;
}

/// The sink that keeps nothing (and says so, so that nothing is formatted for it).
struct null_log {
    /// Discards the record.
    void write(const log_record&) noexcept {}
    /// Always `false`.
    constexpr bool enabled(log_level) const noexcept { return false; }
};

/**
 * @brief Writes records at or above a minimum level to a `FILE*` (stderr by default), one line
 * each: time (UTC, ISO-8601 with milliseconds), level, document, message.
 *
 * `2026-11-20T10:15:30.123Z warning session-7: step 1 -> 2 took 840 ms` (no `document: ` part
 * when the record has none). Control characters in the document or message are shown as `?`
 * and invalid UTF-8 as U+FFFD, so a record is always one line. Each line is one `fwrite`, so
 * lines from several threads do not interleave. The sink does not own the `FILE*`.
 */
class console_log {
public:
    /// Writes to `out` the records of level `at_least` and above.
    explicit console_log(std::FILE* out = stderr, log_level at_least = log_level::info) noexcept
        : out_(out), at_least_(at_least) {}

    /// Whether records of `level` are written.
    bool enabled(log_level level) const noexcept { return level >= at_least_; }
    /// The minimum level written.
    log_level level() const noexcept { return at_least_; }
    /// Changes the minimum level written.
    void set_level(log_level at_least) noexcept { at_least_ = at_least; }

    /// Writes the record's line when its level is enabled.
    void write(const log_record& record) const {
        if (!enabled(record.level)) return;
        const std::string line = format_line(record);
        std::fwrite(line.data(), 1, line.size(), out_);
    }

    /// The line `write` writes for `record`, newline included.
    static std::string format_line(const log_record& record) {
        std::string line;
        detail::append_utc_time(line, record.time_ms, detail::utc_precision::milliseconds);
        line += fmt::format(" {:<7} ", to_string(record.level));
        if (!record.document.empty()) {
            line += detail::printable_text(record.document);
            line += ": ";
        }
        line += detail::printable_text(record.message);
        line += '\n';
        return line;
    }

private:
    std::FILE* out_;
    log_level at_least_;
};

/**
 * @brief Keeps the newest records in memory (1,024 by default), for a status screen or the
 * CLI's `log` command to query by level and count, or to export as JSON.
 *
 * Thread-safe: the runner writes from its thread while others query. When full, each new
 * record replaces the oldest, and `dropped()` counts the records so lost.
 */
class ring_log {
public:
    /// A ring of `capacity` records (at least 1) that keeps records of level `at_least` and above.
    explicit ring_log(std::size_t capacity = 1024, log_level at_least = log_level::trace)
        : records_(std::max<std::size_t>(capacity, 1)), at_least_(at_least) {}

    ring_log(const ring_log&) = delete;
    ring_log& operator=(const ring_log&) = delete;

    /// Whether records of `level` are kept.
    bool enabled(log_level level) const noexcept { return level >= at_least_; }

    /// Keeps the record (when its level is enabled), replacing the oldest when full.
    void write(const log_record& record) {
        if (!enabled(record.level)) return;
        const std::lock_guard lock(mutex_);
        if (records_.full()) ++dropped_;
        records_.push_back(record);
    }

    /**
     * @brief The newest `count` records at or above `at_least`, oldest first.
     */
    std::vector<log_record> query(log_level at_least = log_level::trace,
                                  std::size_t count = std::numeric_limits<std::size_t>::max()) const {
        std::vector<log_record> found;
        const std::lock_guard lock(mutex_);
        for (auto it = records_.rbegin(); it != records_.rend() && found.size() < count; ++it) {
            if (it->level >= at_least) found.push_back(*it);
        }
        std::reverse(found.begin(), found.end());
        return found;
    }

    /// `query(at_least, count)` as a JSON array (see `append_json` for each object).
    std::string to_json(log_level at_least = log_level::trace,
                        std::size_t count = std::numeric_limits<std::size_t>::max()) const {
        return strata::to_json(query(at_least, count));
    }

    /// How many records are kept now.
    std::size_t size() const {
        const std::lock_guard lock(mutex_);
        return records_.size();
    }
    /// How many records it can keep.
    std::size_t capacity() const noexcept { return records_.capacity(); }
    /// How many records were pushed out by newer ones since construction or `clear()`.
    std::uint64_t dropped() const {
        const std::lock_guard lock(mutex_);
        return dropped_;
    }
    /// Forgets every record and resets `dropped()`.
    void clear() {
        const std::lock_guard lock(mutex_);
        records_.clear();
        dropped_ = 0;
    }

private:
    mutable std::mutex mutex_;
    boost::circular_buffer<log_record> records_;
    std::uint64_t dropped_ = 0;
    log_level at_least_;
};

/**
 * @brief A sink that writes to another sink owned elsewhere (which must outlive it), so that
 * the migrator holding sinks by value can share one with its owner.
 */
template <log_sink S>
class log_ref {
public:
    /// Refers to `sink`.
    explicit log_ref(S& sink) noexcept : sink_(&sink) {}
    /// Writes to the referred sink.
    void write(const log_record& record) { sink_->write(record); }
    /// The referred sink's `sink_enabled(level)`.
    bool enabled(log_level level) const { return sink_enabled(*sink_, level); }
    /// The referred sink.
    S& get() const noexcept { return *sink_; }

private:
    S* sink_;
};

/**
 * @brief Writes each record to every one of its sinks, in order.
 * @tparam S the sinks, held by value (use `log_ref` for one owned elsewhere).
 */
template <log_sink... S>
class tee_log {
public:
    /// Holds the sinks.
    explicit tee_log(S... sinks) : sinks_(std::move(sinks)...) {}

    /// Writes the record to each sink.
    void write(const log_record& record) {
        std::apply([&](auto&... sink) { (sink.write(record), ...); }, sinks_);
    }
    /// Whether any sink keeps records of `level`.
    bool enabled(log_level level) const {
        return std::apply([&](const auto&... sink) { return (sink_enabled(sink, level) || ...); }, sinks_);
    }
    /// The `I`-th sink.
    template <std::size_t I>
    auto& get() noexcept {
        return std::get<I>(sinks_);
    }

private:
    std::tuple<S...> sinks_;
};

/// The clock `logger` stamps records with: milliseconds since 1970-01-01T00:00:00Z, by the system clock.
struct system_clock_ms {
    /// Now.
    std::int64_t operator()() const { return system_now_ms(); }
};

/**
 * @brief A front over a sink: stamps records with the time and the run, skips levels the sink
 * does not keep before formatting anything, and formats messages with {fmt}.
 *
 * It is itself a `log_sink`, so it composes.
 * @tparam Sink the logging policy, held by value.
 * @tparam Clock a callable returning milliseconds since the epoch (injectable for tests).
 */
template <log_sink Sink, class Clock = system_clock_ms>
class logger {
public:
    /// Logs to `sink`, stamping every record with `run` (may be empty).
    explicit logger(Sink sink = Sink{}, std::string run = {}, Clock clock = Clock{})
        : sink_(std::move(sink)), run_(std::move(run)), clock_(std::move(clock)) {}

    /// The sink.
    Sink& sink() noexcept { return sink_; }
    /// The run id stamped on each record.
    const std::string& run() const noexcept { return run_; }
    /// Changes the run id stamped on each record.
    void set_run(std::string run) { run_ = std::move(run); }
    /// Whether the sink keeps records of `level`.
    bool enabled(log_level level) const { return sink_enabled(sink_, level); }

    /// Passes a finished record to the sink (when enabled), as is.
    void write(const log_record& record) {
        if (enabled(record.level)) sink_.write(record);
    }

    /// Logs `fmt::format(format, args...)` about `document` (may be empty) at `level`.
    template <class... Args>
    void log(log_level level, std::string_view document, fmt::format_string<Args...> format, Args&&... args) {
        if (!enabled(level)) return;
        sink_.write(log_record{clock_(), level, fmt::format(format, std::forward<Args>(args)...),
                               std::string(document), run_});
    }
    /// `log(log_level::trace, ...)`.
    template <class... Args>
    void trace(std::string_view document, fmt::format_string<Args...> format, Args&&... args) {
        log(log_level::trace, document, format, std::forward<Args>(args)...);
    }
    /// `log(log_level::debug, ...)`.
    template <class... Args>
    void debug(std::string_view document, fmt::format_string<Args...> format, Args&&... args) {
        log(log_level::debug, document, format, std::forward<Args>(args)...);
    }
    /// `log(log_level::info, ...)`.
    template <class... Args>
    void info(std::string_view document, fmt::format_string<Args...> format, Args&&... args) {
        log(log_level::info, document, format, std::forward<Args>(args)...);
    }
    /// `log(log_level::warning, ...)`.
    template <class... Args>
    void warning(std::string_view document, fmt::format_string<Args...> format, Args&&... args) {
        log(log_level::warning, document, format, std::forward<Args>(args)...);
    }
    /// `log(log_level::error, ...)`.
    template <class... Args>
    void error(std::string_view document, fmt::format_string<Args...> format, Args&&... args) {
        log(log_level::error, document, format, std::forward<Args>(args)...);
    }

private:
    Sink sink_;
    std::string run_;
    Clock clock_;
};

}  // namespace v1
}  // namespace strata
