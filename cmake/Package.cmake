# cpack -G DEB: a Debian package of what cmake --install installs (the library, headers, CMake
# and pkg-config files, the licence), installed under /usr.
set(CPACK_PACKAGE_NAME ${XGRAD_DEB_PACKAGE_NAME})
set(CPACK_PACKAGE_VENDOR "The xgrad authors")
set(CPACK_PACKAGE_CONTACT "The xgrad authors <xgrad@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "define-by-run automatic differentiation for C++17 (development files)")
set(CPACK_PACKAGE_DESCRIPTION
  "xgrad records operations on tensors as a program runs and computes gradients by reverse-mode automatic differentiation. It is built on xtensor and OpenBLAS. This package holds the static library, the headers, and the CMake and pkg-config files.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# The headers include xtensor, xtensor-blas and xsimd; the library links OpenBLAS and zlib;
# the CMake package's config finds all of them and nlohmann_json (find_dependency).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libxtensor-dev (>= 0.24), libxtensor-blas-dev (>= 0.20), libxsimd-dev (>= 8), xtl-dev (>= 0.7), libopenblas-dev, zlib1g-dev, nlohmann-json3-dev (>= 3.11)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake, pkg-config")
set(CPACK_GENERATOR DEB)
include(CPack)
