// strata-migrate: the progress of one command (import, migrate, verify, rollback) on stderr —
// a bar on a terminal, plain lines otherwise, nothing with --json — and Ctrl-C.
#pragma once

#include "request.hpp"

#include <strata/migration/progress.hpp>
#include <strata/migration/progress_bar.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace strata_migrate {

/// A progress meter and the bar that shows it.
class task_progress {
public:
    /// `announce`: show the start now (false when a runner sends its own events).
    task_progress(const request& r, std::string label, std::uint64_t total, bool announce = true)
        : meter_(total),
          bar_(stderr, std::nullopt,
               {.label = std::move(label), .plain_interval = std::chrono::milliseconds(r.progress_every_ms)}),
          shown_(!r.json) {
        meter_.start();
        if (announce) show(strata::progress_kind::started);
    }
    /// One more document dealt with.
    void advance(std::string_view document, std::uint64_t bytes_in, std::uint64_t bytes_out, bool failed = false,
                 bool skipped = false) {
        meter_.advance(1, bytes_in, bytes_out, document, failed, skipped);
        if (meter_.due(std::chrono::milliseconds(100))) show(strata::progress_kind::progress);
    }
    /// The number of documents the command deals with, once known.
    void set_total(std::uint64_t total) { meter_.set_total(total); }
    /// An event the runner made (its own meter).
    void show_event(const strata::progress_event& e) {
        if (shown_) bar_.update(e);
    }
    /// The last frame: completed, cancelled or failed.
    void finish(strata::progress_kind kind = strata::progress_kind::completed) { show(kind); }

private:
    void show(strata::progress_kind kind) {
        if (shown_) bar_.update(meter_.snapshot(kind));
    }
    strata::progress_meter meter_;
    strata::progress_bar bar_;
    bool shown_;
};

/// Set by SIGINT/SIGTERM while a command that can stop cleanly runs.
inline std::atomic<bool> interrupted{false};

/// Catches Ctrl-C (and SIGTERM) for its lifetime: the first one asks the work to stop after its
/// current batch; a second one ends the process at once (what was committed stays committed).
class interrupt_scope {
public:
    interrupt_scope() {
        struct sigaction action {};
        action.sa_handler = &on_signal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &old_int_);
        sigaction(SIGTERM, &action, &old_term_);
    }
    ~interrupt_scope() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    interrupt_scope(const interrupt_scope&) = delete;
    interrupt_scope& operator=(const interrupt_scope&) = delete;

private:
    static void on_signal(int signal) {
        if (interrupted.exchange(true)) {
            std::signal(signal, SIG_DFL);
            std::raise(signal);
        }
    }
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

}  // namespace strata_migrate
