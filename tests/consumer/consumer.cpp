// The program both consumer projects build: it includes the umbrella header and uses it.
#include <strata/strata.hpp>

#include <cstdio>

int main() {
    static_assert(strata::version.major == STRATA_VERSION_MAJOR);
    std::printf("strata consumer: ok (strata %.*s)\n",
                static_cast<int>(strata::version_string.size()), strata::version_string.data());
    return 0;
}
