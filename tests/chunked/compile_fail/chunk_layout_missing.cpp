// A document stored chunked must have a chunk_layout.
#include "record.hpp"

#if !STRATA_FAIL_CASE_CHUNK_LAYOUT_MISSING
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots"> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
