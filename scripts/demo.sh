#!/usr/bin/env bash
# The main job: installs what is missing, builds strata's examples (Release) and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build/demo -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_EXAMPLES=ON
cmake --build build/demo -j "$(nproc)"
build/demo/examples/quick_start
echo
build/demo/examples/sessions_demo --count 1000
