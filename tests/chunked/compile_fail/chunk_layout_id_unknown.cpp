// The id must name a member the struct declares.
#include "record.hpp"

#if STRATA_FAIL_CASE_CHUNK_LAYOUT_ID_UNKNOWN
template <>
struct strata::chunk_layout<recording> : strata::chunked<"key", 64, "screenshots"> {};
#else
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots"> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
