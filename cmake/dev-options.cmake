# strata_dev_options: warnings, -Werror and sanitizers for strata's own tests, examples and
# benchmarks. Never linked into the exported targets, so consumers get none of these flags.
add_library(strata_dev_options INTERFACE)
target_compile_options(strata_dev_options INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion
        -Wsign-conversion -Wold-style-cast -Wnon-virtual-dtor>
    $<$<CXX_COMPILER_ID:MSVC>:/W4 /permissive->)
if(STRATA_WERROR)
    target_compile_options(strata_dev_options INTERFACE
        $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Werror> $<$<CXX_COMPILER_ID:MSVC>:/WX>)
endif()
if(STRATA_SANITIZE)
    target_compile_options(strata_dev_options INTERFACE
        -fsanitize=${STRATA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(strata_dev_options INTERFACE -fsanitize=${STRATA_SANITIZE})
endif()
