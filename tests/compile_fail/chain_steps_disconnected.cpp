// One type per version: the next step must start from this step's `to` type.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_CHAIN_STEPS_DISCONNECTED
struct other23 { using from = other_v2; using to = rec_v3; rec_v3 up(other_v2&& r) const { return {std::move(r.label), 0, false}; } };
template class strata::chain<up12, other23>;
#else
template class strata::chain<up12, up23>;
#endif
