// Each chunked member is named once.
#include "record.hpp"

#if STRATA_FAIL_CASE_CHUNK_LAYOUT_MEMBER_TWICE
template <>
struct strata::chunk_layout<recording>
    : strata::chunked<"id", 64, "screenshots", "notes", "screenshots"> {};
#else
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots", "notes"> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
