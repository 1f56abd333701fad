// The progress meter, on a fake clock: counts, whole-run rates early, sliding-window rates
// later (the ETA follows a change of pace), pauses left out, no ETA before progress, due().
#include <strata/migration/progress.hpp>

#include <doctest/doctest.h>

#include <chrono>

namespace {

using namespace std::chrono_literals;
using strata::progress_kind;

// A steady clock the test moves by hand.
struct fake_clock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    strata::progress_meter::clock_function function() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("progress_event::percent") {
    strata::progress_event e;
    CHECK(e.percent() == 100.0);  // total 0
    e.total = 8;
    e.done = 2;
    CHECK(e.percent() == 25.0);
    e.done = 9;
    CHECK(e.percent() == 100.0);
    CHECK(strata::to_string(progress_kind::cancelled) == "cancelled");
    CHECK(strata::is_final(progress_kind::failed));
    CHECK_FALSE(strata::is_final(progress_kind::paused));
}

TEST_CASE("progress_meter: no rate and no ETA before any progress") {
    fake_clock clock;
    strata::progress_meter meter(100, clock.function());
    meter.start();
    clock.now += 3s;
    const auto e = meter.snapshot(progress_kind::started);
    CHECK(e.kind == progress_kind::started);
    CHECK(e.done == 0);
    CHECK(e.total == 100);
    CHECK(e.elapsed_s == 3.0);
    CHECK(e.documents_per_s == 0.0);
    CHECK(e.bytes_per_s == 0.0);
    CHECK_FALSE(e.eta_s.has_value());
}

TEST_CASE("progress_meter: counts, and whole-run rates before one window has passed") {
    fake_clock clock;
    strata::progress_meter meter(100, clock.function());
    meter.start();
    clock.now += 1s;
    meter.advance(10, 1000, 1500, "session-10");
    clock.now += 1s;
    meter.advance(8, 800, 1200, "session-18");
    meter.advance(1, 100, 0, "session-19", true);
    meter.advance(1, 100, 0, "session-20", false, true);
    const auto e = meter.snapshot();
    CHECK(e.kind == progress_kind::progress);
    CHECK(e.done == 20);
    CHECK(e.failed == 1);
    CHECK(e.skipped == 1);
    CHECK(e.bytes_in == 2000);
    CHECK(e.bytes_out == 2700);
    CHECK(e.current_document == "session-20");
    CHECK(e.elapsed_s == 2.0);
    CHECK(e.documents_per_s == 10.0);
    CHECK(e.bytes_per_s == 1000.0);
    REQUIRE(e.eta_s.has_value());
    CHECK(*e.eta_s == 8.0);  // 80 left at 10/s
    CHECK(e.percent() == 20.0);

    meter.set_total(20);
    const auto full = meter.snapshot(progress_kind::completed);
    CHECK(full.eta_s == 0.0);
    CHECK(full.percent() == 100.0);
}

TEST_CASE("progress_meter: after one window the rates follow the recent pace") {
    fake_clock clock;
    strata::progress_meter meter(170, clock.function());
    meter.set_window(10s);
    meter.start();
    // 1 document (100 bytes) a second for 20 s...
    for (int s = 1; s <= 20; ++s) {
        clock.now += 1s;
        meter.advance(1, 100, 100, "slow");
        if (s == 15) {
            const auto e = meter.snapshot();
            CHECK(e.documents_per_s == 1.0);  // (15 - 5) / 10 s
            CHECK(e.eta_s == 155.0);
        }
    }
    // ... then 5 documents (1000 bytes) a second for 10 s.
    for (int s = 21; s <= 30; ++s) {
        clock.now += 1s;
        meter.advance(5, 1000, 1000, "fast");
    }
    const auto e = meter.snapshot();
    CHECK(e.done == 70);
    CHECK(e.elapsed_s == 30.0);
    CHECK(e.documents_per_s == 5.0);   // (70 - 20) / 10 s, not the run's 70 / 30
    CHECK(e.bytes_per_s == 1000.0);    // (12000 - 2000) / 10 s
    CHECK(e.eta_s == 20.0);            // 100 left at 5/s

    // Nothing for 5 s: the window now holds 25 documents over 10 s.
    clock.now += 5s;
    const auto slower = meter.snapshot();
    CHECK(slower.documents_per_s == 2.5);  // (70 - 45) / 10 s
    CHECK(slower.eta_s == 40.0);
    // Nothing for a whole window: the rate falls to 0 and there is no ETA.
    clock.now += 10s;
    const auto stalled = meter.snapshot();
    CHECK(stalled.documents_per_s == 0.0);
    CHECK_FALSE(stalled.eta_s.has_value());
}

TEST_CASE("progress_meter: samples stay few however many documents pass, and rates stay right") {
    fake_clock clock;
    strata::progress_meter meter(2'000'000, clock.function());
    meter.set_window(10s);
    meter.start();
    // 1,000,000 documents, one every 20 us (50,000/s) for 20 s.
    for (int i = 0; i < 1'000'000; ++i) {
        clock.now += 20us;
        meter.advance(1, 10, 10, "d");
    }
    const auto e = meter.snapshot();
    CHECK(e.elapsed_s == 20.0);
    // The window base is the newest sample at or before 10 s: samples are 625 ms apart.
    CHECK(e.documents_per_s == doctest::Approx(50'000.0));
    CHECK(e.eta_s.has_value());
    CHECK(*e.eta_s == doctest::Approx(20.0));
}

TEST_CASE("progress_meter: paused time is left out of elapsed time and rates") {
    fake_clock clock;
    strata::progress_meter meter(40, clock.function());
    meter.start();
    clock.now += 2s;
    meter.advance(10, 0, 0, "a");
    meter.pause();
    CHECK(meter.paused());
    clock.now += 100s;
    const auto paused = meter.snapshot(progress_kind::paused);
    CHECK(paused.elapsed_s == 2.0);
    CHECK(paused.documents_per_s == 5.0);
    CHECK(paused.eta_s == 6.0);
    meter.pause();  // twice: no effect
    meter.resume();
    CHECK_FALSE(meter.paused());
    clock.now += 2s;
    meter.advance(10, 0, 0, "b");
    const auto e = meter.snapshot();
    CHECK(e.elapsed_s == 4.0);
    CHECK(e.documents_per_s == 5.0);
    CHECK(e.eta_s == 4.0);
}

TEST_CASE("progress_meter: advance starts a meter that was not started, start restarts") {
    fake_clock clock;
    strata::progress_meter meter(10, clock.function());
    meter.advance(1, 5, 5, "x");
    clock.now += 500ms;
    CHECK(meter.snapshot().documents_per_s == 2.0);
    meter.start();
    const auto e = meter.snapshot();
    CHECK(e.done == 0);
    CHECK(e.bytes_in == 0);
    CHECK(e.current_document.empty());
}

TEST_CASE("progress_meter::due rate-limits by clock time, pauses included") {
    fake_clock clock;
    strata::progress_meter meter(10, clock.function());
    CHECK(meter.due(200ms));
    clock.now += 150ms;
    CHECK_FALSE(meter.due(200ms));
    clock.now += 50ms;
    CHECK(meter.due(200ms));
    CHECK_FALSE(meter.due(200ms));
    clock.now += 1s;
    CHECK(meter.due(200ms));
}

TEST_CASE("progress_meter runs on the steady clock by default") {
    strata::progress_meter meter(3);
    meter.start();
    meter.advance(3, 1, 1, "z");
    const auto e = meter.snapshot(progress_kind::completed);
    CHECK(e.done == 3);
    CHECK(e.elapsed_s >= 0.0);
    CHECK(e.eta_s == 0.0);
}
