// A chunk holds at least one element (here a per-member size of 0).
#include "record.hpp"

#if STRATA_FAIL_CASE_CHUNK_LAYOUT_CHUNK_SIZE_ZERO
template <>
struct strata::chunk_layout<recording>
    : strata::chunked<"id", 64, "screenshots", strata::chunk_member{"notes", 0}> {};
#else
template <>
struct strata::chunk_layout<recording>
    : strata::chunked<"id", 64, "screenshots", strata::chunk_member{"notes", 16}> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
