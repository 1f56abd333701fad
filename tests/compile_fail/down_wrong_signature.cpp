// down, when a step has one, must take its `to` and return its `from`.
#include "records.hpp"
#include <strata/chain.hpp>

struct reversible_step {
    using from = rec_v1;
    using to = rec_v2;
    rec_v2 up(rec_v1&& r) const { return {std::move(r.name), 0}; }
#if STRATA_FAIL_CASE_DOWN_WRONG_SIGNATURE
    rec_v1 down(rec_v3&& r) const { return {std::move(r.name)}; }
#else
    rec_v1 down(rec_v2&& r) const { return {std::move(r.name)}; }
#endif
};
template class strata::chain<reversible_step, up23>;
