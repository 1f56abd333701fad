// A fresh, empty directory for one test's files, under the test target's STRATA_TEST_WORK_DIR
// (tests/CMakeLists.txt defines it per target): whatever an earlier run left there is removed.
#pragma once

#include <filesystem>
#include <string>

namespace strata_test {

inline std::filesystem::path scratch(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(STRATA_TEST_WORK_DIR) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace strata_test
