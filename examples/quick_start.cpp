// Quick start (the README shows this file; keep them in sync): two versions of a record, the
// step between them, a chain the compiler checks, and an old document read as the newest.
#include <strata/strata.hpp>

#include <cstdio>
#include <string>
#include <vector>

// Version 1: what the old program wrote.
struct note_v1 {
    static constexpr unsigned version = 1;
    static constexpr std::string_view version_key = "schema_version";
    BOOST_HANA_DEFINE_STRUCT(note_v1, (std::string, text), (std::string, labels),
                             (strata::unknown_fields, extra));  // keys nobody declared survive
};

// Version 2: camelCase keys, labels become tags, a folder.
struct note_v2 {
    static constexpr unsigned version = 2;
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = strata::naming::camel_case;
    BOOST_HANA_DEFINE_STRUCT(note_v2, (std::string, text), (std::vector<std::string>, tags),
                             (std::string, folder), (strata::unknown_fields, extra));
};

// The step: write only what changed; carry_over moves the rest.
struct note_v1_to_v2 {
    using from = note_v1;
    using to = note_v2;
    note_v2 up(note_v1&& old) const {
        note_v2 next = strata::carry_over<note_v2>(old);
        if (!old.labels.empty()) next.tags.push_back(old.labels);
        next.folder = "inbox";
        return next;
    }
};

using note_chain = strata::chain<note_v1_to_v2>;  // a broken chain would not compile

int main() {
    note_chain chain;
    strata::dual_reader reader{chain, strata::version_from_field<1, "schemaVersion", "schema_version">{}};

    const std::string stored = R"({"schema_version":1,"text":"buy milk","labels":"home","due_date":"friday"})";
    const note_v2 note = reader.read("note-1", stored);  // any version in, the newest out
    const std::string written = reader.write(note);      // writes are always the newest

    std::printf("stored:  %s\nread as: %s\n", stored.c_str(), written.c_str());
    return written == R"({"schemaVersion":2,"text":"buy milk","tags":["home"],"folder":"inbox","dueDate":"friday"})"
               ? 0
               : 1;
}
