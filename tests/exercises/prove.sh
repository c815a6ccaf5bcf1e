#!/bin/sh
# The exercises proof (SPEC section 10), run by ctest in ./dev test: every
# graded test fails on the committed stubs (taken from git, so a student's
# solved exercises/ never turns it red) and passes on solutions/.
#   prove.sh ROOT BUILD   (BUILD: the simulator's release build tree)
set -eu
root=$1
build=$2
work=$build/exercises-proof
rm -rf "$work"
mkdir -p "$work/stubs"
if [ ! -d "$root/solutions" ]; then
  echo "no solutions/ here (a student pack): nothing to prove" >&2
  exit 77
fi
if ! git -C "$root" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  echo "not a git checkout: the committed stubs cannot be taken from git" >&2
  exit 77
fi
git -C "$root" archive HEAD exercises | tar -x -C "$work/stubs"
for which in stubs solutions; do
  if [ "$which" = stubs ]; then src=$work/stubs/exercises; expect=fail; else src=$root/solutions; expect=pass; fi
  echo "== $which ($src): every graded test must $expect"
  cmake -S "$root/tests/exercises" -B "$work/$which-build" -DSTAMPEDE_BUILD="$build" \
    -DEXERCISES="$src" >/dev/null
  cmake --build "$work/$which-build" -j 2 >"$work/$which-build.log" 2>&1 || {
    cat "$work/$which-build.log"
    echo "the $which did not build" >&2
    exit 1
  }
  python3 "$root/tests/exercises/grade.py" --build "$work/$which-build" --expect "$expect"
done
"$root/tests/exercises/check_grader.sh" "$root" "$build" "$work"
