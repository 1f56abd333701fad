#!/usr/bin/env bash
# Installs what strata's build, tests, examples and benchmarks need, from Debian 12's packages.
# Does nothing when everything is present; otherwise runs apt-get (as root, or through sudo).
set -euo pipefail

packages=(
    # toolchains and build tools
    g++ cmake ninja-build ccache pkg-config python3 git
    clang-16 libclang-rt-16-dev       # the clang build, sanitizers and libFuzzer
    # the library's dependencies
    libboost1.81-dev                  # Boost.Hana (core)
    libsimdjson-dev                   # strata::json
    libsqlite3-dev                    # strata::sqlite
    libssl-dev                        # strata::openssl (SHA-256)
    libxxhash-dev                     # strata::xxhash (XXH3-128)
    libsodium-dev                     # strata::sodium (BLAKE2b-256)
    libzstd-dev liblz4-dev            # strata::zstd, strata::lz4
    # tests, examples and benchmarks
    doctest-dev libbenchmark-dev libfmt-dev
    nlohmann-json3-dev                # benchmarks only: the "usual way" baseline
    libcli11-dev                      # examples/strata-migrate (the command line)
    time                              # benchmarks/cli/scale.sh: peak RSS (GNU time)
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
        echo "deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
