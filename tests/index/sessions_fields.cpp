// The sessions index declaration (examples/sessions/search_fields.hpp) reads every text, tag
// and date of a v3 session, through its vectors and optionals; a bad time names the JSON path.
#include "sessions/search_fields.hpp"

#include <strata/storage/memory.hpp>

#include <doctest/doctest.h>

TEST_CASE("sessions index: fields of a v3 session") {
    sessions::session_v3 s;
    s.id = "session-000001";
    s.name = "Focus Editor";
    s.description = "budget";
    s.status = "active";
    s.start_time = "2025-01-02T03:04:05Z";
    s.tags = {"ops", "team-b"};
    s.screenshots.resize(2);
    s.screenshots[0].ai_analysis = "terminal compile";
    s.screenshots[1].ai_analysis = "compile";
    s.audio_segments.resize(1);
    s.audio_segments[0].transcription = "merge";
    s.summary = sessions::narrative_v2{"kickoff", {}};
    const auto e = strata::extract_index_entry<sessions::session_v3, sessions::search_fields>(s);
    std::map<std::string, std::uint32_t> terms(e.terms.begin(), e.terms.end());
    CHECK(terms.at("tcompile") == 2);
    CHECK(terms.at("tfocus") == 1);
    CHECK(terms.at("tkickoff") == 1);
    CHECK(terms.at("tmerge") == 1);
    CHECK(terms.at("tbudget") == 1);
    CHECK(terms.at("gtags:ops") == 1);
    CHECK(terms.at("gstatus:active") == 1);
    CHECK(e.length == 8);
    REQUIRE(e.dates.size() == 2);
    CHECK(e.dates[0] == strata::parse_iso8601_ms("2025-01-02T03:04:05Z"));
    CHECK_FALSE(e.dates[1]);

    s.end_time = "2025-01-02T03:04:05";  // no zone
    try {
        (void)strata::extract_index_entry<sessions::session_v3, sessions::search_fields>(s);
        FAIL("accepted");
    } catch (const strata::decode_error& err) {
        CHECK(std::string(err.what()).starts_with("document \"session-000001\": at endTime: expected an ISO-8601"));
    }

    strata::memory_backend store;
    sessions::session_index<strata::memory_backend> index(store);
    s.end_time.reset();
    index.update(s);
    const auto page = index.search(strata::parse_query("compile --tag ops --tag status=active --from 2025-01-01"));
    REQUIRE(page.total == 1);
    CHECK(page.hits[0].id == "session-000001");
}
