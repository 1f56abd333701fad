/**
 * @file
 * @brief What the inverted index's maintenance calls report: `index_rebuild_report`, `index_verify_report`
 * with its `index_discrepancy` list, and `index_stats` (core: no dependency).
 *
 * @code
 * strata::index_verify_report r = index.verify(documents);
 * for (const strata::index_discrepancy& d : r.discrepancies) std::puts(d.describe().c_str());
 * @endcode
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// What `inverted_index::rebuild` did.
struct index_rebuild_report {
    std::size_t documents = 0;  ///< documents indexed
    std::size_t terms = 0;      ///< distinct terms (text and tags)
    std::size_t postings = 0;   ///< (term, document) pairs
    /// Documents left out, with why (a date that does not parse, an id given twice).
    std::vector<std::pair<std::string, std::string>> skipped;
};

/// One way the stored index differs from the documents.
struct index_discrepancy {
    enum class kind : unsigned char {
        missing_document,  ///< a document the index does not know
        extra_document,    ///< the index knows a document that is not among them
        stale_document,    ///< the index's record of a document differs from the document
        missing_posting,   ///< a term of a document is not in its posting list
        extra_posting,     ///< a posting list names a document that lacks the term
        wrong_count,       ///< a posting's term count differs from the document's
        wrong_frequency,   ///< a term's document frequency (dictionary) is wrong
        wrong_column,      ///< a stored length or date differs from the document's
        dangling_id,       ///< a dense id that maps to no document, or to the wrong one
        wrong_totals       ///< the document count or the total length is wrong
    };
    kind what;
    std::string document;  ///< the document's id (empty when none)
    std::string term;      ///< the term concerned (empty when none), "t" + token or "g" + field:tag
    std::string detail;    ///< what was found against what was expected
    friend bool operator==(const index_discrepancy&, const index_discrepancy&) = default;

    /// The kind's name, e.g. "missing posting".
    static const char* name(kind k) {
        constexpr const char* names[] = {"missing document", "extra document", "stale document",
                                         "missing posting",  "extra posting",  "wrong count",
                                         "wrong frequency",  "wrong column",   "dangling id",
                                         "wrong totals"};
        return names[static_cast<std::size_t>(k)];
    }
    /// One line: kind, document, term, detail.
    std::string describe() const {
        std::string s = name(what);
        if (!document.empty()) s += " \"" + document + "\"";
        if (!term.empty()) s += " term \"" + term + "\"";
        if (!detail.empty()) s += ": " + detail;
        return s;
    }
};

/// What `inverted_index::verify` found: empty `discrepancies` when the index matches.
struct index_verify_report {
    std::size_t documents = 0;  ///< documents compared
    std::vector<index_discrepancy> discrepancies;
    bool ok() const noexcept { return discrepancies.empty(); }
};

/// The size of an index.
struct index_stats {
    std::size_t documents = 0;
    std::size_t text_terms = 0;     ///< distinct text terms
    std::size_t tag_terms = 0;      ///< distinct (tags field, tag) terms
    std::size_t postings = 0;       ///< (term, document) pairs
    std::size_t segments = 0;       ///< stored posting segments
    std::uint64_t bytes = 0;        ///< keys and values of everything under the index's prefix
    std::uint64_t posting_bytes = 0;  ///< keys and values of the posting segments
    std::uint64_t total_length = 0;   ///< text tokens indexed
};

}  // namespace v1
}  // namespace strata
