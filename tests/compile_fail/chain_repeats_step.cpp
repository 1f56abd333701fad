// A step appears once in a chain.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_CHAIN_REPEATS_STEP
template class strata::chain<up12, up12, up23>;
#else
template class strata::chain<up12, up23>;
#endif
