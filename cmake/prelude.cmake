# Refuse in-source builds: they mix generated files with the sources.
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_BINARY_DIR)
    message(FATAL_ERROR
        "strata: in-source builds are not supported. Build in a folder of its own, e.g.\n"
        "  cmake -S . -B build && cmake --build build\n"
        "and remove the CMakeCache.txt and CMakeFiles/ just created here.")
endif()
