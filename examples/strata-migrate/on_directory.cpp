// strata-migrate's commands on a filesystem store (dir:PATH): one file per key.
#include "session_tool.hpp"

#include <strata/storage/filesystem.hpp>

namespace strata_migrate {

int run_on_directory(const request& r) {
    if (r.command != "import" && !fs::is_directory(r.store.path)) {
        throw store_unusable("there is no store at " + r.store.path + " (import creates one)");
    }
    strata::filesystem_backend store(r.store.path);
    return session_tool<strata::filesystem_backend>(store, r).run();
}

}  // namespace strata_migrate
