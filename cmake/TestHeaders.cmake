# strata_add_header_test(<target> <include dir> <link targets>...)
# Every public header must compile on its own and must not break the one-definition rule: one
# translation unit per header (each including it twice), all linked into one executable.
function(strata_add_header_test target include_dir)
    file(GLOB_RECURSE headers RELATIVE "${include_dir}" CONFIGURE_DEPENDS "${include_dir}/strata/*.hpp")
    list(FILTER headers EXCLUDE REGEX "/detail/")
    set(sources "")
    foreach(header IN LISTS headers)
        string(MAKE_C_IDENTIFIER "${header}" id)
        set(tu "${CMAKE_CURRENT_BINARY_DIR}/header_test/${id}.cpp")
        file(CONFIGURE OUTPUT "${tu}" CONTENT
             "// Generated: <${header}> must compile on its own and twice over.\n#include <${header}>\n#include <${header}>\n")
        list(APPEND sources "${tu}")
    endforeach()
    set(main "${CMAKE_CURRENT_BINARY_DIR}/header_test/main.cpp")
    # A public header may include <doctest/doctest.h> (strata/testing/backend_conformance.hpp):
    # doctest.h registers a static object in every translation unit that includes it, so the
    # program needs doctest's implementation, which this main then provides.
    file(CONFIGURE OUTPUT "${main}" CONTENT [[
// Generated: the header test's main (and doctest's implementation, for headers that use it).
#if __has_include(<doctest/doctest.h>)
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#endif
int main() { return 0; }
]])
    add_executable(${target} ${sources} "${main}")
    target_link_libraries(${target} PRIVATE ${ARGN})
    add_test(NAME ${target} COMMAND ${target})
    list(LENGTH headers count)
    message(STATUS "strata: ${count} public headers in the self-containment test")
endfunction()
