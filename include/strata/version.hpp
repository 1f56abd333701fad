/**
 * @file
 * @brief The one source of strata's version: CMake, Conan and vcpkg read the three macros below.
 */
#pragma once

#include <string_view>

/// Major version: changes when the public API or the stored formats change incompatibly.
#define STRATA_VERSION_MAJOR 0
/// Minor version: new features, compatible with the same major version.
#define STRATA_VERSION_MINOR 1
/// Patch version: fixes only.
#define STRATA_VERSION_PATCH 0

/// The version as one integer, `MAJOR * 10000 + MINOR * 100 + PATCH`, for `#if` checks.
#define STRATA_VERSION \
    (STRATA_VERSION_MAJOR * 10000 + STRATA_VERSION_MINOR * 100 + STRATA_VERSION_PATCH)

#define STRATA_DETAIL_STR2(x) #x
#define STRATA_DETAIL_STR(x) STRATA_DETAIL_STR2(x)

namespace strata {
/**
 * @brief The public API lives in `inline namespace v1`: a future incompatible ABI moves to
 * `v2`, so objects built against different versions never link together by accident.
 */
inline namespace v1 {

/// The library version, `{major, minor, patch}`.
struct library_version {
    int major;
    int minor;
    int patch;
};

/// The version of the strata headers in use.
inline constexpr library_version version{STRATA_VERSION_MAJOR, STRATA_VERSION_MINOR,
                                         STRATA_VERSION_PATCH};

/// The version as text, e.g. `"0.1.0"`.
inline constexpr std::string_view version_string =
    STRATA_DETAIL_STR(STRATA_VERSION_MAJOR) "." STRATA_DETAIL_STR(
        STRATA_VERSION_MINOR) "." STRATA_DETAIL_STR(STRATA_VERSION_PATCH);

}  // namespace v1
}  // namespace strata
