/**
 * @file
 * @brief `faulty_backend`: a backend decorator that fails, or ends the process, at the N-th
 * write, to prove that a program built on strata survives a failing store or a crash at any
 * instant.
 *
 * @code
 * strata::sqlite_backend store("data/store.db");
 * strata::testing::faulty_backend faulty(store, {.at_write = 7, .action = strata::testing::fault_action::abort_after});
 * run_migration(faulty);      // the process ends with status 77 right after the 7th write lands
 *
 * faulty.arm({.at_write = faulty.writes() + 1, .action = strata::testing::fault_action::throw_transient, .times = 2});
 * strata::with_retry({}, [&] { faulty.put("k", "v"); });  // fails twice, then succeeds
 * @endcode
 *
 * Every `put`, `erase`, `apply` and conditional write (`compare_and_put`, `compare_and_erase`)
 * counts as one write, whether it succeeds, fails by injection or fails in the inner backend;
 * reads pass straight through and count nothing. When the plan's window is reached (writes
 * `at_write` to `at_write + times - 1`), the write:
 * - `throw_error`: throws a `storage_error` ("injected fault at write N"), the inner backend
 *   untouched;
 * - `throw_transient`: the same, marked `transient()` (what `with_retry` retries);
 * - `abort_before`: ends the process at once with `std::_Exit(77)` before the write reaches
 *   the inner backend: no destructor runs, nothing is flushed, as in a crash;
 * - `abort_after`: the same, just after the inner backend finished the write.
 *
 * Use the abort actions in a forked child (POSIX `fork`, then `waitpid` for status 77) or a
 * child process; the parent then reopens the store and checks it.
 */
#pragma once

#include <strata/error.hpp>
#include <strata/storage/backend.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
inline namespace v1 {
namespace testing {

/** @brief What a faulty write does (see the file comment). */
enum class fault_action : unsigned char {
    throw_error,      ///< throw a storage_error, the inner backend untouched
    throw_transient,  ///< throw a transient storage_error, the inner backend untouched
    abort_before,     ///< `std::_Exit(77)` before the write reaches the inner backend
    abort_after,      ///< `std::_Exit(77)` after the inner backend finished the write
};

/** @brief The exit status of a process ended by `abort_before` or `abort_after`. */
inline constexpr int fault_exit_status = 77;

/** @brief When and how a `faulty_backend` fails. The default plan never fails. */
struct fault_plan {
    /** @brief The first faulty write, counted from 1 over the backend's life (0: never). */
    std::uint64_t at_write = 0;
    /** @brief What the faulty writes do. */
    fault_action action = fault_action::throw_error;
    /** @brief How many consecutive writes fail, from `at_write` on (for the throw actions: a
     * retried write counts again, so `times = 2` fails a first try and its first retry). */
    std::uint64_t times = 1;
};

/**
 * @brief A backend that forwards everything to `inner` and fails writes as its `fault_plan`
 * says; see the file comment. Satisfies `strata::backend`, and `has_compare_and_put` /
 * `has_compare_and_erase` when the inner backend does.
 *
 * Holds a reference: `inner` must outlive it. Safe to use from several threads as the inner
 * backend is (the count and the plan are under a mutex of their own).
 * @tparam B the inner backend
 */
template <backend B>
class faulty_backend {
public:
    /** @brief Wraps `inner`, failing as `plan` says (by default: never). */
    explicit faulty_backend(B& inner, fault_plan plan = {}) : inner_(&inner), plan_(plan) {}

    /** @brief Replaces the plan (the write count goes on: `at_write` counts from the first write). */
    void arm(fault_plan plan) {
        std::lock_guard lock(mutex_);
        plan_ = plan;
    }
    /** @brief Stops failing (the same as `arm({})`). */
    void disarm() { arm({}); }
    /** @brief The plan in force. */
    fault_plan plan() const {
        std::lock_guard lock(mutex_);
        return plan_;
    }
    /** @brief Writes attempted so far (faulty ones included). */
    std::uint64_t writes() const {
        std::lock_guard lock(mutex_);
        return writes_;
    }
    /** @brief Faults injected so far (thrown; an abort leaves no one to ask). */
    std::uint64_t faults() const {
        std::lock_guard lock(mutex_);
        return faults_;
    }
    /** @brief The wrapped backend. */
    B& inner() noexcept { return *inner_; }
    /** @brief The wrapped backend. */
    const B& inner() const noexcept { return *inner_; }

    /** @brief Passes through. */
    std::optional<std::string> get(std::string_view key) const { return inner_->get(key); }
    /** @brief Passes through. */
    bool contains(std::string_view key) const { return inner_->contains(key); }
    /** @brief Passes through. */
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        return inner_->scan(prefix, after, limit);
    }
    /** @brief Passes through. */
    std::size_t count(std::string_view prefix) const { return inner_->count(prefix); }

    /** @brief One write: fails as planned, else puts through the inner backend. */
    void put(std::string_view key, std::string_view value) {
        write("put", key, [&] { inner_->put(key, value); });
    }
    /** @brief One write: fails as planned, else erases through the inner backend. */
    bool erase(std::string_view key) {
        return write("erase", key, [&] { return inner_->erase(key); });
    }
    /** @brief One write (whatever the batch's size): fails as planned, else applies it. */
    void apply(const write_batch& batch) {
        write("apply batch", {}, [&] { inner_->apply(batch); });
    }
    /** @brief One write: fails as planned, else forwards (only when the inner backend has it). */
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value)
        requires has_compare_and_put<B>
    {
        return write("compare_and_put", key, [&] { return inner_->compare_and_put(key, expected, value); });
    }
    /** @brief One write: fails as planned, else forwards (only when the inner backend has it). */
    bool compare_and_erase(std::string_view key, std::string_view expected)
        requires has_compare_and_erase<B>
    {
        return write("compare_and_erase", key, [&] { return inner_->compare_and_erase(key, expected); });
    }

private:
    template <class Fn>
    decltype(auto) write(const char* operation, std::string_view key, Fn&& fn) {
        std::uint64_t n = 0;
        std::optional<fault_action> fault;
        {
            std::lock_guard lock(mutex_);
            n = ++writes_;
            if (plan_.at_write != 0 && n >= plan_.at_write && n - plan_.at_write < plan_.times) {
                fault = plan_.action;
                if (*fault == fault_action::throw_error || *fault == fault_action::throw_transient) ++faults_;
            }
        }
        if (fault) {
            switch (*fault) {
                case fault_action::throw_error:
                case fault_action::throw_transient:
                    throw storage_error(operation, std::string(key), "injected fault at write " + std::to_string(n),
                                        *fault == fault_action::throw_transient);
                case fault_action::abort_before:
                    std::_Exit(fault_exit_status);
                case fault_action::abort_after:
                    break;
            }
            static_cast<void>(fn());  // abort_after: the write lands, then the crash
            std::_Exit(fault_exit_status);
        }
        return fn();
    }

    B* inner_;
    mutable std::mutex mutex_;
    fault_plan plan_;
    std::uint64_t writes_ = 0;
    std::uint64_t faults_ = 0;
};

}  // namespace testing
}  // namespace v1
}  // namespace strata
