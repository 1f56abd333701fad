/**
 * @file
 * @brief Progress of a long job (a migration, an import, a verification): the events it emits
 * and the meter that computes them, with rates and an ETA over a sliding window.
 *
 * @code
 * strata::progress_meter meter(documents_to_migrate);
 * meter.start();
 * for (auto& doc : batch) {
 *     // ... migrate doc ...
 *     meter.advance(1, doc.bytes_in, doc.bytes_out, doc.id);
 *     if (meter.due(std::chrono::milliseconds(200))) on_progress(meter.snapshot());
 * }
 * on_progress(meter.snapshot(strata::progress_kind::completed));
 * @endcode
 *
 * **Rates and ETA.** Time counts only while the meter runs: `pause()` to `resume()` is left
 * out of the elapsed time and of every rate. Until the meter has run for one window (10 s by
 * default, `set_window`), the rates are whole-run averages (done / elapsed). After that they
 * are measured over the last window: from the newest sample taken at or before `now - window`
 * to now (samples are taken on `advance`, at most 16 per window, so memory stays flat however
 * many documents pass). The ETA is the documents left divided by the documents rate; there is
 * none before the first document (or while the rate is 0), and it is 0 once done reaches total.
 *
 * A meter belongs to one thread (the one doing the work); its events are plain values to hand
 * to others.
 */
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {

/// What a progress event reports.
enum class progress_kind : std::uint8_t { started, progress, paused, resumed, completed, failed, cancelled };

/// The kind's name: `started`, `progress`, `paused`, `resumed`, `completed`, `failed` or `cancelled`.
constexpr std::string_view to_string(progress_kind kind) noexcept {
    switch (kind) {
        case progress_kind::started: return "started";
        case progress_kind::progress: return "progress";
        case progress_kind::paused: return "paused";
        case progress_kind::resumed: return "resumed";
        case progress_kind::completed: return "completed";
        case progress_kind::failed: return "failed";
        case progress_kind::cancelled: return "cancelled";
    }
    return "unknown";
}

/// Whether the kind ends a job (`completed`, `failed` or `cancelled`).
constexpr bool is_final(progress_kind kind) noexcept {
    return kind == progress_kind::completed || kind == progress_kind::failed || kind == progress_kind::cancelled;
}

/**
 * @brief Where a job stands: counts, bytes, time, rates, ETA and the document at hand.
 *
 * `done` counts every document dealt with, failed and skipped ones included (`failed` and
 * `skipped` say how many of `done` were such).
 */
struct progress_event {
    progress_kind kind = progress_kind::progress;
    std::uint64_t done = 0;     ///< documents dealt with (failed and skipped included)
    std::uint64_t total = 0;    ///< documents the job has to deal with
    std::uint64_t failed = 0;   ///< of `done`, those that failed
    std::uint64_t skipped = 0;  ///< of `done`, those skipped (e.g. already at the latest version)
    std::uint64_t bytes_in = 0;   ///< bytes read (the documents as stored before)
    std::uint64_t bytes_out = 0;  ///< bytes written
    double elapsed_s = 0;         ///< running time, pauses left out
    double documents_per_s = 0;   ///< recent documents rate (see the file comment)
    double bytes_per_s = 0;       ///< recent rate of `bytes_in`
    std::optional<double> eta_s;  ///< seconds left at the recent rate; none before any progress
    std::string current_document; ///< the document dealt with last

    /// `done` as a percentage of `total` (100 when `total` is 0; at most 100).
    double percent() const noexcept {
        if (total == 0 || done >= total) return 100.0;
        return 100.0 * static_cast<double>(done) / static_cast<double>(total);
    }
};

/**
 * @brief Counts a job's progress and computes its events (see the file comment for how rates
 * and the ETA are measured).
 */
class progress_meter {
public:
    /// The time source: steady time, `std::chrono::steady_clock::now` when empty.
    using clock_function = std::function<std::chrono::steady_clock::time_point()>;

    /// A meter for `total` documents, reading time from `clock` (steady_clock when empty).
    explicit progress_meter(std::uint64_t total, clock_function clock = {})
        : clock_(clock ? std::move(clock) : clock_function(&std::chrono::steady_clock::now)), total_(total) {}

    /// Starts (or restarts from zero) the clock and the counts.
    void start() {
        const auto now = clock_();
        state_ = state::running;
        resumed_at_ = now;
        active_before_ = {};
        done_ = failed_ = skipped_ = bytes_in_ = bytes_out_ = 0;
        current_document_.clear();
        samples_.assign(1, sample{});
        last_due_.reset();
    }
    /// Stops the clock: the time until `resume()` is left out of elapsed time and rates.
    void pause() {
        if (state_ != state::running) return;
        active_before_ += clock_() - resumed_at_;
        state_ = state::paused;
    }
    /// Starts the clock again after `pause()`.
    void resume() {
        if (state_ != state::paused) return;
        resumed_at_ = clock_();
        state_ = state::running;
    }
    /// Whether the meter is paused.
    bool paused() const noexcept { return state_ == state::paused; }

    /**
     * @brief Counts `documents` more documents (starting the meter if it was not), of
     * `bytes_in` bytes read and `bytes_out` written; `current_document` is the one dealt with;
     * `failed` or `skipped` says the documents failed or were skipped.
     */
    void advance(std::uint64_t documents, std::uint64_t bytes_in, std::uint64_t bytes_out,
                 std::string_view current_document, bool failed = false, bool skipped = false) {
        if (state_ == state::idle) start();
        done_ += documents;
        if (failed) failed_ += documents;
        if (skipped) skipped_ += documents;
        bytes_in_ += bytes_in;
        bytes_out_ += bytes_out;
        // clear + append rather than assign: g++ 12 -O3 warns falsely (-Wrestrict) on assign.
        current_document_.clear();
        current_document_.append(current_document);
        take_sample(active_time());
    }

    /// Changes the number of documents the job has to deal with.
    void set_total(std::uint64_t total) noexcept { total_ = total; }
    /// The number of documents the job has to deal with.
    std::uint64_t total() const noexcept { return total_; }
    /// Documents dealt with so far.
    std::uint64_t done() const noexcept { return done_; }

    /// Sets the span over which rates are measured (default 10 s; at least 1 ms).
    void set_window(std::chrono::milliseconds window) noexcept {
        window_ = std::max(std::chrono::duration_cast<duration>(window), duration(std::chrono::milliseconds(1)));
    }

    /// The event of this moment, of the given kind.
    progress_event snapshot(progress_kind kind = progress_kind::progress) const {
        progress_event e;
        e.kind = kind;
        e.done = done_;
        e.total = total_;
        e.failed = failed_;
        e.skipped = skipped_;
        e.bytes_in = bytes_in_;
        e.bytes_out = bytes_out_;
        e.current_document = current_document_;
        const duration now = active_time();
        e.elapsed_s = seconds(now);
        // The base of the rates: the run's start until one window has passed, then the newest
        // sample at or before now - window.
        sample base{};
        if (now >= window_) {
            for (const auto& s : samples_) {
                if (s.at > now - window_) break;
                base = s;
            }
        }
        const double span = seconds(now - base.at);
        if (span > 0) {
            e.documents_per_s = static_cast<double>(done_ - base.done) / span;
            e.bytes_per_s = static_cast<double>(bytes_in_ - base.bytes_in) / span;
        }
        if (done_ >= total_) {
            if (done_ > 0) e.eta_s = 0.0;
        } else if (done_ > 0 && e.documents_per_s > 0) {
            e.eta_s = static_cast<double>(total_ - done_) / e.documents_per_s;
        }
        return e;
    }

    /**
     * @brief Whether `interval` has passed (by the clock, pauses included) since the last call
     * that returned `true`; the first call returns `true`. For rate-limiting events.
     */
    bool due(std::chrono::milliseconds interval) {
        const auto now = clock_();
        if (last_due_ && now - *last_due_ < interval) return false;
        last_due_ = now;
        return true;
    }

private:
    using duration = std::chrono::steady_clock::duration;
    enum class state : std::uint8_t { idle, running, paused };
    struct sample {
        duration at{};  // running time
        std::uint64_t done = 0;
        std::uint64_t bytes_in = 0;
    };

    static double seconds(duration d) noexcept { return std::chrono::duration<double>(d).count(); }

    duration active_time() const {
        switch (state_) {
            case state::running: return active_before_ + (clock_() - resumed_at_);
            case state::paused: return active_before_;
            case state::idle: break;
        }
        return {};
    }

    // Records the counts at running time `now` when 1/16 of a window has passed since the last
    // sample, and forgets the samples older than the newest one at or before now - window.
    void take_sample(duration now) {
        if (now - samples_.back().at >= window_ / 16) samples_.push_back({now, done_, bytes_in_});
        while (samples_.size() >= 2 && samples_[1].at <= now - window_) samples_.pop_front();
    }

    clock_function clock_;
    std::uint64_t total_;
    state state_ = state::idle;
    std::chrono::steady_clock::time_point resumed_at_{};
    duration active_before_{};
    duration window_ = std::chrono::seconds(10);
    std::uint64_t done_ = 0, failed_ = 0, skipped_ = 0, bytes_in_ = 0, bytes_out_ = 0;
    std::string current_document_;
    std::deque<sample> samples_{sample{}};
    std::optional<std::chrono::steady_clock::time_point> last_due_;
};

}  // namespace v1
}  // namespace strata
