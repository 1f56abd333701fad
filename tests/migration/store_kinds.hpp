// One fresh store of each kind, for tests written once and run on every backend
// (TEST_CASE_TEMPLATE(..., F, memory_store, sqlite_store, filesystem_store); F{}.backend). The
// files live in the test target's scratch directory (../scratch_dir.hpp); the filesystem store
// skips fsync, which the crash tests of tests/storage and tests/faults cover.
#pragma once

#include "../scratch_dir.hpp"

#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

struct memory_store {
    static constexpr const char* name = "memory";
    strata::memory_backend backend;
};
struct sqlite_store {
    static constexpr const char* name = "sqlite";
    strata::sqlite_backend backend{strata_test::scratch("sqlite") / "store.db"};
};
struct filesystem_store {
    static constexpr const char* name = "filesystem";
    strata::filesystem_backend backend{strata_test::scratch("filesystem") / "store", {.durable = false}};
};
