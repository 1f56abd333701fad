# strata_add_compile_fail_test(<case> <source> <expected message regex> [LINK <targets>...])
#
# The source holds both sides of one case:  #if STRATA_FAIL_CASE_<CASE> ... wrong code ...
# #else ... the passing twin ... #endif. The twin builds with everything else (so a case that
# fails for an unrelated reason is caught at once); the failing side is an EXCLUDE_FROM_ALL
# target that the test builds, and the test passes only when the compiler's output contains
# the expected message (never bare WILL_FAIL, which any typo would satisfy).
function(strata_add_compile_fail_test case source regex)
    cmake_parse_arguments(arg "" "" "LINK" ${ARGN})
    string(TOUPPER "${case}" upper)
    add_library(compile_fail_${case}_twin OBJECT "${source}")
    target_link_libraries(compile_fail_${case}_twin PRIVATE ${arg_LINK})
    add_library(compile_fail_${case} OBJECT EXCLUDE_FROM_ALL "${source}")
    target_link_libraries(compile_fail_${case} PRIVATE ${arg_LINK})
    target_compile_definitions(compile_fail_${case} PRIVATE STRATA_FAIL_CASE_${upper}=1)
    add_test(NAME compile_fail.${case}
             COMMAND "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target compile_fail_${case}
                     --config $<CONFIG>)
    set_tests_properties(compile_fail.${case} PROPERTIES
        PASS_REGULAR_EXPRESSION "${regex}"
        RESOURCE_LOCK strata_build_tree
        LABELS compile_fail)
endfunction()
