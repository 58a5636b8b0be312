#!/usr/bin/env bash
# Fills data/mnist/ (next to this script, whatever the current folder) with the four MNIST
# .gz files and checks each against data/SHA256SUMS.
#
# Where the files come from, first match wins:
#   1. --from DIR
#   2. $XGRAD_MNIST_DIR
#   3. ../shared/data/mnist next to the checkout (development and CI machines have one)
#   4. the public mirrors, with curl:
#        https://ossci-datasets.s3.amazonaws.com/mnist/
#        https://storage.googleapis.com/cvdf-datasets/mnist/
# An explicit source (1, 2) must hold good files; the shared copy (3) falls back to the
# mirrors for any file it lacks. Files already in data/mnist with the right checksum are
# kept, so running this again is cheap. Exits non-zero with a plain message when MNIST
# cannot be had.
#
#   data/fetch_mnist.sh [--from DIR] [--dest DIR]
#   data/fetch_mnist.sh --fashion [...]   # same as data/fetch_fashion_mnist.sh [...]
set -euo pipefail

prog="fetch_mnist.sh"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
sums="$script_dir/SHA256SUMS"
# shellcheck source=data/fetch_common.sh
source "$script_dir/fetch_common.sh"

files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
       t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
mirrors=(https://ossci-datasets.s3.amazonaws.com/mnist/
         https://storage.googleapis.com/cvdf-datasets/mnist/)

usage() {
  awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"
}

from=""
dest="$repo/data/mnist"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --from) [[ $# -ge 2 ]] || die "--from needs a folder"; from="$2"; shift 2 ;;
    --from=*) from="${1#--from=}"; shift ;;
    --dest) [[ $# -ge 2 ]] || die "--dest needs a folder"; dest="$2"; shift 2 ;;
    --dest=*) dest="${1#--dest=}"; shift ;;
    --fashion) shift; exec "$script_dir/fetch_fashion_mnist.sh" "$@" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ -f "$sums" ]] || die "checksum list $sums is missing"
mkdir -p "$dest" || die "cannot create $dest"
dest="$(cd "$dest" && pwd)"
trap 'rm -f "$dest"/.*.part.$$' EXIT

find_missing "MNIST"

src=""
explicit=0
if [[ -n "$from" ]]; then
  src="$from"; explicit=1
  [[ -d "$src" ]] || die "--from $src: no such folder; MNIST is unavailable from there"
elif [[ -n "${XGRAD_MNIST_DIR:-}" ]]; then
  src="$XGRAD_MNIST_DIR"; explicit=1
  [[ -d "$src" ]] || die "XGRAD_MNIST_DIR=$src: no such folder; MNIST is unavailable from there"
elif [[ -d "$repo/../shared/data/mnist" ]]; then
  src="$(cd "$repo/../shared/data/mnist" && pwd)"
fi
if [[ -n "$src" ]] && same_dir "$src" "$dest"; then
  die "the source folder $src is the destination itself, and it does not hold good files"
fi

download() {
  local name="$1" part="$dest/.$1.part.$$" url
  if ! command -v curl >/dev/null 2>&1; then
    echo "$prog: curl is not installed, cannot download $name" >&2
    return 1
  fi
  for m in "${mirrors[@]}"; do
    url="$m$name"
    note "$name: downloading $url"
    rm -f "$part"
    if curl -fsSL --retry 2 --connect-timeout 15 --max-time 900 -o "$part" "$url"; then
      if verify "$part" "$name"; then
        chmod 644 "$part"
        mv -f "$part" "$dest/$name"
        return 0
      fi
      echo "$prog: $url: downloaded file has the wrong SHA-256 (expected $(expected_sum "$name"))" >&2
    else
      echo "$prog: $url: download failed" >&2
    fi
    rm -f "$part"
  done
  return 1
}

for f in "${missing[@]}"; do
  if [[ -n "$src" ]]; then
    if install_from_dir "$src" "$f" "$dest"; then
      note "$f: copied from $src, checksum OK"
      continue
    fi
    if [[ "$explicit" == 1 ]]; then
      die "MNIST is unavailable: $src does not hold a good $f (see above)"
    fi
    note "$f: the shared copy in $src is unusable; trying the mirrors"
  fi
  download "$f" || die "MNIST is unavailable: $f could not be copied or downloaded from any mirror (${mirrors[*]}). Give a local copy with --from DIR or XGRAD_MNIST_DIR=DIR."
  note "$f: downloaded, checksum OK"
done

note "MNIST is complete in $dest (4 files, SHA-256 verified)"
