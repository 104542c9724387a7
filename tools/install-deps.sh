#!/usr/bin/env bash
# Installs what ctnn needs from Debian's packages, when something is missing. Run as root on
# Debian 12. `--torch` also installs PyTorch, needed only to regenerate tests/golden/; `--bench`
# the peers of benchmarks/run.sh (LibTorch, dlib, OpenBLAS).
set -euo pipefail
packages=(cmake ninja-build g++ git xtensor-dev libxsimd-dev libboost-test-dev libthrust-dev
          libcub-dev libbenchmark-dev zlib1g-dev rapidjson-dev
          dataset-fashion-mnist)
[[ "${1:-}" == "--torch" ]] && packages+=(python3-torch python3-numpy)
[[ "${1:-}" == "--bench" ]] && packages+=(libtorch-dev libdlib-dev libopenblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: everything is installed"
fi
