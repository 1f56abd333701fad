// memory_backend: the conformance suite, plus what only the memory backend promises.
#include <strata/storage/memory.hpp>
#include <strata/testing/backend_conformance.hpp>

#include <doctest/doctest.h>

STRATA_BACKEND_CONFORMANCE(strata::memory_backend);

TEST_CASE("memory_backend: a batch applies its operations in order under one lock") {
    strata::memory_backend b;
    b.put("a", "1");
    strata::write_batch batch;
    batch.put("a", "2");
    batch.erase("a");
    batch.put("b", "3");
    b.apply(batch);
    CHECK_FALSE(b.contains("a"));
    CHECK(b.get("b") == "3");
    CHECK(b.count("") == 1);
}
