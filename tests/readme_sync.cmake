# cmake -P script: a README must quote the marked region of a source file verbatim,
# so the example users read is the one the suite compiles and runs.
file(READ ${README} readme)
file(READ ${SOURCE} source)
string(REGEX MATCH "// \\[readme-[a-z-]+-begin\\]\n(.*)// \\[readme-[a-z-]+-end\\]" _ "${source}")
set(snippet "${CMAKE_MATCH_1}")
if(snippet STREQUAL "")
  message(FATAL_ERROR "${SOURCE}: no [readme-...-begin]/[readme-...-end] markers")
endif()
string(FIND "${readme}" "${snippet}" pos)
if(pos EQUAL -1)
  message(FATAL_ERROR "${README} does not quote ${SOURCE} verbatim; copy the marked region into it")
endif()
