# Interface target carrying the flags every xgrad translation unit is built with.
add_library(xgrad_build_options INTERFACE)
target_compile_options(xgrad_build_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
# GCC 12 reports '__Y may be used uninitialized' (or 'is used uninitialized', depending on
# inlining: xsimd's exp, hadd and ldexp, and the sanitizer build) inside its own avxintrin.h and
# avx512fintrin.h, whose _mm*_undefined_* intrinsics initialise a variable with itself (GCC bug
# 105593, a false positive): 30-80 identical warnings per build that would bury real ones.
# GCC 13 and clang (the fuzz build) still check these.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(xgrad_build_options INTERFACE -Wno-maybe-uninitialized -Wno-uninitialized)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  target_compile_options(xgrad_build_options INTERFACE -O3)
endif()
# xgrad never reads errno. Without this, every std::sqrt in a loop carries a branch to set it
# for negative inputs, and GCC will not vectorise the loop (Adam's update ran scalar).
target_compile_options(xgrad_build_options INTERFACE -fno-math-errno)
if(XGRAD_SANITIZE)
  target_compile_options(xgrad_build_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(xgrad_build_options INTERFACE -fsanitize=address,undefined)
endif()
# Fuzzing: libFuzzer coverage instrumentation on everything (the fuzz targets add the
# fuzzer's main), plus the sanitizers that turn a bad read into a finding.
if(XGRAD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "XGRAD_FUZZ needs clang (libFuzzer); configure a separate build folder "
                        "with CC=clang CXX=clang++")
  endif()
  target_compile_options(xgrad_build_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(xgrad_build_options INTERFACE -fsanitize=address,undefined)
endif()
# ThreadSanitizer: finds data races between xgrad's pool workers and between user threads.
# It cannot be combined with AddressSanitizer, so it is a build of its own.
if(XGRAD_TSAN)
  if(XGRAD_SANITIZE OR XGRAD_FUZZ)
    message(FATAL_ERROR "XGRAD_TSAN cannot be combined with XGRAD_SANITIZE or XGRAD_FUZZ; "
                        "configure a separate build folder")
  endif()
  target_compile_options(xgrad_build_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(xgrad_build_options INTERFACE -fsanitize=thread)
endif()
