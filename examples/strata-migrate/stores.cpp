// strata-migrate's commands on each kind of store: sqlite:PATH (the embedded default), dir:PATH
// (one file per key) and mem: (empty, gone when the program ends: for trying commands and tests).
//
// One translation unit for the three: with one per store kind, g++ 12 at -O2 emits IPA-SRA
// clones that reference Boost.Hana's string constants across COMDAT groups, and the link fails
// ("defined in discarded section"). Together, each constant has one home.
#include "session_tool.hpp"

#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

namespace strata_migrate {

int run_on_sqlite(const request& r) {
    if (r.command != "import" && !fs::exists(r.store.path)) {
        throw store_unusable("there is no store at " + r.store.path + " (import creates one)");
    }
    strata::sqlite_backend store(r.store.path);
    return session_tool<strata::sqlite_backend>(store, r).run();
}

int run_on_directory(const request& r) {
    if (r.command != "import" && !fs::is_directory(r.store.path)) {
        throw store_unusable("there is no store at " + r.store.path + " (import creates one)");
    }
    strata::filesystem_backend store(r.store.path);
    return session_tool<strata::filesystem_backend>(store, r).run();
}

int run_in_memory(const request& r) {
    strata::memory_backend store;
    return session_tool<strata::memory_backend>(store, r).run();
}

}  // namespace strata_migrate
