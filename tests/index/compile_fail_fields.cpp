// Compile-fail cases of index field declarations (tests/index/CMakeLists.txt): each wrong
// declaration is refused with its strata: message; the #else twin, a correct one, builds.
#include <strata/index/fields.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace index_compile_fail {
struct item {
    BOOST_HANA_DEFINE_STRUCT(item, (std::string, when), (std::int64_t, count));
};
struct record {
    BOOST_HANA_DEFINE_STRUCT(record, (std::string, id), (std::string, title), (std::vector<item>, items));
};
}  // namespace index_compile_fail
using index_compile_fail::record;

#if STRATA_FAIL_CASE_INDEX_FIELD_UNKNOWN_MEMBER
using fields = strata::index_fields<strata::text<"titel">>;
#elif STRATA_FAIL_CASE_INDEX_DATE_THROUGH_VECTOR
using fields = strata::index_fields<strata::date<"items", "when">>;
#elif STRATA_FAIL_CASE_INDEX_TEXT_WRONG_TYPE
using fields = strata::index_fields<strata::text<"items", "count">>;
#else
using fields = strata::index_fields<strata::text<"title">, strata::tags<"items", "when">>;
#endif

strata::index_entry read_fields(const record& r) { return strata::extract_index_entry<record, fields>(r); }
