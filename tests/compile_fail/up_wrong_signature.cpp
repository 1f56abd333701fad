// up must accept the step's `from` and return exactly its `to`.
#include "records.hpp"
#include <strata/chain.hpp>

#if STRATA_FAIL_CASE_UP_WRONG_SIGNATURE
struct bad_step { using from = rec_v1; using to = rec_v2; rec_v3 up(rec_v1&& r) const { return {std::move(r.name), 0, false}; } };
#else
struct bad_step { using from = rec_v1; using to = rec_v2; rec_v2 up(const rec_v1& r) const { return {r.name, 0}; } };
#endif
template class strata::chain<bad_step, up23>;
