# Runs a command and passes only if it exits with 0 AND its output (stdout and stderr) matches
# EXPECT. CTest's PASS_REGULAR_EXPRESSION alone ignores the exit code, so a program that prints
# its verdict and then fails would pass.
#
#   cmake -DEXPECT=<regex> -P run_and_match.cmake <command> [args...]
#
# EXPECT is a CMake regular expression, as PASS_REGULAR_EXPRESSION takes ('.' matches newlines).
# The arguments reach the command as a CMake list, so none may contain a ';'.
if(NOT DEFINED EXPECT)
  message(FATAL_ERROR "run_and_match.cmake: pass -DEXPECT=<regex>")
endif()
# The command is everything after "-P <this script>".
set(command)
set(after_script FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE 1 ${last})
  if(after_script)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "-P")
    math(EXPR script "${i} + 1")
    set(i_script ${script})
  elseif(DEFINED i_script AND i EQUAL i_script)
    set(after_script TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "run_and_match.cmake: no command given after -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc STREQUAL "0")
  list(JOIN command " " shown)
  message(FATAL_ERROR "run_and_match: the command exited with ${rc} (expected 0): ${shown}")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "run_and_match: the output does not match the expected pattern\n  ${EXPECT}")
endif()
