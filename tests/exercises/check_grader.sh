#!/bin/bash
# The grader's own behaviour (issue 13, item 4), run by prove.sh after the
# proof: on two student mistakes made from solutions/, it names the bug, and
# one exercise's compile error leaves the others' strategies loadable.
#   check_grader.sh ROOT BUILD WORK   (BUILD: the simulator's release build)
set -eu
root=$1 build=$2 work=$3
here=$root/tests/exercises
mkdir -p "$work"
fail() {
  echo "check_grader: $*" >&2
  exit 1
}

# 1. Exercise 02 with the fill forgotten: the view answers straight after its
# database read. The check that names the bug is shown, with a hint in words
# (where to look) and the fix held back; with --hint 3 the fix names
# cache_fill. The gets-per-view check does not blame the views still in
# flight at the end.
rm -rf "$work/nofill" && cp -r "$root/solutions" "$work/nofill"
python3 - "$work/nofill/02-refresh/refresh.cc" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
fill = "      r.step = kViewFill;\n      return ctx.cache_fill(r);"
assert fill in text, "the solution's fill moved: update check_grader.sh"
open(path, "w").write(text.replace(fill, "      return ctx.respond(r);"))
PY
"$here/build.sh" "$work/nofill" "$work/nofill-build" "$build" 2 || fail "the forgotten fill did not build"
out=$(python3 "$here/grade.py" --build "$work/nofill-build" --only refresh --json "$work/nofill.json" || true)
echo "$out"
grep -q '^02-refresh  *8 / 10$' <<<"$out" || fail "forgotten fill: expected 8 / 10"
named=$(grep -A2 'after the first fill, page views should hit the cache' <<<"$out") ||
  fail "forgotten fill: the check naming it is not shown"
grep -q '^ *hint: .*in the cache' <<<"$named" || fail "forgotten fill: its check has no hint"
if grep -q 'cache_fill' <<<"$named"; then
  fail "forgotten fill: the hint gives the code away before --hint 3"
fi
grep -q '(the fix, if you want it: --hint 3)' <<<"$named" || fail "forgotten fill: no fix offered"
if grep -q 'every page view should start with a cache get' <<<"$out"; then
  fail "forgotten fill: blamed on the views in flight at the end"
fi
out=$(python3 "$here/grade.py" --build "$work/nofill-build" --only refresh --hint 3 \
  --json "$work/nofill.json" || true)
echo "$out"
grep -A2 'after the first fill, page views should hit the cache' <<<"$out" |
  grep -q '^ *fix: .*ctx.cache_fill' || fail "forgotten fill: --hint 3 gives no fix naming cache_fill"

# 2. Exercise 02 does not compile: 03's student:update_cas still loads.
rm -rf "$work/broken" && cp -r "$root/solutions" "$work/broken"
echo 'this does not compile;' >>"$work/broken/02-refresh/refresh.cc"
if "$here/build.sh" "$work/broken" "$work/broken-build" "$build" 2; then
  fail "a broken 02 built"
fi
[ "$(cat "$work/broken-build/left-out")" = 02-refresh ] || fail "left out: $(cat "$work/broken-build/left-out"), expected 02-refresh"
lib=$work/broken-build/libstampede_student.so
STAMPEDE_STUDENT_LIB=$lib "$build/simulator/stampede" run builtin:lost-updates \
  --strategy student:update_cas >/dev/null || fail "student:update_cas is unknown when 02 does not compile"
out=$(python3 "$here/grade.py" --build "$work/broken-build" --build-log "$work/broken-build/build.log" \
  --left-out 02-refresh --json "$work/broken.json" || true)
echo "$out"
grep -q '^02-refresh  *0 / 10$' <<<"$out" || fail "broken 02: expected 0 / 10"
grep -q 'did not compile: .*refresh.cc:[0-9]*:[0-9]*: error' <<<"$out" || fail "broken 02: the error is not quoted"
grep -q '^03-update-cas  *14 / 14$' <<<"$out" || fail "broken 02: 03 lost its points"

# 3. An exercise is asked for by number or by slug alike.
for only in 2 02 02-refresh refresh; do
  out=$(python3 "$here/grade.py" --build "$work/nofill-build" --only "$only" --json "$work/only.json" || true)
  [ "$(grep -c '^[0-9][0-9]-' <<<"$out")" = 1 ] && grep -q '^02-refresh ' <<<"$out" || fail "--only $only: $out"
done
# 4. The grade is the grader's (issue 21): on the committed stubs, a static
# object in 01's and 02's code that forges a passing gtest report and exits,
# and a graded.h in 03's folder that turns the checks into nothing, each
# score 0, with the sandbox and without it.
rm -rf "$work/attack" && mkdir -p "$work/attack"
git -C "$root" archive HEAD exercises | tar -x -C "$work/attack"
for f in 01-tiny-memcached/tiny_cache.cc 02-refresh/refresh.cc; do
  cat "$here/attacks/forged_report.cc" >>"$work/attack/exercises/$f"
done
cp "$here/attacks/graded.h" "$work/attack/exercises/03-update-cas/graded.h"
"$here/build.sh" "$work/attack/exercises" "$work/attack-build" "$build" 2 || true
for sandbox in 0 1; do
  out=$(STAMPEDE_NO_SANDBOX=$sandbox python3 "$here/grade.py" --build "$work/attack-build" \
    --only 1 --json "$work/attack.json" 2>&1 || true)
  out+=$'\n'$(STAMPEDE_NO_SANDBOX=$sandbox python3 "$here/grade.py" --build "$work/attack-build" \
    --only 2 --json "$work/attack.json" 2>&1 || true)
  out+=$'\n'$(STAMPEDE_NO_SANDBOX=$sandbox python3 "$here/grade.py" --build "$work/attack-build" \
    --only 3 --json "$work/attack.json" 2>&1 || true)
  echo "$out"
  grep -q '^01-tiny-memcached  *0 / 12$' <<<"$out" || fail "forged report in 01 (no sandbox: $sandbox): not 0"
  grep -q '^02-refresh  *0 / 10$' <<<"$out" || fail "forged report in 02 (no sandbox: $sandbox): not 0"
  grep -q '^03-update-cas  *0 / 14$' <<<"$out" || fail "graded.h in 03: not 0"
  grep -q 'refused: graded.h in your 03-update-cas folder has the name of one of the grader' <<<"$out" ||
    fail "graded.h in 03: not refused by name"
done

# 5. A race the timed seeds may miss is caught over every order (SPEC
# section 12): 08's solution with a planted race (a view waits only when
# another already waits, so the first view's flight is joined by nobody)
# loses the every-order check, and its words tell the shortest order.
rm -rf "$work/race" && cp -r "$root/solutions" "$work/race"
python3 - "$work/race/08-single-flight/coalesce.cc" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
check = "if (flight.in_flight) {"
assert check in text, "the solution's flight check moved: update check_grader.sh"
open(path, "w").write(text.replace(check, "if (flight.in_flight && !flight.waiters.empty()) {"))
PY
"$here/build.sh" "$work/race" "$work/race-build" "$build" 2 || fail "the planted race did not build"
out=$(python3 "$here/grade.py" --build "$work/race-build" --only 08 --json "$work/race.json" || true)
echo "$out"
story=$(grep -A12 'NoOrderSendsTwoQueriesFromOneServer (0 / 3)' <<<"$out") ||
  fail "planted race in 08: the every-order check did not fail"
grep -q 'one server query the page twice at once, but it did in [0-9]* of [0-9]* orders' <<<"$story" ||
  fail "planted race in 08: the check does not say how often"
grep -q '1\. view #1: arrives' <<<"$story" && grep -q ': stampede' <<<"$story" ||
  fail "planted race in 08: no shortest order told"

echo "the grader names the forgotten fill, survives a broken 02, takes a slug, cannot be fooled, and tells a planted race's shortest order"
