// The id member must be a std::string (it is the key).
#include "record.hpp"

#if STRATA_FAIL_CASE_CHUNK_LAYOUT_ID_NOT_STRING
template <>
struct strata::chunk_layout<recording> : strata::chunked<"number", 64, "screenshots"> {};
#else
template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots"> {};
#endif

static_assert(strata::check_chunk_layout<recording>());
