#!/usr/bin/env bash
# Installs every Debian 12 package xgrad needs to build, test, run its examples and plot.
# Run as root (or with sudo) on a fresh machine; safe to re-run.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake git ca-certificates \
  libxtensor-dev libxtensor-blas-dev libxsimd-dev xtl-dev libopenblas-dev \
  catch2 zlib1g-dev nlohmann-json3-dev libbenchmark-dev libcxxopts-dev libstb-dev \
  clang libclang-rt-14-dev \
  python3 python3-numpy python3-matplotlib gnuplot-nox \
  dataset-fashion-mnist curl doxygen
# oneDNN: float32 convolutions on its primitives (optional: XGRAD_WITH_DNNL)
$SUDO apt-get install -y -qq --no-install-recommends libdnnl-dev
# xgrad::dist (data-parallel training over MPI)
$SUDO apt-get install -y -qq --no-install-recommends openmpi-bin libopenmpi-dev
# pkg-config: tests/package/check_deb.sh builds a consumer with the installed xgrad.pc's flags.
$SUDO apt-get install -y -qq --no-install-recommends pkgconf
# examples/tabular and examples/digits: scikit-learn's breast-cancer and digits CSVs and the
# logistic-regression baseline.
$SUDO apt-get install -y -qq --no-install-recommends python3-sklearn
# Not installed here (large, and the main job does not use them): python3-torch and
# python3-pil, for the PyTorch baselines and comparisons; without them those runs report a skip.
