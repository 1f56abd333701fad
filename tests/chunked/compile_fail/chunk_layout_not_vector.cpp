// A chunked member must be a std::vector.
#include "record.hpp"

#if STRATA_FAIL_CASE_CHUNK_LAYOUT_NOT_VECTOR
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots", "title"> {};
#else
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots", "notes"> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
