/**
 * @file
 * @brief The migration test harness: fixtures at each version, the whole chain run on them,
 * and a readable diff against golden results (strata's MigrationTestHelper; needs strata::json).
 *
 * A fixture directory holds one folder per case, each with the case at one or more versions and
 * the expected latest document:
 * @code
 * fixtures/
 *   minimal/   v1.json  v2.json  expected.json
 *   unicode/   v1.json  expected.json
 * @endcode
 * @code
 * strata::testing::migration_tester tester{chain, detector};
 * auto results = tester.run_directory("fixtures");
 * CHECK_MESSAGE(strata::testing::all_passed(results), strata::testing::report(results));
 * @endcode
 * For each `vN.json` the harness checks that the document declares version N, reads it through
 * the dual-read adapter, and compares the latest it writes with `expected.json` as JSON values
 * (key order and whitespace do not matter). It also checks that `expected.json` itself reads as
 * the latest version and writes back to the same JSON (the latest struct loses nothing).
 */
#pragma once

#include <strata/diff.hpp>
#include <strata/dual_read.hpp>
#include <strata/json/diff.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
inline namespace v1 {
namespace testing {

/// The outcome of one fixture.
struct fixture_result {
    std::string name;                     ///< "case/vN.json"
    std::vector<difference> differences;  ///< against the golden document
    std::string error;                    ///< an exception's message, or a harness complaint
    bool passed() const { return error.empty() && differences.empty(); }
};

/// Every fixture passed.
inline bool all_passed(const std::vector<fixture_result>& results) {
    return std::all_of(results.begin(), results.end(),
                       [](const fixture_result& r) { return r.passed(); });
}

/// A readable report: one block per failing fixture, then a count.
inline std::string report(const std::vector<fixture_result>& results) {
    std::string out;
    std::size_t failed = 0;
    for (const fixture_result& r : results) {
        if (r.passed()) continue;
        ++failed;
        out += "FAILED " + r.name + "\n";
        if (!r.error.empty()) out += "  " + r.error + "\n";
        for (const difference& d : r.differences) {
            out += "  " + d.path + ": got " + d.left + ", expected " + d.right + "\n";
        }
    }
    out += std::to_string(results.size() - failed) + " of " + std::to_string(results.size()) +
           " fixtures passed\n";
    return out;
}

/**
 * @brief Runs a chain over fixtures and compares with golden results.
 * @tparam Chain a strata::chain; @tparam Detector a version detection policy
 */
template <class Chain, is_version_detector Detector, json_options Options = json_options{}>
class migration_tester {
public:
    explicit migration_tester(Chain& chain, Detector detector = {})
        : reader_(chain, std::move(detector)) {}

    /// Upgrades `fixture` (declared to be `version`) and compares it with `golden`.
    fixture_result check(std::string name, schema_version_t version, std::string_view fixture,
                         std::string_view golden) {
        fixture_result result{std::move(name), {}, {}};
        try {
            const schema_version_t declared = reader_.version_of_document(fixture);
            if (declared != version) {
                result.error = "the fixture declares version " + std::to_string(declared) +
                               ", its name says " + std::to_string(version);
                return result;
            }
            const std::string written = reader_.write(reader_.read(result.name, fixture));
            result.differences = diff_json(written, golden);
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        return result;
    }

    /// Checks that the golden document reads as the latest and writes back unchanged.
    fixture_result check_golden(std::string name, std::string_view golden) {
        fixture_result result{std::move(name), {}, {}};
        try {
            const schema_version_t declared = reader_.version_of_document(golden);
            if (declared != Chain::latest_version) {
                result.error = "the golden document declares version " + std::to_string(declared) +
                               ", not the latest (" + std::to_string(Chain::latest_version) + ")";
                return result;
            }
            result.differences = diff_json(reader_.write(reader_.read(result.name, golden)), golden);
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        return result;
    }

    /// Runs every case folder of `directory` (see the file's documentation).
    std::vector<fixture_result> run_directory(const std::filesystem::path& directory) {
        namespace fs = std::filesystem;
        std::vector<fs::path> cases;
        for (const auto& entry : fs::directory_iterator(directory)) {
            if (entry.is_directory()) cases.push_back(entry.path());
        }
        std::sort(cases.begin(), cases.end());
        std::vector<fixture_result> results;
        for (const fs::path& folder : cases) {
            const std::string name = folder.filename().string();
            const fs::path golden_path = folder / "expected.json";
            if (!fs::exists(golden_path)) {
                results.push_back({name, {}, "no expected.json in " + folder.string()});
                continue;
            }
            const std::string golden = read_file(golden_path);
            results.push_back(check_golden(name + "/expected.json", golden));
            bool any = false;
            for (schema_version_t v = Chain::first_version; v <= Chain::latest_version; ++v) {
                const fs::path fixture = folder / ("v" + std::to_string(v) + ".json");
                if (!fs::exists(fixture)) continue;
                any = true;
                results.push_back(check(name + "/" + fixture.filename().string(), v,
                                        read_file(fixture), golden));
            }
            if (!any) results.push_back({name, {}, "no vN.json fixture in " + folder.string()});
        }
        return results;
    }

private:
    static std::string read_file(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return bytes.str();
    }

    dual_reader<Chain, Detector, read_only, Options> reader_;
};

template <class Chain, class Detector>
migration_tester(Chain&, Detector) -> migration_tester<Chain, Detector>;

}  // namespace testing
}  // namespace v1
}  // namespace strata
