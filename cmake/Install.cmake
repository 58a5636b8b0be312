# Installs the library and headers and exports the CMake package, so that another project can
# find_package(xgrad) and link xgrad::xgrad.
# Two install components, one Debian package each: "dev" (the core library) and "dist"
# (xgrad::dist, when MPI was found), which needs MPI and so is a package of its own.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME dev)
install(TARGETS xgrad EXPORT xgradTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/xgrad DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  PATTERN dist EXCLUDE)
install(EXPORT xgradTargets NAMESPACE xgrad:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)

# xgrad::dist in an export set of its own: the package's config loads it only for
# find_package(xgrad COMPONENTS dist), after finding MPI.
if(TARGET xgrad_dist)
  install(TARGETS xgrad_dist EXPORT xgradDistTargets COMPONENT dist
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/xgrad/dist
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/xgrad COMPONENT dist)
  install(EXPORT xgradDistTargets NAMESPACE xgrad:: COMPONENT dist
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/xgradConfig.cmake.in
  ${PROJECT_BINARY_DIR}/xgradConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/xgradConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/xgradConfig.cmake ${PROJECT_BINARY_DIR}/xgradConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)

# The generated version header, beside the others.
install(FILES ${XGRAD_GENERATED_INCLUDE_DIR}/xgrad/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/xgrad)

# pkg-config, for builds without CMake. The compile flags the CMake target passes on are
# repeated here: XTENSOR_USE_XSIMD and the forced xgrad/xtensor_abi.hpp, which fixes
# xt::xarray's allocator whatever -march the user compiles with (see src/CMakeLists.txt). A
# static library needs its own dependencies on the link line; a shared one only when linking
# statically.
set(XGRAD_PC_CFLAGS "-DXTENSOR_USE_XSIMD -include xgrad/xtensor_abi.hpp -pthread")
if(BUILD_SHARED_LIBS)
  set(XGRAD_PC_REQUIRES "xtensor xsimd xtl")
  set(XGRAD_PC_REQUIRES_PRIVATE "openblas zlib stb")
  set(XGRAD_PC_LIBS "-pthread")
else()
  set(XGRAD_PC_REQUIRES "xtensor xsimd xtl openblas zlib stb")
  set(XGRAD_PC_REQUIRES_PRIVATE "")
  set(XGRAD_PC_LIBS "-pthread")
endif()
# oneDNN has no pkg-config file: a static xgrad names it (and the GNU OpenMP it runs on) itself.
if(XGRAD_WITH_DNNL AND NOT BUILD_SHARED_LIBS)
  string(APPEND XGRAD_PC_LIBS " -ldnnl -lgomp")
endif()
set(XGRAD_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH XGRAD_PC_PREFIX_FROM_PCDIR /${XGRAD_PC_DIR} /)
string(REGEX REPLACE "/$" "" XGRAD_PC_PREFIX_FROM_PCDIR "${XGRAD_PC_PREFIX_FROM_PCDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/xgrad.pc.in ${PROJECT_BINARY_DIR}/xgrad.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/xgrad.pc DESTINATION ${XGRAD_PC_DIR})

# The licence, where Debian keeps each package's.
set(XGRAD_DEB_PACKAGE_NAME libxgrad-dev)
set(XGRAD_DIST_DEB_PACKAGE_NAME libxgrad-dist-dev)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/copyright
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${XGRAD_DEB_PACKAGE_NAME})
if(TARGET xgrad_dist)
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/copyright COMPONENT dist
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${XGRAD_DIST_DEB_PACKAGE_NAME})
endif()

include(Package)
