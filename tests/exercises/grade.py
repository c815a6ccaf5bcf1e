#!/usr/bin/env python3
"""Grades built exercises (SPEC section 10).

    grade.py --build build/student [--only 01] [--json grade.json]
    grade.py --build DIR --expect fail|pass     # the proof in ./dev test

For each exercise with graded tests (tests/exercises/NN-slug/), runs its
grade_NN-slug binary, prints `points / max` and the first failing check in
plain words, writes Gradescope's results format (score, tests with name,
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
        if only and not (slug == only or slug.split("-")[0].lstrip("0") == only.lstrip("0")):
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


def plain(failure):
    """The check's own words first (the last line), then gtest's details."""
    lines = [l for l in failure.splitlines() if l.strip()]
    if not lines:
        return "failed"
    words = lines[-1].strip()
    details = " ".join(l.strip() for l in lines[1:-1])
    return words + (f" ({details})" if details else "")


def run_binary(binary):
    """{suite.test: (passed, message)} or an error string."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "out.json")
        try:
            proc = subprocess.run([binary, f"--gtest_output=json:{report}"], capture_output=True,
                                  text=True, timeout=600, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return "the tests took longer than 10 minutes (an endless loop?)"
        if not os.path.exists(report):
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            return "the tests crashed: " + " / ".join(tail)
        data = json.load(open(report, encoding="utf-8"))
    results = {}
    for suite in data.get("testsuites", []):
        for t in suite.get("testsuite", []):
            name = suite["name"] + "." + t["name"]
            failures = t.get("failures", [])
            results[name] = (not failures, plain(failures[0]["failure"]) if failures else "")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="the grading build directory")
    ap.add_argument("--only", help="one exercise: NN or NN-slug")
    ap.add_argument("--json", default="grade.json", help="where to write the results")
    ap.add_argument("--build-log", help="the build's output, quoted for exercises that did not build")
    ap.add_argument("--expect", choices=["fail", "pass"], help="prove stubs fail / solutions pass")
    args = ap.parse_args()

    exercises = graded_exercises(args.only)
    if not exercises:
        print(f"no graded exercise matches {args.only!r}", file=sys.stderr)
        return 2
    log = open(args.build_log, encoding="utf-8", errors="replace").read() if args.build_log else ""

    tests_out, total, total_max, wrong = [], 0, 0, []
    for slug, tests in exercises:
        binary = os.path.join(args.build, f"grade_{slug}")
        results = run_binary(binary) if os.access(binary, os.X_OK) else None
        if results is None:
            errors = [l for l in log.splitlines() if slug in l and "error" in l][:5]
            results = "did not compile" + (": " + " / ".join(errors) if errors else "")
        score, first = 0, None
        for name, points in tests:
            if isinstance(results, str):
                passed, message = False, results
            else:
                passed, message = results.get(name, (False, "this test did not run"))
            score += points if passed else 0
            if args.expect and passed != (args.expect == "pass"):
                wrong.append(f"{slug}: {name} {'passed' if passed else 'failed'}"
                             + (f": {message}" if message else ""))
            if not passed and first is None:
                first = f"{name}: {message}"
            tests_out.append({"name": f"{slug}: {name}", "score": points if passed else 0,
                              "max_score": points, "status": "passed" if passed else "failed",
                              "output": message, "visibility": "visible"})
        maximum = sum(p for _, p in tests)
        total, total_max = total + score, total_max + maximum
        print(f"{slug:28s} {score:3d} / {maximum}")
        if first:
            print(f"    first failing check: {first}")

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
    path = "/autograder/results/results.json" if os.path.isdir("/autograder/results") else args.json
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    print(f"{'total':28s} {total:3d} / {total_max}   (results in {path})")
    return 0 if total == total_max else 1


if __name__ == "__main__":
    sys.exit(main())
