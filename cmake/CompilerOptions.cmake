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
