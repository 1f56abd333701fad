// libFuzzer target: arbitrary bytes through strata::dual_reader over the sessions chain
// (v1 -> v2 -> v3, attachments into an in-memory content store).
//
// Allowed outcomes for any input: the document is refused with one of the errors the library
// documents for reading (strata::decode_error, strata::version_error), or it is passed through
// untouched as a newer document, or it reads. What it reads must then be written as valid JSON
// that reads back, as v3 without an upgrade, to the very same JSON. Anything else (a crash, a
// sanitizer report, another exception, a broken round trip) is a finding: the target aborts
// and libFuzzer keeps the input.
#include "sessions/attachments.hpp"
#include "sessions/schema.hpp"

#include <strata/dual_read.hpp>
#include <strata/error.hpp>

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <variant>

namespace {

using store_type = sessions::memory_content_store;
using chain_type = sessions::session_chain<store_type>;

// Prints `text`, cut to its first 2000 bytes (the input itself is in libFuzzer's artifact).
void print_excerpt(const char* label, std::string_view text) {
    constexpr std::size_t limit = 2000;
    const bool cut = text.size() > limit;
    if (cut) text = text.substr(0, limit);
    std::fprintf(stderr, "  %s%.*s%s\n", label, static_cast<int>(text.size()), text.data(),
                 cut ? "..." : "");
}

[[noreturn]] void finding(std::string_view what, std::string_view detail = {},
                          std::string_view json = {}) {
    std::fprintf(stderr, "fuzz_sessions: FINDING: %.*s\n", static_cast<int>(what.size()),
                 what.data());
    if (!detail.empty()) print_excerpt("", detail);
    if (!json.empty()) print_excerpt("written: ", json);
    std::abort();
}

// A strict, complete parse (simdjson's DOM parser validates every string, escape and number,
// which On-Demand skips over in values it does not read).
bool is_valid_json(std::string_view text) {
    static simdjson::dom::parser parser;
    const simdjson::padded_string padded(text);
    simdjson::dom::element root;
    return parser.parse(padded).get(root) == simdjson::SUCCESS;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    store_type store;
    chain_type chain{sessions::session_v1_to_v2{},
                     sessions::session_v2_to_v3<store_type>{&store}};
    strata::dual_reader reader{chain, sessions::session_version{}};

    // 1. Read: the document reads, is newer, or is refused with a documented error.
    std::variant<sessions::session_v3, strata::newer_document> result;
    try {
        result = reader.read_or_pass("fuzz", bytes);
    } catch (const strata::decode_error& error) {
        if (error.document() != "fuzz") finding("a decode_error that does not name the document", error.what());
        return 0;
    } catch (const strata::version_error&) {
        return 0;
    }

    if (const auto* newer = std::get_if<strata::newer_document>(&result)) {
        if (newer->bytes.data() != bytes.data() || newer->bytes.size() != bytes.size()) {
            finding("a newer document was not handed back untouched");
        }
        if (newer->version <= chain_type::latest_version) {
            finding("a document the chain knows was passed through as newer");
        }
        try {
            (void)reader.read("fuzz", bytes);
            finding("read() accepted a document read_or_pass calls newer");
        } catch (const strata::version_error&) {
        }
        return 0;
    }

    // 2. Write: always possible for a record that was read (its strings were validated).
    std::string written;
    try {
        written = reader.write(std::get<sessions::session_v3>(result));
    } catch (const std::exception& error) {
        finding("writing a record that was read threw", error.what());
    }
    if (!written.starts_with("{\"schemaVersion\":3,")) {
        finding("the written JSON does not start with schemaVersion 3", {}, written);
    }
    if (!is_valid_json(written)) finding("the written JSON is not valid JSON", {}, written);

    // 3. Read back: the written JSON is v3, reads without an upgrade, to the same JSON.
    const auto upgrades = reader.counters().upgrades;
    std::string again;
    try {
        const sessions::session_v3 reread = reader.read("written", written);
        again = reader.write(reread);
    } catch (const std::exception& error) {
        finding("the written JSON does not read back", error.what(), written);
    }
    if (reader.counters().upgrades != upgrades) {
        finding("the written JSON was upgraded again", {}, written);
    }
    if (again != written) {
        finding("the written JSON reads back to other JSON", again, written);
    }
    return 0;
}
