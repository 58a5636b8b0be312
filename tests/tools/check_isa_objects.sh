#!/usr/bin/env bash
# The runtime SIMD dispatch holds only if wide instructions stay in their own objects:
# usage: check_isa_objects.sh libxgrad.a
# - no AVX-512 instruction (zmm, mask or upper-16 registers) outside the *_avx512 objects;
# - no AVX instruction (ymm, VEX FMA) outside the *_avx2 and *_avx512 objects;
# - no function an AVX2 or AVX-512 object could share with other objects at link time (weak
#   symbols outside its own namespace): the linker keeps one copy of each, maybe the wide one.
#   xsimd templates instantiated on the object's own architecture type (batch<float, avx2>)
#   are weak too when not inlined (sanitizer builds), but no other object can name them.
set -euo pipefail
lib=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
ar x "$lib"
bad=0
for o in *.o; do
  case $o in
    *_avx512.cpp.o) wide='' ;;
    *_avx2.cpp.o) wide='zmm|%k[1-7]|[xy]mm(1[6-9]|2[0-9]|3[01])' ;;
    *) wide='ymm|zmm|%k[1-7]|[xy]mm(1[6-9]|2[0-9]|3[01])|vfmadd|vfnmadd' ;;
  esac
  if [ -n "$wide" ]; then
    hits=$(objdump -d --no-show-raw-insn -C "$o" |
           awk -v re="$wide" '/^[0-9a-f]+ <.*>:$/ {fn = $0} $0 ~ re {print fn}' | sort -u)
    if [ -n "$hits" ]; then
      echo "$o: instructions wider than its instruction set in:"; echo "$hits"; bad=1
    fi
  fi
  case $o in
    *_avx512.cpp.o | *_avx2.cpp.o)
      ns=${o%.cpp.o}; ns=${ns##*_}
      case $ns in
        avx2) own_arch='xsimd::(fma3<xsimd::avx2>|avx2)[^0-9a-z_]' ;;
        avx512) own_arch='xsimd::avx512(f|cd|dq|bw)[^0-9a-z_]' ;;
      esac
      shared=$(nm -C "$o" | awk '$2 == "W" || $2 == "V"' | grep -v "xgrad::kernels::$ns::" |
               grep -Ev "$own_arch" | grep -v "DW.ref.__gxx_personality_v0" || true)
      if [ -n "$shared" ]; then
        echo "$o: weak symbols another object may replace or take:"; echo "$shared"; bad=1
      fi ;;
  esac
done
[ $bad -eq 0 ] && echo "ok: $(ls *.o | wc -l) objects, wide instructions only in their own set's"
exit $bad
