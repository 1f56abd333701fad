#!/usr/bin/env python3
"""Consistency checks for the Conan recipe and the vcpkg port (stdlib only, no Conan needed).

Usage: check_packaging.py [CONFIGURE_OPTIONS_FILE]

CONFIGURE_OPTIONS_FILE holds one "-DNAME=VALUE" per line: the options the CMake consumer
test configured with. The port's vcpkg_cmake_configure options must be the same set.
Prints "ok: ..." or "FAIL: ..." per check; exits 1 if any check failed.
"""

import json
import py_compile
import re
import sys
import tempfile
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_HPP = ROOT / "include" / "strata" / "version.hpp"
PORTFILE = ROOT / "ports" / "strata" / "portfile.cmake"
VCPKG_JSON = ROOT / "ports" / "strata" / "vcpkg.json"
RECIPES = (ROOT / "conanfile.py", ROOT / "test_package" / "conanfile.py")

failures = 0


def ok(msg):
    print(f"ok: {msg}")


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + " ".join(str(msg).split()))  # one line, even for compiler messages


def header_version():
    text = VERSION_HPP.read_text(encoding="utf-8")
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(rf"^\s*#\s*define\s+STRATA_VERSION_{part}\s+(\d+)\b", text, re.M)
        if not m:
            raise ValueError(f"STRATA_VERSION_{part} not found in {VERSION_HPP}")
        parts.append(m.group(1))
    return ".".join(parts)


def check_recipes_compile():
    with tempfile.TemporaryDirectory() as tmp:  # keep __pycache__ out of the tree
        for recipe in RECIPES:
            name = recipe.relative_to(ROOT)
            try:
                py_compile.compile(str(recipe), cfile=str(Path(tmp) / "out.pyc"), doraise=True)
                ok(f"{name} compiles")
            except (py_compile.PyCompileError, OSError) as e:
                fail(f"{name} does not compile: {e}")


def check_vcpkg_json(version):
    try:
        manifest = json.loads(VCPKG_JSON.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return fail(f"cannot read {VCPKG_JSON.relative_to(ROOT)}: {e}")
    if manifest.get("name") == "strata":
        ok('vcpkg.json name is "strata"')
    else:
        fail(f'vcpkg.json name is {manifest.get("name")!r}, expected "strata"')
    if manifest.get("version") == version:
        ok(f"vcpkg.json version {version} matches version.hpp")
    else:
        fail(f"vcpkg.json version {manifest.get('version')!r} != version.hpp {version!r}")


def portfile_options():
    text = PORTFILE.read_text(encoding="utf-8")
    text = re.sub(r"#[^\n]*", "", text)  # drop CMake line comments
    start = text.find("vcpkg_cmake_configure(")
    if start < 0:
        raise ValueError("no vcpkg_cmake_configure( call in portfile.cmake")
    depth, i = 0, start + len("vcpkg_cmake_configure")
    for i in range(i, len(text)):  # find the matching ')'
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            break
    call = text[start:i + 1]
    return {tok.strip('"') for tok in re.findall(r'"?-D[A-Za-z0-9_]+(?::[A-Z]+)?=[^\s")]*"?', call)}


def check_configure_options(options_file):
    if options_file is None:
        print("skip: portfile options vs consumer test (no options file given as argv[1])")
        return
    try:
        theirs = {line.strip() for line in Path(options_file).read_text().splitlines()
                  if line.strip() and not line.strip().startswith("#")}
        ours = portfile_options()
    except (OSError, ValueError) as e:
        return fail(f"cannot compare configure options: {e}")
    if ours == theirs:
        ok(f"portfile configure options match {options_file}: {' '.join(sorted(ours))}")
    else:
        fail(f"portfile configure options differ from {options_file}: "
             f"only in portfile {sorted(ours - theirs)}, only in file {sorted(theirs - ours)}")


def stub_conan():
    """Install a fake `conan` package so conanfile.py can be exec'd without Conan."""

    class ConanFile:  # the real base class is not needed for set_version()
        pass

    class ConanException(Exception):
        pass

    class ConanInvalidConfiguration(ConanException):
        pass

    def noop(*args, **kwargs):
        return None

    modules = {
        "conan": {"ConanFile": ConanFile},
        "conan.errors": {"ConanException": ConanException,
                         "ConanInvalidConfiguration": ConanInvalidConfiguration},
        "conan.tools": {},
        "conan.tools.build": {"check_min_cppstd": noop, "can_run": noop},
        "conan.tools.files": {"copy": noop},
        "conan.tools.layout": {"basic_layout": noop},
        "conan.tools.scm": {"Version": str},
        "conan.tools.cmake": {"CMake": noop, "cmake_layout": noop},
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        module.__path__ = []  # mark as a package so submodule imports resolve
        sys.modules[name] = module
    return ConanFile


def check_conan_version(version):
    base = stub_conan()
    namespace = {"__name__": "strata_conanfile", "__file__": str(RECIPES[0])}
    try:
        exec(compile(RECIPES[0].read_text(encoding="utf-8"), str(RECIPES[0]), "exec"), namespace)
        recipes = [v for v in namespace.values()
                   if isinstance(v, type) and issubclass(v, base) and v is not base]
        if len(recipes) != 1:
            return fail(f"conanfile.py defines {len(recipes)} ConanFile classes, expected 1")
        recipe = recipes[0]()
        recipe.recipe_folder = str(ROOT)
        recipe.version = None
        recipe.set_version()
    except Exception as e:  # report any failure of the recipe code as a check failure
        return fail(f"conanfile.py set_version() raised {type(e).__name__}: {e}")
    if recipe.version == version:
        ok(f"conanfile.py set_version() gives {version}")
    else:
        fail(f"conanfile.py set_version() gives {recipe.version!r}, version.hpp says {version!r}")


def main(argv):
    check_recipes_compile()
    try:
        version = header_version()
        ok(f"version.hpp declares {version}")
    except (OSError, ValueError) as e:
        fail(f"cannot read version from {VERSION_HPP.relative_to(ROOT)}: {e}")
        version = None
    if version is not None:
        check_vcpkg_json(version)
        check_conan_version(version)
    check_configure_options(argv[1] if len(argv) > 1 else None)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
