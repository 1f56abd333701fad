import os
import re

from conan import ConanFile
from conan.errors import ConanException, ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy
from conan.tools.layout import basic_layout
from conan.tools.scm import Version

required_conan_version = ">=2.0"


class StrataConan(ConanFile):
    name = "strata"
    # No `version` attribute: set_version() reads include/strata/version.hpp, the one
    # version source shared with CMake, so the two can never disagree.
    license = "MIT"
    url = "https://github.com/strata-cpp/strata"
    homepage = "https://github.com/strata-cpp/strata"
    description = ("C++20 header-only library for keeping stored documents alive across "
                   "schema versions, with compile-time checked migration chains.")
    topics = ("header-only", "schema-migration", "json", "versioning", "serialization")
    # header-library: Conan treats our requirements as transitive (headers and libs),
    # because our public headers include Boost and simdjson headers.
    package_type = "header-library"
    # Settings are only read by validate(); package_id() drops them, so there is one
    # package for every configuration.
    settings = "os", "arch", "compiler", "build_type"
    # The recipe lives in the repository, so export the sources instead of downloading.
    exports_sources = "include/*", "LICENSE"
    # Nothing is built; packaging straight from the exported sources is enough.
    no_copy_source = True

    _min_cppstd = 20
    # Oldest compilers whose C++20 support (concepts, class-type NTTPs) strata targets.
    _compilers_minimum_version = {
        "gcc": "12",
        "clang": "14",
        "apple-clang": "15",
        "msvc": "193",
    }

    def set_version(self):
        path = os.path.join(self.recipe_folder, "include", "strata", "version.hpp")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        parts = []
        for part in ("MAJOR", "MINOR", "PATCH"):
            m = re.search(rf"^\s*#\s*define\s+STRATA_VERSION_{part}\s+(\d+)\b", text, re.M)
            if not m:
                raise ConanException(f"strata: STRATA_VERSION_{part} not found in {path}")
            parts.append(m.group(1))
        self.version = ".".join(parts)

    def layout(self):
        # Sources are exported at the recipe root (include/, LICENSE), not into src/.
        basic_layout(self, src_folder=".")

    def requirements(self):
        # Core: Boost.Hana (via the header-only boost::headers component).
        self.requires("boost/[>=1.81 <2]")
        # JSON codec (strata::json): simdjson is a compiled library; its linking reaches
        # consumers through the header-library transitivity.
        self.requires("simdjson/[>=3.0 <4]")
        # SQLite backend (strata::sqlite, the embedded default store): a compiled library,
        # transitive like simdjson. 3.40 is the oldest version tested (Debian 12's).
        self.requires("sqlite3/[>=3.40 <4]")
        # Hash policies: SHA-256 (strata::openssl), XXH3-128 (strata::xxhash), BLAKE2b-256
        # (strata::sodium).
        self.requires("openssl/[>=3.0 <4]")
        self.requires("xxhash/[>=0.8.1 <0.9]")
        self.requires("libsodium/[>=1.0.18 <2]")
        # Compression policies (strata::zstd, strata::lz4).
        self.requires("zstd/[>=1.5 <2]")
        self.requires("lz4/[>=1.9 <2]")
        self.requires("fmt/[>=9 <11]")

    def package_id(self):
        # One package id for all settings (replaces Conan 1's deprecated header_only()).
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, self._min_cppstd)
        compiler = str(self.settings.compiler)
        minimum = self._compilers_minimum_version.get(compiler)
        if minimum and Version(self.settings.compiler.version) < minimum:
            raise ConanInvalidConfiguration(
                f"{self.ref} requires C++{self._min_cppstd}; {compiler} "
                f"{self.settings.compiler.version} is too old (need >= {minimum}).")

    def build(self):
        # Header-only: nothing to build (defined to silence Conan's missing-build warning).
        pass

    def package(self):
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"),
             dst=os.path.join(self.package_folder, "include"))
        copy(self, "LICENSE", src=self.source_folder,
             dst=os.path.join(self.package_folder, "licenses"))

    def package_info(self):
        # Same file and target names as the CMake package installed by CMakeLists.txt,
        # so consumers write identical find_package/target_link_libraries lines.
        self.cpp_info.set_property("cmake_file_name", "strata")
        # CMakeDeps makes a root target that links every component; give it its own name
        # so it does not collide with the "core" component's strata::strata (which would
        # otherwise pull simdjson into core-only consumers).
        self.cpp_info.set_property("cmake_target_name", "strata::all")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []

        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "strata::strata")
        core.requires = ["boost::headers"]
        core.bindirs = []
        core.libdirs = []

        json = self.cpp_info.components["json"]
        json.set_property("cmake_target_name", "strata::json")
        json.requires = ["core", "simdjson::simdjson"]
        json.bindirs = []
        json.libdirs = []

        sqlite = self.cpp_info.components["sqlite"]
        sqlite.set_property("cmake_target_name", "strata::sqlite")
        sqlite.requires = ["core", "sqlite3::sqlite3"]
        sqlite.bindirs = []
        sqlite.libdirs = []

        # The hash and compression policies, and the migrator's console log and progress bar
        # (fmt): one component per library, so that a consumer links only what it includes.
        for name, requirement in (("openssl", "openssl::crypto"), ("xxhash", "xxhash::xxhash"),
                                  ("sodium", "libsodium::libsodium"),
                                  ("zstd", "zstd::zstd"), ("lz4", "lz4::lz4"), ("fmt", "fmt::fmt")):
            component = self.cpp_info.components[name]
            component.set_property("cmake_target_name", f"strata::{name}")
            component.requires = ["core", requirement]
            component.bindirs = []
            component.libdirs = []
