# Interface target carrying the flags every xgrad translation unit is built with.
add_library(xgrad_build_options INTERFACE)
target_compile_options(xgrad_build_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  target_compile_options(xgrad_build_options INTERFACE -O3)
endif()
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
