# shellcheck shell=bash disable=SC2154
# Helpers shared by fetch_mnist.sh and fetch_fashion_mnist.sh (sourced, not run).
# Expects: $prog (script name for messages), $sums (path of the SHA256SUMS file), and for
# find_missing also $dest and the array $files.

die() {
  echo "$prog: error: $*" >&2
  exit 1
}

note() { echo "$prog: $*"; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{print $1}'
  else
    die "neither sha256sum nor shasum is installed; cannot verify downloads"
  fi
}

# The expected SHA-256 of file name $1, from $sums.
expected_sum() {
  local sum
  sum="$(awk -v f="$1" '$2 == f || $2 == "*" f {print $1; exit}' "$sums")"
  [[ -n "$sum" ]] || die "$sums has no checksum for $1"
  echo "$sum"
}

# True when $1 exists (following symlinks) and has the checksum listed for name $2.
verify() {
  [[ -f "$1" ]] && [[ "$(sha256_of "$1")" == "$(expected_sum "$2")" ]]
}

# Same folder? (both must exist)
same_dir() {
  [[ -d "$1" && -d "$2" ]] && [[ "$(cd "$1" && pwd -P)" == "$(cd "$2" && pwd -P)" ]]
}

# Puts a verified copy (or, with link=1, a symlink) of "$src/$name" at "$dest/$name".
# Returns 1 with a message on stderr when the source file is missing or its checksum is wrong.
install_from_dir() {
  local src="$1" name="$2" dest="$3" link="${4:-0}"
  local from="$src/$name" part="$dest/.$name.part.$$"
  if [[ ! -f "$from" ]]; then
    echo "$prog: $from: not found" >&2
    return 1
  fi
  if ! verify "$from" "$name"; then
    echo "$prog: $from: SHA-256 $(sha256_of "$from") does not match $(expected_sum "$name") in $sums" >&2
    return 1
  fi
  rm -f "$part"
  if [[ "$link" == 1 ]]; then
    ln -s "$(cd "$src" && pwd -P)/$name" "$part"
  else
    cp "$from" "$part"
    chmod 644 "$part"
  fi
  if ! verify "$part" "$name"; then
    rm -f "$part"
    echo "$prog: copy of $from into $dest is corrupt" >&2
    return 1
  fi
  mv -f "$part" "$dest/$name"
}

# Sets the global array `missing` to the $files not yet in $dest with the right checksum
# (saying which ones are present but damaged). When none is missing, says that data set $1 is
# complete and exits the script with status 0: re-running a fetch is a no-op.
find_missing() {
  missing=()
  local f
  for f in "${files[@]}"; do
    if verify "$dest/$f" "$f"; then
      note "$f: already present, checksum OK"
    else
      if [[ -e "$dest/$f" || -L "$dest/$f" ]]; then
        note "$f: present but broken or its checksum is wrong; replacing it"
      fi
      missing+=("$f")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    note "$1 is complete in $dest"
    exit 0
  fi
}
