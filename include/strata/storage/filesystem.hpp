/**
 * @file
 * @brief `filesystem_backend`: one file per key under a directory, crash-safe without a
 * database (POSIX systems: Linux, macOS, the BSDs).
 *
 * @code
 * strata::filesystem_backend store("/var/lib/app/documents");   // created when absent
 * store.put("sessions/s-0001", bytes);
 * strata::write_batch batch;
 * batch.put("sessions/s-0002", more);
 * batch.erase("sessions/s-0001");
 * store.apply(batch);                                             // all or nothing, even on crash
 * @endcode
 *
 * **What is on disk.** The directory holds:
 * - `.strata-store`, the marker: `strata filesystem store\nformat 1\n`. A directory that is not
 *   empty and has no marker is refused (`storage_error` on open), so a mistyped path never gets
 *   keys written into someone's home directory. An empty or absent directory becomes a store.
 * - one file per key, holding the value's raw bytes. The key's name is an escaped form of its
 *   bytes: `[a-z0-9-]` stand for themselves, every other byte is `_` and two lowercase hex
 *   digits, and the name starts with `k` (`"sessions/S-1"` -> `ksessions_2f_53-1`). So any byte
 *   string is a key (the empty key too, as `k`); no key can name a path outside the directory;
 *   keys differing only in case get names that differ in more than case (safe on
 *   case-insensitive file systems); no name is a Windows device name or ends with a dot. The
 *   escaped form is cut into 128-character pieces: all but the last become nested directories
 *   `d<piece>`, so no name exceeds 129 bytes and long keys work. A key's whole path (the
 *   directory's, plus about 3 bytes per key byte, 1 per byte of `[a-z0-9-]`) must stay under
 *   the OS's path limit (4096 bytes on Linux): under a directory path of up to 900 bytes, keys
 *   of 1 KiB of any bytes work; a key too long fails with a `storage_error` (`File name too
 *   long`).
 * - `.tmp/`, where new files are written before they are renamed into place (the same file
 *   system, so the rename is atomic, and one place for recovery to clean), and `.intent`, a
 *   batch's write-ahead intent while it is applied. Names starting with `.` are never keys,
 *   and files whose names are not a key's encoding are ignored by scans.
 *
 * **Atomicity and durability.** `put` writes the value to `.tmp/`, fsyncs it, renames it over
 * the key's file and fsyncs the directory: a reader, or the store after a crash, sees the old
 * value or the new, never a mix. `erase` unlinks and fsyncs the directory. `apply` keeps the
 * last operation on each key; one left is done as above; more are written to an intent file
 * (header, operations, CRC-32: see detail/filesystem_intent.hpp) that is fsynced and renamed to
 * `.intent` (the commit point; the directory is fsynced), then applied, then removed. Opening
 * recovers: leftovers in `.tmp/` (unfinished values, uncommitted intents) are deleted; a
 * committed `.intent` is applied again (idempotent) and removed. A committed intent that is
 * torn or corrupt (possible only with `durable = false` after a power loss, or media damage)
 * stops the open with a `storage_error` naming it rather than guessing. If applying a
 * committed batch fails midway (a full disk), this object refuses every later call with a
 * `storage_error`, and reopening the store completes the batch.
 *
 * **Concurrency.** Readers share a lock, writers and batches take it alone, so a reader sees
 * a batch whole or not at all; a waiting writer goes before readers that come after it (so a
 * busy stream of readers cannot starve it). One `filesystem_backend` per directory at a time:
 * opening takes an exclusive `flock` on the directory, and a second opener (another process,
 * or another object in this one) gets a `storage_error`. A child made by `fork` must not use
 * a store object its parent has open (opening the store anew in the child fails while the
 * parent holds it; after the parent closes it, it succeeds).
 *
 * **Cost.** `get`, `put`, `erase` and `contains` touch one file. Holding the directory's
 * `flock` makes this object the store's only writer, so the first `scan` or `count` lists the
 * keys once and keeps them, sorted, in memory (about 100 bytes per key), up to date with its
 * own writes:
 * `scan` and `count` then cost the keys they return (plus reading the page's values), not the
 * store's size. On a file system without locks, where another process could write, they list
 * the directory at every call instead (O(keys in the store)). `sqlite_backend` remains the
 * choice for stores of millions of keys. Each `put` costs two fsyncs; a batch of several keys writes its values twice (to
 * the intent, then to their files) and costs one fsync per put plus four for the intent and
 * the directory.
 *
 * Errors are `storage_error`s carrying the operation, the key, and the failing call with the
 * path and the OS's message, e.g.
 * `storage: put "a": rename /st/.tmp/v7 -> /st/ka: Is a directory`.
 */
#pragma once

#include <strata/detail/filesystem_intent.hpp>
#include <strata/detail/filesystem_names.hpp>
#include <strata/detail/posix_file.hpp>
#include <strata/detail/writer_priority_mutex.hpp>
#include <strata/error.hpp>
#include <strata/storage/backend.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <mutex>
#include <functional>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <stdio.h>  // rename
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace strata {
inline namespace v1 {

/** @brief How a `filesystem_backend` opens and writes its directory. */
struct filesystem_options {
    /**
     * @brief fsync every file and directory change (the default). Off, every operation is still
     * atomic and a crashed process loses nothing, but an OS crash or power loss may lose recent
     * writes or leave a torn value; use it for scratch stores and tests.
     */
    bool durable = true;
    /** @brief Create the directory (and its parents) when absent; off, that is an error. */
    bool create_if_missing = true;
};

/**
 * @brief A backend keeping one file per key under a directory; see the file comment for the
 * layout, the key encoding, the crash-safety protocol and the costs.
 */
class filesystem_backend {
public:
    /**
     * @brief Opens (or creates) the store in `directory`, completing or discarding whatever a
     * crash left unfinished.
     * @throws storage_error (operation "open") when the directory cannot be created or read, is
     * not empty and not a strata store, is open elsewhere, or holds a corrupt committed intent.
     */
    explicit filesystem_backend(std::filesystem::path directory, filesystem_options options = {})
        : options_(options) {
        const context ctx{"open", {}};
        if (directory.empty()) throw storage_error("open", "", "the directory path is empty");
        std::error_code ec;
        directory_ = std::filesystem::absolute(directory, ec);
        if (ec) throw storage_error("open", "", "absolute " + directory.string() + ": " + ec.message());
        root_ = directory_.native();
        while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
        directory_ = root_;
        if (options_.create_if_missing) {
            std::filesystem::create_directories(directory_, ec);
            if (ec) throw storage_error("open", "", "create_directories " + root_ + ": " + ec.message());
        }
        root_fd_ = detail::open_file(root_, O_RDONLY | O_DIRECTORY);
        if (!root_fd_) fail(ctx, "open", root_, errno);
        bool locked = true;
        if (::flock(root_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
            locked = false;
            const int err = errno;
            if (err == EWOULDBLOCK) {
                throw storage_error("open", "",
                                    root_ + ": the store is already open (in another process, or another "
                                            "filesystem_backend in this one)");
            }
            // A file system without locks (some network or FUSE ones): go on without one.
            if (err != ENOLCK && err != EOPNOTSUPP && err != ENOSYS) fail(ctx, "flock", root_, err);
        }
        check_marker();
        recover();
        keep_keys_ = locked;
    }

    filesystem_backend(const filesystem_backend&) = delete;
    filesystem_backend& operator=(const filesystem_backend&) = delete;
    ~filesystem_backend() = default;

    /** @brief The store's directory, as an absolute path. */
    const std::filesystem::path& directory() const noexcept { return directory_; }
    /** @brief The options the store was opened with. */
    const filesystem_options& options() const noexcept { return options_; }

    /** @brief The value stored under `key`, or `std::nullopt` when there is none. */
    std::optional<std::string> get(std::string_view key) const {
        std::shared_lock lock(mutex_);
        const context ctx{"get", key};
        check_usable(ctx);
        return read_value(ctx, path_of(key));
    }

    /** @brief Stores `value` under `key`, replacing any value atomically. */
    void put(std::string_view key, std::string_view value) {
        std::unique_lock lock(mutex_);
        const context ctx{"put", key};
        check_usable(ctx);
        put_locked(ctx, value);
    }

    /** @brief Removes `key`; `true` when it was there. */
    bool erase(std::string_view key) {
        std::unique_lock lock(mutex_);
        const context ctx{"erase", key};
        check_usable(ctx);
        return erase_locked(ctx);
    }

    /** @brief Whether a value is stored under `key`. */
    bool contains(std::string_view key) const {
        std::shared_lock lock(mutex_);
        const context ctx{"contains", key};
        check_usable(ctx);
        const std::string path = path_of(key);
        struct ::stat st {};
        if (::stat(path.c_str(), &st) == 0) return true;
        if (errno == ENOENT) return false;
        fail(ctx, "stat", path, errno);
    }

    /**
     * @brief Up to `limit` entries whose key starts with `prefix`, strictly after `after` when
     * given, in ascending byte order of key. Lists every key of the store, then reads the
     * values of the page only.
     */
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after = std::nullopt,
                                std::size_t limit = no_limit) const {
        std::vector<key_value> out;
        if (limit == 0) return out;
        std::shared_lock lock(mutex_);
        const context ctx{"scan", prefix};
        check_usable(ctx);
        std::vector<std::string> keys;
        if (const auto* sorted = sorted_keys(ctx)) {  // the page straight from the sorted keys
            auto it = after && *after >= prefix ? sorted->upper_bound(*after) : sorted->lower_bound(prefix);
            for (; it != sorted->end() && it->starts_with(prefix) && keys.size() < limit; ++it) keys.push_back(*it);
        } else {
            list_keys(ctx, prefix, [&](std::string&& key) {
                if (!after || key > *after) keys.push_back(std::move(key));
            });
            if (keys.size() > limit) {
                const auto nth = keys.begin() + static_cast<std::ptrdiff_t>(limit);
                std::nth_element(keys.begin(), nth, keys.end());
                keys.erase(nth, keys.end());
            }
            std::sort(keys.begin(), keys.end());
        }
        out.reserve(keys.size());
        for (auto& key : keys) {
            const std::string path = path_of(key);
            auto value = read_value(context{"scan", key}, path);
            if (!value) throw storage_error("scan", key, path + ": vanished during the scan (is another program writing to the store?)");
            out.push_back({std::move(key), std::move(*value)});
        }
        return out;
    }

    /** @brief How many keys start with `prefix` (lists the names; reads no value). */
    std::size_t count(std::string_view prefix) const {
        std::shared_lock lock(mutex_);
        const context ctx{"count", prefix};
        check_usable(ctx);
        std::size_t n = 0;
        if (const auto* sorted = sorted_keys(ctx)) {
            for (auto it = sorted->lower_bound(prefix); it != sorted->end() && it->starts_with(prefix); ++it) ++n;
        } else {
            list_keys(ctx, prefix, [&](std::string&&) { ++n; });
        }
        return n;
    }

    /**
     * @brief Applies `batch` all or nothing, for readers in this process and across a crash
     * (through the write-ahead intent file; see the file comment).
     */
    void apply(const write_batch& batch) {
        std::unique_lock lock(mutex_);
        check_usable(context{"apply batch", {}});
        // The last operation on each key wins: only that one is written.
        std::vector<const write_batch::operation*> ops;
        {
            std::unordered_map<std::string_view, std::size_t> index;
            index.reserve(batch.size());
            for (const auto& op : batch.operations()) {
                const auto [it, fresh] = index.try_emplace(op.key, ops.size());
                if (fresh) {
                    ops.push_back(&op);
                } else {
                    ops[it->second] = &op;
                }
            }
        }
        if (ops.empty()) return;
        if (ops.size() == 1) {  // one rename or unlink is atomic by itself
            const context ctx{"apply batch", ops.front()->key};
            if (ops.front()->what == write_batch::operation::kind::put) {
                put_locked(ctx, ops.front()->value);
            } else {
                erase_locked(ctx);
            }
            return;
        }
        write_intent(ops);
        apply_committed(ops, "apply batch");
    }

    /**
     * @brief When `key`'s value is `expected` (`std::nullopt`: absent), stores `value` (as
     * `put` does) and returns `true`; else changes nothing and returns `false`.
     *
     * Atomic: the read and the write happen under the exclusive lock, and the directory's
     * `flock` keeps every other process (and every other object) out of the store.
     */
    bool compare_and_put(std::string_view key, std::optional<std::string_view> expected, std::string_view value) {
        std::unique_lock lock(mutex_);
        const context ctx{"compare_and_put", key};
        check_usable(ctx);
        const auto current = read_value(ctx, path_of(key));
        if (current ? !(expected && *current == *expected) : expected.has_value()) return false;
        put_locked(ctx, value);
        return true;
    }

    /**
     * @brief When `key` is present with the value `expected`, erases it (as `erase` does) and
     * returns `true`; else changes nothing and returns `false`. Atomic as `compare_and_put`.
     */
    bool compare_and_erase(std::string_view key, std::string_view expected) {
        std::unique_lock lock(mutex_);
        const context ctx{"compare_and_erase", key};
        check_usable(ctx);
        const auto current = read_value(ctx, path_of(key));
        if (!current || *current != expected) return false;
        return erase_locked(ctx);
    }

private:
    using operation = write_batch::operation;

    // What is being done, for the error: the public operation and its key.
    struct context {
        const char* operation;
        std::string_view key;
    };

    static constexpr std::string_view marker_name = ".strata-store";
    static constexpr std::string_view marker_text = "strata filesystem store\nformat 1\n";
    static constexpr std::string_view marker_head = "strata filesystem store\nformat ";
    static constexpr std::string_view marker_new_name = ".strata-store.new";
    static constexpr std::string_view intent_name = ".intent";
    static constexpr std::string_view temp_dir_name = ".tmp";

    [[noreturn]] static void fail(const context& ctx, std::string_view call, std::string_view path, int err) {
        throw storage_error(ctx.operation, std::string(ctx.key), detail::os_reason(call, path, err));
    }

    void check_usable(const context& ctx) const {
        if (!failed_.empty()) {
            throw storage_error(ctx.operation, std::string(ctx.key),
                                "the store must be reopened: a batch could not be completed (" + failed_ +
                                    "); reopening completes it");
        }
    }

    std::string in_root(std::string_view relative) const {
        std::string p = root_;
        p += '/';
        p += relative;
        return p;
    }
    static std::string relative_path_of(std::string_view key) {
        return detail::key_relative_path(detail::encode_key(key));
    }
    std::string path_of(std::string_view key) const { return in_root(relative_path_of(key)); }
    // The directory part of a relative path ("" for the root).
    static std::string_view parent_of(std::string_view relative) {
        const auto slash = relative.rfind('/');
        return slash == std::string_view::npos ? std::string_view() : relative.substr(0, slash);
    }

    // --- Opening ------------------------------------------------------------------------

    void check_marker() {
        const context ctx{"open", {}};
        const std::string marker = in_root(marker_name);
        if (auto fd = detail::open_file(marker, O_RDONLY)) {
            std::string text;
            if (const int err = detail::read_all(fd.get(), text)) fail(ctx, "read", marker, err);
            if (text == marker_text) return;
            if (text.starts_with(marker_head)) {
                std::string format = text.substr(marker_head.size());
                while (!format.empty() && format.back() == '\n') format.pop_back();
                throw storage_error("open", "",
                                    marker + ": the store has format " + format +
                                        ", which this strata cannot read (it reads format 1)");
            }
            throw storage_error("open", "", marker + ": not a strata filesystem store marker");
        }
        if (errno != ENOENT) fail(ctx, "open", marker, errno);

        // No marker: only an empty directory becomes a store (or one whose creation was cut
        // short before the marker was in place: it holds the marker's temporary file alone).
        const std::string marker_new = in_root(marker_new_name);
        {
            detail::dir_stream dir(root_);
            if (!dir) fail(ctx, "opendir", root_, errno);
            int err = 0;
            while (const char* name = dir.next(err)) {
                if (std::string_view(name) == marker_new_name) continue;
                throw storage_error("open", "",
                                    root_ + ": not a strata filesystem store (it has no " + std::string(marker_name) +
                                        " marker) and not empty (it holds \"" + name +
                                        "\"); refusing to store keys in it");
            }
            if (err != 0) fail(ctx, "readdir", root_, err);
        }
        auto fd = detail::open_file(marker_new, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (!fd) fail(ctx, "open", marker_new, errno);
        if (const int err = detail::write_all(fd.get(), marker_text.data(), marker_text.size())) {
            fail(ctx, "write", marker_new, err);
        }
        if (options_.durable) {
            if (const int err = detail::sync_fd(fd.get())) fail(ctx, "fsync", marker_new, err);
        }
        if (const int err = fd.close()) fail(ctx, "close", marker_new, err);
        if (::rename(marker_new.c_str(), marker.c_str()) != 0) fail(ctx, "rename", marker_new + " -> " + marker, errno);
        sync_dir(ctx, {});
    }

    void recover() {
        const context ctx{"open", {}};
        // Unfinished values and uncommitted intents: discard them.
        const std::string temp_dir = in_root(temp_dir_name);
        if (::mkdir(temp_dir.c_str(), 0777) == 0) {
            sync_dir(ctx, {});
        } else if (errno != EEXIST) {
            fail(ctx, "mkdir", temp_dir, errno);
        }
        std::vector<std::string> leftovers;
        {
            detail::dir_stream dir(temp_dir);
            if (!dir) fail(ctx, "opendir", temp_dir, errno);
            int err = 0;
            while (const char* name = dir.next(err)) leftovers.push_back(temp_dir + '/' + name);
            if (err != 0) fail(ctx, "readdir", temp_dir, err);
        }
        for (const auto& path : leftovers) {
            if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail(ctx, "unlink", path, errno);
        }

        // A committed intent: its batch may be partly applied; apply it whole, then retire it.
        const std::string intent = in_root(intent_name);
        auto fd = detail::open_file(intent, O_RDONLY);
        if (!fd) {
            if (errno == ENOENT) return;
            fail(ctx, "open", intent, errno);
        }
        std::string bytes;
        if (const int err = detail::read_all(fd.get(), bytes)) fail(ctx, "read", intent, err);
        fd.reset();
        std::string why;
        const auto ops = detail::parse_intent(bytes, why);
        if (!ops) {
            throw storage_error("open", "",
                                intent + ": the committed batch intent is corrupt (" + why +
                                    "), so its batch may be partly applied; move the file away to open the "
                                    "store as it is");
        }
        std::vector<const operation*> pointers;
        pointers.reserve(ops->size());
        for (const auto& op : *ops) pointers.push_back(&op);
        apply_committed(pointers, "open");
    }

    // --- Writing --------------------------------------------------------------------------

    // Removes a temporary file on scope exit unless released.
    struct temp_guard {
        std::string path;
        bool armed = true;
        ~temp_guard() {
            if (armed) ::unlink(path.c_str());
        }
    };

    std::string next_temp_path(std::string_view stem) {
        std::string p = in_root(temp_dir_name);
        p += '/';
        p += stem;
        p += std::to_string(next_temp_++);
        return p;
    }

    // fsyncs a directory given relative to the root ("" for the root).
    void sync_dir(const context& ctx, std::string_view relative) const {
        if (!options_.durable) return;
        if (relative.empty()) {
            if (const int err = detail::sync_fd(root_fd_.get())) fail(ctx, "fsync", root_, err);
            return;
        }
        const std::string path = in_root(relative);
        auto fd = detail::open_file(path, O_RDONLY | O_DIRECTORY);
        if (!fd) fail(ctx, "open", path, errno);
        if (const int err = detail::sync_fd(fd.get())) fail(ctx, "fsync", path, err);
    }

    // Creates the directories above a key's file (long keys only), each made durable.
    void make_parents(const context& ctx, std::string_view relative) {
        for (auto slash = relative.find('/'); slash != std::string_view::npos; slash = relative.find('/', slash + 1)) {
            const std::string path = in_root(relative.substr(0, slash));
            if (::mkdir(path.c_str(), 0777) == 0) {
                sync_dir(ctx, parent_of(relative.substr(0, slash)));
            } else if (errno != EEXIST) {
                const int err = errno;
                prune_parents(relative.substr(0, slash));  // directories made for nothing
                fail(ctx, "mkdir", path, err);
            }
        }
    }

    // Writes `value` to the key's file through a temporary file and a rename (the directory is
    // not fsynced here).
    void write_value(const context& ctx, std::string_view relative, std::string_view value) {
        make_parents(ctx, relative);
        try {
            temp_guard temp{next_temp_path("v")};
            auto fd = detail::open_file(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
            if (!fd) fail(ctx, "open", temp.path, errno);
            if (const int err = detail::write_all(fd.get(), value.data(), value.size())) {
                fail(ctx, "write", temp.path, err);
            }
            if (options_.durable) {
                if (const int err = detail::sync_fd(fd.get())) fail(ctx, "fsync", temp.path, err);
            }
            if (const int err = fd.close()) fail(ctx, "close", temp.path, err);
            const std::string target = in_root(relative);
            if (::rename(temp.path.c_str(), target.c_str()) != 0) {
                fail(ctx, "rename", temp.path + " -> " + target, errno);
            }
            temp.armed = false;
        } catch (...) {
            prune_parents(relative);  // directories made for nothing
            throw;
        }
        if (keys_) keys_->emplace(ctx.key);
    }

    // Unlinks the key's file; false when there was none (the directory is not fsynced here).
    bool remove_value(const context& ctx, std::string_view relative) {
        const std::string target = in_root(relative);
        if (::unlink(target.c_str()) == 0) {
            if (keys_) {
                if (auto it = keys_->find(ctx.key); it != keys_->end()) keys_->erase(it);
            }
            return true;
        }
        if (errno == ENOENT) return false;
        fail(ctx, "unlink", target, errno);
    }

    // Removes the now empty directories above an erased long key's file (best effort: a
    // leftover empty directory holds no key).
    void prune_parents(std::string_view relative) noexcept {
        for (auto dir = parent_of(relative); !dir.empty(); dir = parent_of(dir)) {
            if (::rmdir(in_root(dir).c_str()) != 0) return;
        }
    }

    void put_locked(const context& ctx, std::string_view value) {
        const std::string relative = relative_path_of(ctx.key);
        write_value(ctx, relative, value);
        sync_dir(ctx, parent_of(relative));
    }

    bool erase_locked(const context& ctx) {
        const std::string relative = relative_path_of(ctx.key);
        if (!remove_value(ctx, relative)) return false;
        sync_dir(ctx, parent_of(relative));
        prune_parents(relative);
        return true;
    }

    // Writes the intent of `ops` to a temporary file, fsyncs it and renames it to `.intent`:
    // the batch's commit point (apply_committed fsyncs the directory). On failure the store is
    // unchanged.
    void write_intent(const std::vector<const operation*>& ops) {
        const context ctx{"apply batch", {}};
        boost::crc_32_type crc;
        std::uint64_t size = 0;
        detail::for_each_intent_piece(ops, [&](std::string_view piece) {
            crc.process_bytes(piece.data(), piece.size());
            size += piece.size();
        });

        temp_guard temp{next_temp_path("intent-")};
        auto fd = detail::open_file(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (!fd) fail(ctx, "open", temp.path, errno);
        constexpr std::size_t buffer_size = std::size_t{1} << 16;
        std::string buffer = detail::intent_header(ops.size(), size, crc.checksum());
        buffer.reserve(buffer_size);
        int err = 0;
        const auto flush = [&] {
            if (err == 0) err = detail::write_all(fd.get(), buffer.data(), buffer.size());
            buffer.clear();
        };
        detail::for_each_intent_piece(ops, [&](std::string_view piece) {
            if (buffer.size() + piece.size() > buffer_size) flush();
            if (piece.size() >= buffer_size) {
                if (err == 0) err = detail::write_all(fd.get(), piece.data(), piece.size());
            } else {
                buffer.append(piece);
            }
        });
        flush();
        if (err != 0) fail(ctx, "write", temp.path, err);
        if (options_.durable) {
            if (const int e = detail::sync_fd(fd.get())) fail(ctx, "fsync", temp.path, e);
        }
        if (const int e = fd.close()) fail(ctx, "close", temp.path, e);
        const std::string intent = in_root(intent_name);
        if (::rename(temp.path.c_str(), intent.c_str()) != 0) fail(ctx, "rename", temp.path + " -> " + intent, errno);
        temp.armed = false;
    }

    // Applies the operations of a committed intent, makes them durable, then removes the
    // intent. If this fails, the object refuses further calls (reopening completes the batch).
    void apply_committed(const std::vector<const operation*>& ops, const char* what) {
        std::vector<std::string> relatives;
        try {
            sync_dir(context{what, {}}, {});  // the commit (the rename to .intent), made durable
            std::vector<std::string_view> dirs;
            relatives.reserve(ops.size());
            for (const auto* op : ops) {
                const context ctx{what, op->key};
                relatives.push_back(relative_path_of(op->key));
                if (op->what == operation::kind::put) {
                    write_value(ctx, relatives.back(), op->value);
                } else {
                    remove_value(ctx, relatives.back());
                }
            }
            for (const auto& relative : relatives) dirs.push_back(parent_of(relative));
            std::sort(dirs.begin(), dirs.end());
            dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
            const context ctx{what, {}};
            for (const auto dir : dirs) sync_dir(ctx, dir);
            const std::string intent = in_root(intent_name);
            if (::unlink(intent.c_str()) != 0) fail(ctx, "unlink", intent, errno);
            // Durable before any later write: a resurrected intent would undo that write.
            sync_dir(ctx, {});
        } catch (const std::exception& e) {
            failed_ = e.what();
            throw;
        } catch (...) {
            failed_ = "unknown error";
            throw;
        }
        for (std::size_t i = 0; i < ops.size(); ++i) {
            if (ops[i]->what == operation::kind::erase) prune_parents(relatives[i]);
        }
    }

    // --- Reading ----------------------------------------------------------------------------

    // Every key, sorted, listed at the first call (under the shared lock: writers, which keep
    // the list up to date, are out meanwhile); nullptr without the flock.
    const std::set<std::string, std::less<>>* sorted_keys(const context& ctx) const {
        if (!keep_keys_) return nullptr;
        std::call_once(keys_listed_, [&] {
            std::set<std::string, std::less<>> all;
            list_keys(ctx, {}, [&](std::string&& key) { all.insert(std::move(key)); });
            keys_.emplace(std::move(all));
        });
        return &*keys_;
    }

    std::optional<std::string> read_value(const context& ctx, const std::string& path) const {
        auto fd = detail::open_file(path, O_RDONLY);
        if (!fd) {
            if (errno == ENOENT) return std::nullopt;
            fail(ctx, "open", path, errno);
        }
        std::string value;
        if (const int err = detail::read_all(fd.get(), value)) fail(ctx, "read", path, err);
        return value;
    }

    // Calls `visit(std::string&&)` with every key that starts with `prefix`, in no order.
    template <class Visit>
    void list_keys(const context& ctx, std::string_view prefix, Visit&& visit) const {
        const std::string encoded_prefix = detail::encode_key(prefix);
        std::string encoded;
        list_directory(ctx, root_, encoded, encoded_prefix, visit);
    }

    // Lists one directory; `encoded` is the encoded key part its path stands for.
    template <class Visit>
    void list_directory(const context& ctx, const std::string& path, std::string& encoded,
                        std::string_view encoded_prefix, Visit& visit) const {
        const std::size_t base = encoded.size();
        std::vector<std::string> subdirectories;
        {
            detail::dir_stream dir(path);
            if (!dir) {
                // A foreign file named like a directory of ours: not a key.
                if (base != 0 && (errno == ENOTDIR || errno == ENOENT)) return;
                fail(ctx, "opendir", path, errno);
            }
            int err = 0;
            while (const char* entry = dir.next(err)) {
                const std::string_view name(entry);
                const std::string_view piece = name.substr(1);
                if (name.front() == detail::file_tag) {
                    // Canonical names only: 1 to name_chunk characters (0 only for the empty key).
                    if (piece.size() > detail::name_chunk || (piece.empty() && base != 0)) continue;
                    encoded.resize(base);
                    encoded.append(piece);
                    if (!encoded.starts_with(encoded_prefix)) continue;
                    if (auto key = detail::decode_key(encoded)) visit(std::move(*key));
                } else if (name.front() == detail::dir_tag) {
                    if (piece.size() != detail::name_chunk) continue;
                    encoded.resize(base);
                    encoded.append(piece);
                    const std::size_t common = std::min(encoded.size(), encoded_prefix.size());
                    if (encoded.compare(0, common, encoded_prefix, 0, common) != 0) continue;
                    subdirectories.emplace_back(name);
                }
            }
            if (err != 0) fail(ctx, "readdir", path, err);
        }
        for (const auto& sub : subdirectories) {
            encoded.resize(base);
            encoded.append(std::string_view(sub).substr(1));
            list_directory(ctx, path + '/' + sub, encoded, encoded_prefix, visit);
        }
        encoded.resize(base);
    }

    filesystem_options options_;
    std::filesystem::path directory_;
    std::string root_;  // directory_ as a string, without a trailing '/'
    detail::unique_fd root_fd_;
    mutable detail::writer_priority_mutex mutex_;
    std::uint64_t next_temp_ = 0;  // names of temporary files (under the exclusive lock)
    std::string failed_;           // why the store must be reopened ("" while usable)
    // Every key, sorted, once listed, while this object holds the flock (see "Cost" in the file
    // comment); writes keep it up to date.
    bool keep_keys_ = false;
    mutable std::once_flag keys_listed_;
    mutable std::optional<std::set<std::string, std::less<>>> keys_;
};

static_assert(check_backend<filesystem_backend>());

}  // namespace v1
}  // namespace strata
