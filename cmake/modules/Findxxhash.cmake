# Finds xxHash (Debian 12: libxxhash-dev), which ships no CMake package of its own.
# Defines xxhash_FOUND, xxhash_VERSION and the imported target xxHash::xxhash.
find_path(xxhash_INCLUDE_DIR NAMES xxhash.h)
find_library(xxhash_LIBRARY NAMES xxhash)
if(xxhash_INCLUDE_DIR AND EXISTS "${xxhash_INCLUDE_DIR}/xxhash.h")
    file(STRINGS "${xxhash_INCLUDE_DIR}/xxhash.h" _xxhash_version_lines
         REGEX "^#define XXH_VERSION_(MAJOR|MINOR|RELEASE) +[0-9]+")
    foreach(part IN ITEMS MAJOR MINOR RELEASE)
        string(REGEX MATCH "XXH_VERSION_${part} +([0-9]+)" _ "${_xxhash_version_lines}")
        set(_xxhash_${part} "${CMAKE_MATCH_1}")
    endforeach()
    set(xxhash_VERSION "${_xxhash_MAJOR}.${_xxhash_MINOR}.${_xxhash_RELEASE}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxhash REQUIRED_VARS xxhash_LIBRARY xxhash_INCLUDE_DIR
                                  VERSION_VAR xxhash_VERSION)
if(xxhash_FOUND AND NOT TARGET xxHash::xxhash)
    add_library(xxHash::xxhash UNKNOWN IMPORTED)
    set_target_properties(xxHash::xxhash PROPERTIES
        IMPORTED_LOCATION "${xxhash_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${xxhash_INCLUDE_DIR}")
endif()
mark_as_advanced(xxhash_INCLUDE_DIR xxhash_LIBRARY)
