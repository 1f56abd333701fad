// The progress bar's text, exactly: plain rate-limited lines when the output is not a terminal,
// and updating frames (bar, rates, ETA, current document cut to fit) when it is.
#include <strata/migration/progress_bar.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace {

using strata::progress_kind;

// What a FILE* received.
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

strata::progress_event event(progress_kind kind, std::uint64_t done, double elapsed_s, std::optional<double> eta_s = {}) {
    strata::progress_event e;
    e.kind = kind;
    e.done = done;
    e.total = 1000;
    e.elapsed_s = elapsed_s;
    e.documents_per_s = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
    e.bytes_per_s = e.documents_per_s * 25'000;
    e.eta_s = eta_s;
    e.current_document = "session-" + std::to_string(done);
    return e;
}

}  // namespace

TEST_CASE("not a terminal: a line at start, on pause and resume, at most every interval, and at the end") {
    captured_file out;
    strata::progress_bar bar(out.file, false, {.label = "migrate", .plain_interval = std::chrono::seconds(10)});
    CHECK_FALSE(bar.terminal());
    bar.update(event(progress_kind::started, 0, 0));
    bar.update(event(progress_kind::progress, 30, 3, 97));
    bar.update(event(progress_kind::progress, 100, 10, 90));  // 10 s after the last line
    bar.update(event(progress_kind::progress, 150, 15, 85));
    bar.update(event(progress_kind::paused, 160, 16));
    bar.update(event(progress_kind::resumed, 160, 16));
    bar.update(event(progress_kind::progress, 200, 20, 80));
    auto e = event(progress_kind::progress, 260, 26, 74.4);
    e.failed = 2;
    e.skipped = 7;
    bar(e);
    auto last = event(progress_kind::completed, 1000, 1250, 0);
    last.failed = 3;
    last.skipped = 7;
    bar.update(last);
    CHECK(out.text() ==
          "migrate: started, 1000 documents\n"
          "migrate: 100/1000 (10.0%), 10 docs/s, 0.2 MB/s, ETA 1:30\n"
          "migrate: paused at 160/1000 (16.0%)\n"
          "migrate: resumed at 160/1000 (16.0%)\n"
          "migrate: 260/1000 (26.0%), 10 docs/s, 0.2 MB/s, ETA 1:14, 2 failed, 7 skipped\n"
          "migrate: completed 1000/1000 (100.0%) in 20:50, 0.8 docs/s, 0.0 MB/s, 3 failed, 7 skipped\n");
}

TEST_CASE("not a terminal: failure and cancellation lines, and no label") {
    CHECK(strata::progress_bar::format_line(event(progress_kind::failed, 5, 2), "") ==
          "failed 5/1000 (0.5%) in 0:02, 2.5 docs/s, 0.1 MB/s");
    CHECK(strata::progress_bar::format_line(event(progress_kind::cancelled, 500, 4000), "import") ==
          "import: cancelled 500/1000 (50.0%) in 1:06:40, 0.1 docs/s, 0.0 MB/s");
    CHECK(strata::progress_bar::format_line(event(progress_kind::progress, 0, 1), "verify") ==
          "verify: 0/1000 (0.0%), 0.0 docs/s, 0.0 MB/s, ETA --:--");
}

TEST_CASE("terminal: one frame redraws the line, the final one ends it") {
    captured_file out;
    strata::progress_bar bar(out.file, true, {.label = "migrate", .width = 100});
    CHECK(bar.terminal());
    auto e = event(progress_kind::progress, 450, 3.75, 4.2);
    e.bytes_per_s = 1'534'000;
    bar.update(e);
    const std::string frame =
        "migrate [#########...........]  45.0% 450/1000 120 docs/s 1.5 MB/s ETA 0:04 session-450";
    CHECK(out.text() == "\r" + frame + "\x1b[K");

    auto done = event(progress_kind::completed, 1000, 8.0, 0);
    done.failed = 2;
    bar.update(done);
    CHECK(out.text() == "\r" + frame + "\x1b[K" +
                            "\rmigrate [####################] 100.0% 1000/1000 125 docs/s 3.1 MB/s done in 0:08 2 failed\x1b[K\n");
}

TEST_CASE("terminal: the current document is cut at its start to fit, the frame never exceeds the width") {
    strata::progress_bar_options options{.label = "mig", .width = 70, .bar_width = 10};
    auto e = event(progress_kind::paused, 50, 10);
    e.current_document = "sessions/2026/\xC3\xA9t\xC3\xA9-very-long-name-\tof-a-document-000050.json";
    const auto frame = strata::progress_bar::format_frame(e, options);
    CHECK(frame == "mig [..........]   5.0% 50/1000 5.0 docs/s 0.1 MB/s paused ...050.json");
    CHECK(strata::detail::code_point_count(frame) == 70);

    e.current_document = "\xC3\xA9t\xC3\xA9\x01-ok";
    CHECK(strata::progress_bar::format_frame(e, options) ==
          "mig [..........]   5.0% 50/1000 5.0 docs/s 0.1 MB/s paused \xC3\xA9t\xC3\xA9?-ok");

    // A document is shown only where 8 columns are left for it.
    e.current_document = "session-000050";
    options.width = 67;
    CHECK(strata::progress_bar::format_frame(e, options) ==
          "mig [..........]   5.0% 50/1000 5.0 docs/s 0.1 MB/s paused ...00050");
    options.width = 66;
    CHECK(strata::progress_bar::format_frame(e, options) == "mig [..........]   5.0% 50/1000 5.0 docs/s 0.1 MB/s paused");

    // Too narrow for anything but the counts: cut, with no document.
    options.width = 30;
    CHECK(strata::progress_bar::format_frame(e, options) == "mig [..........]   5.0% 50/100");
}

TEST_CASE("terminal: an ETA in hours, no ETA yet") {
    strata::progress_bar_options options;
    options.width = 200;
    auto e = event(progress_kind::progress, 1, 1, 7322);
    e.current_document.clear();
    CHECK(strata::progress_bar::format_frame(e, options) ==
          "[....................]   0.1% 1/1000 1.0 docs/s 0.0 MB/s ETA 2:02:02");
    e.eta_s.reset();
    CHECK(strata::progress_bar::format_frame(e, options) ==
          "[....................]   0.1% 1/1000 1.0 docs/s 0.0 MB/s ETA --:--");
}
