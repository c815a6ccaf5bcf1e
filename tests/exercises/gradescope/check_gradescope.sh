#!/bin/bash
# Gradescope, end to end (issue 21, item 6), run by ctest (label exercises):
# makes the autograder zip from the working tree, unpacks it as Gradescope
# does into a fresh AUTOGRADER_ROOT (never the real /autograder), and runs
# run_autograder on two submissions, checking results.json each time:
#   - the committed stubs, as an uploaded exercises/ folder: score 0;
#   - solutions/, as bare NN-slug/ folders but 02-refresh, whose files come
#     loose, beside a file no exercise has: full marks, the stray file named
#     in the top-level output.
# run_autograder grades against BUILD rather than building the simulator
# again as setup.sh would (STAMPEDE_BUILD).
#   check_gradescope.sh ROOT BUILD   (BUILD: the simulator's release build tree)
set -eu
root=$(cd "$1" && pwd) build=$(cd "$2" && pwd)
here=$root/tests/exercises/gradescope
work=$build/gradescope-check
ag=$work/autograder
if [ ! -d "$root/solutions" ]; then
  echo "no solutions/ here (a student pack): nothing to grade for full marks" >&2
  exit 77
fi
if ! git -C "$root" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  echo "not a git checkout: the committed stubs cannot be taken from git" >&2
  exit 77
fi
fail() {
  echo "check_gradescope: $*" >&2
  exit 1
}
real_before=$([ -e /autograder ] && echo yes || echo no)
started=$(date +%s)
rm -rf "$work"
mkdir -p "$work"

# 1. The zip: setup.sh and run_autograder at its top (executable), the
# course under stampede/ without solutions/; unpacked with its modes.
python3 "$here/make_zip.py" --root "$root" --from worktree --out "$work/autograder.zip"
python3 - "$work/autograder.zip" "$ag/source" <<'PY' || fail "the zip's layout"
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
for need in ("setup.sh", "run_autograder", "stampede/dev", "stampede/tests/exercises/grade.py",
             "stampede/tests/exercises/build.sh", "stampede/exercises/02-refresh/refresh.cc"):
    assert need in names, f"{need} is not in the zip"
assert not any(n.startswith("stampede/solutions/") for n in names), "solutions/ is in the zip"
for info in z.infolist():
    path = z.extract(info, sys.argv[2])
    mode = (info.external_attr >> 16) & 0o777
    if mode:
        os.chmod(path, mode)
for script in ("setup.sh", "run_autograder"):
    assert os.access(os.path.join(sys.argv[2], script), os.X_OK), f"{script} is not executable"
PY
bash -n "$ag/source/setup.sh" || fail "setup.sh does not parse"
bash -n "$ag/source/run_autograder" || fail "run_autograder does not parse"
# setup.sh reads ./dev's package list: it must still find it.
packages=$(bash -c 'PACKAGES=(); source <(sed -n "/^PACKAGES=(/,/)$/p" "$1/dev"); echo "${PACKAGES[*]}"' _ \
  "$ag/source/stampede")
if ! grep -qw cmake <<<"$packages" || ! grep -qw libgtest-dev <<<"$packages"; then
  fail "setup.sh no longer finds ./dev's PACKAGES (found: $packages)"
fi

# 2. The submission's shapes, without a build: a folder inside a wrapper and
# its __MACOSX shadow, a loose file, a name several exercises have, a link.
s=$work/shapes
mkdir -p "$s/in/wrap/exercises/03-update-cas" "$s/in/__MACOSX/wrap/exercises/03-update-cas" "$s/in/docs"
echo '// mine' >"$s/in/wrap/exercises/03-update-cas/update_cas.cc"
echo x >"$s/in/__MACOSX/wrap/exercises/03-update-cas/._update_cas.cc"
echo '// mine' >"$s/in/docs/ring.h"
echo '# notes' >"$s/in/README.md"
ln -s /etc/hostname "$s/in/memo.cc"
out=$(python3 "$here/submission.py" take --exercises "$ag/source/stampede/exercises" --submission "$s/in" \
  --out "$s/exercises" --notes "$s/notes.txt")
echo "$out"
grep -qx '// mine' "$s/exercises/03-update-cas/update_cas.cc" || fail "shapes: the wrapped 03 was not taken"
grep -qx '// mine' "$s/exercises/06-consistent-hashing/ring.h" || fail "shapes: the loose ring.h was not taken"
[ ! -L "$s/exercises/04-memoize/memo.cc" ] || fail "shapes: a symbolic link was taken"
cmp -s "$s/exercises/02-refresh/refresh.cc" "$ag/source/stampede/exercises/02-refresh/refresh.cc" ||
  fail "shapes: an exercise not submitted is not its stub"
grep -q '^  03-update-cas: your wrap/exercises/03-update-cas/ (1 file)$' <<<"$out" || fail "shapes: 03's line"
grep -q '^  06-consistent-hashing: your docs/ring.h$' <<<"$out" || fail "shapes: 06's line"
grep -q '^  README.md: [0-9]* exercises have a file of that name$' <<<"$out" || fail "shapes: README.md's line"
grep -q '^  memo.cc: a symbolic link$' <<<"$out" || fail "shapes: the link's line"
grep -q '^  __MACOSX/ (1 file)$' <<<"$out" || fail "shapes: __MACOSX's line"
# When grading wrote nothing, results.json still says so, at 0 points.
python3 "$here/submission.py" finish --results "$s/none.json" --notes "$s/notes.txt" --build-failed
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["score"] == 0 and r["tests"] == [] \
  and "did not compile" in r["output"] and "wrote no results" in r["output"], r' "$s/none.json" ||
  fail "shapes: no results.json from a grader that wrote none"

# 3. run_autograder, as Gradescope's harness runs it: copied to the root,
# started there, results expected in results/results.json.
cp "$ag/source/run_autograder" "$ag/run_autograder"
grade() { # grade NAME: run the submission in $ag/submission, keep its results
  rm -rf "$ag/results"
  local t0
  t0=$(date +%s)
  (cd "$ag" && AUTOGRADER_ROOT=$ag STAMPEDE_BUILD=$build ./run_autograder) >"$work/$1.log" 2>&1 ||
    { cat "$work/$1.log"; fail "$1: run_autograder exited non-zero"; }
  [ -f "$ag/results/results.json" ] || { cat "$work/$1.log"; fail "$1: no results/results.json"; }
  cp "$ag/results/results.json" "$work/$1.json"
  echo "== $1: run_autograder took $(($(date +%s) - t0)) s (log: $work/$1.log)"
}
check() { # check NAME pass|fail [OUTPUT-LINE...]: results.json's shape and score
  python3 - "$work/$1.json" "$2" "$root/tests/exercises" "${@:3}" <<'PY' || { cat "$work/$1.log"; fail "$1: results.json"; }
import json, os, re, sys
path, expect, graded, lines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
r = json.load(open(path))
tests = r["tests"]
assert isinstance(r["score"], (int, float)) and isinstance(r["output"], str), r.keys()
assert tests, "no tests"
for t in tests:
    assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}, t
    assert isinstance(t["name"], str) and isinstance(t["output"], str), t
    assert t["status"] in ("passed", "failed") and t["visibility"] == "visible", t
    assert 0 <= t["score"] <= t["max_score"] and t["max_score"] > 0, t
assert sum(t["score"] for t in tests) == r["score"], "the tests' scores do not add up to the score"
total = sum(t["max_score"] for t in tests)
want = {d for d in os.listdir(graded) if re.match(r"^\d\d-", d)
        and any(f.endswith(".cc") for f in os.listdir(os.path.join(graded, d)))}
have = {t["name"].split(":")[0] for t in tests}
assert have == want, f"graded exercises: {sorted(have)}, expected {sorted(want)}"
if expect == "fail":
    assert r["score"] == 0, f"score {r['score']} on the stubs: " + ", ".join(
        t["name"] for t in tests if t["status"] == "passed")
else:
    assert r["score"] == total, f"score {r['score']} / {total}: " + "; ".join(
        f"{t['name']}: {t['output'][:200]}" for t in tests if t["status"] != "passed")
for line in lines:
    assert line in r["output"].splitlines(), f"{line!r} not in the output:\n{r['output']}"
print(f"results.json: score {r['score']} / {total} ({len(tests)} tests, "
      f"{sum(t['status'] == 'passed' for t in tests)} passed)")
PY
}

# The committed stubs, uploaded as an exercises/ folder: no points.
rm -rf "$ag/submission" && mkdir -p "$ag/submission"
git -C "$root" archive HEAD exercises | tar -x -C "$ag/submission"
grade stubs
check stubs fail '  02-refresh: your exercises/02-refresh/ (2 files)'

# solutions/ as bare folders, 02's files loose, and a file no exercise has.
rm -rf "$ag/submission" && mkdir -p "$ag/submission"
cp -r "$root/solutions/." "$ag/submission/"
mv "$ag/submission/02-refresh"/* "$ag/submission/" && rmdir "$ag/submission/02-refresh"
echo 'my notes' >"$ag/submission/notes.txt"
grade solutions
check solutions pass '  02-refresh: your refresh.cc' '  notes.txt: no exercise has a file of that name'

if [ "$real_before" = no ] && [ -e /autograder ]; then
  fail "/autograder appeared: something wrote to the real autograder root"
fi
echo "Gradescope's autograder grades the stubs 0 and the solutions full marks ($(($(date +%s) - started)) s)"
