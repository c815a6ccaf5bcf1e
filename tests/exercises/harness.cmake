# The graded tests (tests/exercises/NN-slug/*_test.cc), built once with the
# simulator: they hold none of a student's code, so one build serves every
# submission. What they run against is the student's build (tests/exercises/
# CMakeLists.txt: an exercise host, exhost_NN-slug, or the exercise's
# strategy library, libstudentlib_NN-slug.so), named to them at run time by
# grade.py through STAMPEDE_EXERCISE_HOST, STAMPEDE_STUDENT_LIBRARY and
# STAMPEDE_EXERCISE_DIR (the student's folder, for an exercise graded on a
# file). Included by the top-level CMakeLists.txt; `graded_tests` builds them
# all into build/<preset>/tests/exercises.
find_package(GTest REQUIRED)
set(harness_dir ${PROJECT_SOURCE_DIR}/tests/exercises)
file(GLOB graded_dirs LIST_DIRECTORIES true ${harness_dir}/[0-9][0-9]-*)
add_custom_target(graded_tests)
foreach(dir ${graded_dirs})
  get_filename_component(slug ${dir} NAME)
  file(GLOB graded CONFIGURE_DEPENDS ${dir}/*.cc)
  if(NOT graded)
    continue()
  endif()
  add_executable(grade_${slug} ${graded})
  target_include_directories(grade_${slug} PRIVATE ${dir} ${harness_dir}
    ${PROJECT_SOURCE_DIR}/simulator)
  target_link_libraries(grade_${slug} PRIVATE stampede_io stampede_hosting GTest::gtest
    GTest::gtest_main)
  target_compile_options(grade_${slug} PRIVATE -Wall -Wextra)
  set_target_properties(grade_${slug} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
    ${PROJECT_BINARY_DIR}/tests/exercises)
  add_dependencies(graded_tests grade_${slug})
endforeach()
add_dependencies(graded_tests stampede-student-host)
