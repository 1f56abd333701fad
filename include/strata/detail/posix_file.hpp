// Internal: small POSIX file helpers for filesystem_backend: an owning file descriptor and
// directory stream, whole reads and writes that retry on EINTR, fsync (F_FULLFSYNC where the
// platform has it) and the "<call> <path>: <OS message>" reason every storage_error carries.
#pragma once

#if !__has_include(<unistd.h>) || !__has_include(<dirent.h>)
#error "strata: filesystem_backend needs a POSIX system (unistd.h, dirent.h, fsync, rename)"
#endif

#include <cerrno>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace strata {
inline namespace v1 {
namespace detail {

// The OS's message for an errno value (strerror's text, thread-safe).
inline std::string os_message(int err) { return std::system_category().message(err); }

// "<call> <path>: <OS message>", e.g. "open /data/store/kfoo: Is a directory".
inline std::string os_reason(std::string_view call, std::string_view path, int err) {
    std::string r(call);
    r += ' ';
    r += path;
    r += ": ";
    r += os_message(err);
    return r;
}

// An owned file descriptor, closed on destruction.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);  // errors after a successful fsync cannot lose data
        fd_ = -1;
    }
    // Closes and reports close's error (0 when none): a write error may surface only here.
    int close() noexcept {
        const int fd = std::exchange(fd_, -1);
        if (fd < 0) return 0;
        return ::close(fd) == 0 || errno == EINTR ? 0 : errno;
    }

private:
    int fd_ = -1;
};

// open(2), retried on EINTR.
inline unique_fd open_file(const std::string& path, int flags, mode_t mode = 0) {
    int fd;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    return unique_fd(fd);
}

// Writes all of [data, data + size); returns 0 or the errno of the failure.
inline int write_all(int fd, const char* data, std::size_t size) noexcept {
    constexpr std::size_t max_chunk = std::size_t{1} << 30;
    while (size > 0) {
        const ::ssize_t n = ::write(fd, data, size < max_chunk ? size : max_chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return 0;
}

// Reads the whole file from the current offset into `out`; returns 0 or the errno.
inline int read_all(int fd, std::string& out) {
    struct ::stat st {};
    if (::fstat(fd, &st) != 0) return errno;
    out.clear();
    if (S_ISDIR(st.st_mode)) return EISDIR;
    std::size_t used = 0;
    out.resize(st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 4096);
    for (;;) {
        if (used == out.size()) out.resize(out.size() * 2);
        const ::ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    out.resize(used);
    return 0;
}

// Flushes a file or directory to stable storage; returns 0 or the errno.
inline int sync_fd(int fd) noexcept {
#if defined(F_FULLFSYNC)
    // macOS: fsync does not flush the drive's cache; F_FULLFSYNC does (not every FS supports it).
    if (::fcntl(fd, F_FULLFSYNC) == 0) return 0;
#endif
    for (;;) {
        if (::fsync(fd) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

// An owned directory stream.
class dir_stream {
public:
    explicit dir_stream(const std::string& path) : dir_(::opendir(path.c_str())) {}
    dir_stream(const dir_stream&) = delete;
    dir_stream& operator=(const dir_stream&) = delete;
    ~dir_stream() {
        if (dir_ != nullptr) ::closedir(dir_);
    }
    explicit operator bool() const noexcept { return dir_ != nullptr; }
    // The next entry's name (never "." or ".."), or nullptr at the end or on error: then `err`
    // is 0 at the end and the errno otherwise.
    const char* next(int& err) noexcept {
        for (;;) {
            errno = 0;
            const ::dirent* e = ::readdir(dir_);
            if (e == nullptr) {
                err = errno;
                return nullptr;
            }
            const char* n = e->d_name;
            if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
            err = 0;
            return n;
        }
    }

private:
    DIR* dir_;
};

}  // namespace detail
}  // namespace v1
}  // namespace strata
