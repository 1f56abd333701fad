// A chain has at least one step.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_CHAIN_EMPTY
template class strata::chain<>;
#else
template class strata::chain<up12>;
#endif
