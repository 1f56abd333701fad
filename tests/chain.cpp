#include <strata/chain.hpp>

#include <doctest/doctest.h>

#include <string>
#include <type_traits>

namespace {

struct doc_v1 {
    static constexpr unsigned version = 1;
    std::string labels;
};
struct doc_v2 {
    static constexpr unsigned version = 2;
    std::string tags;
    int count = 0;
};
struct doc_v3 {
    static constexpr unsigned version = 3;
    std::string tags;
    int count = 0;
    bool counted = false;
};

struct v1_to_v2 {
    using from = doc_v1;
    using to = doc_v2;
    doc_v2 up(doc_v1&& old) const { return {std::move(old.labels), 1}; }
    doc_v1 down(doc_v2&& now) const { return {std::move(now.tags)}; }
};

// A step with state: counts how often it ran.
struct v2_to_v3 {
    using from = doc_v2;
    using to = doc_v3;
    int* calls = nullptr;
    doc_v3 up(const doc_v2& old) {
        ++*calls;
        return {old.tags, old.count + 1, true};
    }
    doc_v2 down(doc_v3&& now) const { return {std::move(now.tags), now.count - 1}; }
};

using doc_chain = strata::chain<v1_to_v2, v2_to_v3>;

}  // namespace

TEST_CASE("a chain knows its versions") {
    static_assert(std::is_same_v<doc_chain::first, doc_v1>);
    static_assert(std::is_same_v<doc_chain::latest, doc_v3>);
    static_assert(std::is_same_v<doc_chain::versions, strata::detail::type_list<doc_v1, doc_v2, doc_v3>>);
    static_assert(std::is_same_v<doc_chain::version_type<2>, doc_v2>);
    static_assert(std::is_same_v<doc_chain::version_type<3>, doc_v3>);
    static_assert(doc_chain::first_version == 1 && doc_chain::latest_version == 3);
    static_assert(doc_chain::step_count == 2);
    static_assert(doc_chain::has_version<doc_v2> && !doc_chain::has_version<int>);
    static_assert(doc_chain::reversible);
    static_assert(!strata::chain<v1_to_v2, v2_to_v3>::has_version<std::string>);
    CHECK(strata::version_of<doc_v2> == 2);
}

TEST_CASE("upgrade runs exactly the steps above the record's version") {
    int calls = 0;
    doc_chain chain{v1_to_v2{}, v2_to_v3{&calls}};

    const doc_v3 from_v1 = chain.upgrade(doc_v1{"a,b"});
    CHECK(from_v1.tags == "a,b");
    CHECK(from_v1.count == 2);
    CHECK(from_v1.counted);
    CHECK(calls == 1);

    const doc_v2 v2{"x", 10};
    const doc_v3 from_v2 = chain.upgrade(v2);  // an lvalue is copied, not moved from
    CHECK(from_v2.count == 11);
    CHECK(v2.tags == "x");
    CHECK(calls == 2);

    const doc_v3 from_v3 = chain.upgrade(doc_v3{"y", 5, false});
    CHECK(from_v3.count == 5);
    CHECK_FALSE(from_v3.counted);  // already latest: no step ran
    CHECK(calls == 2);
}

TEST_CASE("downgrade_to runs the down steps, newest first") {
    int calls = 0;
    doc_chain chain{v1_to_v2{}, v2_to_v3{&calls}};
    const doc_v2 two = chain.downgrade_to<2>(doc_v3{"t", 7, true});
    CHECK(two.tags == "t");
    CHECK(two.count == 6);
    const doc_v1 one = chain.downgrade_to<1>(doc_v3{"u", 7, true});
    CHECK(one.labels == "u");
    const doc_v3 same = chain.downgrade_to<3>(doc_v3{"v", 1, true});
    CHECK(same.tags == "v");
}

TEST_CASE("steps are reached by position") {
    int calls = 0;
    doc_chain chain{v1_to_v2{}, v2_to_v3{&calls}};
    CHECK(chain.step<1>().calls == &calls);
}
