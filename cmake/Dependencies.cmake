# Everything comes from Debian 12 packages (see cmake/install_deps.sh).
find_package(xtl REQUIRED)
find_package(xsimd REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(Threads REQUIRED)
# oneDNN (Debian libdnnl-dev): float32 convolutions run on its primitives when found
# (src/kernels/dnnl_*.cpp); without it, xgrad's own kernels and OpenBLAS do everything.
# Found by header and library, not find_package(dnnl): Debian's dnnl-config.cmake requires the
# OpenCL development files (it is built with a GPU runtime xgrad does not use) and stops the
# configure with an error when they are missing.
find_path(XGRAD_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(XGRAD_DNNL_LIBRARY dnnl)
# Debian's oneDNN runs on GNU OpenMP: xgrad sets its team size (omp_set_num_threads) from
# xgrad's thread count before each oneDNN call, so it links the same libgomp.
find_library(XGRAD_GOMP_LIBRARY NAMES libgomp.so.1 gomp)
if(XGRAD_DNNL_INCLUDE_DIR AND XGRAD_DNNL_LIBRARY AND XGRAD_GOMP_LIBRARY)
  set(XGRAD_DNNL_FOUND ON)
else()
  set(XGRAD_DNNL_FOUND OFF)
endif()
option(XGRAD_WITH_DNNL "Run float32 convolutions on oneDNN (Debian libdnnl-dev)" ${XGRAD_DNNL_FOUND})
if(XGRAD_WITH_DNNL AND NOT XGRAD_DNNL_FOUND)
  message(FATAL_ERROR "XGRAD_WITH_DNNL=ON, but oneDNN (libdnnl-dev) or GNU OpenMP (libgomp) was not found")
endif()
if(XGRAD_WITH_DNNL)
  message(STATUS "oneDNN: ${XGRAD_DNNL_LIBRARY} (float32 convolutions)")
else()
  message(STATUS "oneDNN not used: xgrad's own kernels and OpenBLAS only")
endif()

# Image decoding (data::load_image_folder): Debian's libstb-dev ships stb_image, stb_image_resize
# and stb_image_write compiled into libstb, headers under <stb/...>.
find_path(STB_INCLUDE_DIR stb/stb_image.h)
find_library(STB_LIBRARY stb)
if(NOT STB_INCLUDE_DIR OR NOT STB_LIBRARY)
  message(FATAL_ERROR "stb (stb_image) not found: apt-get install libstb-dev (cmake/install_deps.sh)")
endif()
