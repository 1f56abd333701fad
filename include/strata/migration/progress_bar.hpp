/**
 * @file
 * @brief Shows progress events to people: an updating bar on a terminal, plain lines in a log.
 *
 * @code
 * strata::progress_bar bar(stderr, std::nullopt, {.label = "migrate"});  // isatty decides the mode
 * strata::progress_meter meter(total);
 * meter.start();
 * bar.update(meter.snapshot(strata::progress_kind::started));
 * // ... for each document: meter.advance(...); if (meter.due(100ms)) bar.update(meter.snapshot());
 * bar.update(meter.snapshot(strata::progress_kind::completed));
 * // terminal:   migrate [#########...........]  45.0% 450/1000 120 docs/s 1.5 MB/s ETA 0:04 session-000450
 * // not a tty:  migrate: 450/1000 (45.0%), 120 docs/s, 1.5 MB/s, ETA 0:04
 * @endcode
 *
 * **On a terminal** each event redraws one line (`\r`, the frame, then `ESC[K` to clear what a
 * longer frame left): label, bar, percentage, done/total, documents/s, MB/s (10^6 bytes of
 * input), ETA (or the state when paused), failed count when any, and the current document,
 * whose start is cut (shown as `...` and its end) to fit the width. A final event (completed,
 * failed, cancelled) draws its frame and ends the line.
 *
 * **Elsewhere** (a pipe, a file, CI logs) it writes plain lines: one when the job starts, one
 * when it pauses or resumes, a progress line at most every `plain_interval` of the job's
 * running time (`progress_event::elapsed_s`), and always the final one.
 *
 * Control characters in the label or a document id are shown as `?`. A bar belongs to one
 * thread; it does not own the `FILE*`.
 */
#pragma once

#include <strata/detail/utf8_text.hpp>
#include <strata/migration/progress.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#if defined(_WIN32)
#include <io.h>
#else
#include <sys/ioctl.h>
#include <unistd.h>
#endif

namespace strata {
inline namespace v1 {

/// How a `progress_bar` looks.
struct progress_bar_options {
    std::string label;      ///< shown first, e.g. `migrate` (nothing when empty)
    std::size_t width = 0;  ///< terminal columns for a frame; 0: the terminal's width (80 when unknown)
    std::chrono::milliseconds plain_interval = std::chrono::seconds(10);  ///< not a tty: the most frequent progress line
    std::size_t bar_width = 20;  ///< cells of the bar itself
};

/// @cond internal
namespace detail {

/// Whether `out` is a terminal.
inline bool is_terminal(std::FILE* out) noexcept {
#if defined(_WIN32)
    return _isatty(_fileno(out)) != 0;
#else
    return ::isatty(::fileno(out)) != 0;
#endif
}

/// The terminal's width in columns, or `std::nullopt` when unknown.
inline std::optional<std::size_t> terminal_width(std::FILE* out) noexcept {
#if defined(TIOCGWINSZ)
    winsize size{};
    if (::ioctl(::fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
#else
    (void)out;
#endif
    return std::nullopt;
}

/// Seconds as `m:ss`, or `h:mm:ss` from one hour on.
inline std::string format_duration_clock(double seconds) {
    // Clamped to [0, 10^9 s] (some 31 years): an ETA from a tiny rate stays a number.
    const auto total = static_cast<std::uint64_t>(std::llround(std::clamp(seconds, 0.0, 1e9)));
    if (total >= 3600) return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
    return fmt::format("{}:{:02}", total / 60, total % 60);
}

/// A documents rate: no decimals from 10 on, one below.
inline std::string format_documents_rate(double per_s) {
    return per_s >= 10 ? fmt::format("{:.0f}", per_s) : fmt::format("{:.1f}", per_s);
}

}  // namespace detail
/// @endcond

/**
 * @brief Renders progress events for humans on a `FILE*`: an updating line on a terminal,
 * plain rate-limited lines otherwise (see the file comment).
 */
class progress_bar {
public:
    /**
     * @brief Writes to `out`; `terminal` says whether it is a terminal (detected with `isatty`
     * when not given).
     */
    explicit progress_bar(std::FILE* out = stderr, std::optional<bool> terminal = std::nullopt,
                          progress_bar_options options = {})
        : out_(out), terminal_(terminal ? *terminal : detail::is_terminal(out)), options_(std::move(options)) {
        options_.label = detail::printable_text(options_.label);
        if (options_.width == 0) {
            const auto detected = terminal_ ? detail::terminal_width(out_) : std::nullopt;
            options_.width = detected ? *detected : 80;
        }
    }

    /// Whether it draws an updating line (a terminal) rather than plain lines.
    bool terminal() const noexcept { return terminal_; }

    /// Shows the event (or nothing, when plain lines are rate-limited and it is not yet time).
    void update(const progress_event& event) {
        std::string text;
        if (terminal_) {
            text = '\r' + format_frame(event, options_) + "\x1b[K";
            if (is_final(event.kind)) text += '\n';
        } else {
            const bool timely = event.elapsed_s - last_line_s_ >= seconds(options_.plain_interval);
            if (event.kind != progress_kind::progress || timely) {
                text = format_line(event, options_.label) + '\n';
                last_line_s_ = event.elapsed_s;
            }
        }
        if (text.empty()) return;
        std::fwrite(text.data(), 1, text.size(), out_);
        std::fflush(out_);
    }
    /// `update(event)`: a bar is a progress callback.
    void operator()(const progress_event& event) { update(event); }

    /**
     * @brief The terminal frame for `event` (no `\r`, no clearing), at most `options.width`
     * code points:
     * `migrate [#########...........]  45.0% 450/1000 120 docs/s 1.5 MB/s ETA 0:04 session-000450`.
     */
    static std::string format_frame(const progress_event& event, const progress_bar_options& options) {
        std::string line = options.label;
        if (!line.empty()) line += ' ';
        const double percent = event.percent();
        const auto cells = options.bar_width;
        const auto filled = std::min(cells, static_cast<std::size_t>(percent / 100.0 * static_cast<double>(cells)));
        line += '[';
        line.append(filled, '#');
        line.append(cells - filled, '.');
        line += fmt::format("] {:5.1f}% {}/{} {} docs/s {:.1f} MB/s ", percent, event.done, event.total,
                            detail::format_documents_rate(event.documents_per_s), event.bytes_per_s / 1e6);
        switch (event.kind) {
            case progress_kind::paused: line += "paused"; break;
            case progress_kind::completed: line += "done in " + detail::format_duration_clock(event.elapsed_s); break;
            case progress_kind::failed: line += "failed after " + detail::format_duration_clock(event.elapsed_s); break;
            case progress_kind::cancelled: line += "cancelled after " + detail::format_duration_clock(event.elapsed_s); break;
            default: line += "ETA " + (event.eta_s ? detail::format_duration_clock(*event.eta_s) : std::string("--:--"));
        }
        if (event.failed > 0) line += fmt::format(" {} failed", event.failed);
        // The current document in what room is left (when there are at least 8 columns: "..."
        // and 5 of its last), its start cut when it does not fit.
        const std::size_t used = detail::code_point_count(line);
        if (!event.current_document.empty() && !is_final(event.kind) && used + 1 + 8 <= options.width) {
            const std::string document = detail::printable_text(event.current_document);
            const std::size_t room = options.width - used - 1;
            line += ' ';
            if (detail::code_point_count(document) <= room) {
                line += document;
            } else {
                line += "...";
                line += detail::last_code_points(document, room - 3);
            }
        }
        return std::string(detail::first_code_points(line, options.width));
    }

    /**
     * @brief The plain line for `event` (no newline), e.g.
     * `migrate: 450/1000 (45.0%), 120 docs/s, 1.5 MB/s, ETA 0:04, 2 failed, 7 skipped`.
     *
     * `label: started, 1000 documents`; `label: paused at 450/1000 (45.0%)` (and `resumed`);
     * `label: completed 1000/1000 (100.0%) in 0:12, 83 docs/s, 1.2 MB/s, 2 failed` (and
     * `failed`, `cancelled`). Failed and skipped counts appear when not 0.
     */
    static std::string format_line(const progress_event& event, std::string_view label) {
        std::string line(label);
        if (!line.empty()) line += ": ";
        const auto counts = fmt::format("{}/{} ({:.1f}%)", event.done, event.total, event.percent());
        const auto rates = fmt::format("{} docs/s, {:.1f} MB/s", detail::format_documents_rate(event.documents_per_s),
                                       event.bytes_per_s / 1e6);
        switch (event.kind) {
            case progress_kind::started:
                line += fmt::format("started, {} documents", event.total);
                return line;
            case progress_kind::paused:
            case progress_kind::resumed:
                line += fmt::format("{} at {}", to_string(event.kind), counts);
                return line;
            case progress_kind::progress:
                line += fmt::format("{}, {}, ETA {}", counts, rates,
                                    event.eta_s ? detail::format_duration_clock(*event.eta_s) : std::string("--:--"));
                break;
            case progress_kind::completed:
            case progress_kind::failed:
            case progress_kind::cancelled:
                line += fmt::format("{} {} in {}, {}", to_string(event.kind), counts,
                                    detail::format_duration_clock(event.elapsed_s), rates);
                break;
        }
        if (event.failed > 0) line += fmt::format(", {} failed", event.failed);
        if (event.skipped > 0) line += fmt::format(", {} skipped", event.skipped);
        return line;
    }

private:
    static double seconds(std::chrono::milliseconds d) noexcept { return std::chrono::duration<double>(d).count(); }

    std::FILE* out_;
    bool terminal_;
    progress_bar_options options_;
    double last_line_s_ = 0;
};

}  // namespace v1
}  // namespace strata
