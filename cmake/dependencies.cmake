# Finds strata's dependencies. Each one is a Debian 12 package; when one is missing, the error
# names the package to install (scripts/deps.sh installs them all).

# strata_require(<find_package name> DEBIAN <package> [find_package arguments...])
macro(strata_require name)
    cmake_parse_arguments(_strata_req "" "DEBIAN" "" ${ARGN})
    find_package(${name} ${_strata_req_UNPARSED_ARGUMENTS} QUIET)
    if(NOT ${name}_FOUND)
        message(FATAL_ERROR
            "strata: dependency '${name}' was not found.\n"
            "On Debian 12 install it with:  apt-get install ${_strata_req_DEBIAN}\n"
            "or run scripts/deps.sh, which installs everything strata needs.")
    endif()
endmacro()

# Find modules for the libraries that ship no CMake package (xxHash, libsodium, LZ4); installed with strata.
list(APPEND CMAKE_MODULE_PATH "${PROJECT_SOURCE_DIR}/cmake/modules")

# The core needs only Boost.Hana (header-only).
strata_require(Boost DEBIAN libboost1.81-dev 1.81 CONFIG)

# Optional parts need a compiled library each. strata's own build needs them all; a consumer
# that adds strata with add_subdirectory gets each optional target only when its dependency is
# there (and a clear message when it is not).
set(strata_building_own_targets OFF)
if(PROJECT_IS_TOP_LEVEL OR STRATA_BUILD_TESTS OR STRATA_BUILD_EXAMPLES OR STRATA_BUILD_BENCHMARKS)
    set(strata_building_own_targets ON)
endif()

# strata_optional(<component> <find_package name> DEBIAN <package> [find_package arguments...])
# Sets STRATA_HAVE_<COMPONENT>.
macro(strata_optional component name)
    string(TOUPPER "${component}" _strata_opt_upper)
    if(strata_building_own_targets)
        strata_require(${name} ${ARGN})
    else()
        cmake_parse_arguments(_strata_opt "" "DEBIAN" "" ${ARGN})
        find_package(${name} ${_strata_opt_UNPARSED_ARGUMENTS} QUIET)
        if(NOT ${name}_FOUND)
            message(STATUS "strata: strata::${component} is not available: '${name}' was not found "
                           "(Debian 12: apt-get install ${_strata_opt_DEBIAN})")
        endif()
    endif()
    set(STRATA_HAVE_${_strata_opt_upper} ${${name}_FOUND})
endmacro()

strata_optional(json simdjson DEBIAN libsimdjson-dev 3.0 CONFIG)
strata_optional(sqlite SQLite3 DEBIAN libsqlite3-dev)
strata_optional(openssl OpenSSL DEBIAN libssl-dev 3.0)
strata_optional(xxhash xxhash DEBIAN libxxhash-dev 0.8.1)
strata_optional(sodium sodium DEBIAN libsodium-dev 1.0.18)
strata_optional(zstd zstd DEBIAN libzstd-dev 1.5 CONFIG)
strata_optional(lz4 lz4 DEBIAN liblz4-dev 1.9)
strata_optional(fmt fmt DEBIAN libfmt-dev 9 CONFIG)
