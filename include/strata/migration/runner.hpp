/**
 * @file
 * @brief `background_runner`: a migration on its own thread, batch by batch, that pauses,
 * resumes, cancels, reports progress, holds the store's lease and survives a crash.
 *
 * @code
 * strata::migrator<session_plan, strata::sqlite_backend> m(db);
 * strata::background_runner runner(m, {.delay_between_batches = 50ms}, [](const strata::runner_event& e) {
 *     std::printf("%s %.1f%%\n", std::string(to_string(e.kind)).c_str(), e.progress.percent());
 * });
 * runner.start();
 * runner.pause();  runner.resume();  // between batches
 * runner.wait();   // or runner.cancel()
 * @endcode
 *
 * The runner drives `migrator::migrate_all` one batch at a time: each call commits one batch
 * together with the run's checkpoint and returns, and the next call resumes from that
 * checkpoint — the same path a restart after a crash takes, so a killed process resumes where
 * it stopped, with no document migrated twice and none skipped. Between batches it honours
 * pause, cancel, the delay and the throttle. Transient backend errors (a busy SQLite) are
 * retried with backoff; any other error ends the run as `failed` (what was committed stays,
 * and a later run resumes). A lease with a heartbeat (storage/lease.hpp) keeps two runners,
 * in one process or several, off the same store; a dead holder's lease expires after its ttl.
 * The runner watches its lease: after each batch, when the heartbeat found the lease taken by
 * another, or failed to renew it, or the lease ran past its expiry, it renews the lease at once,
 * and when that fails it stops there, `failed`, with a message that says the lease was lost (the
 * batch in flight when the lease went still commits: choose a ttl well above a batch's time).
 */
#pragma once

#include <strata/migration/migrator.hpp>
#include <strata/migration/progress.hpp>
#include <strata/storage/lease.hpp>
#include <strata/storage/retry.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace strata {
inline namespace v1 {

/// Where a background run is.
enum class runner_state { idle, running, paused, completed, failed, cancelled };

/// The state's name.
constexpr std::string_view to_string(runner_state s) noexcept {
    switch (s) {
        case runner_state::idle: return "idle";
        case runner_state::running: return "running";
        case runner_state::paused: return "paused";
        case runner_state::completed: return "completed";
        case runner_state::failed: return "failed";
        case runner_state::cancelled: return "cancelled";
    }
    return "unknown";
}

/// How a background run goes.
struct runner_options {
    /// Each batch's run options (`stop` is the runner's own; `dry_run` is not allowed).
    run_options run{};
    /// A pause after each batch, to leave the store to the application.
    std::chrono::milliseconds delay_between_batches{0};
    /// At most this many documents per second (0: no limit).
    double max_documents_per_second = 0;
    /// Retries of a batch that failed with a transient backend error.
    retry_policy retry{};
    /// The store's lease (its key is the migrator's; the rest as given).
    lease_options lease{};
    /// How often the lease's heartbeat renews it.
    std::chrono::milliseconds heartbeat{std::chrono::seconds(5)};
    /// How often a `progress` event is sent at most.
    std::chrono::milliseconds progress_every{std::chrono::milliseconds(250)};
};

/// One event of a background run.
struct runner_event {
    progress_kind kind = progress_kind::progress;
    progress_event progress;
    std::string message;  ///< for `failed`: the error
};

/**
 * @brief Runs a migrator's `migrate_all` on a thread of its own (see the file comment).
 * @tparam Migrator a `strata::migrator<…>`; the runner uses it from its thread only, so leave
 * it alone until `wait()` returns.
 */
template <class Migrator>
class background_runner {
public:
    using event_callback = std::function<void(const runner_event&)>;

    background_runner(Migrator& migrator, runner_options options = {}, event_callback on_event = {})
        : migrator_(&migrator), options_(std::move(options)), on_event_(std::move(on_event)) {
        if (options_.run.dry_run) throw error("background_runner: a dry run is not run in the background");
    }
    background_runner(const background_runner&) = delete;
    background_runner& operator=(const background_runner&) = delete;
    ~background_runner() {
        cancel();
        if (thread_.joinable()) thread_.join();
    }

    /**
     * @brief Takes the store's lease and starts the run on a thread.
     * @throws lease_error naming the holder when another runner holds the store
     */
    void start() {
        if (thread_.joinable()) throw error("background_runner: already started");
        using backend_type = std::remove_reference_t<decltype(migrator_->store())>;
        if constexpr (has_compare_and_put<backend_type>) {
            lease_options lo = options_.lease;
            lo.key = migrator_->keys().lease();
            auto lease = store_lease<backend_type>::try_acquire(migrator_->store(), lo);
            if (!lease) {
                auto holder = store_lease<backend_type>::inspect(migrator_->store(), lo.key);
                throw lease_error("background_runner: another runner holds the store (" +
                                      (holder ? holder->owner : std::string("unknown")) + ")",
                                  holder);
            }
            lease->start_heartbeat(options_.heartbeat);
            lease_guard_ = std::make_shared<std::optional<store_lease<backend_type>>>(std::move(lease));
        }
        set_state(runner_state::running);
        thread_ = std::thread([this] { run(); });
    }
    /// Pauses after the current batch.
    void pause() {
        std::lock_guard lock(mutex_);
        pause_requested_ = true;
    }
    /// Resumes a paused run.
    void resume() {
        {
            std::lock_guard lock(mutex_);
            pause_requested_ = false;
        }
        wake_.notify_all();
    }
    /// Stops after the current batch; the run stays resumable (a later run picks it up).
    void cancel() {
        {
            std::lock_guard lock(mutex_);
            cancel_requested_ = true;
        }
        wake_.notify_all();
    }
    /// Waits for the run to end; its result.
    const migration_result& wait() {
        if (thread_.joinable()) thread_.join();
        return result_;
    }
    runner_state state() const {
        std::lock_guard lock(mutex_);
        return state_;
    }
    /// The error that ended a `failed` run.
    std::string error_message() const {
        std::lock_guard lock(mutex_);
        return error_;
    }

private:
    void set_state(runner_state s) {
        std::lock_guard lock(mutex_);
        state_ = s;
    }
    void emit(progress_kind kind, std::string message = {}) {
        if (on_event_) on_event_({kind, meter_.snapshot(kind), std::move(message)});
    }

    /// Waits while paused; whether to go on (false: cancelled).
    bool between_batches() {
        std::unique_lock lock(mutex_);
        if (options_.delay_between_batches.count() > 0) {
            wake_.wait_for(lock, options_.delay_between_batches, [&] { return cancel_requested_; });
        }
        if (pause_requested_ && !cancel_requested_) {
            state_ = runner_state::paused;
            lock.unlock();
            meter_.pause();
            emit(progress_kind::paused);
            lock.lock();
            wake_.wait(lock, [&] { return !pause_requested_ || cancel_requested_; });
            if (!cancel_requested_) {
                state_ = runner_state::running;
                lock.unlock();
                meter_.resume();
                emit(progress_kind::resumed);
                lock.lock();
            }
        }
        return !cancel_requested_;
    }

    void throttle(std::uint64_t documents, std::chrono::steady_clock::time_point since) {
        if (options_.max_documents_per_second <= 0 || documents == 0) return;
        const auto should_take = std::chrono::duration<double>(static_cast<double>(documents) / options_.max_documents_per_second);
        const auto took = std::chrono::steady_clock::now() - since;
        if (took < should_take) {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::duration_cast<std::chrono::milliseconds>(should_take - took),
                           [&] { return cancel_requested_; });
        }
    }

    void run() {
        const auto status = migrator_->status(0);
        meter_ = progress_meter(status.total - status.at_latest);
        meter_.start();
        emit(progress_kind::started);
        const std::atomic<bool> after_one_batch{true};
        run_options run = options_.run;
        run.stop = &after_one_batch;
        migrator_->on_progress([this](const document_outcome& o, std::uint64_t, std::uint64_t) {
            ++processed_;
            meter_.advance(1, o.bytes_in, o.bytes_out, o.document, o.outcome == "failed", o.outcome == "skipped");
            if (meter_.due(options_.progress_every)) emit(progress_kind::progress);
        });
        try {
            for (;;) {
                const auto t0 = std::chrono::steady_clock::now();
                const std::uint64_t before = processed_;
                migration_result so_far = std::move(result_);
                result_ = with_retry(options_.retry, [&] { return migrator_->migrate_all(run); });
                add_batch(so_far, result_);
                const std::uint64_t in_batch = processed_ - before;
                check_lease();
                if (!result_.cancelled) break;  // the last batch: the run completed
                throttle(in_batch, t0);
                if (!between_batches()) {
                    migrator_->on_progress({});
                    set_state(runner_state::cancelled);
                    emit(progress_kind::cancelled);
                    release_lease();
                    return;
                }
            }
            result_.cancelled = false;
            migrator_->on_progress({});
            set_state(runner_state::completed);
            emit(progress_kind::completed);
        } catch (const std::exception& e) {
            migrator_->on_progress({});
            {
                std::lock_guard lock(mutex_);
                state_ = runner_state::failed;
                error_ = e.what();
            }
            emit(progress_kind::failed, e.what());
        }
        release_lease();
    }

    /// The run's document counts carry over from batch to batch in its record; what the
    /// record does not keep (outcomes, blob counts, time, stage statistics) is summed here.
    static void add_batch(migration_result& so_far, migration_result& batch) {
        so_far.documents.insert(so_far.documents.end(), std::make_move_iterator(batch.documents.begin()),
                                std::make_move_iterator(batch.documents.end()));
        batch.documents = std::move(so_far.documents);
        batch.blobs_new += so_far.blobs_new;
        batch.blobs_deduplicated += so_far.blobs_deduplicated;
        batch.seconds += so_far.seconds;
        for (const auto& [name, stage] : so_far.stages) {
            auto [at, first] = batch.stages.try_emplace(name, stage);
            if (first) continue;
            stage_stats& s = at->second;
            s.documents += stage.documents;
            s.bytes_in += stage.bytes_in;
            s.bytes_out += stage.bytes_out;
            s.seconds += stage.seconds;
            s.skipped = s.skipped && stage.skipped;
        }
    }

    /**
     * After each batch: makes sure the runner still holds the store's lease, or stops the run
     * (throws; the run ends `failed`, resumable). When the heartbeat found the lease taken, when
     * its last renewal failed in the store, or when the lease ran past its expiry (a stalled
     * heartbeat), the lease is renewed here, at once (transient errors retried): if that fails,
     * another runner may hold the store or take it any moment, so this one must not go on.
     */
    void check_lease() {
        using backend_type = std::remove_reference_t<decltype(migrator_->store())>;
        if constexpr (has_compare_and_put<backend_type>) {
            if (!lease_guard_) return;
            auto& held = *std::static_pointer_cast<std::optional<store_lease<backend_type>>>(lease_guard_);
            if (!held) return;
            store_lease<backend_type>& lease = *held;
            const std::string heartbeat_error = lease.heartbeat_error();
            const bool expired = lease.holder().expires_ms <= lease.options().now_ms();
            if (!lease.lost() && heartbeat_error.empty() && !expired) return;
            try {
                with_retry(options_.retry, [&] { lease.renew(); });
            } catch (const lease_error& e) {
                throw error(std::string("background_runner: the store's lease was lost, so the run stopped after its "
                                        "last batch (") + e.what() + ")");
            } catch (const std::exception& e) {
                std::string why = heartbeat_error.empty() ? std::string("it ran past its expiry")
                                                          : "its heartbeat failed: " + heartbeat_error;
                throw error("background_runner: the store's lease was lost (" + why + "; renewing it failed: " +
                            e.what() + "), so the run stopped after its last batch: another runner may take the store");
            }
        }
    }
    void release_lease() { lease_guard_.reset(); }

    Migrator* migrator_;
    runner_options options_;
    event_callback on_event_;
    progress_meter meter_{0};
    migration_result result_;
    std::uint64_t processed_ = 0;
    std::shared_ptr<void> lease_guard_;  // the store_lease, when the backend offers one
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    runner_state state_ = runner_state::idle;
    bool pause_requested_ = false;
    bool cancel_requested_ = false;
    std::string error_;
    std::thread thread_;
};

}  // namespace v1
}  // namespace strata
