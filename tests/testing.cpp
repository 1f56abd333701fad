#include <strata/testing.hpp>

#include "sessions/schema.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

namespace {
using store = sessions::memory_content_store;
using chain_type = sessions::session_chain<store>;
}  // namespace

TEST_CASE("the sessions chain passes its fixtures") {
    store blobs;
    chain_type chain{sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<store>{&blobs}};
    strata::testing::migration_tester tester{chain, sessions::session_version{}};
    const auto results = tester.run_directory(STRATA_TEST_DATA_DIR "/sessions_fixtures");
    CHECK_MESSAGE(strata::testing::all_passed(results), strata::testing::report(results));
    CHECK(results.size() == 5);  // two golden checks, three fixtures
    CHECK(blobs.blobs().count("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824") == 1);
}

TEST_CASE("a wrong golden result is reported with the differing paths") {
    store blobs;
    chain_type chain{sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<store>{&blobs}};
    strata::testing::migration_tester tester{chain, sessions::session_version{}};
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(STRATA_TEST_WORK_DIR) / "wrong_golden";
    fs::remove_all(dir);
    fs::create_directories(dir / "case");
    fs::copy_file(fs::path(STRATA_TEST_DATA_DIR) / "sessions_fixtures/minimal/v1.json", dir / "case/v1.json");
    std::ifstream in(fs::path(STRATA_TEST_DATA_DIR) / "sessions_fixtures/minimal/expected.json");
    std::string golden((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    golden.replace(golden.find("\"size\": 5"), 9, "\"size\": 6");
    std::ofstream(dir / "case/expected.json") << golden;

    const auto results = tester.run_directory(dir);
    REQUIRE(results.size() == 2);
    CHECK(results[0].passed());  // the golden document itself is a valid, lossless v3
    REQUIRE_FALSE(results[1].passed());
    REQUIRE(results[1].differences.size() == 1);
    CHECK(results[1].differences[0].path == "screenshots[0].attachment.size");
    const std::string text = strata::testing::report(results);
    CHECK(text.find("FAILED case/v1.json") != std::string::npos);
    CHECK(text.find("screenshots[0].attachment.size: got 5, expected 6") != std::string::npos);
    CHECK(text.find("1 of 2 fixtures passed") != std::string::npos);
}

TEST_CASE("a fixture whose name and declared version disagree is refused") {
    store blobs;
    chain_type chain{sessions::session_v1_to_v2{}, sessions::session_v2_to_v3<store>{&blobs}};
    strata::testing::migration_tester tester{chain, sessions::session_version{}};
    const auto result = tester.check("mislabelled", 1, R"({"schemaVersion":2,"id":"x"})", "{}");
    CHECK_FALSE(result.passed());
    CHECK(result.error == "the fixture declares version 2, its name says 1");
}
