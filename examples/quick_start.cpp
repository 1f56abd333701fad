// Quick start: two versions of a record, the step between them, and a chain.
#include <strata/strata.hpp>

#include <cstdio>
#include <string>

struct note_v1 {
    static constexpr unsigned version = 1;
    std::string text;
};
struct note_v2 {
    static constexpr unsigned version = 2;
    std::string text;
    std::string folder;
};
struct note_v1_to_v2 {
    using from = note_v1;
    using to = note_v2;
    note_v2 up(note_v1&& old) const { return {std::move(old.text), "inbox"}; }
};

int main() {
    strata::chain<note_v1_to_v2> notes;
    const note_v2 latest = notes.upgrade(note_v1{"buy milk"});
    std::printf("%s -> folder %s\n", latest.text.c_str(), latest.folder.c_str());
    return latest.folder == "inbox" ? 0 : 1;
}
