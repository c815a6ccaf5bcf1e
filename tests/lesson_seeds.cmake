# Runs every step of one lesson on seeds FIRST_SEED..LAST_SEED and checks
# the step's expectations, and its question's answer, on each. A lesson
# teaches what holds whatever the seed (issue 13); `stampede test lessons`
# runs each step at its scenario's own seed only. Each seed is one
# `stampede lesson run LESSON --seed N`, so the steps are checked exactly as
# a learner's `lesson run` checks them.
#
#   cmake -DSTAMPEDE=path/to/stampede -DLESSON=lessons/03-cache-stampede
#         -DFIRST_SEED=1 -DLAST_SEED=20 -P lesson_seeds.cmake
cmake_minimum_required(VERSION 3.19)

foreach(var STAMPEDE LESSON FIRST_SEED LAST_SEED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "lesson_seeds.cmake: -D${var}=... is required")
  endif()
endforeach()

get_filename_component(lesson_name "${LESSON}" NAME)
get_filename_component(lessons_dir "${LESSON}" DIRECTORY)

set(runs 0)
set(failed 0)
set(bad "")
foreach(seed RANGE ${FIRST_SEED} ${LAST_SEED})
  math(EXPR runs "${runs} + 1")
  execute_process(COMMAND "${STAMPEDE}" lesson --lessons "${lessons_dir}" run "${lesson_name}"
                          --seed ${seed}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    math(EXPR failed "${failed} + 1")
    # The run's own verdict lines; everything it said if it gave none.
    string(REGEX MATCHALL "(^|\n)(FAILED|ERROR) [^\n]*" said "${out}${err}")
    if(said STREQUAL "")
      set(said "${out}${err}")
    endif()
    string(REPLACE "\n" "" said "${said}")
    string(REPLACE ";" "\n         " said "${said}")
    string(STRIP "${said}" said)
    string(APPEND bad "\n  seed ${seed} (exit ${rc}): ${said}")
  endif()
  if(seed EQUAL FIRST_SEED)
    # The steps, as the first seed's run names them.
    string(REGEX MATCHALL "(^|\n)(ok  |FAILED|ERROR) [^\n]* step [^\n]*" steps "${out}")
    list(LENGTH steps step_count)
  endif()
endforeach()

if(failed GREATER 0)
  message(STATUS "FAILED ${lesson_name}:${bad}")
  message(FATAL_ERROR "${lesson_name}: ${failed} of ${runs} seeds failed")
endif()
message(STATUS "${lesson_name}: ${step_count} steps passed on seeds ${FIRST_SEED}-${LAST_SEED}")
