# cmake -P script: the installed package's interface does not depend on -march. Installs
# xgrad, builds the README's training script against it twice, with plain -O2 and with
# -O2 -march=native, runs both on the same data and requires the same output (the losses and
# the test accuracy, printed to 3 and 4 digits). Fails on any step.
file(REMOVE_RECURSE ${WORK_DIR})
function(run out_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK_DIR})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
file(MAKE_DIRECTORY ${WORK_DIR})
run(ignored ${CMAKE_COMMAND} --install ${XGRAD_BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run(ignored ${MAKE_FAKE_MNIST} ${WORK_DIR}/mnist 6000 1000)
foreach(variant plain native)
  if(variant STREQUAL "native")
    set(flags "-O2 -march=native")
  else()
    set(flags "-O2")
  endif()
  run(ignored ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build-${variant}
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=None
      "-DCMAKE_CXX_FLAGS=${flags}" -DTRAIN_SCRIPT=${TRAIN_SCRIPT})
  run(ignored ${CMAKE_COMMAND} --build ${WORK_DIR}/build-${variant})
  file(MAKE_DIRECTORY ${WORK_DIR}/run-${variant})
  execute_process(COMMAND ${WORK_DIR}/build-${variant}/train_consumer ${WORK_DIR}/mnist 1001
                  WORKING_DIRECTORY ${WORK_DIR}/run-${variant}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out_${variant} ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "train_consumer (${flags}) failed (${rc}):\n${out_${variant}}\n${err}")
  endif()
  message(STATUS "${flags}:\n${out_${variant}}")
endforeach()
if(NOT out_plain MATCHES "loss")
  message(FATAL_ERROR "no losses printed:\n${out_plain}")
endif()
if(NOT out_plain STREQUAL out_native)
  message(FATAL_ERROR "-O2 and -O2 -march=native consumers differ:\n${out_plain}\n---\n${out_native}")
endif()
