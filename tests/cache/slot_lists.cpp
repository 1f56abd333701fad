// strata::slot_lists: intrusive lists over slot numbers sharing one link per slot.
#include <strata/cache/slot_lists.hpp>

#include <doctest/doctest.h>

#include <vector>

namespace {
template <std::size_t N>
std::vector<strata::slot_index> forward(const strata::slot_lists<N>& l, std::size_t list = 0) {
    std::vector<strata::slot_index> out;
    for (auto s = l.front(list); s != strata::no_slot; s = l.next(s)) out.push_back(s);
    return out;
}
template <std::size_t N>
std::vector<strata::slot_index> backward(const strata::slot_lists<N>& l, std::size_t list = 0) {
    std::vector<strata::slot_index> out;
    for (auto s = l.back(list); s != strata::no_slot; s = l.prev(s)) out.push_back(s);
    return out;
}
using slots = std::vector<strata::slot_index>;
}  // namespace

TEST_CASE("slot_list: push, remove, move to front, pop back") {
    strata::slot_list l;
    CHECK(l.empty());
    CHECK(l.front() == strata::no_slot);
    CHECK(l.back() == strata::no_slot);
    CHECK(l.pop_back() == strata::no_slot);
    l.push_front(0);
    l.push_front(1);
    l.push_back(5);  // slots need not arrive in order
    CHECK(forward(l) == slots{1, 0, 5});
    CHECK(backward(l) == slots{5, 0, 1});
    l.move_to_front(5);
    CHECK(forward(l) == slots{5, 1, 0});
    l.move_to_front(5);  // already at the front
    CHECK(forward(l) == slots{5, 1, 0});
    l.remove(1);
    CHECK(forward(l) == slots{5, 0});
    CHECK(l.pop_back() == 0);
    CHECK(l.pop_back() == 5);
    CHECK(l.empty());
    l.push_front(1);  // a removed slot can be linked again
    CHECK(forward(l) == slots{1});
    l.clear();
    CHECK(l.empty());
}

TEST_CASE("slot_lists: several lists share the links; an entry moves between them") {
    strata::slot_lists<3> l;
    l.push_front(0, 0);
    l.push_front(1, 1);
    l.push_front(2, 1);
    l.push_back(3, 2);
    CHECK(forward(l, 0) == slots{0});
    CHECK(forward(l, 1) == slots{2, 1});
    CHECK(forward(l, 2) == slots{3});
    l.move_to_front(1, 2);  // from list 1 to the front of list 2
    CHECK(forward(l, 1) == slots{2});
    CHECK(forward(l, 2) == slots{1, 3});
    l.remove(0);
    CHECK(l.empty(0));
    CHECK(l.next(2) == strata::no_slot);  // the end of its list, not another list's entry
    CHECK(l.prev(1) == strata::no_slot);
}
