#include <strata/version.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_CASE("the header and the CMake project agree on the version") {
    CHECK(std::string(strata::version_string) == STRATA_CMAKE_PROJECT_VERSION);
}

TEST_CASE("the version parts, the text and the integer agree") {
    CHECK(strata::version.major == STRATA_VERSION_MAJOR);
    CHECK(strata::version.minor == STRATA_VERSION_MINOR);
    CHECK(strata::version.patch == STRATA_VERSION_PATCH);
    CHECK(STRATA_VERSION == STRATA_VERSION_MAJOR * 10000 + STRATA_VERSION_MINOR * 100 +
                                STRATA_VERSION_PATCH);
    const std::string expected = std::to_string(strata::version.major) + "." +
                                 std::to_string(strata::version.minor) + "." +
                                 std::to_string(strata::version.patch);
    CHECK(std::string(strata::version_string) == expected);
}

TEST_CASE("the public API sits in the ABI namespace strata::v1") {
    CHECK(&strata::v1::version == &strata::version);
}
