// Shared by the chunked_store tests: small documents with chunked members, a backend wrapper
// that counts calls, the backends every case runs on (memory, SQLite in a scratch directory).
#pragma once

#include <strata/chunked.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chunked_test {

struct item {
    BOOST_HANA_DEFINE_STRUCT(item, (std::string, name), (std::int64_t, n));
};

/// A document whose `items` are chunked N at a time and `notes` 3 at a time; `values` stays
/// in the metadata.
template <std::size_t N>
struct basic_doc {
    BOOST_HANA_DEFINE_STRUCT(basic_doc, (std::string, id), (std::string, title),
                             (std::uint64_t, counter), (std::vector<item>, items),
                             (std::vector<std::string>, notes), (std::vector<std::int64_t>, values),
                             (strata::unknown_fields, extra));
};
using doc = basic_doc<4>;

inline constexpr std::int64_t fixed_ms = 1'700'000'000'000;

inline strata::chunked_options fixed_clock() {
    strata::chunked_options o;
    o.now_ms = [] { return fixed_ms; };
    return o;
}

template <std::size_t N = 4>
basic_doc<N> make_doc(std::string id, std::size_t items, std::size_t notes = 0) {
    basic_doc<N> d;
    d.id = std::move(id);
    d.title = "title of " + d.id;
    d.counter = items;
    for (std::size_t i = 0; i < items; ++i) {
        d.items.push_back({"item-" + std::to_string(i), static_cast<std::int64_t>(i * 7)});
    }
    for (std::size_t i = 0; i < notes; ++i)
        d.notes.push_back("note \"" + std::to_string(i) + "\"\n");
    d.values = {1, -2, 3};
    return d;
}

/// Forwards to a backend and counts each call; `scan_prefixes` records what was scanned.
template <class Inner>
class counting_backend {
public:
    explicit counting_backend(Inner& inner) : inner_(&inner) {}

    std::optional<std::string> get(std::string_view key) const {
        ++gets;
        return inner_->get(key);
    }
    void put(std::string_view key, std::string_view value) {
        ++puts;
        inner_->put(key, value);
    }
    bool erase(std::string_view key) {
        ++erases;
        return inner_->erase(key);
    }
    bool contains(std::string_view key) const {
        ++containses;
        return inner_->contains(key);
    }
    std::vector<strata::key_value> scan(std::string_view prefix,
                                        std::optional<std::string_view> after,
                                        std::size_t limit) const {
        ++scans;
        scan_prefixes.emplace_back(prefix);
        return inner_->scan(prefix, after, limit);
    }
    std::size_t count(std::string_view prefix) const {
        ++counts;
        return inner_->count(prefix);
    }
    void apply(const strata::write_batch& batch) {
        ++applies;
        inner_->apply(batch);
    }

    void reset() {
        gets = scans = counts = containses = puts = erases = applies = 0;
        scan_prefixes.clear();
    }

    mutable std::size_t gets = 0, scans = 0, counts = 0, containses = 0;
    std::size_t puts = 0, erases = 0, applies = 0;
    mutable std::vector<std::string> scan_prefixes;

private:
    Inner* inner_;
};

/// A fresh directory under the test's work directory, removed afterwards.
class scratch_dir {
public:
    scratch_dir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::path(STRATA_TEST_WORK_DIR) /
                ("run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// The backends every case runs on.
struct memory_fixture {
    static constexpr const char* name = "memory";
    strata::memory_backend backend;
};
struct sqlite_fixture {
    static constexpr const char* name = "sqlite";
    scratch_dir dir;
    strata::sqlite_backend backend{dir.path() / "store.db"};
};

/// Every entry of the backend, in key order.
template <class B>
std::vector<strata::key_value> dump(const B& backend, std::string_view prefix = "") {
    return backend.scan(prefix, std::nullopt, strata::no_limit);
}

/// Runs `fn` and returns the exception of type E it must throw (a test failure otherwise).
template <class E, class Fn>
E expect_error(Fn&& fn) {
    try {
        fn();
    } catch (const E& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("threw another exception: " << e.what());
        throw;
    }
    FAIL("threw nothing");
    throw std::logic_error("unreachable");
}

}  // namespace chunked_test

template <std::size_t N>
struct strata::chunk_layout<chunked_test::basic_doc<N>>
    : strata::chunked<"id", N, "items", strata::chunk_member{"notes", 3}> {};
