# Run with cmake -P: configures strata the way the vcpkg port and the Conan recipe do (the
# options in package-options.txt), builds it and installs it into a fresh prefix.
# Needs: SOURCE_DIR, WORK_DIR, PREFIX, GENERATOR, CXX_COMPILER.
file(REMOVE_RECURSE "${WORK_DIR}" "${PREFIX}")
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/package-options.txt" options)
macro(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "strata install test: '${ARGN}' failed (${rc})")
    endif()
endmacro()
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_INSTALL_PREFIX=${PREFIX}" ${options})
run("${CMAKE_COMMAND}" --build "${WORK_DIR}")
run("${CMAKE_COMMAND}" --install "${WORK_DIR}")
foreach(expected IN ITEMS share/strata/strataConfig.cmake share/strata/strataConfigVersion.cmake
                          share/strata/strataTargets.cmake include/strata/strata.hpp
                          include/strata/version.hpp)
    if(NOT EXISTS "${PREFIX}/${expected}")
        message(FATAL_ERROR "strata install test: ${expected} was not installed")
    endif()
endforeach()
message(STATUS "strata installed into ${PREFIX}")
