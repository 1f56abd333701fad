// The program both consumer projects build: it includes the umbrella header and the SQLite
// backend's (an opt-in integration, like the codec) and uses them.
#include <strata/storage/sqlite.hpp>
#include <strata/strata.hpp>

#include <cstdio>

int main() {
    static_assert(strata::version.major == STRATA_VERSION_MAJOR);
    auto store = strata::sqlite_backend::in_memory();
    strata::write_batch batch;
    batch.put("a", "1");
    batch.put("b", "2");
    store.apply(batch);
    if (store.count("") != 2 || store.get("b") != "2") {
        std::printf("strata consumer: the SQLite backend does not work\n");
        return 1;
    }
    std::printf("strata consumer: ok (strata %.*s)\n",
                static_cast<int>(strata::version_string.size()), strata::version_string.data());
    return 0;
}
