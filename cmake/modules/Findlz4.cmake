# Finds LZ4 (Debian 12: liblz4-dev), which ships no CMake package of its own.
# Defines lz4_FOUND, lz4_VERSION and the imported target LZ4::lz4.
find_path(lz4_INCLUDE_DIR NAMES lz4.h)
find_library(lz4_LIBRARY NAMES lz4)
if(lz4_INCLUDE_DIR AND EXISTS "${lz4_INCLUDE_DIR}/lz4.h")
    file(STRINGS "${lz4_INCLUDE_DIR}/lz4.h" _lz4_version_lines
         REGEX "^#define LZ4_VERSION_(MAJOR|MINOR|RELEASE) +[0-9]+")
    foreach(part IN ITEMS MAJOR MINOR RELEASE)
        string(REGEX MATCH "LZ4_VERSION_${part} +([0-9]+)" _ "${_lz4_version_lines}")
        set(_lz4_${part} "${CMAKE_MATCH_1}")
    endforeach()
    set(lz4_VERSION "${_lz4_MAJOR}.${_lz4_MINOR}.${_lz4_RELEASE}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(lz4 REQUIRED_VARS lz4_LIBRARY lz4_INCLUDE_DIR
                                  VERSION_VAR lz4_VERSION)
if(lz4_FOUND AND NOT TARGET LZ4::lz4)
    add_library(LZ4::lz4 UNKNOWN IMPORTED)
    set_target_properties(LZ4::lz4 PROPERTIES
        IMPORTED_LOCATION "${lz4_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${lz4_INCLUDE_DIR}")
endif()
mark_as_advanced(lz4_INCLUDE_DIR lz4_LIBRARY)
