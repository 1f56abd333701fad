// append<Member> must name a member the layout chunks.
#include "record.hpp"

#include <strata/chunked/chunked_store.hpp>
#include <strata/storage/memory.hpp>

#include <string>

template <>
struct strata::chunk_layout<recording> : strata::chunked<"id", 64, "screenshots"> {};

void add_one(strata::chunked_store<recording, strata::memory_backend>& store) {
#if STRATA_FAIL_CASE_CHUNKED_APPEND_UNCHUNKED
    store.append<"notes">("r", std::string("a note"));
#else
    store.append<"screenshots">("r", shot{"s", "sha256:00"});
#endif
}
