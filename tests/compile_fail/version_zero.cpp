// Versions start at 1.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_VERSION_ZERO
struct first_step { using from = rec_v0; using to = rec_v1; rec_v1 up(rec_v0&& r) const { return {std::move(r.name)}; } };
template class strata::chain<first_step, up12>;
#else
template class strata::chain<up12, up23>;
#endif
