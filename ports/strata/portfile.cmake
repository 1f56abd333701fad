# Local development: `STRATA_SOURCE_DIR=/path/to/strata vcpkg install strata
# --overlay-ports=ports` builds the checkout instead of a release tarball. vcpkg does not
# hash that tree, so pass --no-binarycaching to pick up edits; on Windows also list
# STRATA_SOURCE_DIR in the triplet's VCPKG_ENV_PASSTHROUGH.
if(DEFINED ENV{STRATA_SOURCE_DIR})
    file(TO_CMAKE_PATH "$ENV{STRATA_SOURCE_DIR}" SOURCE_PATH)
else()
    vcpkg_from_github(
        OUT_SOURCE_PATH SOURCE_PATH
        REPO strata-cpp/strata
        REF "v${VERSION}"
        # Filled in on release: vcpkg reports the real hash when this one does not match.
        SHA512 0
        HEAD_REF main
    )
endif()

# Header-only: a single (release) configuration is enough.
set(VCPKG_BUILD_TYPE release)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DSTRATA_BUILD_TESTS=OFF
        -DSTRATA_BUILD_EXAMPLES=OFF
        -DSTRATA_BUILD_BENCHMARKS=OFF
        -DSTRATA_INSTALL=ON
)
vcpkg_cmake_install()
# No arguments: CMakeLists.txt already installs the config into share/strata.
vcpkg_cmake_config_fixup()

# Nothing binary is installed; drop the empty library folders.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
