// A step goes from N to N+1, never further.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_STEP_SKIPS_VERSION
struct up13 { using from = rec_v1; using to = rec_v3; rec_v3 up(rec_v1&& r) const { return {std::move(r.name), 0, false}; } };
template class strata::chain<up13, up34>;
#else
template class strata::chain<up12, up23, up34>;
#endif
