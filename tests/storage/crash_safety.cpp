// Crash safety: children applying batches are killed with SIGKILL at random moments; each
// reopened store must hold whole batches only (crash_safety.hpp). First the harness itself, on
// a log-file backend of this file that is crash-safe and on two that are not (one tears batches,
// one loses committed ones), then strata's durable backends.
//
// This executable starts no thread: the harness forks.
#include "crash_safety.hpp"

#include <strata/storage/memory.hpp>

#if __has_include(<strata/storage/filesystem.hpp>)
#include <strata/storage/filesystem.hpp>
#define STRATA_CRASH_TEST_FILESYSTEM 1
#endif
#if __has_include(<strata/storage/sqlite.hpp>)
#include <strata/storage/sqlite.hpp>
#define STRATA_CRASH_TEST_SQLITE 1
#endif

#include <doctest/doctest.h>

#include <boost/crc.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace crash = strata::test::crash;

/// A fresh, empty location for one case's store.
fs::path fresh(const std::string& name) {
    const fs::path dir = fs::path(STRATA_TEST_WORK_DIR) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/**
 * A backend of this test: the data in memory, every change appended to a log file as
 * [u32 length][u32 crc-32][operations] records; opening replays the whole records and cuts off
 * a torn tail. How it writes decides whether it is crash-safe:
 * - `whole`: one record per batch (a torn record is dropped whole): crash-safe;
 * - `op_by_op`: one record per operation, with a pause between them: tears batches;
 * - `lazy`: batches buffered and written eight at a time: loses committed batches.
 */
class log_backend {
public:
    enum class mode { whole, op_by_op, lazy };

    log_backend(const fs::path& file, mode m) : mode_(m) {
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw strata::storage_error("open", "", file.string() + ": " + std::strerror(errno));
        std::string log;
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("open", "");
            if (n == 0) break;
            log.append(buf, static_cast<std::size_t>(n));
        }
        std::size_t at = 0;
        while (log.size() - at >= 8) {
            const std::uint32_t length = read_u32(log, at);
            const std::uint32_t crc = read_u32(log, at + 4);
            if (log.size() - at - 8 < length) break;
            const std::string_view payload(log.data() + at + 8, length);
            if (checksum(payload) != crc) break;
            replay(payload);
            at += 8 + length;
        }
        if (::ftruncate(fd_, static_cast<off_t>(at)) != 0 || ::lseek(fd_, 0, SEEK_END) < 0) fail("open", "");
    }
    log_backend(const log_backend&) = delete;
    log_backend& operator=(const log_backend&) = delete;
    ~log_backend() {
        if (mode_ == mode::lazy) write_out();
        ::close(fd_);
    }

    std::optional<std::string> get(std::string_view key) const { return data_.get(key); }
    bool contains(std::string_view key) const { return data_.contains(key); }
    std::vector<strata::key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                        std::size_t limit) const {
        return data_.scan(prefix, after, limit);
    }
    std::size_t count(std::string_view prefix) const { return data_.count(prefix); }
    void put(std::string_view key, std::string_view value) {
        strata::write_batch b;
        b.put(key, value);
        apply(b);
    }
    bool erase(std::string_view key) {
        const bool existed = contains(key);
        strata::write_batch b;
        b.erase(key);
        apply(b);
        return existed;
    }
    void apply(const strata::write_batch& batch) {
        switch (mode_) {
        case mode::whole:
            append(record(batch.operations().begin(), batch.operations().end()));
            break;
        case mode::op_by_op:
            for (auto it = batch.operations().begin(); it != batch.operations().end(); ++it) {
                append(record(it, it + 1));
                const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(150);
                while (std::chrono::steady_clock::now() < until) {
                }
            }
            break;
        case mode::lazy:
            pending_ += record(batch.operations().begin(), batch.operations().end());
            if (++pending_batches_ == 8) write_out();
            break;
        }
        data_.apply(batch);
    }

private:
    using op_iterator = std::vector<strata::write_batch::operation>::const_iterator;

    static std::uint32_t read_u32(const std::string& s, std::size_t at) {
        std::uint32_t v = 0;
        std::memcpy(&v, s.data() + at, sizeof v);
        return v;
    }
    static void put_u32(std::string& s, std::uint32_t v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); }
    static std::uint32_t checksum(std::string_view bytes) {
        boost::crc_32_type crc;
        crc.process_bytes(bytes.data(), bytes.size());
        return crc.checksum();
    }
    static std::string record(op_iterator first, op_iterator last) {
        std::string payload;
        for (; first != last; ++first) {
            payload += first->what == strata::write_batch::operation::kind::put ? 'p' : 'e';
            put_u32(payload, static_cast<std::uint32_t>(first->key.size()));
            payload += first->key;
            put_u32(payload, static_cast<std::uint32_t>(first->value.size()));
            payload += first->value;
        }
        std::string out;
        put_u32(out, static_cast<std::uint32_t>(payload.size()));
        put_u32(out, checksum(payload));
        return out + payload;
    }
    void replay(std::string_view payload) {
        strata::write_batch batch;
        std::size_t at = 0;
        const std::string p(payload);
        while (at < p.size()) {
            const char kind = p[at++];
            const std::uint32_t klen = read_u32(p, at);
            const std::string key = p.substr(at + 4, klen);
            at += 4 + klen;
            const std::uint32_t vlen = read_u32(p, at);
            const std::string value = p.substr(at + 4, vlen);
            at += 4 + vlen;
            if (kind == 'p') {
                batch.put(key, value);
            } else {
                batch.erase(key);
            }
        }
        data_.apply(batch);
    }
    void append(const std::string& bytes) {
        if (!crash::write_all(fd_, bytes.data(), bytes.size())) fail("apply batch", "");
    }
    void write_out() {
        append(pending_);
        pending_.clear();
        pending_batches_ = 0;
    }
    [[noreturn]] static void fail(const char* operation, std::string key) {
        throw strata::storage_error(operation, std::move(key), std::strerror(errno));
    }

    mode mode_;
    int fd_ = -1;
    strata::memory_backend data_;
    std::string pending_;
    int pending_batches_ = 0;
};
static_assert(strata::check_backend<log_backend>());

crash::options quick() {
    crash::options o;
    o.kills = 40;
    return o;
}

}  // namespace

TEST_CASE("crash safety: the workload's states are what its batches make them") {
    strata::memory_backend b;
    CHECK(crash::compare(b.scan("", std::nullopt, strata::no_limit), 0).empty());
    for (std::uint64_t i = 1; i <= 12; ++i) {
        b.apply(crash::make_batch(i));
        CAPTURE(i);
        CHECK(crash::compare(b.scan("", std::nullopt, strata::no_limit), i).empty());
        CHECK_FALSE(crash::compare(b.scan("", std::nullopt, strata::no_limit), i - 1).empty());
    }
    // Every torn batch (a strict, non-empty prefix of batch 13's operations) is detected.
    const auto batch = crash::make_batch(13);
    for (std::size_t cut = 1; cut < batch.size(); ++cut) {
        strata::memory_backend torn;
        for (std::uint64_t i = 1; i <= 12; ++i) torn.apply(crash::make_batch(i));
        for (std::size_t k = 0; k < cut; ++k) {
            const auto& op = batch.operations()[k];
            if (op.what == strata::write_batch::operation::kind::put) {
                torn.put(op.key, op.value);
            } else {
                (void)torn.erase(op.key);
            }
        }
        const auto state = torn.scan("", std::nullopt, strata::no_limit);
        CAPTURE(cut);
        CHECK_FALSE(crash::compare(state, 12).empty());
        CHECK_FALSE(crash::compare(state, 13).empty());
    }
}

TEST_CASE("crash safety: the harness passes a log that commits each batch as one checksummed record") {
    const auto file = fresh("log_whole") / "log";
    const auto r = crash::run([&] { return log_backend(file, log_backend::mode::whole); }, quick());
    MESSAGE(r.summary());
    CHECK_MESSAGE(r.problems.empty(), (r.problems.empty() ? "" : r.problems.front()));
    CHECK(r.kills == 40);
    CHECK(r.batches >= 4);  // the first child's three batches, and the one applied at the end
}

TEST_CASE("crash safety: the harness catches a backend that tears batches") {
    const auto file = fresh("log_torn") / "log";
    const auto r = crash::run([&] { return log_backend(file, log_backend::mode::op_by_op); }, quick());
    MESSAGE(r.summary());
    REQUIRE_FALSE(r.problems.empty());
    CHECK(r.problems.front().find("is not the state after batch") != std::string::npos);
}

TEST_CASE("crash safety: the harness catches a backend that loses committed batches") {
    const auto file = fresh("log_lazy") / "log";
    const auto r = crash::run([&] { return log_backend(file, log_backend::mode::lazy); }, quick());
    MESSAGE(r.summary());
    REQUIRE_FALSE(r.problems.empty());
    CHECK(r.problems.front().find("was committed (apply returned) but the store holds only") != std::string::npos);
}

#if defined(STRATA_CRASH_TEST_FILESYSTEM)
TEST_CASE("crash safety: filesystem_backend") {
    const auto dir = fresh("filesystem") / "store";
    crash::options o;
    o.kills = 50;
    const auto r = crash::run([&] { return strata::filesystem_backend(dir); }, o);
    MESSAGE(r.summary());
    CHECK_MESSAGE(r.problems.empty(), (r.problems.empty() ? "" : r.problems.front()));
    CHECK(r.kills == 50);
    CHECK(r.batches >= 4);
}
#endif

#if defined(STRATA_CRASH_TEST_SQLITE)
TEST_CASE("crash safety: sqlite_backend") {
    const auto file = fresh("sqlite") / "store.sqlite";
    crash::options o;
    o.kills = 50;
    const auto r = crash::run([&] { return strata::sqlite_backend(file); }, o);
    MESSAGE(r.summary());
    CHECK_MESSAGE(r.problems.empty(), (r.problems.empty() ? "" : r.problems.front()));
    CHECK(r.kills == 50);
    CHECK(r.batches >= 4);
}
#endif
