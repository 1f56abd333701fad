// The logging policy: levels, the console sink's lines, the ring buffer (query, JSON export of
// any bytes, drops, threads), the tee and the logger front.
#include <strata/migration/log.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using strata::log_level;
using strata::log_record;

// 2026-11-20T10:15:30.123Z
constexpr std::int64_t t0 = 1'795'169'730'123;

log_record record(std::int64_t time_ms, log_level level, std::string message, std::string document = {},
                  std::string run = {}) {
    return log_record{time_ms, level, std::move(message), std::move(document), std::move(run)};
}

// What a FILE* received: the console sink writes to a tmpfile, read back here.
struct captured_file {
    std::FILE* file = std::tmpfile();
    ~captured_file() { std::fclose(file); }
    std::string text() const {
        std::fflush(file);
        std::rewind(file);
        std::string out;
        char buffer[256];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) out.append(buffer, n);
        return out;
    }
};

// A sink that counts what it is asked, to check the logger's filtering.
struct counting_sink {
    log_level at_least = log_level::info;
    std::vector<log_record>* seen;
    void write(const log_record& r) { seen->push_back(r); }
    bool enabled(log_level level) const { return level >= at_least; }
};

static_assert(strata::log_sink<strata::null_log>);
static_assert(strata::log_sink<strata::console_log>);
static_assert(strata::log_sink<strata::ring_log>);
static_assert(strata::log_sink<strata::log_ref<strata::ring_log>>);
static_assert(strata::log_sink<strata::tee_log<strata::console_log, strata::null_log>>);
static_assert(strata::log_sink<strata::logger<strata::null_log>>);
static_assert(!strata::log_sink<int>);

}  // namespace

TEST_CASE("log levels have names that read back, in any case, and nothing else does") {
    for (auto level : {log_level::trace, log_level::debug, log_level::info, log_level::warning, log_level::error}) {
        CHECK(strata::parse_log_level(strata::to_string(level)) == level);
    }
    CHECK(strata::to_string(log_level::warning) == "warning");
    CHECK(strata::parse_log_level("WARN") == log_level::warning);
    CHECK(strata::parse_log_level("Error") == log_level::error);
    CHECK_FALSE(strata::parse_log_level("").has_value());
    CHECK_FALSE(strata::parse_log_level("inf").has_value());
    CHECK_FALSE(strata::parse_log_level("infos").has_value());
    CHECK(log_level::trace < log_level::debug);
    CHECK(log_level::warning < log_level::error);
}

TEST_CASE("console_log writes one line per record at or above its level") {
    captured_file out;
    strata::console_log console(out.file, log_level::info);
    console.write(record(t0, log_level::debug, "not shown"));
    console.write(record(t0, log_level::info, "migration started", "", "run-1"));
    console.write(record(t0 + 877, log_level::warning, "step 1 -> 2 took 840 ms", "session-7"));
    console.write(record(t0 + 1877, log_level::error, "line one\nline two\x1b[31m \xff", "bad\tid"));
    CHECK(out.text() ==
          "2026-11-20T10:15:30.123Z info    migration started\n"
          "2026-11-20T10:15:31.000Z warning session-7: step 1 -> 2 took 840 ms\n"
          "2026-11-20T10:15:32.000Z error   bad?id: line one?line two?[31m \xEF\xBF\xBD\n");
    CHECK(console.enabled(log_level::info));
    CHECK_FALSE(console.enabled(log_level::debug));
    console.set_level(log_level::trace);
    CHECK(console.enabled(log_level::trace));
}

TEST_CASE("console_log shows times before 1970 and at the turn of a day correctly") {
    CHECK(strata::console_log::format_line(record(-1, log_level::info, "m")) ==
          "1969-12-31T23:59:59.999Z info    m\n");
    CHECK(strata::console_log::format_line(record(0, log_level::trace, "m", "d")) ==
          "1970-01-01T00:00:00.000Z trace   d: m\n");
}

TEST_CASE("ring_log: the newest records at or above a level, oldest first") {
    strata::ring_log ring(8);
    ring.write(record(t0 + 0, log_level::info, "a"));
    ring.write(record(t0 + 1, log_level::debug, "b"));
    ring.write(record(t0 + 2, log_level::error, "c", "session-1"));
    ring.write(record(t0 + 3, log_level::warning, "d"));
    ring.write(record(t0 + 4, log_level::trace, "e"));

    const auto messages = [](const std::vector<log_record>& records) {
        std::string out;
        for (const auto& r : records) out += r.message;
        return out;
    };
    CHECK(messages(ring.query()) == "abcde");
    CHECK(messages(ring.query(log_level::warning)) == "cd");
    CHECK(messages(ring.query(log_level::debug, 3)) == "bcd");
    CHECK(messages(ring.query(log_level::trace, 2)) == "de");
    CHECK(messages(ring.query(log_level::error, 10)) == "c");
    CHECK(ring.query(log_level::trace, 0).empty());
    CHECK(ring.query(log_level::error).front() == record(t0 + 2, log_level::error, "c", "session-1"));
    CHECK(ring.size() == 5);
    CHECK(ring.dropped() == 0);
}

TEST_CASE("ring_log: when full, the oldest records go and are counted, clear forgets everything") {
    strata::ring_log ring(3);
    CHECK(ring.capacity() == 3);
    for (int i = 0; i < 7; ++i) ring.write(record(i, log_level::info, std::to_string(i)));
    const auto kept = ring.query();
    REQUIRE(kept.size() == 3);
    CHECK(kept[0].message == "4");
    CHECK(kept[1].message == "5");
    CHECK(kept[2].message == "6");
    CHECK(ring.dropped() == 4);
    ring.clear();
    CHECK(ring.size() == 0);
    CHECK(ring.dropped() == 0);
    CHECK(ring.to_json() == "[]");
}

TEST_CASE("ring_log: a minimum level keeps lower records out") {
    strata::ring_log ring(4, log_level::warning);
    ring.write(record(1, log_level::info, "skipped"));
    ring.write(record(2, log_level::warning, "kept"));
    CHECK(ring.size() == 1);
    CHECK_FALSE(ring.enabled(log_level::info));
    CHECK(ring.query().front().message == "kept");
}

TEST_CASE("ring_log::to_json writes valid JSON for any bytes") {
    strata::ring_log ring;
    ring.write(record(t0, log_level::info, "plain", "session-7", "run-1"));
    ring.write(record(t0 + 1, log_level::error,
                      std::string("quote \" backslash \\ nl \n tab \t nul ") + '\0' + " esc \x1b del \x7f" +
                          " utf8 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 bad \xff\xC3 overlong \xC0\xAF surrogate \xED\xA0\x80",
                      "doc\x01"));
    const std::string json = ring.to_json();
    CHECK(json ==
          "[{\"time\":\"2026-11-20T10:15:30.123Z\",\"time_ms\":1795169730123,\"level\":\"info\",\"run\":\"run-1\","
          "\"document\":\"session-7\",\"message\":\"plain\"},"
          "{\"time\":\"2026-11-20T10:15:30.124Z\",\"time_ms\":1795169730124,\"level\":\"error\",\"run\":\"\","
          "\"document\":\"doc\\u0001\",\"message\":\"quote \\\" backslash \\\\ nl \\n tab \\t nul \\u0000 esc \\u001b"
          " del \x7f utf8 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 bad \xEF\xBF\xBD\xEF\xBF\xBD overlong"
          " \xEF\xBF\xBD\xEF\xBF\xBD surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}]");

    // And a JSON parser reads the same texts back (with the invalid bytes replaced).
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array records;
    REQUIRE(doc.get_array().get(records) == simdjson::SUCCESS);
    CHECK(records.size() == 2);
    std::string_view message;
    REQUIRE(records.at(1)["message"].get_string().get(message) == simdjson::SUCCESS);
    CHECK(message.substr(0, 37) == std::string_view("quote \" backslash \\ nl \n tab \t nul \0 e", 37));
    std::string_view document;
    REQUIRE(records.at(1)["document"].get_string().get(document) == simdjson::SUCCESS);
    CHECK(document == "doc\x01");
    CHECK(ring.to_json(log_level::error, 1).find("\"level\":\"info\"") == std::string::npos);
}

TEST_CASE("ring_log takes writes from several threads while others query") {
    strata::ring_log ring(64);
    constexpr int writers = 4, per_writer = 2000;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        while (!done.load()) {
            const auto records = ring.query(log_level::info, 16);
            CHECK(records.size() <= 16);
            (void)ring.to_json(log_level::info, 4);
        }
    });
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&ring, w] {
            for (int i = 0; i < per_writer; ++i) ring.write(record(i, log_level::info, std::to_string(w)));
        });
    }
    for (auto& t : threads) t.join();
    done = true;
    reader.join();
    CHECK(ring.size() == 64);
    CHECK(ring.dropped() == writers * per_writer - 64);
}

TEST_CASE("tee_log writes to each sink, log_ref shares a sink with its owner") {
    captured_file out;
    strata::ring_log ring(4);
    strata::tee_log tee{strata::console_log(out.file, log_level::warning), strata::log_ref(ring)};
    tee.write(record(t0, log_level::info, "to the ring only"));
    tee.write(record(t0, log_level::error, "to both", "session-2"));
    CHECK(out.text() == "2026-11-20T10:15:30.123Z error   session-2: to both\n");
    CHECK(ring.size() == 2);
    CHECK(tee.enabled(log_level::trace));  // the ring keeps everything
    CHECK(&tee.get<1>().get() == &ring);

    strata::tee_log quiet{strata::null_log{}, strata::console_log(out.file, log_level::error)};
    CHECK_FALSE(quiet.enabled(log_level::warning));
    CHECK(quiet.enabled(log_level::error));
}

TEST_CASE("logger formats with fmt, stamps time and run, and formats nothing for levels nobody keeps") {
    std::vector<log_record> seen;
    std::int64_t now = t0;
    struct fake_clock {
        std::int64_t* now;
        std::int64_t operator()() const { return (*now)++; }
    };
    strata::logger log(counting_sink{log_level::info, &seen}, "run-9", fake_clock{&now});
    log.info("session-7", "migrated v{} -> v{} ({} bytes)", 1, 3, 2048);
    log.debug("session-7", "not kept {}", 1);
    log.error("", "{} documents failed", 2);
    log.set_run("run-10");
    log.warning("session-8", "plain text");
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == record(t0, log_level::info, "migrated v1 -> v3 (2048 bytes)", "session-7", "run-9"));
    CHECK(seen[1] == record(t0 + 1, log_level::error, "2 documents failed", "", "run-9"));
    CHECK(seen[2] == record(t0 + 2, log_level::warning, "plain text", "session-8", "run-10"));
    CHECK(now == t0 + 3);  // the debug record was not even stamped

    log.write(record(5, log_level::trace, "filtered"));
    log.write(record(5, log_level::error, "passed"));
    CHECK(seen.size() == 4);
    CHECK(log.run() == "run-10");

    strata::logger<strata::null_log> silent;
    CHECK_FALSE(silent.enabled(log_level::error));
    silent.error("x", "{}", 1);  // compiles, does nothing
}
