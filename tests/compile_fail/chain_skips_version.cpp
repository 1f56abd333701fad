// Steps connect: v1->v2 then v3->v4 leaves out v2->v3.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_CHAIN_SKIPS_VERSION
template class strata::chain<up12, up34>;
#else
template class strata::chain<up12, up23, up34>;
#endif
