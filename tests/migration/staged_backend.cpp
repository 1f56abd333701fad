// staged_backend: the conformance suite over a staged view that commits after every write (it
// must then behave as any backend), and the staging itself: reads see staged writes, the base
// sees nothing until commit, savepoints take back exactly the writes after them.
#include <strata/storage/memory.hpp>
#include <strata/storage/staged.hpp>
#include <strata/testing/backend_conformance.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

namespace {

/// A staged view that commits each write at once: a plain backend, for the conformance suite.
/// (A staged view serves one thread; the lock lets the suite's concurrent cases run.)
class committing_staged {
public:
    std::optional<std::string> get(std::string_view k) const {
        std::shared_lock lock(mutex_);
        return staged_.get(k);
    }
    bool contains(std::string_view k) const {
        std::shared_lock lock(mutex_);
        return staged_.contains(k);
    }
    std::vector<strata::key_value> scan(std::string_view p, std::optional<std::string_view> a, std::size_t l) const {
        std::shared_lock lock(mutex_);
        return staged_.scan(p, a, l);
    }
    std::size_t count(std::string_view p) const {
        std::shared_lock lock(mutex_);
        return staged_.count(p);
    }
    void put(std::string_view k, std::string_view v) {
        std::unique_lock lock(mutex_);
        staged_.put(k, v);
        staged_.commit();
    }
    bool erase(std::string_view k) {
        std::unique_lock lock(mutex_);
        const bool was = staged_.erase(k);
        staged_.commit();
        return was;
    }
    void apply(const strata::write_batch& b) {
        std::unique_lock lock(mutex_);
        staged_.apply(b);
        staged_.commit();
    }

private:
    mutable std::shared_mutex mutex_;
    std::unique_ptr<strata::memory_backend> base_ = std::make_unique<strata::memory_backend>();
    mutable strata::staged_backend<strata::memory_backend> staged_{*base_};
};

}  // namespace

STRATA_BACKEND_CONFORMANCE(committing_staged);

TEST_CASE("staged writes: visible to reads, invisible to the base until commit") {
    strata::memory_backend base;
    base.put("a/1", "one");
    base.put("a/2", "two");
    base.put("a/3", "three");
    strata::staged_backend staged(base);
    staged.put("a/2", "TWO");
    staged.erase("a/3");
    staged.put("a/4", "four");
    CHECK(staged.get("a/2") == "TWO");
    CHECK_FALSE(staged.contains("a/3"));
    CHECK(staged.count("a/") == 3);
    const auto all = staged.scan("a/", std::nullopt, strata::no_limit);
    REQUIRE(all.size() == 3);
    CHECK(all[0] == strata::key_value{"a/1", "one"});
    CHECK(all[1] == strata::key_value{"a/2", "TWO"});
    CHECK(all[2] == strata::key_value{"a/4", "four"});
    const auto paged = staged.scan("a/", std::string_view("a/1"), 1);
    REQUIRE(paged.size() == 1);
    CHECK(paged[0].key == "a/2");
    CHECK(base.get("a/2") == "two");
    CHECK(base.contains("a/3"));
    staged.commit();
    CHECK(base.get("a/2") == "TWO");
    CHECK_FALSE(base.contains("a/3"));
    CHECK(base.get("a/4") == "four");
    CHECK(staged.staged_keys() == 0);
}

TEST_CASE("a savepoint takes back exactly the writes after it") {
    strata::memory_backend base;
    base.put("k", "base");
    strata::staged_backend staged(base);
    staged.put("k", "first");
    staged.put("x", "kept");
    const auto mark = staged.savepoint();
    staged.put("k", "second");
    staged.erase("x");
    staged.put("y", "gone");
    staged.put("k", "third");
    staged.rollback_to(mark);
    CHECK(staged.get("k") == "first");
    CHECK(staged.get("x") == "kept");
    CHECK_FALSE(staged.contains("y"));
    CHECK(staged.staged_keys() == 2);
    CHECK(staged.staged_bytes() == std::string("kfirst").size() + std::string("xkept").size());
    staged.rollback_to(0);
    CHECK(staged.get("k") == "base");
    CHECK(staged.staged_keys() == 0);
    CHECK(staged.staged_bytes() == 0);
}

TEST_CASE("a scan reads past base pages emptied by staged erases") {
    strata::memory_backend base;
    for (int i = 0; i < 1000; ++i) base.put("p/" + std::to_string(10000 + i), "v");
    strata::staged_backend staged(base);
    for (int i = 0; i < 999; ++i) staged.erase("p/" + std::to_string(10000 + i));
    const auto page = staged.scan("p/", std::nullopt, 5);
    REQUIRE(page.size() == 1);
    CHECK(page[0].key == "p/10999");
    CHECK(staged.count("p/") == 1);
}
