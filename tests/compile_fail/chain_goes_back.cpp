// Steps are in ascending order.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_CHAIN_GOES_BACK
template class strata::chain<up23, up12>;
#else
template class strata::chain<up12, up23>;
#endif
