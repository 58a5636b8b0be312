# cpack -G DEB: Debian packages of what cmake --install installs, under /usr: libxgrad-dev (the
# library, headers, CMake and pkg-config files, the licence) and, when MPI was found,
# libxgrad-dist-dev (xgrad::dist, its headers and CMake targets).
set(CPACK_PACKAGE_NAME ${XGRAD_DEB_PACKAGE_NAME})
set(CPACK_PACKAGE_VENDOR "The xgrad authors")
set(CPACK_PACKAGE_CONTACT "The xgrad authors <xgrad@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# The headers include xtensor, xtensor-blas and xsimd; the library links OpenBLAS, zlib and stb;
# the CMake package's config finds all of them and nlohmann_json (find_dependency).
set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${XGRAD_DEB_PACKAGE_NAME})
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libxtensor-dev (>= 0.24), libxtensor-blas-dev (>= 0.20), libxsimd-dev (>= 8), xtl-dev (>= 0.7), libopenblas-dev, zlib1g-dev, libstb-dev, nlohmann-json3-dev (>= 3.11)")
# Built with oneDNN: the library links it (and libgomp, which libdnnl2 depends on).
if(XGRAD_WITH_DNNL)
  string(APPEND CPACK_DEBIAN_DEV_PACKAGE_DEPENDS ", libdnnl-dev (>= 2.6)")
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake, pkg-config")
# Each package's description; its first line is the synopsis. (No CPACK_PACKAGE_DESCRIPTION_SUMMARY:
# CPack would put that one line ahead of both packages' descriptions.)
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "define-by-run automatic differentiation for C++17 (development files)\nxgrad records operations on tensors as a program runs and computes gradients by reverse-mode automatic differentiation. It is built on xtensor and OpenBLAS. This package holds the static library, the headers, and the CMake and pkg-config files.")
# xgrad::dist: its headers include <mpi.h>; the CMake targets find MPI.
set(CPACK_DEBIAN_DIST_PACKAGE_NAME ${XGRAD_DIST_DEB_PACKAGE_NAME})
set(CPACK_DEBIAN_DIST_PACKAGE_DEPENDS "${XGRAD_DEB_PACKAGE_NAME} (= ${PROJECT_VERSION}), libopenmpi-dev")
set(CPACK_DEBIAN_DIST_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DIST_DESCRIPTION
  "data-parallel training over MPI for xgrad (development files)\nxgrad::dist trains xgrad models data-parallel over MPI: collectives on tensors, gradients all-reduced while backward runs, synchronized batch normalization, sharded batches. This package holds its static library, headers and CMake targets.")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_GENERATOR DEB)
include(CPack)
