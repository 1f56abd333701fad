// Each version type must state its number.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_VERSION_MISSING
struct bad_step { using from = unversioned; using to = rec_v2; rec_v2 up(unversioned&& r) const { return {std::move(r.name), 0}; } };
#else
struct bad_step { using from = rec_v1; using to = rec_v2; rec_v2 up(rec_v1&& r) const { return {std::move(r.name), 0}; } };
#endif
template class strata::chain<bad_step, up23>;
