// Shared by the index tests: a small document with nested text, tags and dates, random
// documents and queries, the backends every case runs on, and a brute-force search that must
// agree exactly with the index (same hits, same order, same scores, same totals).
#pragma once

#include <strata/index.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace index_test {

struct note {
    BOOST_HANA_DEFINE_STRUCT(note, (std::string, body), (std::vector<std::string>, labels));
};
struct doc {
    BOOST_HANA_DEFINE_STRUCT(doc, (std::string, key), (std::string, title), (std::vector<note>, notes),
                             (std::optional<std::string>, summary), (std::vector<std::string>, tags),
                             (std::string, created_at), (std::optional<std::int64_t>, due));
};
using fields = strata::index_fields<strata::document_id<"key">, strata::text<"title">, strata::text<"notes", "body">,
                                    strata::text<"summary">, strata::tags<"tags">, strata::tags<"notes", "labels">,
                                    strata::date<"created_at">, strata::date<"due">>;

// --- backends -------------------------------------------------------------------------------------
inline std::filesystem::path scratch(const std::string& name) {
    auto dir = std::filesystem::path(STRATA_TEST_WORK_DIR) / (name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}
struct memory_store {
    static constexpr const char* name = "memory";
    strata::memory_backend backend;
};
struct filesystem_store {
    static constexpr const char* name = "filesystem";
    filesystem_store() : backend(scratch("fs")) {}
    strata::filesystem_backend backend;
};
struct sqlite_store {
    static constexpr const char* name = "sqlite";
    sqlite_store() : backend(scratch("sqlite") / "store.db") {}
    strata::sqlite_backend backend;
};

// --- random documents and queries -----------------------------------------------------------------
inline const std::vector<std::string>& vocabulary() {
    static const std::vector<std::string> words = {"focus", "Editor", "TERMINAL", "compile", "schema", "migrate",
                                                   "migration", "shard", "café", "naïve", "v2", "x86", "édition",
                                                   "budget", "merge", "mi"};
    return words;
}
inline const std::vector<std::string>& tag_values() {
    static const std::vector<std::string> tags = {"ops", "team-b", "Writing", "h2", "côté", "a b"};
    return tags;
}

class generator {
public:
    explicit generator(std::uint64_t seed) : rng_(seed) {}
    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

    std::string sentence(std::size_t max_words) {
        static const char* separators[] = {" ", "  ", ", ", "-", "\n", "/", "!"};
        std::string s;
        for (std::size_t n = below(max_words + 1); n > 0; --n) {
            if (!s.empty()) s += separators[below(7)];
            s += vocabulary()[below(vocabulary().size())];
        }
        return s;
    }
    std::string date() {
        char buf[32];
        std::snprintf(buf, sizeof buf, "2025-%02zu-%02zuT%02zu:%02zu:00Z", 1 + below(3), 1 + below(28), below(24), below(2) * 30);
        return buf;
    }
    doc make(const std::string& key) {
        doc d;
        d.key = key;
        d.title = sentence(4);
        for (std::size_t n = below(4); n > 0; --n) {
            note nt{sentence(6), {}};
            if (chance(0.5)) nt.labels.push_back(tag_values()[below(tag_values().size())]);
            d.notes.push_back(nt);
        }
        if (chance(0.5)) d.summary = sentence(8);
        for (std::size_t n = below(3); n > 0; --n) d.tags.push_back(tag_values()[below(tag_values().size())]);
        d.created_at = date();
        if (chance(0.6)) d.due = 1'735'689'600'000 + static_cast<std::int64_t>(below(90)) * 86'400'000;
        return d;
    }
    strata::query make_query() {
        strata::query q;
        for (std::size_t n = below(4); n > 0; --n) {
            std::string w = vocabulary()[below(vocabulary().size())];
            if (chance(0.2)) w = w.substr(0, 1 + below(w.size())) + "*";
            if (chance(0.05)) w = "absent";
            q.terms.push_back(w);
        }
        if (chance(0.3)) q.mode = strata::match_mode::any;
        if (chance(0.25)) q.tags.push_back({"", tag_values()[below(tag_values().size())]});
        if (chance(0.1)) q.tags.push_back({"notes.labels", tag_values()[below(tag_values().size())]});
        q.date_field = below(2);
        if (chance(0.3)) q.from = strata::parse_iso8601_ms(date());
        if (chance(0.3)) q.to = strata::parse_iso8601_ms(date());
        const std::size_t order = below(4);
        q.order = order == 0 ? strata::result_order::newest : order == 1 ? strata::result_order::oldest : strata::result_order::relevance;
        q.offset = chance(0.3) ? below(10) : 0;
        q.limit = 1 + below(15);
        return q;
    }

private:
    std::mt19937_64 rng_;
};

// --- the brute-force oracle --------------------------------------------------------------------
/// The documents as the index should know them, in the order they were first indexed.
class model {
public:
    void put(const doc& d) {
        if (docs_.count(d.key) == 0) order_.push_back(d.key);
        docs_[d.key] = d;
        entries_[d.key] = strata::extract_index_entry<doc, fields>(d);
    }
    void remove(const std::string& key) {
        entries_.erase(key);
        if (docs_.erase(key) != 0) order_.erase(std::find(order_.begin(), order_.end(), key));
    }
    std::vector<doc> documents() const {
        std::vector<doc> out;
        for (const auto& k : order_) out.push_back(docs_.at(k));
        return out;
    }
    std::size_t size() const { return docs_.size(); }
    bool contains(const std::string& key) const { return docs_.count(key) != 0; }

    strata::search_page search(const strata::query& q, const strata::stop_words& stops = {}, double k1 = 1.2, double b = 0.75) const {
        std::vector<strata::index_entry> entries;
        for (const auto& k : order_) entries.push_back(stops.empty() ? entries_.at(k) : strata::extract_index_entry<doc, fields>(docs_.at(k), stops));
        std::map<std::string, std::size_t> df;
        double total = 0;
        for (const auto& e : entries) {
            total += static_cast<double>(e.length);
            for (const auto& t : e.terms) ++df[t.first];
        }
        const double n = static_cast<double>(entries.size());
        const double avg = entries.empty() ? 1.0 : total / n;
        std::vector<std::vector<std::string>> clauses;
        for (const auto& w : q.terms) {
            const bool prefix = w.ends_with('*');
            auto tokens = strata::tokenize(prefix ? w.substr(0, w.size() - 1) : w);
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                const bool expand = prefix && i + 1 == tokens.size();
                if (!expand && stops.contains(tokens[i])) continue;
                std::vector<std::string> c;
                for (const auto& [term, count] : df) {
                    if (expand ? term.starts_with("t" + tokens[i]) : term == "t" + tokens[i]) c.push_back(term);
                }
                clauses.push_back(c);
            }
        }
        struct cand {
            double score;
            std::optional<std::int64_t> date;
            std::size_t position;
        };
        std::vector<cand> found;
        const std::string first_tags = "tags";
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& e = entries[i];
            auto tf = [&](const std::string& term) -> std::uint32_t {
                for (const auto& t : e.terms) {
                    if (t.first == term) return t.second;
                }
                return 0;
            };
            bool match = q.mode == strata::match_mode::all;
            for (const auto& c : clauses) {
                bool any = false;
                for (const auto& term : c) any = any || tf(term) > 0;
                match = q.mode == strata::match_mode::all ? match && any : match || any;
            }
            if (clauses.empty()) match = true;
            for (const auto& t : q.tags) match = match && tf(strata::tag_term(t.field.empty() ? first_tags : t.field, t.value)) > 0;
            const auto date = e.dates[q.date_field];
            if (q.from || q.to) {
                match = match && date && *date >= q.from.value_or(std::numeric_limits<std::int64_t>::min()) &&
                        *date <= q.to.value_or(std::numeric_limits<std::int64_t>::max());
            }
            if (!match) continue;
            double score = 0;
            if (q.order == strata::result_order::relevance && !clauses.empty()) {
                const double norm = k1 * (1.0 - b + b * static_cast<double>(e.length) / avg);
                for (const auto& c : clauses) {
                    for (const auto& term : c) {
                        const double f = tf(term);
                        if (f == 0) continue;
                        const double d = static_cast<double>(df.at(term));
                        const double idf = std::log(1.0 + (n - d + 0.5) / (d + 0.5));
                        score += idf * (f * (k1 + 1.0)) / (f + norm);
                    }
                }
            }
            found.push_back({score, date, i});
        }
        std::stable_sort(found.begin(), found.end(), [&](const cand& x, const cand& y) {
            if (q.order == strata::result_order::relevance) {
                if (x.score != y.score) return x.score > y.score;
            } else if (x.date.has_value() != y.date.has_value()) {
                return x.date.has_value();
            } else if (x.date && *x.date != *y.date) {
                return q.order == strata::result_order::newest ? *x.date > *y.date : *x.date < *y.date;
            }
            return x.position < y.position;
        });
        strata::search_page page;
        page.total = found.size();
        for (std::size_t i = q.offset; i < found.size() && i < q.offset + q.limit; ++i) {
            page.hits.push_back({entries[found[i].position].id, found[i].score, entries[found[i].position].dates[q.date_field]});
        }
        return page;
    }

private:
    std::map<std::string, doc> docs_;
    std::map<std::string, strata::index_entry> entries_;  // without stop words
    std::vector<std::string> order_;
};

inline std::string describe(const strata::query& q) {
    std::string s = "terms:";
    for (const auto& t : q.terms) s += " " + t;
    s += q.mode == strata::match_mode::any ? " (any)" : " (all)";
    for (const auto& t : q.tags) s += " tag " + t.field + "=" + t.value;
    if (q.from) s += " from " + std::to_string(*q.from);
    if (q.to) s += " to " + std::to_string(*q.to);
    s += " date_field " + std::to_string(q.date_field) + " order " + std::to_string(static_cast<int>(q.order)) +
         " offset " + std::to_string(q.offset) + " limit " + std::to_string(q.limit);
    return s;
}

}  // namespace index_test
