// write_behind: the conformance suite (with the default options and with flushes every few
// operations), then the queue's own promises against a gated inner backend whose applies the
// test holds, releases or makes fail.
#include <strata/storage/memory.hpp>
#include <strata/storage/write_behind.hpp>
#include <strata/testing/backend_conformance.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

/// write_behind with flushes after every three queued keys or 50 µs: the suite then runs
/// while flushes land all the time.
struct eager_write_behind : strata::write_behind<strata::memory_backend> {
    eager_write_behind() : write_behind(options()) {}
    static strata::write_behind_options options() {
        strata::write_behind_options o;
        o.max_pending_ops = 3;
        o.max_latency = 50us;
        return o;
    }
};

}  // namespace

STRATA_BACKEND_CONFORMANCE(strata::write_behind<strata::memory_backend>, eager_write_behind);

namespace {

/// What a gated backend shares with the test: its data, whether applies may proceed or must
/// fail, and what happened.
struct gate {
    strata::memory_backend data;
    std::mutex mutex;
    std::condition_variable changed;
    bool open = true;
    bool fail = false;
    std::size_t apply_calls = 0;  // applies started
    std::size_t applied = 0;      // applies that succeeded
    std::size_t failures = 0;     // applies that threw
    std::vector<std::size_t> batch_sizes;

    void set(bool gate_open, bool failing) {
        std::lock_guard lock(mutex);
        open = gate_open;
        fail = failing;
        changed.notify_all();
    }
    /// Waits (generously) until `pred()` holds; false if it never does.
    template <class Pred>
    bool wait_until(Pred pred) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 20s, pred);
    }
    std::size_t calls() {
        std::lock_guard lock(mutex);
        return apply_calls;
    }
};

/// A backend whose applies wait for the gate to open and throw while it is set to fail.
class gated_backend {
public:
    explicit gated_backend(std::shared_ptr<gate> g) : gate_(std::move(g)) {}

    std::optional<std::string> get(std::string_view key) const { return gate_->data.get(key); }
    bool contains(std::string_view key) const { return gate_->data.contains(key); }
    std::vector<strata::key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                        std::size_t limit) const {
        return gate_->data.scan(prefix, after, limit);
    }
    std::size_t count(std::string_view prefix) const { return gate_->data.count(prefix); }
    void put(std::string_view key, std::string_view value) {
        strata::write_batch batch;
        batch.put(key, value);
        apply(batch);
    }
    bool erase(std::string_view key) {
        const bool existed = contains(key);
        strata::write_batch batch;
        batch.erase(key);
        apply(batch);
        return existed;
    }
    void apply(const strata::write_batch& batch) {
        std::unique_lock lock(gate_->mutex);
        ++gate_->apply_calls;
        gate_->changed.notify_all();
        gate_->changed.wait(lock, [&] { return gate_->open; });
        if (gate_->fail) {
            ++gate_->failures;
            gate_->changed.notify_all();
            throw strata::storage_error("apply batch", batch.empty() ? "" : batch.operations().front().key,
                                        "injected failure");
        }
        gate_->data.apply(batch);
        ++gate_->applied;
        gate_->batch_sizes.push_back(batch.size());
        gate_->changed.notify_all();
    }

private:
    std::shared_ptr<gate> gate_;
};
static_assert(strata::check_backend<gated_backend>());

using queue = strata::write_behind<gated_backend>;

/// Options under which only the test decides when a flush starts.
strata::write_behind_options manual() {
    strata::write_behind_options o;
    o.max_pending_ops = 1'000'000;
    o.max_pending_bytes = std::size_t{1} << 40;
    o.max_latency = std::chrono::hours(1);
    return o;
}

/// Polls `pred` until it holds (for what the worker does after a flush it cannot signal).
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 20'000; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(1ms);
    }
    return pred();
}

/// Collects the errors a queue reports (from its worker thread).
struct error_log {
    std::mutex mutex;
    std::vector<strata::storage_error> errors;
    std::function<void(const strata::storage_error&)> callback() {
        return [this](const strata::storage_error& e) {
            std::lock_guard lock(mutex);
            errors.push_back(e);
        };
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return errors.size();
    }
};

std::optional<std::string> some(std::string_view v) { return std::string(v); }

/// "k<i>" (not `"k" + std::to_string(i)`, on which g++ 12 -O3 warns falsely: GCC bug 105329).
std::string key_n(int i) {
    std::string k = "k";
    k += std::to_string(i);
    return k;
}

}  // namespace

TEST_CASE("write_behind: reads see queued writes, also while their flush is in flight") {
    auto g = std::make_shared<gate>();
    g->data.put("keep", "0");
    g->data.put("old", "1");
    g->data.put("z", "9");
    g->set(false, false);  // every apply waits

    auto options = manual();
    options.max_pending_ops = 5;  // the fifth queued key starts a flush
    queue q(options, g);

    q.put("a", "A");
    q.put("old", "2");
    CHECK(q.erase("z"));           // only stored: erase reads the inner backend
    CHECK_FALSE(q.erase("never"));  // absent everywhere: nothing queued
    strata::write_batch batch;
    batch.put("b", "B");
    batch.erase("keep");
    q.apply(batch);  // five keys now: a, old, z, b, keep

    REQUIRE(g->wait_until([&] { return g->apply_calls == 1; }));  // the flush is in flight, held
    // The inner backend has none of it yet ...
    CHECK(g->data.get("a") == std::nullopt);
    CHECK(g->data.get("old") == some("1"));
    CHECK(g->data.contains("z"));
    CHECK(g->data.contains("keep"));
    // ... and every read sees all of it.
    CHECK(q.get("a") == some("A"));
    CHECK(q.get("old") == some("2"));
    CHECK(q.get("z") == std::nullopt);
    CHECK_FALSE(q.contains("keep"));
    CHECK(q.contains("b"));
    const std::vector<strata::key_value> expected = {{"a", "A"}, {"b", "B"}, {"old", "2"}};
    CHECK(q.scan("", std::nullopt, strata::no_limit) == expected);
    CHECK(q.scan("", std::string_view("a"), 1) == std::vector<strata::key_value>{{"b", "B"}});
    CHECK(q.scan("o", std::nullopt, strata::no_limit) == std::vector<strata::key_value>{{"old", "2"}});
    CHECK(q.scan("k", std::nullopt, strata::no_limit).empty());

    // Writes queued while the flush is in flight stay queued after it lands.
    CHECK(q.erase("a"));
    q.put("c", "C");
    CHECK(q.stats().pending_ops == 6);
    CHECK(q.stats().flushed_ops == 0);

    g->set(true, false);
    REQUIRE(g->wait_until([&] { return g->applied == 1; }));
    REQUIRE(eventually([&] { return q.stats().flushed_batches == 1; }));
    CHECK(g->batch_sizes.at(0) == 5);
    CHECK(g->data.get("a") == some("A"));  // the first flush put it ...
    CHECK(q.get("a") == std::nullopt);     // ... and the queued erase still hides it
    CHECK(q.stats().pending_ops == 2);
    CHECK(q.count("") == 3);
    CHECK(q.scan("", std::nullopt, strata::no_limit) ==
          std::vector<strata::key_value>{{"b", "B"}, {"c", "C"}, {"old", "2"}});

    q.flush();
    CHECK(g->data.scan("", std::nullopt, strata::no_limit) ==
          std::vector<strata::key_value>{{"b", "B"}, {"c", "C"}, {"old", "2"}});
    const auto stats = q.stats();
    CHECK(stats.pending_ops == 0);
    CHECK(stats.pending_bytes == 0);
    CHECK(stats.flushed_ops == 7);
    CHECK(stats.flushed_batches == 2);
    CHECK(stats.failed_flushes == 0);
    CHECK_FALSE(q.last_error().has_value());
}

TEST_CASE("write_behind: a flush starts when the queue reaches its size bound") {
    auto g = std::make_shared<gate>();
    SUBCASE("in operations") {
        auto options = manual();
        options.max_pending_ops = 10;
        queue q(options, g);
        for (int i = 0; i < 9; ++i) q.put(key_n(i), "v");
        q.put("k0", "again");  // the same key again: still nine queued keys
        CHECK(q.stats().pending_ops == 9);
        CHECK(g->calls() == 0);
        q.put("k9", "v");
        REQUIRE(g->wait_until([&] { return g->applied == 1; }));
        CHECK(g->batch_sizes.at(0) == 10);
        CHECK(g->data.get("k0") == some("again"));
    }
    SUBCASE("in bytes") {
        auto options = manual();
        options.max_pending_bytes = 1000;
        queue q(options, g);
        q.put("k", std::string(500, 'x'));
        CHECK(q.stats().pending_bytes == 501);
        CHECK(g->calls() == 0);
        q.put("l", std::string(499, 'y'));  // 1001 bytes of keys and values
        REQUIRE(g->wait_until([&] { return g->applied == 1; }));
        CHECK(g->batch_sizes.at(0) == 2);
        CHECK(g->data.get("l") == some(std::string(499, 'y')));
    }
}

TEST_CASE("write_behind: a flush starts when the oldest queued write reaches the latency bound") {
    auto g = std::make_shared<gate>();
    auto options = manual();
    options.max_latency = 2ms;
    queue q(options, g);
    q.put("a", "1");
    REQUIRE(g->wait_until([&] { return g->applied == 1; }));  // no size bound was reached
    CHECK(g->data.get("a") == some("1"));
    q.put("b", "2");  // the clock starts again for the next write
    REQUIRE(g->wait_until([&] { return g->applied == 2; }));
    CHECK(g->data.get("b") == some("2"));
}

TEST_CASE("write_behind: flush() and the destructor drain the queue") {
    auto g = std::make_shared<gate>();
    {
        queue q(manual(), g);
        for (int i = 0; i < 100; ++i) q.put(key_n(i), std::to_string(i));
        CHECK(g->calls() == 0);
        q.flush();
        CHECK(g->data.count("k") == 100);
        CHECK(g->data.get("k42") == some("42"));
        CHECK(q.stats().pending_ops == 0);
        CHECK(q.stats().flushed_ops == 100);
        q.flush();  // nothing queued: returns at once, applies nothing
        CHECK(g->calls() == 1);

        q.put("last", "x");
        strata::write_batch batch;
        batch.erase("k0");
        batch.put("k1", "one");
        q.apply(batch);
    }  // the destructor drains
    CHECK(g->data.get("last") == some("x"));
    CHECK_FALSE(g->data.contains("k0"));
    CHECK(g->data.get("k1") == some("one"));
    CHECK(g->calls() == 2);
}

TEST_CASE("write_behind: a failing inner backend: the error is kept, nothing is dropped, the data lands later") {
    auto g = std::make_shared<gate>();
    g->data.put("pre", "1");
    g->set(true, true);
    error_log log;
    auto options = manual();
    options.retry_interval = 1ms;
    options.on_error = log.callback();
    queue q(options, g);

    q.put("a", "A");
    strata::write_batch batch;
    batch.put("b", "B");
    batch.erase("pre");
    q.apply(batch);

    try {
        q.flush();
        FAIL("flush() did not throw");
    } catch (const strata::storage_error& e) {
        CHECK(e.reason() == "injected failure");
        CHECK(e.operation() == "apply batch");
        CHECK(std::string(e.what()).find("injected failure") != std::string::npos);
    }
    REQUIRE(q.last_error().has_value());
    CHECK(q.last_error()->reason() == "injected failure");
    auto stats = q.stats();
    CHECK(stats.failed_flushes >= 1);
    CHECK(stats.failed_ops == 3);
    CHECK(stats.pending_ops == 3);
    CHECK(stats.flushed_ops == 0);
    CHECK(eventually([&] { return log.size() >= 1; }));
    // Kept: reads still see the writes; the inner backend has none of them (not half of them).
    CHECK(q.get("a") == some("A"));
    CHECK_FALSE(q.contains("pre"));
    CHECK(g->data.get("a") == std::nullopt);
    CHECK(g->data.get("b") == std::nullopt);
    CHECK(g->data.get("pre") == some("1"));
    CHECK_THROWS_AS(q.flush(), strata::storage_error);  // still failing: flush() says so again

    g->set(true, false);  // the backend recovers
    q.flush();
    CHECK(g->data.scan("", std::nullopt, strata::no_limit) ==
          std::vector<strata::key_value>{{"a", "A"}, {"b", "B"}});
    stats = q.stats();
    CHECK(stats.pending_ops == 0);
    CHECK(stats.failed_ops == 0);
    CHECK(stats.flushed_ops == 3);
    CHECK(stats.flushed_batches == 1);
    CHECK(q.last_error().has_value());  // kept after the recovery

    // Without flush(): the worker retries by itself once the backend recovers.
    g->set(true, true);
    const auto failures = g->failures;
    q.put("c", "C");
    q.put("d", "D");  // (the manual options: the flush must come from flush() or a retry)
    CHECK_THROWS_AS(q.flush(), strata::storage_error);
    REQUIRE(g->wait_until([&] { return g->failures >= failures + 2; }));  // it keeps retrying
    g->set(true, false);
    REQUIRE(g->wait_until([&] { return g->data.contains("d"); }));
    CHECK(g->data.get("c") == some("C"));
    CHECK(eventually([&] { return q.stats().pending_ops == 0; }));
}

TEST_CASE("write_behind: the destructor reports what a backend that keeps failing made it lose") {
    auto g = std::make_shared<gate>();
    g->set(true, true);
    error_log log;
    {
        auto options = manual();
        options.retry_interval = 1ms;
        options.drain_attempts = 2;
        options.on_error = log.callback();
        queue q(options, g);
        q.put("a", "A");
        q.put("b", "B");
    }
    REQUIRE(log.errors.size() >= 3);  // two failed attempts, then the loss
    CHECK(log.errors[0].reason() == "injected failure");
    const auto& lost = log.errors.back();
    CHECK(lost.operation() == "drain");
    CHECK(lost.reason().find("2 queued operations are lost") != std::string::npos);
    CHECK(lost.reason().find("injected failure") != std::string::npos);
    CHECK(g->failures == 2);
}

TEST_CASE("write_behind: agrees with a memory backend over random operations and flushes") {
    auto g = std::make_shared<gate>();
    strata::memory_backend model;
    std::mt19937 rng(31337);
    auto options = manual();
    options.max_pending_ops = 8;  // size-bound flushes land in the middle of the checks
    queue q(options, g);
    const std::vector<std::string> keys = {"a", "ab", "abc", "b", "ba", "\xff", "\xff\xff", "c", "ca", "cab"};
    auto key = [&] { return keys[rng() % keys.size()]; };
    for (int step = 0; step < 3000; ++step) {
        CAPTURE(step);
        switch (rng() % 9) {
        case 0:
        case 1: {
            const auto k = key();
            const auto v = std::to_string(step);
            q.put(k, v);
            model.put(k, v);
            break;
        }
        case 2: {
            const auto k = key();
            CHECK(q.erase(k) == model.erase(k));
            break;
        }
        case 3: {
            strata::write_batch b;
            for (auto n = rng() % 4; n > 0; --n) {
                if (rng() % 3 == 0) {
                    b.erase(key());
                } else {
                    b.put(key(), std::to_string(step) + "b");
                }
            }
            q.apply(b);
            model.apply(b);
            break;
        }
        case 4:
            if (rng() % 10 == 0) q.flush();
            break;
        case 5: {
            const auto k = key();
            CHECK(q.get(k) == model.get(k));
            CHECK(q.contains(k) == model.contains(k));
            break;
        }
        case 6: {
            const std::string prefix = rng() % 2 ? "" : key().substr(0, 1);
            CHECK(q.count(prefix) == model.count(prefix));
            break;
        }
        default: {
            const std::string prefix = rng() % 2 ? "" : key().substr(0, 1);
            const auto after = rng() % 2 ? std::optional<std::string>(key()) : std::nullopt;
            const std::size_t limit = rng() % 3 == 0 ? strata::no_limit : 1 + rng() % 4;
            const auto a = after ? std::optional<std::string_view>(*after) : std::nullopt;
            CHECK(q.scan(prefix, a, limit) == model.scan(prefix, a, limit));
            break;
        }
        }
    }
    q.flush();
    CHECK(g->data.scan("", std::nullopt, strata::no_limit) == model.scan("", std::nullopt, strata::no_limit));
    CHECK(q.stats().flushed_batches > 10);
}
