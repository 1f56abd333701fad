// Internal: a shared mutex in which a waiting writer stops new readers from entering.
//
// glibc's std::shared_mutex (pthread_rwlock_t) prefers readers: with a few threads reading in a
// loop, a writer may wait forever (seen with filesystem_backend, whose reads take microseconds
// of I/O each). Here a writer holds a gate (a plain mutex) while it waits for the readers inside
// to leave; a new reader passes the gate first, so it queues behind the writer. Usable with
// std::unique_lock and std::shared_lock.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace strata {
inline namespace v1 {
namespace detail {

class writer_priority_mutex {
public:
    void lock() {
        std::lock_guard gate(gate_);
        mutex_.lock();
    }
    void unlock() { mutex_.unlock(); }
    void lock_shared() {
        { std::lock_guard gate(gate_); }
        mutex_.lock_shared();
    }
    void unlock_shared() { mutex_.unlock_shared(); }

private:
    std::mutex gate_;
    std::shared_mutex mutex_;
};

}  // namespace detail
}  // namespace v1
}  // namespace strata
