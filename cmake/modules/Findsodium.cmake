# Finds libsodium (Debian 12: libsodium-dev), which ships no CMake package of its own.
# Defines sodium_FOUND, sodium_VERSION and the imported target sodium::sodium.
find_path(sodium_INCLUDE_DIR NAMES sodium.h)
find_library(sodium_LIBRARY NAMES sodium)
if(sodium_INCLUDE_DIR AND EXISTS "${sodium_INCLUDE_DIR}/sodium/version.h")
    file(STRINGS "${sodium_INCLUDE_DIR}/sodium/version.h" _sodium_version_line
         REGEX "^#define SODIUM_VERSION_STRING \"[0-9.]+\"")
    string(REGEX MATCH "\"([0-9.]+)\"" _ "${_sodium_version_line}")
    set(sodium_VERSION "${CMAKE_MATCH_1}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(sodium REQUIRED_VARS sodium_LIBRARY sodium_INCLUDE_DIR
                                  VERSION_VAR sodium_VERSION)
if(sodium_FOUND AND NOT TARGET sodium::sodium)
    add_library(sodium::sodium UNKNOWN IMPORTED)
    set_target_properties(sodium::sodium PROPERTIES
        IMPORTED_LOCATION "${sodium_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${sodium_INCLUDE_DIR}")
endif()
mark_as_advanced(sodium_INCLUDE_DIR sodium_LIBRARY)
