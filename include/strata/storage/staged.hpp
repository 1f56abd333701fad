/**
 * @file
 * @brief `staged_backend<B>`: a backend whose writes wait in memory until `commit()`, while
 * its reads already see them; with savepoints to take back the writes of one unit of work.
 *
 * The migrator builds every part of a migration (the chunked document, its content-store
 * references, the backup, the journal entry, the index) over a staged view of the store:
 * - a document's writes are staged, read back through the same view for verification, and
 *   dropped with `rollback_to(savepoint)` when anything about that document fails, so a bad
 *   document never takes the others of its group down;
 * - `commit()` applies everything staged as one `write_batch` (many documents per
 *   transaction, each of them whole);
 * - a dry run stages everything and commits nothing: it does exactly what a real run does,
 *   reads included, so its report is the real run's.
 *
 * @code
 * strata::sqlite_backend db("store.db");
 * strata::staged_backend staged(db);
 * const auto mark = staged.savepoint();
 * staged.put("a", "1");
 * assert(staged.get("a") == "1" && !db.contains("a"));
 * staged.rollback_to(mark);        // or: staged.commit();
 * @endcode
 *
 * Memory: what is staged is held until `commit()` or `discard()` (a dry run holds everything
 * it would have written). Not thread-safe: one unit of work at a time; commit from the same
 * thread.
 */
#pragma once

#include <strata/storage/backend.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief Writes held until `commit()`, visible to reads at once (see the file comment).
 * @tparam Backend any `strata::backend`, used by reference
 */
template <backend Backend>
class staged_backend {
public:
    /// A point to roll back to: how many staged changes there were.
    using savepoint_type = std::size_t;

    explicit staged_backend(Backend& base) : base_(&base) {}

    /// The backend under the staged writes.
    Backend& base() const noexcept { return *base_; }

    // --- reads: staged writes first, then the base ----------------------------------------------

    std::optional<std::string> get(std::string_view key) const {
        if (auto it = staged_.find(key); it != staged_.end()) return it->second;
        return base_->get(key);
    }
    bool contains(std::string_view key) const {
        if (auto it = staged_.find(key); it != staged_.end()) return it->second.has_value();
        return base_->contains(key);
    }
    /// Up to `limit` entries under `prefix` after `after`: the base's, as the staged writes
    /// change them.
    std::vector<key_value> scan(std::string_view prefix, std::optional<std::string_view> after,
                                std::size_t limit) const {
        std::vector<key_value> out;
        if (limit == 0) return out;
        // Staged entries in range: [max(prefix, after+), prefix_end).
        auto staged_it = after ? staged_.upper_bound(*after) : staged_.lower_bound(prefix);
        if (staged_it != staged_.end() && staged_it->first < prefix) staged_it = staged_.lower_bound(prefix);
        const auto in_prefix = [&](const std::string& k) { return std::string_view(k).starts_with(prefix); };

        std::string cursor = after ? std::string(*after) : std::string();
        bool have_cursor = after.has_value();
        // Read the base page by page; a page may lose entries to staged erases, so read on
        // until `limit` entries are out or the base is exhausted.
        const std::size_t page = limit == no_limit ? 512 : std::max<std::size_t>(limit, 64);
        std::vector<key_value> base_page;
        std::size_t base_pos = 0;
        bool base_done = false;
        const auto refill = [&] {
            base_page = base_->scan(prefix, have_cursor ? std::optional<std::string_view>(cursor) : std::nullopt, page);
            base_pos = 0;
            if (base_page.size() < page) base_done = true;
            if (!base_page.empty()) {
                cursor = base_page.back().key;
                have_cursor = true;
            }
        };
        refill();
        while (out.size() < limit) {
            if (base_pos == base_page.size() && !base_done) refill();
            const bool base_has = base_pos < base_page.size();
            const bool staged_has = staged_it != staged_.end() && in_prefix(staged_it->first);
            if (!base_has && !staged_has) break;
            if (staged_has && (!base_has || staged_it->first <= base_page[base_pos].key)) {
                if (base_has && staged_it->first == base_page[base_pos].key) ++base_pos;  // staged wins
                if (staged_it->second) out.push_back({staged_it->first, *staged_it->second});
                ++staged_it;
            } else {
                out.push_back(std::move(base_page[base_pos]));
                ++base_pos;
            }
        }
        return out;
    }
    /// How many keys start with `prefix`, staged writes counted.
    std::size_t count(std::string_view prefix) const {
        std::size_t n = base_->count(prefix);
        for (auto it = staged_.lower_bound(prefix); it != staged_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
            const bool in_base = base_->contains(it->first);
            if (it->second && !in_base) ++n;
            if (!it->second && in_base) --n;
        }
        return n;
    }

    // --- writes: staged ----------------------------------------------------------------------------

    void put(std::string_view key, std::string_view value) { stage(key, std::string(value)); }
    /// Stages the erase of `key`; whether it was there (in the staged view).
    bool erase(std::string_view key) {
        const bool was = contains(key);
        stage(key, std::nullopt);
        return was;
    }
    /// Stages every operation of `batch`, in order.
    void apply(const write_batch& batch) {
        for (const auto& op : batch.operations()) {
            if (op.what == write_batch::operation::kind::put) {
                stage(op.key, op.value);
            } else {
                stage(op.key, std::nullopt);
            }
        }
    }

    // --- units of work --------------------------------------------------------------------------

    /// The current point, to `rollback_to` later.
    savepoint_type savepoint() const noexcept { return undo_.size(); }
    /// Takes back every write staged since `point`.
    void rollback_to(savepoint_type point) {
        while (undo_.size() > point) {
            undo_entry& u = undo_.back();
            auto it = staged_.find(u.key);
            if (u.previous) {
                staged_bytes_ -= bytes_of(it->first, it->second);
                it->second = std::move(*u.previous);
                staged_bytes_ += bytes_of(it->first, it->second);
            } else {
                staged_bytes_ -= bytes_of(it->first, it->second);
                staged_.erase(it);
            }
            undo_.pop_back();
        }
    }
    /// Applies everything staged to the base as one batch, then forgets it. On failure nothing
    /// is forgotten (the base applied nothing, by its atomicity), so the caller may retry.
    void commit() {
        if (staged_.empty()) return;
        write_batch batch;
        for (const auto& [key, value] : staged_) {
            if (value) {
                batch.put(key, *value);
            } else {
                batch.erase(key);
            }
        }
        base_->apply(batch);
        discard();
    }
    /// Forgets everything staged, applying nothing.
    void discard() noexcept {
        staged_.clear();
        undo_.clear();
        staged_bytes_ = 0;
    }
    /// How many keys have staged writes.
    std::size_t staged_keys() const noexcept { return staged_.size(); }
    /// Bytes of staged keys and values: a measure to commit by.
    std::size_t staged_bytes() const noexcept { return staged_bytes_; }

private:
    struct undo_entry {
        std::string key;
        std::optional<std::optional<std::string>> previous;  // nullopt: the key was not staged
    };

    static std::size_t bytes_of(const std::string& key, const std::optional<std::string>& value) {
        return key.size() + (value ? value->size() : 0);
    }

    void stage(std::string_view key, std::optional<std::string> value) {
        auto it = staged_.find(key);
        if (it == staged_.end()) {
            undo_.push_back({std::string(key), std::nullopt});
            it = staged_.emplace(std::string(key), std::move(value)).first;
        } else {
            undo_.push_back({std::string(key), std::move(it->second)});
            staged_bytes_ -= bytes_of(it->first, *undo_.back().previous);
            it->second = std::move(value);
        }
        staged_bytes_ += bytes_of(it->first, it->second);
    }

    Backend* base_;
    std::map<std::string, std::optional<std::string>, std::less<>> staged_;
    std::vector<undo_entry> undo_;
    std::size_t staged_bytes_ = 0;
};

}  // namespace v1
}  // namespace strata
