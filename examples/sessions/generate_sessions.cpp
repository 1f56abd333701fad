// generate_sessions: writes a legacy "sessions" store (mostly v1 documents, some already at v2)
// into a directory, one DIR/<id>.json per session. Deterministic for a given --seed.
//
//   generate_sessions --out DIR [--count N] [--seed S] [--big K] [--v2-share F]
#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "corpus.hpp"

namespace {

constexpr const char* usage =
    "usage: generate_sessions --out DIR [--count N] [--seed S] [--big K] [--v2-share F]\n"
    "  --out DIR       directory to write DIR/<id>.json into (created if missing)\n"
    "  --count N       number of documents (default 1000)\n"
    "  --seed S        unsigned 64-bit seed; same seed, same bytes (default 42)\n"
    "  --big K         how many documents are large, with hundreds of array items (default 2)\n"
    "  --v2-share F    share of documents already at v2, 0..1 (default 0.1)\n";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "generate_sessions: %s\n%s", message.c_str(), usage);
    return 2;
}

template <class T>
bool parse_whole(std::string_view text, T& value) {
    if (text.empty()) return false;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    return r.ec == std::errc{} && r.ptr == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
    sessions_corpus::options opt;
    std::string out;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(usage, stdout);
            return 0;
        }
        std::string_view name = arg;
        std::string_view value;
        bool has_value = false;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            has_value = true;
        }
        if (name != "--out" && name != "--count" && name != "--seed" && name != "--big" &&
            name != "--v2-share")
            return usage_error("unknown argument '" + std::string(arg) + "'");
        if (!has_value) {
            if (i + 1 >= argc) return usage_error(std::string(name) + " needs a value");
            value = argv[++i];
        }
        bool ok = true;
        if (name == "--out") {
            out = value;
            ok = !out.empty();
        } else if (name == "--count") {
            ok = parse_whole(value, opt.count);
        } else if (name == "--seed") {
            ok = parse_whole(value, opt.seed);
        } else if (name == "--big") {
            ok = parse_whole(value, opt.big);
        } else {
            ok = parse_whole(value, opt.v2_share) && opt.v2_share >= 0.0 && opt.v2_share <= 1.0;
        }
        if (!ok)
            return usage_error("invalid value '" + std::string(value) + "' for " +
                               std::string(name));
    }
    if (out.empty()) return usage_error("--out DIR is required");

    try {
        const std::size_t bytes = sessions_corpus::write_directory(opt, out);
        std::printf("wrote %zu documents, %zu bytes, to %s\n", opt.count, bytes, out.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "generate_sessions: %s\n", e.what());
        return 1;
    }
    return 0;
}
