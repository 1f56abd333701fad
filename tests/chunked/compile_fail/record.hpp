// The record the chunk-layout compile-fail cases lay out (each case: a wrong layout under
// STRATA_FAIL_CASE_<NAME>, the right one otherwise).
#pragma once

#include <strata/chunked/layout.hpp>

#include <cstdint>
#include <string>
#include <vector>

struct shot {
    BOOST_HANA_DEFINE_STRUCT(shot, (std::string, id), (std::string, hash));
};
struct recording {
    BOOST_HANA_DEFINE_STRUCT(recording, (std::string, id), (std::int64_t, number),
                             (std::string, title), (std::vector<shot>, screenshots),
                             (std::vector<std::string>, notes));
};
