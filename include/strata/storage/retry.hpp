/**
 * @file
 * @brief `with_retry`: runs a storage call again, with exponential backoff, when it fails with a
 * transient error (another process held the lock), and only then.
 *
 * @code
 * strata::sqlite_backend store("data/store.db");
 * strata::with_retry({.attempts = 8}, [&] { store.apply(batch); });
 * auto value = strata::with_retry({}, [&] { return store.get("k"); },
 *                                 strata::sleep_for_delay{},
 *                                 [](unsigned attempt, std::chrono::milliseconds delay, const strata::storage_error& e) {
 *                                     fmt::print("attempt {} failed ({}); again in {} ms\n", attempt, e.what(), delay.count());
 *                                 });
 * @endcode
 *
 * A transient error (`storage_error::transient()`, e.g. SQLite's `SQLITE_BUSY` past the busy
 * timeout) promises that the failed call changed nothing, so running the same call again is
 * safe: a `put`, an `apply` (all or nothing), a `compare_and_put`. Every other error is
 * rethrown at once. After `attempts` tries the last transient error is rethrown.
 *
 * The delay before retry k (k = 1, 2, …) is `first_delay * multiplier^(k-1)`, capped at
 * `max_delay`; with `jitter` it is drawn uniformly from [delay/2, delay] ("equal jitter"), so
 * processes that collided do not collide again in step, and each still backs off.
 *
 * `retrying_backend` wraps a whole backend so that every call retries this way.
 */
#pragma once

#include <strata/error.hpp>
#include <strata/storage/backend.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/** @brief How `with_retry` retries. The defaults suit a store shared by a few processes. */
struct retry_policy {
    /** @brief Tries in all, the first included (0 counts as 1). */
    unsigned attempts = 5;
    /** @brief The delay before the first retry. */
    std::chrono::milliseconds first_delay{10};
    /** @brief No delay is longer than this. */
    std::chrono::milliseconds max_delay{2000};
    /** @brief Each delay is the previous one times this (1: constant delays). */
    double multiplier = 2.0;
    /** @brief Draw each delay from [delay/2, delay] instead of waiting exactly `delay`. */
    bool jitter = true;
};

/** @brief Whether `e` is a `storage_error` whose `transient()` is true: worth retrying. */
inline bool is_transient(const std::exception& e) noexcept {
    const auto* storage = dynamic_cast<const storage_error*>(&e);
    return storage != nullptr && storage->transient();
}

/**
 * @brief The delay before retry `retry` (1 for the first retry) under `policy`, before jitter:
 * `first_delay * multiplier^(retry-1)`, capped at `max_delay`.
 */
inline std::chrono::milliseconds retry_delay(const retry_policy& policy, unsigned retry) noexcept {
    const double first = static_cast<double>(std::max<std::chrono::milliseconds::rep>(policy.first_delay.count(), 0));
    const double cap = static_cast<double>(std::max<std::chrono::milliseconds::rep>(policy.max_delay.count(), 0));
    const double exponent = retry == 0 ? 0.0 : static_cast<double>(retry - 1);
    const double delay = first * std::pow(std::max(policy.multiplier, 0.0), exponent);
    // Cap in floating point first: a large exponent overflows any integer (pow gives inf).
    const double capped = std::isfinite(delay) ? std::min(delay, cap) : cap;
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(capped));
}

/** @brief `with_retry`'s default sleep: `std::this_thread::sleep_for(delay)`. */
struct sleep_for_delay {
    /** @brief Sleeps for `delay`. */
    void operator()(std::chrono::milliseconds delay) const { std::this_thread::sleep_for(delay); }
};

/** @brief `with_retry`'s default retry observer: does nothing. */
struct ignore_retry {
    /** @brief Does nothing. */
    void operator()(unsigned, std::chrono::milliseconds, const storage_error&) const noexcept {}
};

/// @cond internal
namespace detail {
/// A delay drawn uniformly from [delay/2, delay] (a generator per thread, seeded once).
inline std::chrono::milliseconds jittered(std::chrono::milliseconds delay) {
    if (delay.count() <= 1) return delay;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(delay.count() / 2, delay.count());
    return std::chrono::milliseconds(pick(rng));
}
}  // namespace detail
/// @endcond

/**
 * @brief Calls `f()` and returns what it returns; when it throws a transient `storage_error`,
 * calls `on_retry(attempt, delay, error)`, then `sleep(delay)`, then `f()` again, up to
 * `policy.attempts` calls in all; rethrows the last error when they are spent. Any other
 * exception passes through at once.
 *
 * @tparam F a callable with no arguments
 * @tparam Sleep callable as `sleep(std::chrono::milliseconds)` (tests pass a fake one)
 * @tparam OnRetry callable as `on_retry(unsigned attempt, std::chrono::milliseconds delay,
 * const storage_error& error)`, `attempt` being the number of the call that failed (from 1)
 */
template <class F, class Sleep = sleep_for_delay, class OnRetry = ignore_retry>
    requires std::invocable<F&> && std::invocable<Sleep&, std::chrono::milliseconds> &&
             std::invocable<OnRetry&, unsigned, std::chrono::milliseconds, const storage_error&>
decltype(auto) with_retry(const retry_policy& policy, F&& f, Sleep sleep = {}, OnRetry on_retry = {}) {
    const unsigned attempts = std::max(policy.attempts, 1U);
    for (unsigned attempt = 1;; ++attempt) {
        try {
            return std::invoke(f);
        } catch (const storage_error& e) {
            if (!e.transient() || attempt >= attempts) throw;
            auto delay = retry_delay(policy, attempt);
            if (policy.jitter) delay = detail::jittered(delay);
            std::invoke(on_retry, attempt, delay, e);
            std::invoke(sleep, delay);
        }
    }
}

/**
 * @brief A backend that runs every call of `inner` through `with_retry(policy, …)`: a store
 * shared with other processes, on which a transient lock conflict is waited out instead of
 * failing the caller. Satisfies `strata::backend`, and `has_compare_and_put` /
 * `has_compare_and_erase` when the inner backend does.
 *
 * @code
 * strata::sqlite_backend shared("data/store.db");
 * strata::retrying_backend store(shared, {.attempts = 8});
 * store.apply(batch);   // SQLITE_BUSY past the busy timeout: tried again, up to 8 times
 * @endcode
 * Retrying is safe because a transient error promises the failed call changed nothing. Holds a
 * reference: `inner` must outlive it.
 * @tparam B the inner backend
 */
template <backend B>
class retrying_backend {
public:
    /** @brief Wraps `inner`, retrying as `policy` says. */
    explicit retrying_backend(B& inner, retry_policy policy = {}) : inner_(&inner), policy_(policy) {}

    /** @brief The wrapped backend. */
    B& inner() noexcept { return *inner_; }
    /** @brief The retry policy. */
    const retry_policy& policy() const noexcept { return policy_; }

    /** @brief `inner.get(key)`, retried. */
    std::optional<std::string> get(std::string_view key) const {
        return with_retry(policy_, [&] { return inner_->get(key); });
    }
    /** @brief `inner.contains(key)`, retried. */
    bool contains(std::string_view key) const {
        return with_retry(policy_, [&] { return inner_->contains(key); });
    }
    /** @brief `inner.scan(prefix, after, limit)`, retried. */
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        return with_retry(policy_, [&] { return inner_->scan(prefix, after, limit); });
    }
    /** @brief `inner.count(prefix)`, retried. */
    std::size_t count(std::string_view prefix) const {
        return with_retry(policy_, [&] { return inner_->count(prefix); });
    }
    /** @brief `inner.put(key, value)`, retried. */
    void put(std::string_view key, std::string_view value) {
        with_retry(policy_, [&] { inner_->put(key, value); });
    }
    /** @brief `inner.erase(key)`, retried. */
    bool erase(std::string_view key) {
        return with_retry(policy_, [&] { return inner_->erase(key); });
    }
    /** @brief `inner.apply(batch)`, retried. */
    void apply(const write_batch& batch) {
        with_retry(policy_, [&] { inner_->apply(batch); });
    }
    /** @brief `inner.compare_and_put(key, expected, value)`, retried (when the inner backend has it). */
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value)
        requires has_compare_and_put<B>
    {
        return with_retry(policy_, [&] { return inner_->compare_and_put(key, expected, value); });
    }
    /** @brief `inner.compare_and_erase(key, expected)`, retried (when the inner backend has it). */
    bool compare_and_erase(std::string_view key, std::string_view expected)
        requires has_compare_and_erase<B>
    {
        return with_retry(policy_, [&] { return inner_->compare_and_erase(key, expected); });
    }

private:
    B* inner_;
    retry_policy policy_;
};

}  // namespace v1
}  // namespace strata
