// A chunked member must be one the struct declares, by its C++ name.
#include "record.hpp"

#if STRATA_FAIL_CASE_CHUNK_LAYOUT_UNKNOWN_MEMBER
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshot"> {};
#else
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots"> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
