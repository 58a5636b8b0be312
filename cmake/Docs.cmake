# The API reference: `cmake --build build --target docs` runs Doxygen (Debian's doxygen) over
# the installed headers and writes HTML to build/docs/html. Every public class and function
# must be documented: an undocumented one is a warning, and warnings fail the target, so the
# reference cannot fall behind the headers unnoticed.
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "Doxygen not found: no 'docs' target (apt-get install doxygen)")
  return()
endif()
set(DOXYGEN_PROJECT_NAME xgrad)
set(DOXYGEN_PROJECT_BRIEF "A small define-by-run autograd framework in C++17")
set(DOXYGEN_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/docs)
set(DOXYGEN_GENERATE_LATEX NO)
set(DOXYGEN_HAVE_DOT NO)
set(DOXYGEN_QUIET YES)
set(DOXYGEN_RECURSIVE YES)
set(DOXYGEN_EXTRACT_ALL NO)
set(DOXYGEN_WARN_IF_UNDOCUMENTED YES)
set(DOXYGEN_WARN_NO_PARAMDOC NO)
set(DOXYGEN_WARN_AS_ERROR FAIL_ON_WARNINGS)
set(DOXYGEN_JAVADOC_AUTOBRIEF YES)
set(DOXYGEN_FULL_PATH_NAMES YES)
set(DOXYGEN_STRIP_FROM_PATH ${PROJECT_SOURCE_DIR}/include)
set(DOXYGEN_STRIP_FROM_INC_PATH ${PROJECT_SOURCE_DIR}/include)
set(DOXYGEN_SORT_MEMBER_DOCS NO)
# One comment before a group of overloads (///@{ ... ///@}) documents each of them.
set(DOXYGEN_DISTRIBUTE_GROUP_DOC YES)
# Macros and the ABI header's static_asserts are not API.
set(DOXYGEN_ENABLE_PREPROCESSING YES)
# An option (options.hpp) reads as the member it stores: `XGRAD_OPTION(float, eps) = 1e-3f;`.
set(DOXYGEN_MACRO_EXPANSION YES)
set(DOXYGEN_EXPAND_ONLY_PREDEF YES)
set(DOXYGEN_PREDEFINED "XGRAD_OPTION(type,name)=type name")
set(DOXYGEN_EXCLUDE_SYMBOLS "detail" "*::detail::*")
doxygen_add_docs(docs ${PROJECT_SOURCE_DIR}/include/xgrad
  COMMENT "API reference (Doxygen) -> ${PROJECT_BINARY_DIR}/docs/html/index.html")
