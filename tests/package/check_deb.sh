#!/usr/bin/env bash
# The Debian packages as a user gets them: builds them (cpack -G DEB) from a built tree, checks
# their dependencies and file lists, unpacks them into a scratch root (dpkg-deb -x), and builds
# and runs separate projects against them: with CMake (find_package(xgrad 0.2 REQUIRED)) and
# with pkg-config's flags; and, when xgrad::dist was built, with find_package(xgrad COMPONENTS
# dist), run on 2 ranks.
#
#   tests/package/check_deb.sh [BUILD_DIR=build]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-build}" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "check_deb: $*" >&2; exit 1; }
# list_files DEB OUT: the package's files (not folders), one path per line, sorted.
list_files() { dpkg-deb --contents "$1" | awk '{print $NF}' | grep -v '/$' | sed 's|^\./||' | sort > "$2"; }
# check_files NAME LIST ALLOWED REQUIRED...: every REQUIRED path is in LIST and every path in
# LIST matches the extended regex ALLOWED (no test or example programs, no build files).
check_files() {
  local name=$1 list=$2 allowed=$3 f unexpected
  shift 3
  for f in "$@"; do grep -qx "$f" "$list" || fail "$name lacks $f"; done
  unexpected="$(grep -vE "$allowed" "$list" || true)"
  [[ -z "$unexpected" ]] || fail "unexpected files in $name:"$'\n'"$unexpected"
}
# check_licence DEB PACKAGE: its copyright file carries the BSD-3-Clause licence.
check_licence() {
  grep -q "License: BSD-3-Clause" <(dpkg-deb --fsys-tarfile "$1" | tar -xO "./usr/share/doc/$2/copyright") \
    || fail "$2's copyright file does not carry the BSD-3-Clause licence"
}

echo "-- cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/pkg" > "$scratch/cpack.log" \
  || { cat "$scratch/cpack.log"; fail "cpack failed"; }
# libxgrad-dev always; libxgrad-dist-dev when the build has xgrad::dist (MPI was found).
with_dist=false
[[ -f "$build/src/dist/libxgrad_dist.a" ]] && with_dist=true
debs=("$scratch"/pkg/*.deb)
expected_debs=1
$with_dist && expected_debs=2
[[ ${#debs[@]} -eq $expected_debs ]] || fail "expected $expected_debs .deb files, got: ${debs[*]}"
deb="$(ls "$scratch"/pkg/libxgrad-dev_*.deb 2>/dev/null)" || fail "no libxgrad-dev package"
echo "-- $(basename "$deb")"

echo "-- dependencies"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "   $depends"
for dep in libxtensor-dev libxtensor-blas-dev libxsimd-dev xtl-dev libopenblas-dev zlib1g-dev libstb-dev \
           nlohmann-json3-dev; do
  grep -qE "(^|, )$dep( |,|$)" <<< "$depends" || fail "Depends lacks $dep"
  dpkg-query -W "$dep" > /dev/null 2>&1 || fail "Depends names $dep, which is not an installed package"
done
# A build with oneDNN links it: the package must bring it.
if grep -q '^XGRAD_WITH_DNNL:BOOL=ON' "$build/CMakeCache.txt"; then
  grep -qE "(^|, )libdnnl-dev( |,|$)" <<< "$depends" || fail "built with oneDNN, but Depends lacks libdnnl-dev"
fi
[[ "$(dpkg-deb -f "$deb" Version)" == 0.2.0* ]] || fail "package version is not 0.2.0"

echo "-- file list"
list_files "$deb" "$scratch/files"
check_files libxgrad-dev "$scratch/files" \
  '^usr/(lib/libxgrad\.a|include/xgrad/.+\.hpp|lib/cmake/xgrad/xgrad[A-Za-z-]*\.cmake|lib/pkgconfig/xgrad\.pc|share/doc/libxgrad-dev/copyright)$' \
  usr/lib/libxgrad.a usr/include/xgrad/xgrad.hpp usr/include/xgrad/version.hpp \
  usr/include/xgrad/threads.hpp usr/include/xgrad/runtime.hpp \
  usr/lib/cmake/xgrad/xgradConfig.cmake usr/lib/cmake/xgrad/xgradConfigVersion.cmake \
  usr/lib/cmake/xgrad/xgradTargets.cmake usr/lib/pkgconfig/xgrad.pc \
  usr/share/doc/libxgrad-dev/copyright
check_licence "$deb" libxgrad-dev
echo "   $(wc -l < "$scratch/files") files, as expected"

if $with_dist; then
  dist_deb="$(ls "$scratch"/pkg/libxgrad-dist-dev_*.deb 2>/dev/null)" || fail "no libxgrad-dist-dev package"
  echo "-- $(basename "$dist_deb"): dependencies and file list"
  dist_depends="$(dpkg-deb -f "$dist_deb" Depends)"
  echo "   $dist_depends"
  grep -qE "(^|, )libxgrad-dev \(= 0\.2\.0\)(,|$)" <<< "$dist_depends" || fail "libxgrad-dist-dev does not depend on libxgrad-dev (= 0.2.0)"
  grep -qE "(^|, )libopenmpi-dev(,|$)" <<< "$dist_depends" || fail "libxgrad-dist-dev does not depend on libopenmpi-dev"
  list_files "$dist_deb" "$scratch/dist-files"
  check_files libxgrad-dist-dev "$scratch/dist-files" \
    '^usr/(lib/libxgrad_dist\.a|include/xgrad/dist/.+\.hpp|lib/cmake/xgrad/xgradDistTargets[A-Za-z-]*\.cmake|share/doc/libxgrad-dist-dev/copyright)$' \
    usr/lib/libxgrad_dist.a usr/include/xgrad/dist/dist.hpp usr/include/xgrad/dist/session.hpp \
    usr/lib/cmake/xgrad/xgradDistTargets.cmake usr/share/doc/libxgrad-dist-dev/copyright
  check_licence "$dist_deb" libxgrad-dist-dev
  ! grep -q '^usr/include/xgrad/dist/' "$scratch/files" || fail "libxgrad-dev carries xgrad::dist's headers"
  echo "   $(wc -l < "$scratch/dist-files") files, as expected"
fi

echo "-- unpack into a scratch root"
root="$scratch/root"
dpkg-deb -x "$deb" "$root"
$with_dist && dpkg-deb -x "$dist_deb" "$root"

echo "-- CMake: find_package(xgrad 0.2 REQUIRED)"
cmake -S "$here/consumer" -B "$scratch/cmake-build" -DCMAKE_PREFIX_PATH="$root/usr" \
  -DCMAKE_BUILD_TYPE=Release > "$scratch/configure.log" || { cat "$scratch/configure.log"; fail "configure failed"; }
cmake --build "$scratch/cmake-build" > "$scratch/build.log" || { cat "$scratch/build.log"; fail "build failed"; }
"$scratch/cmake-build/consumer" || fail "the CMake-built consumer failed"

echo "-- CMake: the version file refuses 0.1 and 0.3 (same minor version needed)"
mkdir -p "$scratch/version-probe"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(probe LANGUAGES CXX)\nfind_package(xgrad ${WANT} REQUIRED)\n' \
  > "$scratch/version-probe/CMakeLists.txt"
probe() {
  cmake -S "$scratch/version-probe" -B "$scratch/version-probe/build-$1" -DWANT="$1" \
    -DCMAKE_PREFIX_PATH="$root/usr" > /dev/null 2>&1
}
probe 0.2 || fail "find_package(xgrad 0.2) failed"
probe 0.2.0 || fail "find_package(xgrad 0.2.0) failed"
! probe 0.3 || fail "find_package(xgrad 0.3) accepted version 0.2.0"
! probe 0.1 || fail "find_package(xgrad 0.1) accepted version 0.2.0"

echo "-- pkg-config"
export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig"
[[ "$(pkg-config --modversion xgrad)" == 0.2.0 ]] || fail "pkg-config --modversion xgrad is not 0.2.0"
cflags="$(pkg-config --cflags xgrad)"
libs="$(pkg-config --libs xgrad)"
echo "   cflags: $cflags"
echo "   libs:   $libs"
[[ "$cflags" == *"-I$root/usr/"* ]] || fail "pkg-config's include path is not in the unpacked root"
# shellcheck disable=SC2086  # the flags are words
g++ -std=c++17 -O2 $cflags "$here/consumer/main.cpp" -o "$scratch/pc-consumer" $libs \
  || fail "building with pkg-config's flags failed"
"$scratch/pc-consumer" || fail "the pkg-config-built consumer failed"
if $with_dist; then
  echo "-- CMake: find_package(xgrad 0.2 REQUIRED COMPONENTS dist), run on 2 ranks"
  cmake -S "$here/dist_consumer" -B "$scratch/dist-build" -DCMAKE_PREFIX_PATH="$root/usr" \
    -DCMAKE_BUILD_TYPE=Release > "$scratch/dist-configure.log" || { cat "$scratch/dist-configure.log"; fail "configure of the dist consumer failed"; }
  cmake --build "$scratch/dist-build" > "$scratch/dist-build.log" || { cat "$scratch/dist-build.log"; fail "build of the dist consumer failed"; }
  mpi_flags=(--oversubscribe --mca btl_vader_single_copy_mechanism none)
  [[ $(id -u) -eq 0 ]] && mpi_flags+=(--allow-run-as-root)
  timeout 60 mpiexec "${mpi_flags[@]}" -np 2 "$scratch/dist-build/dist_consumer" \
    || fail "the dist consumer failed on 2 ranks"
  echo "-- without libxgrad-dist-dev, asking for the dist component fails and says why"
  dpkg-deb -x "$deb" "$scratch/root-dev-only"
  if cmake -S "$here/dist_consumer" -B "$scratch/dist-build-dev-only" \
       -DCMAKE_PREFIX_PATH="$scratch/root-dev-only/usr" > "$scratch/dev-only.log" 2>&1; then
    fail "find_package(xgrad COMPONENTS dist) succeeded without libxgrad-dist-dev"
  fi
  grep -q "xgrad::dist is not installed" "$scratch/dev-only.log" \
    || { cat "$scratch/dev-only.log"; fail "the failure does not say that xgrad::dist is not installed"; }
else
  echo "-- xgrad::dist was not built (no MPI): no libxgrad-dist-dev to check"
fi
echo "check_deb: ok"
