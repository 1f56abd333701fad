// The background compression pass (strata/compression/recompress.hpp): what it rewrites and
// skips, the written time kept, exact byte accounting, idempotence, resuming after a stop and
// after a crash (a backend that fails on the Nth batch), the caller's hook in the same batch,
// values that are not frames left alone, recoding lz4 into zstd, and one run on SQLite.
#include "frame_helpers.hpp"

#include <strata/compression/lz4.hpp>
#include <strata/compression/recompress.hpp>
#include <strata/compression/zstd.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/sqlite.hpp>
#include <strata/strata.hpp>  // with everything else in scope: no name clashes, no shadowing

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr std::int64_t now = 1'700'000'000'000;
constexpr std::int64_t day = 86'400'000;

/// A backend that forwards to another and fails its Nth `apply` (1-based; 0: never), as a crash
/// between two batches would look to the pass.
class failing_backend {
public:
    failing_backend(strata::memory_backend& inner, int fail_at)
        : inner_(inner), fail_at_(fail_at) {}
    std::optional<std::string> get(std::string_view k) const { return inner_.get(k); }
    void put(std::string_view k, std::string_view v) { inner_.put(k, v); }
    bool erase(std::string_view k) { return inner_.erase(k); }
    bool contains(std::string_view k) const { return inner_.contains(k); }
    std::vector<strata::key_value> scan(std::string_view p, std::optional<std::string_view> a,
                                        std::size_t n) const {
        return inner_.scan(p, a, n);
    }
    std::size_t count(std::string_view p) const { return inner_.count(p); }
    void apply(const strata::write_batch& b) {
        if (++applies_ == fail_at_)
            throw strata::storage_error("apply batch", "", "simulated crash");
        inner_.apply(b);
    }
    int applies() const { return applies_; }

private:
    strata::memory_backend& inner_;
    int fail_at_;
    int applies_ = 0;
};
static_assert(strata::check_backend<failing_backend>());

using snapshot = std::map<std::string, std::string>;

template <class B>
snapshot snap(const B& b) {
    snapshot s;
    for (auto& kv : b.scan("", std::nullopt, strata::no_limit)) s.emplace(kv.key, kv.value);
    return s;
}

/// The test store: under "blob/", 20 old compressible 'none' frames (b00..b19, ages 10..29 days),
/// 3 young ones (y0..y2, 1 day), one incompressible old one (r), one lz4 frame (old), one value
/// that is not a frame (raw), one zstd frame (z); outside the prefix, an old 'none' frame.
template <class B>
void fill(B& b) {
    for (int i = 0; i < 20; ++i) {
        const std::string key = "blob/b" + std::string(i < 10 ? "0" : "") + std::to_string(i);
        b.put(key, strata::encode_frame(strata::no_compression{},
                                        test::json_like(3000, static_cast<std::uint64_t>(i)),
                                        now - (10 + i) * day));
    }
    for (int i = 0; i < 3; ++i) {
        b.put("blob/y" + std::to_string(i),
              strata::encode_frame(strata::no_compression{},
                                   test::json_like(3000, 100 + static_cast<std::uint64_t>(i)),
                                   now - day));
    }
    b.put("blob/r", strata::encode_frame(strata::no_compression{}, test::random_bytes(3000, 5),
                                         now - 40 * day));
    b.put("blob/l", strata::encode_frame(strata::lz4_compression{}, test::json_like(3000, 200),
                                         now - 40 * day));
    b.put("blob/raw", R"({"not":"a frame"})");
    b.put("blob/z", strata::encode_frame(strata::zstd_compression{}, test::json_like(3000, 300),
                                         now - 40 * day));
    b.put("other/x", strata::encode_frame(strata::no_compression{}, test::json_like(3000, 400),
                                          now - 40 * day));
}

strata::recompress_options options(std::string cursor = "") {
    return {.prefix = "blob/", .min_age = 7 * 24h, .cursor_key = std::move(cursor), .now_ms = [] {
                return now;
            }};
}

/// Every value decodes to the same bytes in `a` and `b`, same written time; returns the keys whose
/// stored bytes differ.
std::vector<std::string> changed_keys(const snapshot& a, const snapshot& b) {
    std::vector<std::string> changed;
    REQUIRE(a.size() == b.size());
    for (const auto& [k, v] : a) {
        REQUIRE(b.contains(k));
        const std::string& w = b.at(k);
        if (v == w) continue;
        changed.push_back(k);
        const auto before = strata::read_frame_header(v, k);
        const auto after = strata::read_frame_header(w, k);
        CHECK(after.written_ms == before.written_ms);
        CHECK(after.original_size == before.original_size);
        CHECK(strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(w, k) ==
              strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(v, k));
    }
    return changed;
}

std::uint64_t saved_between(const snapshot& a, const snapshot& b) {
    std::uint64_t saved = 0;
    for (const auto& [k, v] : a) saved += v.size() - b.at(k).size();
    return saved;
}

}  // namespace

TEST_CASE("recompress: old 'none' frames become zstd, the rest is left alone and reported") {
    strata::memory_backend store;
    fill(store);
    const snapshot before = snap(store);
    const auto r = strata::recompress(store, strata::zstd_compression{}, options());
    const snapshot after = snap(store);

    std::vector<std::string> expected;
    for (int i = 0; i < 20; ++i)
        expected.push_back("blob/b" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    for (const auto& k : expected) CHECK(strata::read_frame_header(after.at(k), k).codec == 1);
    // blob/r did not shrink: same codec and payload, marked incompressible (one more write).
    auto changed = expected;
    changed.push_back("blob/r");
    CHECK(changed_keys(before, after) == changed);
    const auto r_info = strata::read_frame_header(after.at("blob/r"), "blob/r");
    CHECK(r_info.codec == 0);
    CHECK(r_info.incompressible());
    CHECK(after.at("blob/r").substr(r_info.header_size) ==
          before.at("blob/r").substr(r_info.header_size));

    CHECK(r.examined == 27);
    CHECK(r.rewritten == 20);
    CHECK(r.skipped_young == 3);
    CHECK(r.skipped_no_gain == 1);  // blob/r
    CHECK(r.marked == 1);
    CHECK(r.skipped_incompressible == 0);
    CHECK(r.skipped_compressed == 2);  // blob/l (not recoded by default), blob/z
    CHECK(r.skipped_errors == 1);      // blob/raw
    CHECK(r.finished);
    CHECK(r.batches == 1);
    CHECK_FALSE(r.resumed_after);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].key == "blob/raw");
    CHECK(r.problems[0].reason ==
          "byte 0 is 0x7b, not the frame magic 0xf5: the value is not a strata frame");
    CHECK(after.at("blob/raw") == R"({"not":"a frame"})");
    // Bytes: exactly the sum of the size differences.
    CHECK(r.bytes_saved == saved_between(before, after));
    CHECK(r.bytes_saved == r.bytes_before - r.bytes_after);
    std::uint64_t old_bytes = 0, new_bytes = 0;
    for (const auto& k : expected) {
        old_bytes += before.at(k).size();
        new_bytes += after.at(k).size();
    }
    CHECK(r.bytes_before == old_bytes);
    CHECK(r.bytes_after == new_bytes);
    CHECK(r.bytes_saved > 20 * 1000);
    CHECK(r.summary() ==
          "examined 27, rewritten 20 (" + std::to_string(old_bytes) + " -> " +
              std::to_string(new_bytes) + " bytes, saved " + std::to_string(old_bytes - new_bytes) +
              "), skipped 3 young, 2 compressed, 0 incompressible, 1 no gain (1 marked), 1 "
              "unreadable; 1 batches; finished");
}

TEST_CASE("recompress: a second pass changes nothing and saves 0") {
    strata::memory_backend store;
    fill(store);
    (void)strata::recompress(store, strata::zstd_compression{}, options("meta/cursor"));
    const snapshot once = snap(store);
    CHECK_FALSE(once.contains("meta/cursor"));  // erased at the end
    const auto r = strata::recompress(store, strata::zstd_compression{}, options("meta/cursor"));
    CHECK(snap(store) == once);
    CHECK(r.rewritten == 0);
    CHECK(r.bytes_saved == 0);
    CHECK(r.examined == 27);
    CHECK(r.skipped_compressed == 22);
    CHECK(r.skipped_incompressible == 1);  // blob/r, marked by the first pass
    CHECK(r.skipped_no_gain == 0);
    CHECK(r.marked == 0);
    CHECK(r.batches == 0);
    CHECK(r.finished);
}

TEST_CASE("recompress: the age limit, to the millisecond, and the clock") {
    strata::memory_backend store;
    store.put("blob/a",
              strata::encode_frame(strata::no_compression{}, test::json_like(2000), now - 7 * day));
    store.put("blob/b", strata::encode_frame(strata::no_compression{}, test::json_like(2000),
                                             now - 7 * day + 1));
    store.put("blob/c", strata::encode_frame(strata::no_compression{}, test::json_like(2000),
                                             now + day));  // future
    auto r = strata::recompress(store, strata::zstd_compression{}, options());
    CHECK(r.rewritten == 1);
    CHECK(r.skipped_young == 2);
    CHECK(strata::read_frame_header(*store.get("blob/a"), "a").codec == 1);
    CHECK(strata::read_frame_header(*store.get("blob/b"), "b").codec == 0);
    // One millisecond later, b is old enough.
    auto later = options();
    later.now_ms = [] { return now + 1; };
    r = strata::recompress(store, strata::zstd_compression{}, later);
    CHECK(r.rewritten == 1);
    CHECK(strata::read_frame_header(*store.get("blob/b"), "b").codec == 1);
    // min_age 0: everything not in the future.
    auto all = options();
    all.min_age = 0ms;
    r = strata::recompress(store, strata::zstd_compression{}, all);
    CHECK(r.rewritten == 0);
    CHECK(r.skipped_young == 1);
}

TEST_CASE("recompress: stopped between batches, it resumes after the last committed key") {
    strata::memory_backend reference;
    fill(reference);
    (void)strata::recompress(reference, strata::zstd_compression{}, options());

    strata::memory_backend store;
    fill(store);
    const snapshot before = snap(store);
    auto opt = options("meta/cursor");
    opt.batch_entries = 5;
    int checks = 0;
    opt.stop = [&] {
        return ++checks == 3;
    };  // before the first batch, after it, after the second: stop
    const auto first = strata::recompress(store, strata::zstd_compression{}, opt);
    CHECK_FALSE(first.finished);
    CHECK(first.batches == 2);
    CHECK(first.examined == 10);
    CHECK(first.rewritten == 10);  // b00..b09
    CHECK(store.get("meta/cursor") == "blob/b09");
    for (const auto& [k, v] : snap(store)) {
        if (!k.starts_with("blob/b")) continue;
        CHECK(strata::read_frame_header(v, k).codec == (k < "blob/b10" ? 1 : 0));
    }

    opt.stop = nullptr;
    const auto second = strata::recompress(store, strata::zstd_compression{}, opt);
    CHECK(second.resumed_after == "blob/b09");
    CHECK(second.finished);
    CHECK(second.examined == 17);
    CHECK(second.rewritten == 10);
    CHECK_FALSE(store.contains("meta/cursor"));
    CHECK(snap(store) == snap(reference));
    CHECK(first.bytes_saved + second.bytes_saved == saved_between(before, snap(store)));
}

TEST_CASE("recompress: a stop requested before anything is done writes nothing") {
    strata::memory_backend store;
    fill(store);
    const snapshot before = snap(store);
    auto opt = options("meta/cursor");
    opt.stop = [] { return true; };
    const auto r = strata::recompress(store, strata::zstd_compression{}, opt);
    CHECK_FALSE(r.finished);
    CHECK(r.examined == 0);
    CHECK(r.batches == 0);
    CHECK(snap(store) == before);
}

TEST_CASE("recompress: after a crash on the Nth batch, a rerun finishes the job") {
    strata::memory_backend reference;
    fill(reference);
    (void)strata::recompress(reference, strata::zstd_compression{}, options());

    for (int fail_at = 1; fail_at <= 6; ++fail_at) {
        CAPTURE(fail_at);
        strata::memory_backend store;
        fill(store);
        const snapshot before = snap(store);
        auto opt = options("meta/cursor");
        opt.batch_entries =
            5;  // 27 values: batches end at b04, b09, b14, b19, y1; the last erases the cursor
        failing_backend crashing(store, fail_at);
        CHECK_THROWS_AS((void)strata::recompress(crashing, strata::zstd_compression{}, opt),
                        strata::storage_error);
        // What committed is whole batches: the cursor names the last key of the last one.
        const auto cursor = store.get("meta/cursor");
        const std::vector<std::optional<std::string>> expected_cursor = {
            std::nullopt, "blob/b04", "blob/b09", "blob/b14", "blob/b19", "blob/y1"};
        CHECK(cursor == expected_cursor[static_cast<std::size_t>(fail_at - 1)]);
        std::size_t compressed = 0;
        for (const auto& [k, v] : snap(store)) {
            if (k.starts_with("blob/b") && strata::read_frame_header(v, k).codec == 1) ++compressed;
        }
        CHECK(compressed == std::min<std::size_t>(20, 5 * static_cast<std::size_t>(fail_at - 1)));

        const auto rerun = strata::recompress(store, strata::zstd_compression{}, opt);
        CHECK(rerun.finished);
        CHECK(rerun.resumed_after == cursor);
        CHECK(snap(store) == snap(reference));
        CHECK_FALSE(store.contains("meta/cursor"));
    }
}

TEST_CASE("recompress: the caller's hook adds its metadata to the same batch") {
    strata::memory_backend store;
    fill(store);
    const snapshot before = snap(store);
    auto opt = options("meta/cursor");
    opt.batch_entries = 5;
    std::vector<std::string> hooked;
    opt.on_rewrite = [&](strata::write_batch& batch, std::string_view key,
                         const strata::frame_info& info, std::size_t stored_after) {
        hooked.emplace_back(key);
        CHECK(info == strata::read_frame_header(before.at(std::string(key)), key));
        CHECK(info.codec == 0);
        CHECK_FALSE(info.incompressible());
        batch.put("meta/size/" + std::string(key), std::to_string(stored_after));
    };
    // Crash on the third batch: the metadata of the first two batches committed with their rewrites.
    failing_backend crashing(store, 3);
    CHECK_THROWS((void)strata::recompress(crashing, strata::zstd_compression{}, opt));
    auto check_consistent = [&] {
        for (const auto& [k, v] : snap(store)) {
            if (!k.starts_with("blob/") || k == "blob/raw") continue;
            const auto meta = store.get("meta/size/" + k);
            CHECK(meta.has_value() == (before.at(k) != v));  // rewritten or marked
            if (meta) CHECK(*meta == std::to_string(v.size()));
        }
    };
    check_consistent();
    CHECK(store.count("meta/size/") == 10);
    hooked.clear();
    const auto r = strata::recompress(store, strata::zstd_compression{}, opt);
    CHECK(r.rewritten == 10);
    CHECK(r.marked == 1);
    CHECK(hooked.size() == 11);
    check_consistent();
    CHECK(store.count("meta/size/") == 21);
}

TEST_CASE("recompress: lz4 frames are recoded into zstd when asked") {
    strata::memory_backend store;
    fill(store);
    const snapshot before = snap(store);
    const auto r = strata::recompress<strata::lz4_compression>(
        store, strata::zstd_compression{.level = 9}, options());
    CHECK(r.rewritten == 21);
    CHECK(r.skipped_compressed == 1);  // blob/z
    const auto info = strata::read_frame_header(*store.get("blob/l"), "blob/l");
    CHECK(info.codec == 1);
    CHECK(info.written_ms == now - 40 * day);
    CHECK(changed_keys(before, snap(store)).size() == 22);  // and blob/r, marked
    CHECK(r.bytes_saved == saved_between(before, snap(store)));
}

TEST_CASE("recompress: frames that do not decode are reported, counted and left alone") {
    strata::memory_backend store;
    std::string truncated =
        strata::encode_frame(strata::no_compression{}, test::json_like(1000), now - 30 * day);
    truncated.pop_back();
    store.put("blob/1-truncated", truncated);
    store.put("blob/2-huge", strata::encode_frame(strata::no_compression{}, test::json_like(2000),
                                                  now - 30 * day));
    std::string bad_lz4 =
        strata::encode_frame(strata::lz4_compression{}, test::json_like(1000), now - 30 * day);
    bad_lz4.resize(bad_lz4.size() - 5);
    store.put("blob/3-bad-lz4", bad_lz4);
    store.put("blob/4-empty", "");
    store.put("blob/5-good", strata::encode_frame(strata::no_compression{}, test::json_like(1000),
                                                  now - 30 * day));
    const snapshot before = snap(store);
    auto opt = options();
    opt.max_frame_size = 1999;
    opt.max_problems = 3;
    auto r = strata::recompress<strata::lz4_compression>(store, strata::zstd_compression{}, opt);
    CHECK(r.skipped_errors == 4);
    CHECK(r.rewritten == 1);
    REQUIRE(r.problems.size() == 3);  // the fourth (blob/4-empty) counted, not listed
    CHECK(r.problems[0].key == "blob/1-truncated");
    CHECK(r.problems[0].reason.starts_with("codec 0 (none): the payload at byte"));
    CHECK(r.problems[1].key == "blob/2-huge");
    CHECK(
        r.problems[1].reason.starts_with("the header declares 2000 bytes, over the limit of 1999"));
    CHECK(r.problems[2].key == "blob/3-bad-lz4");
    CHECK(r.problems[2].reason.starts_with("codec 2 (lz4)"));
    const snapshot after = snap(store);
    for (const char* k : {"blob/1-truncated", "blob/2-huge", "blob/3-bad-lz4", "blob/4-empty"}) {
        CHECK(after.at(k) == before.at(k));
    }
    CHECK(strata::read_frame_header(after.at("blob/5-good"), "k").codec == 1);
    opt.max_frame_size = strata::default_max_frame_size;
    r = strata::recompress<strata::lz4_compression>(store, strata::zstd_compression{}, opt);
    CHECK(r.rewritten == 1);  // blob/2-huge
    CHECK(r.skipped_errors == 3);
    CHECK(r.skipped_compressed == 1);
}

TEST_CASE(
    "recompress: a cursor that belongs to another prefix is refused; one under the prefix is "
    "skipped") {
    strata::memory_backend store;
    fill(store);
    store.put("meta/cursor", "chunks/c9");
    auto e = [&] {
        try {
            (void)strata::recompress(store, strata::zstd_compression{}, options("meta/cursor"));
        } catch (const strata::error& err) {
            return std::string(err.what());
        }
        return std::string();
    }();
    CHECK(e ==
          "strata: recompress: the cursor key \"meta/cursor\" holds \"chunks/c9\", which is not "
          "under the "
          "prefix \"blob/\" (another pass's cursor? give each pass its own cursor key)");

    strata::memory_backend inside;
    fill(inside);
    auto opt = options("blob/~cursor");
    opt.batch_entries = 4;
    int checks = 0;
    opt.stop = [&] { return ++checks == 2; };
    auto r = strata::recompress(inside, strata::zstd_compression{}, opt);
    CHECK(inside.get("blob/~cursor") == "blob/b03");
    opt.stop = nullptr;
    r = strata::recompress(inside, strata::zstd_compression{}, opt);
    CHECK(r.finished);
    CHECK(r.examined == 23);       // the cursor itself is not examined
    CHECK(r.skipped_errors == 1);  // blob/raw only
    CHECK_FALSE(inside.contains("blob/~cursor"));
}

TEST_CASE("recompress: incompressible values: marked once, skipped after, retried on request") {
    strata::memory_backend store;
    const std::string noise = test::random_bytes(5000, 3);
    store.put("blob/noise", strata::encode_frame(strata::no_compression{}, noise, now - 30 * day));
    const std::string original = *store.get("blob/noise");

    SUBCASE("without marking, nothing is written and every pass compresses again") {
        auto opt = options();
        opt.mark_incompressible = false;
        for (int pass = 0; pass < 2; ++pass) {
            const auto r = strata::recompress(store, strata::zstd_compression{}, opt);
            CHECK(r.skipped_no_gain == 1);
            CHECK(r.marked == 0);
            CHECK(r.batches == 0);
            CHECK(store.get("blob/noise") == original);
        }
    }
    SUBCASE("marked by the first pass, skipped by the next; a retry examines it again") {
        auto r = strata::recompress(store, strata::zstd_compression{}, options());
        CHECK(r.marked == 1);
        CHECK(r.bytes_saved == 0);
        const std::string marked = *store.get("blob/noise");
        CHECK(marked.size() == original.size());
        CHECK(strata::read_frame_header(marked, "k").incompressible());
        CHECK(strata::decode_frame(marked, "k") == noise);
        r = strata::recompress(store, strata::zstd_compression{}, options());
        CHECK(r.skipped_incompressible == 1);
        CHECK(r.skipped_no_gain == 0);
        auto retry = options();
        retry.retry_incompressible = true;
        r = strata::recompress(store, strata::zstd_compression{}, retry);
        CHECK(r.skipped_no_gain == 1);
        CHECK(r.marked == 0);  // already marked: not written again
        CHECK(r.batches == 0);
        CHECK(store.get("blob/noise") == marked);
    }
    SUBCASE("a marked value that does shrink under a retry is rewritten, unmarked") {
        const std::string text = test::json_like(5000, 8);
        store.put("blob/text",
                  test::raw_frame(0, text.size(), now - 30 * day, text, 0xF5, 1, 0x01));
        auto r = strata::recompress(store, strata::zstd_compression{}, options());
        CHECK(r.skipped_incompressible == 1);
        CHECK(r.rewritten == 0);
        auto retry = options();
        retry.retry_incompressible = true;
        r = strata::recompress(store, strata::zstd_compression{}, retry);
        CHECK(r.rewritten == 1);
        const auto info = strata::read_frame_header(*store.get("blob/text"), "k");
        CHECK(info.codec == 1);
        CHECK_FALSE(info.incompressible());
        CHECK(strata::decode_frame<strata::zstd_compression>(*store.get("blob/text"), "k") == text);
    }
}

TEST_CASE("recompress: batches are bounded by bytes") {
    strata::memory_backend store;
    fill(store);
    auto opt = options();
    opt.batch_bytes = 1;  // every rewrite is its own batch
    const auto r = strata::recompress(store, strata::zstd_compression{}, opt);
    CHECK(r.rewritten == 20);
    CHECK(r.batches == 21);  // and the mark of blob/r
}

TEST_CASE("recompress: on sqlite_backend, stopped and resumed") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(STRATA_TEST_WORK_DIR) / "sqlite";
    fs::remove_all(dir);
    fs::create_directories(dir);
    strata::memory_backend reference;
    fill(reference);
    (void)strata::recompress(reference, strata::zstd_compression{}, options());
    {
        strata::sqlite_backend store((dir / "store.db").string());
        fill(store);
        auto opt = options("meta/cursor");
        opt.batch_entries = 8;
        int checks = 0;
        opt.stop = [&] { return ++checks == 2; };
        const auto r = strata::recompress(store, strata::zstd_compression{}, opt);
        CHECK_FALSE(r.finished);
        CHECK(store.get("meta/cursor") == "blob/b07");
    }
    strata::sqlite_backend store((dir / "store.db").string());  // reopened: the cursor survived
    const auto r = strata::recompress(store, strata::zstd_compression{}, options("meta/cursor"));
    CHECK(r.resumed_after == "blob/b07");
    CHECK(r.finished);
    CHECK(snap(store) == snap(reference));
}
