// strata-migrate's commands on an empty in-memory store (mem:), gone when the program ends: for
// trying commands and for tests.
#include "session_tool.hpp"

#include <strata/storage/memory.hpp>

namespace strata_migrate {

int run_in_memory(const request& r) {
    strata::memory_backend store;
    return session_tool<strata::memory_backend>(store, r).run();
}

}  // namespace strata_migrate
