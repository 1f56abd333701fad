// The store-backed log sink, on the memory and SQLite backends: records read back in order and
// across instances (processes), trimmed to capacity, buffered and flushed, never failing the
// writer when the store fails, and damaged records named by key.
#include <strata/migration/store_log.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using strata::log_level;
using strata::log_record;

log_record record(std::int64_t time_ms, log_level level, std::string message, std::string document = {}) {
    return log_record{time_ms, level, std::move(message), std::move(document), "run-1"};
}

std::string messages(const std::vector<log_record>& records) {
    std::string out;
    for (const auto& r : records) out += r.message + ";";
    return out;
}

struct memory_store {
    strata::memory_backend store;
};
struct sqlite_store {
    strata::sqlite_backend store = strata::sqlite_backend::in_memory();
};

// A memory backend whose batches fail while `failing` is set.
struct flaky_backend : strata::memory_backend {
    bool failing = false;
    void apply(const strata::write_batch& batch) {
        if (failing) throw strata::storage_error("apply batch", "log/e/...", "disk full (test)");
        strata::memory_backend::apply(batch);
    }
};
static_assert(strata::backend<flaky_backend>);

}  // namespace

TEST_CASE_TEMPLATE("store_log: records read back in order, across instances, filtered by level and count", S,
                   memory_store, sqlite_store) {
    S s;
    {
        strata::store_log log(s.store);
        log.write(record(1, log_level::debug, "not kept"));
        log.write(record(2, log_level::info, "one", "session-1"));
        log.write(record(3, log_level::error, "two \xff\n", "session-2"));
        CHECK(log.pending() == 2);
        CHECK(strata::read_store_log(s.store).empty());  // buffered until a flush
        log.flush();
        CHECK(log.pending() == 0);
        log.write(record(4, log_level::warning, "three"));
    }  // destruction flushes
    {
        strata::store_log again(s.store);  // a later process goes on with the sequence
        again.write(record(5, log_level::info, "four"));
    }
    const auto all = strata::read_store_log(s.store);
    CHECK(messages(all) == "one;two \xEF\xBF\xBD\n;three;four;");
    REQUIRE(all.size() == 4);
    CHECK(all[0] == record(2, log_level::info, "one", "session-1"));
    CHECK(all[1].document == "session-2");
    CHECK(messages(strata::read_store_log(s.store, log_level::warning)) == "two \xEF\xBF\xBD\n;three;");
    CHECK(messages(strata::read_store_log(s.store, log_level::info, 2)) == "three;four;");
    CHECK(strata::read_store_log(s.store, log_level::info, 0).empty());
    CHECK(s.store.get("log/next") == "0000000000000004");
    CHECK(s.store.contains("log/e/0000000000000003"));
}

TEST_CASE_TEMPLATE("store_log: keeps the newest `capacity` records, flushing every `flush_every`", S, memory_store,
                   sqlite_store) {
    S s;
    strata::store_log_options options;
    options.prefix = "m/log/";
    options.capacity = 5;
    options.flush_every = 3;
    options.at_least = log_level::trace;
    strata::store_log log(s.store, options);
    for (int i = 0; i < 8; ++i) log.write(record(i, log_level::trace, std::to_string(i)));
    // Two automatic flushes (after 3 and 6 records); 2 still buffered.
    CHECK(log.pending() == 2);
    CHECK(messages(strata::read_store_log(s.store, log_level::trace, 100, "m/log/")) == "1;2;3;4;5;");
    log.flush();
    CHECK(messages(strata::read_store_log(s.store, log_level::trace, 100, "m/log/")) == "3;4;5;6;7;");
    CHECK(s.store.count("m/log/e/") == 5);
    // More in one flush than the capacity: only the newest reach the store.
    options.flush_every = 100;
    strata::store_log bigger_batches(s.store, options);
    for (int i = 8; i < 15; ++i) bigger_batches.write(record(i, log_level::info, std::to_string(i)));
    CHECK(bigger_batches.pending() == 7);
    bigger_batches.flush();
    CHECK(messages(strata::read_store_log(s.store, log_level::trace, 100, "m/log/")) == "10;11;12;13;14;");
    CHECK(s.store.count("m/log/e/") == 5);
}

TEST_CASE("store_log: a failing store never fails the writer, explicit flush reports it") {
    flaky_backend store;
    strata::store_log_options options;
    options.flush_every = 2;
    strata::store_log log(store, options);
    store.failing = true;
    for (int i = 0; i < 40; ++i) log.write(record(i, log_level::info, std::to_string(i)));
    CHECK(log.pending() == 32);  // 16 batches' worth kept for the next try
    CHECK(log.lost() == 8);
    CHECK_THROWS_AS(log.flush(), strata::storage_error);
    CHECK(log.pending() == 32);
    store.failing = false;
    log.flush();
    const auto kept = strata::read_store_log(store);
    REQUIRE(kept.size() == 32);
    CHECK(kept.front().message == "8");
    CHECK(kept.back().message == "39");
}

TEST_CASE("store_log: damaged records and sequence numbers are errors naming their key") {
    strata::memory_backend store;
    store.put("log/e/0000000000000000", R"({"time":"x","time_ms":1,"level":"loud","run":"","document":"","message":"m"})");
    try {
        (void)strata::read_store_log(store);
        FAIL("expected a decode_error");
    } catch (const strata::decode_error& e) {
        CHECK(std::string(e.what()) ==
              R"(document "log record "log/e/0000000000000000"": at level: expected a log level (trace, debug, info, warning, error), found "loud")");
    }
    store.put("log/e/0000000000000000", R"({"time":"x","time_ms":"1"})");
    CHECK_THROWS_AS((void)strata::read_store_log(store), strata::decode_error);

    store.put("log/next", "12");
    try {
        strata::store_log log(store);
        FAIL("expected a storage_error");
    } catch (const strata::storage_error& e) {
        CHECK(e.key() == "log/next");
        CHECK(e.reason() == R"(expected 16 hex digits (the next log sequence number), found "12")");
    }
}
