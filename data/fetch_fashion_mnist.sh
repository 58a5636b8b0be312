#!/usr/bin/env bash
# Fills data/fashion-mnist/ (next to this script, whatever the current folder) with the four
# Fashion-MNIST .gz files from Debian's dataset-fashion-mnist package and checks each against
# data/SHA256SUMS.fashion-mnist. By default the files are symlinked (the package is the
# store); --copy copies them instead.
#
# Source, first match wins: --from DIR, $XGRAD_FASHION_MNIST_DIR,
# /usr/share/datasets/fashion-mnist (apt install dataset-fashion-mnist).
# Files already in place with the right checksum are kept. Exits non-zero with a plain
# message when Fashion-MNIST cannot be had.
#
#   data/fetch_fashion_mnist.sh [--from DIR] [--dest DIR] [--copy]
set -euo pipefail

prog="fetch_fashion_mnist.sh"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
sums="$script_dir/SHA256SUMS.fashion-mnist"
# shellcheck source=data/fetch_common.sh
source "$script_dir/fetch_common.sh"

files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
       t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

usage() {
  awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"
}

from="${XGRAD_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
dest="$repo/data/fashion-mnist"
link=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --from) [[ $# -ge 2 ]] || die "--from needs a folder"; from="$2"; shift 2 ;;
    --from=*) from="${1#--from=}"; shift ;;
    --dest) [[ $# -ge 2 ]] || die "--dest needs a folder"; dest="$2"; shift 2 ;;
    --dest=*) dest="${1#--dest=}"; shift ;;
    --copy) link=0; shift ;;
    --link) link=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ -f "$sums" ]] || die "checksum list $sums is missing"
mkdir -p "$dest" || die "cannot create $dest"
dest="$(cd "$dest" && pwd)"
trap 'rm -f "$dest"/.*.part.$$' EXIT

find_missing "Fashion-MNIST"

[[ -d "$from" ]] || die "Fashion-MNIST is unavailable: $from does not exist (install Debian's package: apt install dataset-fashion-mnist, or pass --from DIR)"
same_dir "$from" "$dest" && die "the source folder $from is the destination itself, and it does not hold good files"

for f in "${missing[@]}"; do
  install_from_dir "$from" "$f" "$dest" "$link" ||
    die "Fashion-MNIST is unavailable: $from does not hold a good $f (see above)"
  if [[ "$link" == 1 ]]; then note "$f: linked to $from/$f, checksum OK"
  else note "$f: copied from $from, checksum OK"; fi
done

note "Fashion-MNIST is complete in $dest (4 files, SHA-256 verified)"
