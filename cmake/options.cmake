# strata's options, all namespaced. Tests, examples and install default to on only when strata
# is the top-level project, so a consumer's add_subdirectory(strata) builds none of them.
option(STRATA_BUILD_TESTS "Build strata's tests" ${PROJECT_IS_TOP_LEVEL})
option(STRATA_BUILD_EXAMPLES "Build strata's examples (and run them as tests)" ${PROJECT_IS_TOP_LEVEL})
option(STRATA_BUILD_BENCHMARKS "Build strata's benchmarks (needs Google Benchmark)" OFF)
option(STRATA_INSTALL "Generate strata's install rules and CMake package" ${PROJECT_IS_TOP_LEVEL})

# Developer switches, used by scripts/test.sh; they only touch strata's own targets.
option(STRATA_WERROR "Treat warnings as errors in strata's own targets" OFF)
set(STRATA_SANITIZE "" CACHE STRING "Sanitizers for strata's own targets, e.g. address,undefined")
option(STRATA_BUILD_FUZZERS "Build the libFuzzer targets (needs clang)" OFF)
