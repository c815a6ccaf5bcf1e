#!/bin/bash
# Builds one folder of exercises for grading (./dev grade, and the grader's
# own check in check_grader.sh), keeping going past compile errors:
#   build.sh EXERCISES BUILD_DIR STAMPEDE_BUILD JOBS
# Writes BUILD_DIR/build.log and BUILD_DIR/left-out (the exercises, one a
# line, the student library leaves out because they do not compile, so one
# exercise's errors never hide the others' student:NAME strategies). Exits 0
# when everything built, 1 otherwise.
set -eu
exercises=$1 dir=$2 stampede_build=$3 jobs=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
log=$dir/build.log
# The graded tests are the simulator build's (harness.cmake): brought up to
# date here, so that an edited test is what grades.
if ! cmake --build "$stampede_build" --target graded_tests >"$dir/harness.log" 2>&1; then
  cat "$dir/harness.log" >&2
  echo "build.sh: the graded tests did not build in $stampede_build (the grader's bug, not yours)" >&2
  exit 2
fi
cmake -S "$here" -B "$dir" -DSTAMPEDE_BUILD="$stampede_build" -DEXERCISES="$exercises" \
  -DSTUDENT_LEAVE_OUT= >/dev/null
# Last time's binaries must not stand in for code that no longer compiles.
rm -f "$dir"/exhost_* "$dir"/libstudentlib_* "$dir"/libstampede_student.so "$dir"/left-out
touch "$dir"/left-out
# The student's files compile anew each time, so that the compiler's warnings
# on them are in this build's log for the grader to show.
find "$dir/CMakeFiles" \( -path '*/student_*' -o -path '*/exhost_*' -o -path '*/studentlib_*' \) \
  -name '*.o' -delete 2>/dev/null || true
if cmake --build "$dir" -j "$jobs" -- -k >"$log" 2>&1; then
  exit 0
fi
if [ ! -f "$dir"/libstampede_student.so ]; then
  left_out=()
  for target in $(cmake --build "$dir" --target help | sed -n -E 's/^(\.\.\. )?(student_[0-9][0-9]-[^ :]*).*/\2/p' | sort -u); do
    cmake --build "$dir" --target "$target" >>"$log" 2>&1 || left_out+=("${target#student_}")
  done
  if [ ${#left_out[@]} -gt 0 ]; then
    printf '%s\n' "${left_out[@]}" >"$dir"/left-out
    cmake -S "$here" -B "$dir" -DSTUDENT_LEAVE_OUT="$(IFS=';'; echo "${left_out[*]}")" >/dev/null
    cmake --build "$dir" --target stampede_student >>"$log" 2>&1 || true
  fi
fi
exit 1
