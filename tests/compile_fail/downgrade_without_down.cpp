// downgrade_to<N> needs down on every step above N.
#include "records.hpp"
#include <strata/chain.hpp>

struct reversible23 {
    using from = rec_v2;
    using to = rec_v3;
    rec_v3 up(rec_v2&& r) const { return {std::move(r.name), r.size, true}; }
    rec_v2 down(rec_v3&& r) const { return {std::move(r.name), r.size}; }
};

rec_v2 go_back(strata::chain<up12, reversible23>& c, rec_v3 r) {
#if STRATA_FAIL_CASE_DOWNGRADE_WITHOUT_DOWN
    (void)c.downgrade_to<1>(rec_v3{r});
#endif
    return c.downgrade_to<2>(std::move(r));
}
