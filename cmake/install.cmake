# Install rules: headers, the exported targets and a relocatable CMake package in share/strata
# (the location vcpkg_cmake_config_fixup() expects).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(strata_config_dir "${CMAKE_INSTALL_DATADIR}/strata")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.hpp")
install(TARGETS ${strata_exported_targets} EXPORT strataTargets
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT strataTargets NAMESPACE strata:: DESTINATION "${strata_config_dir}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/strataConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/strataConfig.cmake"
                              INSTALL_DESTINATION "${strata_config_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/strataConfigVersion.cmake"
                                 COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/strataConfig.cmake"
              "${PROJECT_BINARY_DIR}/strataConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/modules/Findxxhash.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/modules/Findsodium.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/modules/Findlz4.cmake"
        DESTINATION "${strata_config_dir}")

# Build-tree consumers can point strata_DIR at the build folder.
export(EXPORT strataTargets NAMESPACE strata:: FILE "${PROJECT_BINARY_DIR}/strataTargets.cmake")
