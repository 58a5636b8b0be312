# xgrad/version.hpp from the project's version: generated into the build tree (not committed),
# found there by the library and its users in the build tree, installed with the other headers.
set(XGRAD_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/generated/include)
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.hpp.in
  ${XGRAD_GENERATED_INCLUDE_DIR}/xgrad/version.hpp @ONLY)
target_include_directories(xgrad PUBLIC $<BUILD_INTERFACE:${XGRAD_GENERATED_INCLUDE_DIR}>)
