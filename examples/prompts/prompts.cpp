// A prompt library's record going v1 -> v2 -> v3, the way the AirPrompts migration guide
// describes it:
//   v1 (1.0.0): snake_case keys, a category string.
//   v2 (2.0.0): camelCase keys, folders (from the category) and tags.
//   v3 (3.0.0): a context object (the template's variables, with defaults) and performance
//               settings; the timestamps move into a metadata object.
// Both steps can go back (down), so an older release can be handed data again. The store is a
// map; reads use migrate-on-read, so every old record read is written back as v3.
#include <strata/strata.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prompts {

struct prompt_v1 {
    static constexpr unsigned version = 1;
    static constexpr std::string_view version_key = "schema_version";
    BOOST_HANA_DEFINE_STRUCT(prompt_v1, (std::string, id), (std::string, title),
                             (std::string, content), (std::string, category),
                             (bool, is_favorite), (std::string, created_at),
                             (std::string, updated_at), (strata::unknown_fields, extra));
};

struct prompt_v2 {
    static constexpr unsigned version = 2;
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = strata::naming::camel_case;
    BOOST_HANA_DEFINE_STRUCT(prompt_v2, (std::string, id), (std::string, title),
                             (std::string, content), (std::string, folder_id),
                             (std::vector<std::string>, tags), (bool, is_favorite),
                             (std::string, created_at), (std::string, updated_at),
                             (strata::unknown_fields, extra));
};

struct context_v3 {
    using naming = strata::naming::camel_case;
    BOOST_HANA_DEFINE_STRUCT(context_v3, (std::vector<std::string>, variables),
                             (std::map<std::string, std::string>, default_values));
};
struct performance_v3 {
    using naming = strata::naming::camel_case;
    static constexpr auto empty_optional = strata::empty_optional_policy::omit;
    BOOST_HANA_DEFINE_STRUCT(performance_v3, (std::optional<std::int32_t>, max_tokens),
                             (double, temperature), (bool, cache_results));
};
struct metadata_v3 {
    using naming = strata::naming::camel_case;
    BOOST_HANA_DEFINE_STRUCT(metadata_v3, (std::string, created_at), (std::string, updated_at),
                             (std::uint32_t, usage_count));
};
struct prompt_v3 {
    static constexpr unsigned version = 3;
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = strata::naming::camel_case;
    BOOST_HANA_DEFINE_STRUCT(prompt_v3, (std::string, id), (std::string, title),
                             (std::string, content), (std::string, folder_id),
                             (std::vector<std::string>, tags), (bool, is_favorite),
                             (context_v3, context), (performance_v3, performance),
                             (metadata_v3, metadata), (strata::unknown_fields, extra));
};

// "Code Review" -> "code-review"; an empty category goes to "uncategorized".
inline std::string folder_of(const std::string& category) {
    std::string slug;
    for (char c : category) {
        if (c >= 'A' && c <= 'Z') slug += static_cast<char>(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) slug += c;
        else if (!slug.empty() && slug.back() != '-') slug += '-';
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return slug.empty() ? "uncategorized" : slug;
}

// The {{name}} placeholders of a template, in order of first appearance.
inline std::vector<std::string> variables_of(const std::string& content) {
    std::vector<std::string> names;
    for (std::size_t at = content.find("{{"); at != std::string::npos; at = content.find("{{", at + 2)) {
        const std::size_t end = content.find("}}", at + 2);
        if (end == std::string::npos) break;
        std::string name = content.substr(at + 2, end - at - 2);
        bool seen = false;
        for (const auto& n : names) seen = seen || n == name;
        if (!name.empty() && !seen) names.push_back(std::move(name));
    }
    return names;
}

struct v1_to_v2 {
    using from = prompt_v1;
    using to = prompt_v2;
    prompt_v2 up(prompt_v1&& old) const {
        prompt_v2 next = strata::carry_over<prompt_v2>(old);
        next.folder_id = folder_of(old.category);
        if (!old.category.empty()) next.tags.push_back(next.folder_id);
        return next;
    }
    prompt_v1 down(prompt_v2&& now) const {
        prompt_v1 old = strata::carry_over<prompt_v1>(now);
        old.category = now.folder_id == "uncategorized" ? "" : now.folder_id;
        return old;
    }
};

struct v2_to_v3 {
    using from = prompt_v2;
    using to = prompt_v3;
    prompt_v3 up(prompt_v2&& old) const {
        prompt_v3 next = strata::carry_over<prompt_v3>(old);
        next.context.variables = variables_of(next.content);
        next.performance = {std::nullopt, 0.7, true};
        next.metadata = {std::move(old.created_at), std::move(old.updated_at), 0};
        return next;
    }
    prompt_v2 down(prompt_v3&& now) const {
        prompt_v2 old = strata::carry_over<prompt_v2>(now);
        old.created_at = std::move(now.metadata.created_at);
        old.updated_at = std::move(now.metadata.updated_at);
        return old;
    }
};

using chain = strata::chain<v1_to_v2, v2_to_v3>;
using detect = strata::version_from_field<1, "schemaVersion", "schema_version">;

}  // namespace prompts

int main() {
    std::map<std::string, std::string> store = {
        {"p1", R"({"schema_version":1,"id":"p1","title":"Review","content":"Review {{code}} for {{language}} style; {{code}} again","category":"Code Review","is_favorite":true,"created_at":"2024-01-02","updated_at":"2024-03-04","author":"ana"})"},
        {"p2", R"({"schemaVersion":2,"id":"p2","title":"Mail","content":"Dear {{name}}","folderId":"email","tags":["email","formal"],"isFavorite":false,"createdAt":"2024-05-06","updatedAt":"2024-05-07"})"},
    };

    prompts::chain chain;
    // Migrate on read: an old record read is written back as v3 (here: only if unchanged since).
    auto write_back = [&store](std::string_view id, std::string_view old_bytes, std::string_view new_bytes) {
        auto it = store.find(std::string(id));
        if (it != store.end() && it->second == old_bytes) it->second.assign(new_bytes);
    };
    strata::dual_reader reader{chain, prompts::detect{}, strata::migrate_on_read{write_back}};

    int failures = 0;
    for (const auto& [id, bytes] : std::map<std::string, std::string>(store)) {
        const prompts::prompt_v3 p = reader.read(id, bytes);
        std::printf("%s -> folder %s, %zu variables, stored now: %s\n", id.c_str(), p.folder_id.c_str(),
                    p.context.variables.size(), store[id].c_str());
    }
    const std::string expected_p1 =
        R"({"schemaVersion":3,"id":"p1","title":"Review","content":"Review {{code}} for {{language}} style; {{code}} again","folderId":"code-review","tags":["code-review"],"isFavorite":true,"context":{"variables":["code","language"],"defaultValues":{}},"performance":{"temperature":0.7,"cacheResults":true},"metadata":{"createdAt":"2024-01-02","updatedAt":"2024-03-04","usageCount":0},"author":"ana"})";
    if (store["p1"] != expected_p1) ++failures;
    if (reader.counters().written_back != 2) ++failures;

    // Going back: hand a v3 record to a release that only reads v1.
    const prompts::prompt_v1 old = chain.downgrade_to<1>(reader.read("p1", store["p1"]));
    const std::string v1_again = strata::json::encode(old);
    std::printf("p1 as v1 again: %s\n", v1_again.c_str());
    if (v1_again != R"({"schema_version":1,"id":"p1","title":"Review","content":"Review {{code}} for {{language}} style; {{code}} again","category":"code-review","is_favorite":true,"created_at":"2024-01-02","updated_at":"2024-03-04","author":"ana"})") {
        ++failures;
    }
    std::printf("%s\n", failures == 0 ? "prompts: ok" : "prompts: UNEXPECTED OUTPUT");
    return failures == 0 ? 0 : 1;
}
