// strata-migrate's commands on an SQLite store (sqlite:PATH), the embedded default.
#include "session_tool.hpp"

#include <strata/storage/sqlite.hpp>

namespace strata_migrate {

int run_on_sqlite(const request& r) {
    if (r.command != "import" && !fs::exists(r.store.path)) {
        throw store_unusable("there is no store at " + r.store.path + " (import creates one)");
    }
    strata::sqlite_backend store(r.store.path);
    return session_tool<strata::sqlite_backend>(store, r).run();
}

}  // namespace strata_migrate
