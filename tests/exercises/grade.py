#!/usr/bin/env python3
"""Grades built exercises (SPEC section 10).

    grade.py --build build/student [--only 01|01-slug|slug] [--json grade.json]
    grade.py --build DIR --expect fail|pass     # the proof in ./dev test

For each exercise with graded tests (tests/exercises/NN-slug/), runs its
grade_NN-slug binary, prints `points / max` and, for each failed test, every
failed check in plain words (those with a hint, which name the likely bug,
first; see graded.h), writes Gradescope's results format (score, tests with name,
score, max_score, status, output, visibility) to --json, or to
/autograder/results/results.json under Gradescope's autograder, and exits
non-zero unless every point is earned. With --expect, it checks instead that
every graded test fails (on the stubs) or passes (on the solutions).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def graded_exercises(only):
    """(slug, [(suite.test, points)]) for each exercise with graded tests."""
    out = []
    for slug in sorted(os.listdir(HERE)):
        folder = os.path.join(HERE, slug)
        if not (os.path.isdir(folder) and re.match(r"^\d\d-", slug)):
            continue
        if only and not matches(slug, only):
            continue
        tests = []
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".cc"):
                continue
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            # TEST(Suite, Name) { POINTS(n); ... } in source order.
            for m in re.finditer(r"TEST\((\w+),\s*(\w+)\)\s*\{\s*POINTS\((\d+)\)", text):
                tests.append((m.group(1) + "." + m.group(2), int(m.group(3))))
        out.append((slug, tests))
    return out


def matches(slug, only):
    """`02-refresh` is asked for as `02-refresh`, `02`, `2` or `refresh`."""
    number, _, name = slug.partition("-")
    return only in (slug, name) or (only.isdigit() and int(only) == int(number))


def details(lines):
    """gtest's account of a failed check, in fewer words: `cache_gets is 11938,
    page_views is 11932` or `cache_hit_ratio is 0, expected > 0.99`."""
    text = "\n".join(lines)
    text = re.sub(r"\br\.", "", text)  # the tests' report is `r`
    text = re.sub(r"\b(\d+)u\b", r"\1", text)  # 1u: an unsigned literal
    m = re.match(r"Expected: \((.*)\) (>=|<=|>|<|!=) \((.*)\), actual: (.*) vs (.*)$", text, re.S)
    if m:
        return f"{m.group(1)} is {m.group(4)}, expected {m.group(2)} {m.group(3)}"
    m = re.match(r"Value of: (.*)\n\s*Actual: (.*)\n\s*Expected: (.*)$", text, re.S)
    if m:
        return f"{m.group(1).strip()} is {m.group(2).strip()}, expected {m.group(3).strip()}"
    m = re.match(r"Expected equality of these values:\n\s*graded::differences\(.*\)\n\s*Which is: \"(.*)\"\n", text)
    if m:  # strategy_runs.h: where the report differs from the built-in's
        return "where they differ: " + m.group(1)
    if text.startswith("Expected equality of these values:"):
        values, current = [], None
        for line in lines[1:]:
            line = re.sub(r"\b(\d+)u\b", r"\1", re.sub(r"\br\.", "", line.strip()))
            if line.startswith("Which is: ") and re.match(r"^[\d.]+$", current or ""):
                continue  # a literal: 1.0 is 1.0 whatever gtest prints
            if line.startswith("Which is: ") and current is not None:
                values[-1] = f"{current} is {line[len('Which is: '):]}"
            else:
                current = line
                values.append(line)
        return "expected equal: " + ", ".join(values)
    return " ".join(l.strip() for l in lines)


# How much the grader says of a failed check (--hint): 1 what is wrong, as
# measured; 2 also where to look (the default); 3 also the code-level fix.
HINT_TIER = 2


def tagged(lines, tag):
    """The text of the lines that open with `tag: ` (graded.h), joined."""
    return " ".join(l.strip()[len(tag) + 2:] for l in lines if l.strip().startswith(tag + ": "))


def plain(failure):
    """(words, hint, fix, root) for one failed check: the check's own words
    (the last line that is not a tagged one) with gtest's details, its hint
    (where to look), its fix (the code-level answer), whether it is a
    check that explains the others (graded::explains_others()) and the
    steps of a schedule it tells (explore_runs.h), in order."""
    lines = [l for l in failure.splitlines() if l.strip()]
    if lines and (re.match(r"^\S+:\d+$", lines[0].strip()) or lines[0].strip() == "unknown file"):
        lines = lines[1:]  # file:line
    thrown = re.match(r'^C\+\+ exception with description "(.*)" thrown in the test body\.$',
                      " ".join(l.strip() for l in lines), re.S)
    if thrown:  # a fault of the student's code, named by the simulator
        return "your code stopped the run: " + thrown.group(1), "", "", True, []
    hint, fix = tagged(lines, "hint"), tagged(lines, "fix")
    root = any(l.strip() == "root: explains the others" for l in lines)
    # A schedule's steps (explore_runs.h: `step: 1. view #1: arrives`), shown in order.
    steps = [l.strip()[len("step: "):] for l in lines if l.strip().startswith("step: ")]
    lines = [l for l in lines if not re.match(r"^(hint|fix|root|step): ", l.strip())]
    if not lines:
        return "failed", hint, fix, root, steps
    words = lines[-1].strip()
    said = details(lines[:-1]) if len(lines) > 1 else ""
    if len(said) > 400:
        said = said[:400] + " ..."
    return words + (f" ({said})" if said else ""), hint, fix, root, steps


def explain(failures):
    """Every failed check of a test as lines: first the check that explains
    the others, then those with a hint (they name a bug, not only a
    symptom), then the rest, each in source order; hints and fixes as far as
    HINT_TIER says."""
    checks = [plain(f) for f in failures]
    checks.sort(key=lambda c: (not c[3], not c[1]))
    out = []
    for words, hint, fix, _, steps in checks:
        out.append(words)
        out.extend("    " + step for step in steps)
        if hint and HINT_TIER >= 2:
            out.append("  hint: " + hint)
        if fix and HINT_TIER >= 3:
            out.append("  fix: " + fix)
        elif fix:
            out.append("  (the fix, if you want it: --hint 3)")
    return out


# A graded binary runs none of the student's code itself: that runs in
# sandboxed hosts, each call of it limited to seconds (simulator/hosting/),
# so a binary that outlives this is slow student code, call after call.
BINARY_LIMIT_S = 300
HOST_CPU_S = 60


def last_started_test(output):
    """The test gtest started last, from its `[ RUN      ] Suite.Test` lines."""
    if isinstance(output, bytes):
        output = output.decode("utf-8", "replace")
    started = re.findall(r"^\[ RUN      \] (\S+)", output or "", re.M)
    return started[-1] if started else None


def warnings_in(log, slug):
    """The compiler's warnings on the student's own files of one exercise,
    as `refresh.cc:45: comparison is always true due to limited range of
    data type`, each once: a warning is often the bug the tests then find."""
    out = []
    for line in log.splitlines():
        m = re.match(r"^(\S*/" + re.escape(slug) + r"/([^/:\s]+)):(\d+):\d+: warning: (.*)$",
                     line.strip())
        if m and "/tests/exercises/" not in m.group(1):
            out.append(f"{m.group(2)}:{m.group(3)}: {m.group(4)}")
    return list(dict.fromkeys(out))


def harness_of(build):
    """Where the graded binaries are: STAMPEDE_BUILD/tests/exercises, with
    STAMPEDE_BUILD read from the student build's CMake cache."""
    try:
        for line in open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8"):
            if line.startswith("STAMPEDE_BUILD:"):
                return os.path.join(line.split("=", 1)[1].strip(), "tests", "exercises")
    except OSError:
        pass
    return None


def student_env(build, slug):
    """What grade_NN runs against (env/NN in the student build: the folder,
    and the host or library built from it), or None when none was made."""
    try:
        lines = open(os.path.join(build, "env", slug), encoding="utf-8").read().splitlines()
    except OSError:
        return None
    return dict(l.split("=", 1) for l in lines if "=" in l)


def run_binary(binary, student):
    """{suite.test: (passed, [lines])} or an error string."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "out.json")
        # Each host of the student's code gets seconds of CPU time: a run
        # that spends more is ended, named, and fails its own test alone.
        env = dict(os.environ, STAMPEDE_HOST_CPU_S=str(HOST_CPU_S), **student)
        try:
            proc = subprocess.run([binary, f"--gtest_output=json:{report}"], capture_output=True,
                                  text=True, timeout=BINARY_LIMIT_S, stdin=subprocess.DEVNULL,
                                  env=env)
        except subprocess.TimeoutExpired as e:
            test = last_started_test(e.stdout)
            return (f"the tests took longer than {BINARY_LIMIT_S} s"
                    + (f", in {test}" if test else "")
                    + ": your code answered each call in time, but too slowly overall")
        # gtest exits 0 (all passed) or 1 (some failed) and writes its report
        # last: a binary that ended otherwise (killed, say) has no verdict,
        # whatever file is there.
        if proc.returncode not in (0, 1) or not os.path.exists(report):
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            test = last_started_test(proc.stdout)
            return ("the grader's test binary stopped" + (f" in {test}" if test else "")
                    + " (the grader's bug, not yours: please report it): " + " / ".join(tail))
        data = json.load(open(report, encoding="utf-8"))
    results = {}
    for suite in data.get("testsuites", []):
        for t in suite.get("testsuite", []):
            name = suite["name"] + "." + t["name"]
            failures = t.get("failures", [])
            # A test may record what it measured (RecordProperty "measured"):
            # shown even when it passed, as the design challenge's figures are.
            measured = [t["measured"]] if failures == [] and t.get("measured") else []
            results[name] = (not failures, explain([f["failure"] for f in failures]) or measured)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="the grading build directory")
    ap.add_argument("--only", help="one exercise: NN, NN-slug or slug")
    ap.add_argument("--left-out", default="", help="exercises (comma-separated) the student library left out")
    ap.add_argument("--json", default="grade.json", help="where to write the results")
    ap.add_argument("--harness", help="where the graded binaries are (default: the simulator "
                    "build's tests/exercises, as the student build's cache names it)")
    ap.add_argument("--results", help="Gradescope's results file (default: /autograder/results/"
                    "results.json when that folder exists, else --json)")
    ap.add_argument("--build-log", help="the build's output, quoted for exercises that did not build")
    ap.add_argument("--expect", choices=["fail", "pass"], help="prove stubs fail / solutions pass")
    ap.add_argument("--hint", type=int, choices=[1, 2, 3], default=2,
                    help="1: what is wrong; 2: and where to look (default); 3: and the fix")
    args = ap.parse_args()
    global HINT_TIER
    HINT_TIER = args.hint

    exercises = graded_exercises(args.only)
    if not exercises:
        print(f"no graded exercise matches {args.only!r}", file=sys.stderr)
        return 2
    log = open(args.build_log, encoding="utf-8", errors="replace").read() if args.build_log else ""

    left_out = set(filter(None, args.left_out.split(",")))
    harness = args.harness or harness_of(args.build)
    tests_out, total, total_max, wrong = [], 0, 0, []
    for slug, tests in exercises:
        binary = os.path.join(harness or "", f"grade_{slug}")
        refused = os.path.join(args.build, "refused", slug)
        student = student_env(args.build, slug)
        if os.path.exists(refused):  # a file named like one of the grader's (CMakeLists.txt)
            results = open(refused, encoding="utf-8").read().strip()
        elif not os.access(binary, os.X_OK):
            results = (f"the graded tests are not built ({binary}): build the simulator's "
                       "graded_tests target (./dev grade does)")
        elif student is None or not all(os.path.exists(student[k]) for k in student
                                        if k != "STAMPEDE_EXERCISE_DIR"):
            results = None  # its host or library did not build
        else:
            results = run_binary(binary, student)
        if results is None:
            errors = list(dict.fromkeys(l.strip() for l in log.splitlines()
                                        if slug in l and ": error:" in l))[:5]
            results = "did not compile" + (": " + " / ".join(errors) if errors else "")
        score, failed, met, lines_out = 0, [], [], []
        for name, points in tests:
            if isinstance(results, str):
                passed, lines = False, [results]
            else:
                passed, lines = results.get(name, (False, ["this test did not run"]))
            score += points if passed else 0
            message = "\n".join(lines)
            if args.expect and passed != (args.expect == "pass"):
                wrong.append(f"{slug}: {name} {'passed' if passed else 'failed'}"
                             + (f": {lines[0]}" if lines else ""))
            if not passed:
                failed.append((name, points, lines))
            elif lines:  # a passed test that says what it measured
                met.append((name, points, lines))
            tests_out.append({"name": f"{slug}: {name}", "score": points if passed else 0,
                              "max_score": points, "status": "passed" if passed else "failed",
                              "output": message, "visibility": "visible"})
        maximum = sum(p for _, p in tests)
        total, total_max = total + score, total_max + maximum
        print(f"{slug:28s} {score:3d} / {maximum}")
        warned = warnings_in(log, slug)
        if warned and not args.expect:
            print("    the compiler warned about your code (a warning is often the bug):")
            for w in warned[:5]:
                print(f"      - {w}")
            if len(warned) > 5:
                print(f"      ... and {len(warned) - 5} more (all of them: {args.build_log})")
        if isinstance(results, str):
            print(f"    {results}")
        else:
            for name, points, lines in failed:
                print(f"    {name} (0 / {points}):")
                for line in lines:
                    print(f"      {'  ' if line.startswith('  ') else '- '}{line.strip()}")
            for name, points, lines in met:
                print(f"    {name} ({points} / {points}): {' '.join(l.strip() for l in lines)}")
        if slug in left_out:
            print("    its student:NAME strategies are left out of the student library until it"
                  " compiles (the other exercises' still load in stampede)")

    if args.expect:
        if wrong:
            print(f"\nexpected every graded test to {args.expect}; these did not:")
            for w in wrong:
                print("  " + w)
            return 1
        print(f"every graded test {'fails on the stubs' if args.expect == 'fail' else 'passes on the solutions'}"
              f" ({len(tests_out)} tests)")
        return 0

    results = {"score": total, "max_score": total_max, "tests": tests_out}
    path = args.json
    if args.results:
        path = args.results
    elif os.path.isdir("/autograder/results"):
        path = "/autograder/results/results.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"{'total':28s} {total:3d} / {total_max}   (results in {path})")
    return 0 if total == total_max else 1


if __name__ == "__main__":
    sys.exit(main())
