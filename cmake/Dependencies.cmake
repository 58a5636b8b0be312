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
# Image decoding (data::load_image_folder): Debian's libstb-dev ships stb_image, stb_image_resize
# and stb_image_write compiled into libstb, headers under <stb/...>.
find_path(STB_INCLUDE_DIR stb/stb_image.h)
find_library(STB_LIBRARY stb)
if(NOT STB_INCLUDE_DIR OR NOT STB_LIBRARY)
  message(FATAL_ERROR "stb (stb_image) not found: apt-get install libstb-dev (cmake/install_deps.sh)")
endif()
