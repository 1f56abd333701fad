// A step must say which versions it converts: `using from = ...; using to = ...;`.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_STEP_NAMES_NO_VERSIONS
struct bad_step { rec_v2 up(rec_v1&& r) const { return {std::move(r.name), 0}; } };
#else
struct bad_step { using from = rec_v1; using to = rec_v2; rec_v2 up(rec_v1&& r) const { return {std::move(r.name), 0}; } };
#endif
template class strata::chain<bad_step, up23>;
