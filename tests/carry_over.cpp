// strata::carry_over: members of the same name and type move into the next version; nested
// structs, vectors, optionals and string maps carry over recursively; changed types are left
// value-initialised; renames are declared, never inferred; unknown fields carry over, their keys
// renamed at every depth when the naming policy changes.
#include <strata/carry_over.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using strata::raw_json;
using strata::unknown_fields;
using camel = strata::naming::camel_case;

// Longer than any small-string buffer: moving it hands its heap buffer over.
const std::string long_text(100, 'L');
const std::string other_long_text(90, 'O');

// --- a nested struct, before and after ----------------------------------------------------------

struct point_v1 {
    BOOST_HANA_DEFINE_STRUCT(point_v1, (std::string, label), (int, x_pos), (int, weight),
                             (unknown_fields, extra));
};
struct point_v2 {  // same naming, weight changed type
    BOOST_HANA_DEFINE_STRUCT(point_v2, (std::string, label), (int, x_pos), (double, weight),
                             (unknown_fields, extra));
};

point_v1 make_point(std::string label, int x) {
    point_v1 p;
    p.label = std::move(label);
    p.x_pos = x;
    p.weight = 9;
    return p;
}

// --- a record, before and after -----------------------------------------------------------------

struct record_v1 {
    BOOST_HANA_DEFINE_STRUCT(record_v1, (std::string, title), (int, count), (std::string, labels),
                             (long, size), (std::vector<int>, numbers), (std::optional<int>, level),
                             (point_v1, origin), (std::vector<point_v1>, points),
                             (std::optional<point_v1>, focus), (std::optional<point_v1>, absent),
                             (std::map<std::string, point_v1>, named), (unknown_fields, extra));
};
struct record_v2 {
    BOOST_HANA_DEFINE_STRUCT(record_v2,
                             (std::string, title),                     // same: moves
                             (std::string, count),                     // int -> string
                             (std::vector<std::string>, tags),         // new
                             (int, size),                              // long -> int
                             (std::vector<std::string>, numbers),      // element type changed
                             (std::optional<long>, level),             // value type changed
                             (point_v2, origin),                       // nested, recursively
                             (std::vector<point_v2>, points),          // vector of structs
                             (std::optional<point_v2>, focus),         // optional of a struct
                             (std::optional<point_v2>, absent),        // empty optional
                             (std::map<std::string, point_v2>, named),  // map of structs
                             (unknown_fields, extra));
};

record_v1 make_record() {
    record_v1 r;
    r.title = long_text;
    r.count = 42;
    r.labels = other_long_text;
    r.size = 7;
    r.numbers = {1, 2, 3};
    r.level = 5;
    r.origin = make_point(long_text, 1);
    r.points.push_back(make_point(long_text, 2));
    r.points.push_back(make_point("short", 3));
    r.focus = make_point(long_text, 4);
    r.named.emplace("first_key", make_point(long_text, 5));
    r.named.emplace("second", make_point("b", 6));
    r.extra.push_back("kept_key", raw_json(R"({"inner_key":[1,"a_b"]})"));
    return r;
}

}  // namespace

TEST_CASE("members of the same name and type move over, leaving the source moved-from") {
    record_v1 old = make_record();
    const char* const title_buffer = old.title.data();
    const char* const origin_label_buffer = old.origin.label.data();

    const record_v2 next = strata::carry_over<record_v2>(old);

    CHECK(next.title == long_text);
    // Moved, not copied: the heap buffer changed hands and the source no longer holds it
    // (libstdc++ and libc++ leave a moved-from long string empty).
    CHECK(next.title.data() == title_buffer);
    CHECK(old.title.data() != title_buffer);
    CHECK(old.title.empty());
    CHECK(next.origin.label.data() == origin_label_buffer);
    CHECK(old.origin.label.empty());
}

TEST_CASE("members that do not carry over stay readable in the source") {
    record_v1 old = make_record();
    const record_v2 next = strata::carry_over<record_v2>(old);

    // Dropped by the next version: untouched.
    CHECK(old.labels == other_long_text);
    // Type changed: not moved, so the step can still read them.
    CHECK(old.count == 42);
    CHECK(old.size == 7);
    CHECK(old.numbers == std::vector<int>{1, 2, 3});
    CHECK(old.level == 5);
    CHECK(old.origin.weight == 9);
    (void)next;
}

TEST_CASE("a member whose type changed is left value-initialised") {
    record_v1 old = make_record();
    const record_v2 next = strata::carry_over<record_v2>(old);

    CHECK(next.count.empty());          // int -> std::string
    CHECK(next.size == 0);              // long -> int: a different type, not converted
    CHECK(next.numbers.empty());        // vector<int> -> vector<string>
    CHECK_FALSE(next.level.has_value());  // optional<int> -> optional<long>
    CHECK(next.tags.empty());           // new member
    CHECK(next.origin.weight == 0.0);   // inside a nested struct too
    REQUIRE(next.points.size() == 2);
    CHECK(next.points[0].weight == 0.0);
}

TEST_CASE("nested structs, vectors, optionals and maps of structs carry over recursively") {
    record_v1 old = make_record();
    const char* const point_label_buffer = old.points[0].label.data();
    const char* const focus_label_buffer = old.focus->label.data();
    const char* const map_label_buffer = old.named.at("first_key").label.data();

    const record_v2 next = strata::carry_over<record_v2>(old);

    CHECK(next.origin.label == long_text);
    CHECK(next.origin.x_pos == 1);

    REQUIRE(next.points.size() == 2);
    CHECK(next.points[0].label == long_text);
    CHECK(next.points[0].x_pos == 2);
    CHECK(next.points[0].label.data() == point_label_buffer);
    CHECK(next.points[1].label == "short");
    CHECK(next.points[1].x_pos == 3);

    REQUIRE(next.focus.has_value());
    CHECK(next.focus->label == long_text);
    CHECK(next.focus->x_pos == 4);
    CHECK(next.focus->label.data() == focus_label_buffer);
    CHECK_FALSE(next.absent.has_value());

    REQUIRE(next.named.size() == 2);
    REQUIRE(next.named.count("first_key") == 1);  // map keys are data: never renamed
    CHECK(next.named.at("first_key").label == long_text);
    CHECK(next.named.at("first_key").x_pos == 5);
    CHECK(next.named.at("first_key").label.data() == map_label_buffer);
    REQUIRE(next.named.count("second") == 1);
    CHECK(next.named.at("second").x_pos == 6);
}

// --- renames --------------------------------------------------------------------------------------

namespace {

struct note_v1 {
    BOOST_HANA_DEFINE_STRUCT(note_v1, (std::string, start_time), (std::string, body),
                             (point_v1, origin));
};
struct note_v2 {
    static constexpr strata::renamed_from renames[] = {{"began_at", "start_time"},
                                                       {"place", "origin"}};
    BOOST_HANA_DEFINE_STRUCT(note_v2, (std::string, began_at), (std::string, body),
                             (point_v2, place));
};
struct note_v2_undeclared {  // the same members, without the declaration
    BOOST_HANA_DEFINE_STRUCT(note_v2_undeclared, (std::string, began_at), (std::string, body),
                             (point_v2, place));
};
struct note_v2_swapped {  // two members trade names
    static constexpr strata::renamed_from renames[] = {{"start_time", "body"},
                                                       {"body", "start_time"}};
    BOOST_HANA_DEFINE_STRUCT(note_v2_swapped, (std::string, start_time), (std::string, body));
};
struct note_v2_reused {  // start_time became began_at; a new member reuses the old name
    static constexpr strata::renamed_from renames[] = {{"began_at", "start_time"}};
    BOOST_HANA_DEFINE_STRUCT(note_v2_reused, (std::string, start_time), (std::string, began_at),
                             (std::string, body));
};

note_v1 make_note() {
    note_v1 n;
    n.start_time = long_text;
    n.body = other_long_text;
    n.origin = make_point("origin label", 11);
    return n;
}

}  // namespace

TEST_CASE("a declared rename carries the value, nested structs included") {
    note_v1 old = make_note();
    const char* const buffer = old.start_time.data();
    const note_v2 next = strata::carry_over<note_v2>(old);
    CHECK(next.began_at == long_text);
    CHECK(next.began_at.data() == buffer);
    CHECK(next.body == other_long_text);
    CHECK(next.place.label == "origin label");
    CHECK(next.place.x_pos == 11);
}

TEST_CASE("a rename is never inferred: without the declaration the member is not carried") {
    note_v1 old = make_note();
    const note_v2_undeclared next = strata::carry_over<note_v2_undeclared>(old);
    CHECK(next.began_at.empty());
    CHECK(next.place.label.empty());
    CHECK(next.place.x_pos == 0);
    CHECK(next.body == other_long_text);  // same name: carried
    // Not carried, so still readable in the source.
    CHECK(old.start_time == long_text);
    CHECK(old.origin.label == "origin label");
}

TEST_CASE("two members may trade names") {
    note_v1 old = make_note();
    const note_v2_swapped next = strata::carry_over<note_v2_swapped>(old);
    CHECK(next.start_time == other_long_text);
    CHECK(next.body == long_text);
}

// A declared rename says that the old `start_time` is now `began_at`; a new member that reuses
// the old name is a different member and must not receive (or steal) the renamed value.
TEST_CASE("a member renamed away is carried once, to its new name only") {
    note_v1 old = make_note();
    const note_v2_reused next = strata::carry_over<note_v2_reused>(old);
    CHECK(next.began_at == long_text);
    CHECK(next.start_time.empty());
    CHECK(next.body == other_long_text);
}

// --- unknown fields ---------------------------------------------------------------------------------

namespace {

struct bag_v1 {
    BOOST_HANA_DEFINE_STRUCT(bag_v1, (std::string, name), (point_v1, inner),
                             (std::vector<point_v1>, items), (unknown_fields, extra));
};
struct bag_v1_again {  // the next version, same naming policy
    BOOST_HANA_DEFINE_STRUCT(bag_v1_again, (std::string, name), (point_v1, inner),
                             (std::vector<point_v1>, items), (unknown_fields, extra));
};

struct point_camel {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(point_camel, (std::string, label), (int, x_pos), (int, weight),
                             (unknown_fields, extra));
};
struct bag_camel {  // the next version, camelCase at every depth
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(bag_camel, (std::string, name), (point_camel, inner),
                             (std::vector<point_camel>, items), (unknown_fields, extra));
};

// The unknown fields of a bag, as (key, raw JSON) pairs.
std::vector<std::pair<std::string, std::string>> fields_of(const unknown_fields& fields) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& field : fields) out.emplace_back(field.key, field.value.text());
    return out;
}

const raw_json* find(const unknown_fields& fields, std::string_view key) {
    return fields.find(key);
}

bag_v1 make_bag() {
    bag_v1 bag;
    bag.name = "bag";
    bag.inner = make_point("inner", 1);
    bag.inner.extra.push_back("nested_unknown", raw_json(R"({"deep_key":{"deeper_key":1}})"));
    bag.items.push_back(make_point("item", 2));
    bag.items[0].extra.push_back("item_extra", raw_json(R"([{"in_array":"stay_snake"}])"));
    bag.extra.push_back("top_key",
                        raw_json(R"({"inner_key":{"deep_key":[{"deeper_key":"value_stays_snake"},"x_y",{"k_2":null}]},"plain":"a_b"})"));
    bag.extra.push_back("list_key", raw_json(R"([{"a_b":1},[{"c_d":[]}],"e_f",{"g_h":{"i_j":[{"k_l":0}]}}])"));
    bag.extra.push_back("num_val", raw_json("12"));
    bag.extra.push_back("str_val", raw_json(R"("a_b, {\"k_k\": 1}, [x_y]")"));
    return bag;
}

}  // namespace

TEST_CASE("unknown fields carry over unchanged when the naming policy stays") {
    bag_v1 old = make_bag();
    const auto expected_top = fields_of(old.extra);
    const auto expected_inner = fields_of(old.inner.extra);
    const auto expected_item = fields_of(old.items[0].extra);

    const bag_v1_again next = strata::carry_over<bag_v1_again>(old);
    CHECK(fields_of(next.extra) == expected_top);
    CHECK(fields_of(next.inner.extra) == expected_inner);
    REQUIRE(next.items.size() == 1);
    CHECK(fields_of(next.items[0].extra) == expected_item);
}

TEST_CASE("unknown fields get their keys renamed at every depth when the naming changes") {
    bag_v1 old = make_bag();
    const bag_camel next = strata::carry_over<bag_camel>(old);

    const std::vector<std::pair<std::string, std::string>> expected = {
        {"topKey",
         R"({"innerKey":{"deepKey":[{"deeperKey":"value_stays_snake"},"x_y",{"k2":null}]},"plain":"a_b"})"},
        {"listKey", R"([{"aB":1},[{"cD":[]}],"e_f",{"gH":{"iJ":[{"kL":0}]}}])"},
        {"numVal", "12"},
        {"strVal", R"("a_b, {\"k_k\": 1}, [x_y]")"},  // a string value: untouched
    };
    CHECK(fields_of(next.extra) == expected);

    // The unknown fields of nested structs and of vector elements, by their own new naming.
    const std::vector<std::pair<std::string, std::string>> inner = {
        {"nestedUnknown", R"({"deepKey":{"deeperKey":1}})"}};
    CHECK(fields_of(next.inner.extra) == inner);
    REQUIRE(next.items.size() == 1);
    const std::vector<std::pair<std::string, std::string>> item = {
        {"itemExtra", R"([{"inArray":"stay_snake"}])"}};
    CHECK(fields_of(next.items[0].extra) == item);

    // The declared members carried over as usual.
    CHECK(next.name == "bag");
    CHECK(next.inner.label == "inner");
    CHECK(next.inner.x_pos == 1);
    CHECK(next.items[0].label == "item");
}

TEST_CASE("renaming keys inside raw JSON: escapes, whitespace, empty containers") {
    struct expectation {
        const char* before;
        const char* after;
    };
    const expectation cases[] = {
        // A key spelled with an escape is unescaped, renamed and written back.
        {R"({"a\u005fb":"c\u005fd"})", R"({"aB":"c\u005fd"})"},
        // Escaped quotes and backslashes inside keys and values.
        {R"({"q\"_r":"s\\\"_t"})", R"({"q\"R":"s\\\"_t"})"},
        {R"({"x\\_y":1})", R"({"x\\Y":1})"},
        // A surrogate pair in a key.
        {R"({"\ud83d\ude00_x":1})", "{\"\xF0\x9F\x98\x80X\":1}"},
        // Whitespace is kept as it was.
        {R"({ "w_x" : [ { "y_z" : true } ] , "p_q":{ } })",
         R"({ "wX" : [ { "yZ" : true } ] , "pQ":{ } })"},
        // Empty containers, then more keys.
        {R"({"a_a":{},"b_b":[],"c_c":"d_d"})", R"({"aA":{},"bB":[],"cC":"d_d"})"},
        // Strings holding structural characters do not confuse the scan.
        {R"({"s_1":"}],{\"n_n\":","s_2":["{",":","]"],"s_3":1})",
         R"({"s1":"}],{\"n_n\":","s2":["{",":","]"],"s3":1})"},
        // Scalars and arrays of scalars.
        {R"(["a_b","c_d"])", R"(["a_b","c_d"])"},
        {R"("a_b")", R"("a_b")"},
        {"null", "null"},
    };
    for (const expectation& c : cases) {
        const std::string before = c.before;
        CAPTURE(before);
        bag_v1 old;
        old.extra.push_back("the_key", raw_json(c.before));
        const bag_camel next = strata::carry_over<bag_camel>(old);
        const raw_json* value = find(next.extra, "theKey");
        REQUIRE(value != nullptr);
        CHECK(value->text() == c.after);
    }
}

namespace {

struct tagged_v1 {
    BOOST_HANA_DEFINE_STRUCT(tagged_v1, (std::string, name), (unknown_fields, extra));
};
struct tagged_v2 {  // camelCase, a new member `tags`, a version key
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(tagged_v2, (std::string, name), (std::vector<std::string>, tags),
                             (unknown_fields, extra));
};
struct tagged_plain_v2 {  // the same naming as tagged_v1, a new member `tags`
    BOOST_HANA_DEFINE_STRUCT(tagged_plain_v2, (std::string, name), (std::vector<std::string>, tags),
                             (unknown_fields, extra));
};

}  // namespace

// unknown_fields holds each key once, and never a key its struct declares: otherwise the record
// encodes to an object that repeats a key, which strata's own decoder then refuses ("each key
// once"). Renaming can make two unknown keys one, or an unknown key a declared one.
// An unknown key that would repeat a key of the next version (a declared member, the version
// key, or another unknown key once renamed) is refused with an error naming it: the record is
// neither written with a key twice nor stripped of one of the values.
TEST_CASE("carried unknown fields that would repeat a key are refused, naming the key") {
    const auto refused_key = [](std::initializer_list<std::pair<const char*, const char*>> extra) {
        tagged_v1 old;
        old.name = "n";
        for (const auto& [key, value] : extra) old.extra.push_back(key, raw_json(value));
        try {
            (void)strata::carry_over<tagged_v2>(old);
        } catch (const strata::decode_error& e) {
            return e.path();
        }
        return std::string("(no error)");
    };
    CHECK(refused_key({{"a_b", "1"}, {"aB", "2"}}) == "aB");        // both camelCase to aB
    CHECK(refused_key({{"tags", R"(["x"])"}}) == "tags");          // a member of the next version
    CHECK(refused_key({{"schemaVersion", "1"}}) == "schemaVersion");  // its version key
    CHECK(refused_key({{"other_key", "1"}, {"more", "2"}}) == "(no error)");

    // The same naming policy on both sides: the unknown `tags` would shadow the new member too.
    tagged_v1 plain;
    plain.extra.push_back("tags", raw_json(R"(["x"])"));
    CHECK_THROWS_AS((void)strata::carry_over<tagged_plain_v2>(plain), strata::decode_error);
    tagged_v1 fine;
    fine.extra.push_back("other", raw_json("0"));
    const tagged_plain_v2 fine_next = strata::carry_over<tagged_plain_v2>(fine);
    CHECK(fine_next.extra.find("other") != nullptr);
}

// A JSON text may spell a lone surrogate (`"\ud800"`: valid JSON syntax, no Unicode scalar).
// The decoder refuses such strings, but raw_json set by hand may hold one; renaming such a key
// must not write the surrogate as UTF-8 bytes (ED A0 80), which no UTF-8 reader accepts: the
// renamed text would no longer be JSON.
TEST_CASE("renaming a key with a lone surrogate escape does not produce invalid UTF-8") {
    const char* const inputs[] = {R"({"\ud800_x":1})", R"({"a_b\udc00":1})"};
    for (const char* input : inputs) {
        const std::string shown = input;
        CAPTURE(shown);
        bag_v1 old;
        old.extra.push_back("the_key", raw_json(input));
        const bag_camel next = strata::carry_over<bag_camel>(old);
        REQUIRE(next.extra.size() == 1);
        const std::string& text = next.extra.begin()->value.text();
        bool encoded_surrogate = false;
        for (std::size_t i = 0; i + 1 < text.size(); ++i) {
            const auto lead = static_cast<unsigned char>(text[i]);
            const auto next_byte = static_cast<unsigned char>(text[i + 1]);
            encoded_surrogate = encoded_surrogate || (lead == 0xED && next_byte >= 0xA0);
        }
        CHECK_FALSE(encoded_surrogate);
    }
}

TEST_CASE("the const overload copies and leaves the source intact") {
    const record_v1 old = make_record();
    const record_v2 next = strata::carry_over<record_v2>(old);

    CHECK(next.title == long_text);
    CHECK(next.title.data() != old.title.data());
    CHECK(old.title == long_text);
    CHECK(old.origin.label == long_text);
    REQUIRE(old.points.size() == 2);
    CHECK(old.points[0].label == long_text);
    REQUIRE(old.focus.has_value());
    CHECK(old.focus->label == long_text);
    CHECK(old.named.at("first_key").label == long_text);
    REQUIRE(old.extra.size() == 1);
    CHECK(old.extra.find("kept_key") != nullptr);

    REQUIRE(next.points.size() == 2);
    CHECK(next.points[0].label == long_text);
    REQUIRE(next.focus.has_value());
    CHECK(next.focus->label == long_text);
    CHECK(next.named.at("first_key").label == long_text);
    REQUIRE(next.extra.size() == 1);
    REQUIRE(next.extra.find("kept_key") != nullptr);
    CHECK(next.extra.find("kept_key")->text() == R"({"inner_key":[1,"a_b"]})");

    // Naming change through the const overload as well.
    const bag_v1 bag = make_bag();
    const bag_camel camel_bag = strata::carry_over<bag_camel>(bag);
    CHECK(camel_bag.extra.find("topKey") != nullptr);
    CHECK(bag.extra.find("top_key") != nullptr);
    CHECK(bag.inner.label == "inner");
}
