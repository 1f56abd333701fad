// load(save(x)) == x for every document of the sessions corpus at v3, stored chunked
// (screenshots and audio segments in chunks of 16; examples/sessions/chunked_layout.hpp), on
// memory and on SQLite; and appends of screenshots that write what a save of the whole session
// writes.
#include "sessions/chunked_layout.hpp"
#include "sessions/corpus.hpp"
#include "sessions/schema.hpp"
#include "support.hpp"

#include <strata/diff.hpp>
#include <strata/dual_read.hpp>
#include <strata/json/encode.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

using namespace chunked_test;

namespace {

using session = sessions::session_v3;

// The corpus of the benchmarks and the oracle test (1,000 sessions, two of them with hundreds of
// screenshots), upgraded to v3 once per process.
const std::vector<session>& corpus() {
    static const std::vector<session> upgraded = [] {
        sessions::memory_content_store blobs;
        sessions::session_chain<sessions::memory_content_store> chain{
            sessions::session_v1_to_v2{},
            sessions::session_v2_to_v3<sessions::memory_content_store>{&blobs}};
        strata::dual_reader reader{chain, sessions::session_version{}};
        std::vector<session> out;
        for (const auto& d : sessions_corpus::generate({}))
            out.push_back(reader.read(d.id, d.json));
        return out;
    }();
    return upgraded;
}

}  // namespace

// The corpus is generated once per process: both backends in one test case (each case of a
// doctest executable runs in a process of its own under CTest).
template <class F>
void round_trip_every_session() {
    F f;
    CAPTURE(F::name);
    strata::chunked_store<session, decltype(f.backend)> store(f.backend, "sessions/");
    const auto& sessions = corpus();
    REQUIRE(sessions.size() == 1000);
    std::size_t chunked_screenshots = 0, most = 0;
    for (const session& s : sessions) store.save(s);
    CHECK(store.count() == sessions.size());
    for (const session& s : sessions) {
        const auto loaded = store.load(s.id);
        REQUIRE(loaded.has_value());
        const auto differences = strata::diff(*loaded, s);
        INFO(s.id << "\n" << strata::format(differences));
        REQUIRE(differences.empty());
        REQUIRE(strata::json::encode(*loaded) == strata::json::encode(s));
        chunked_screenshots += s.screenshots.size();
        most = std::max(most, s.screenshots.size());
    }
    CHECK(most > 300);  // the corpus's big sessions span several chunks
    std::size_t listed = 0, counted = 0;
    store.for_each_metadata([&](const strata::chunked_metadata<session>& m) {
        ++listed;
        counted += m.length<"screenshots">();
        CHECK(m.document.screenshots.empty());
        CHECK(m.length<"screenshots">() == m.document.stats.screenshot_count);
        CHECK(m.length<"audio_segments">() == m.document.stats.audio_segment_count);
    });
    CHECK(listed == sessions.size());
    CHECK(counted == chunked_screenshots);
}

TEST_CASE(
    "chunked sessions: load(save(x)) == x for every session of the corpus, on memory and SQLite") {
    round_trip_every_session<memory_fixture>();
    round_trip_every_session<sqlite_fixture>();
}

TEST_CASE_TEMPLATE(
    "chunked sessions: appending a big session's screenshots one by one writes what save writes", F,
    memory_fixture, sqlite_fixture) {
    F f;
    strata::chunked_store<session, decltype(f.backend)> store(f.backend, "sessions/",
                                                              fixed_clock());
    // The corpus's first session (one of its big ones), generated alone.
    static const session big = [] {
        sessions::memory_content_store blobs;
        sessions::session_chain<sessions::memory_content_store> chain{
            sessions::session_v1_to_v2{},
            sessions::session_v2_to_v3<sessions::memory_content_store>{&blobs}};
        strata::dual_reader reader{chain, sessions::session_version{}};
        const auto first = sessions_corpus::generate({.count = 1});
        return reader.read(first.front().id, first.front().json);
    }();
    REQUIRE(big.screenshots.size() > 130);
    session growing = big;
    growing.screenshots.clear();
    growing.stats.screenshot_count = 0;
    store.save(growing);
    for (std::size_t i = 0; i < 130; ++i) {  // across eight chunk boundaries
        store.template append<"screenshots">(big.id, big.screenshots[i],
                                             [](session& meta) { ++meta.stats.screenshot_count; });
        growing.screenshots.push_back(big.screenshots[i]);
        ++growing.stats.screenshot_count;
    }
    strata::memory_backend reference;
    strata::chunked_store<session, strata::memory_backend>(reference, "sessions/", fixed_clock())
        .save(growing);
    CHECK(dump(f.backend) == dump(reference));
    const auto loaded = store.load(big.id);
    REQUIRE(loaded.has_value());
    CHECK(strata::equal(*loaded, growing));
}
