#!/usr/bin/env python3
"""What run_autograder does with a Gradescope submission, before and after grading.

    submission.py take --exercises PACK/exercises --submission DIR --out WORK/exercises --notes NOTES
    submission.py finish --results results.json --notes NOTES [--build-failed]

`take` copies the pack's exercises (the stubs) to --out, then lays over them
what the student submitted, in any of three shapes:

  - an `exercises/` folder (an uploaded folder, a zip of it, or a repository
    submitted from GitHub): each NN-slug/ folder in it is taken whole;
  - bare NN-slug/ folders, anywhere in the submission;
  - loose files such as `refresh.cc`, each matched by its name to the one
    exercise of the pack that has a file of that name.

An exercise folder found twice is taken from the one inside an `exercises/`
folder, else the shallowest; a loose file found twice, from the shallowest;
a tie is taken from neither. Everything else (a file no exercise has, or
one several have, such as README.md; a symbolic link; a file over 1 MiB) is
ignored, and the notes say so: `finish` puts them into results.json's
top-level `output`, which Gradescope shows the student, and writes a
results.json with no points when grading wrote none.
"""
import argparse
import json
import os
import re
import shutil
import sys

SLUG = re.compile(r"^\d\d-[A-Za-z0-9_-]+$")
MAX_FILE_BYTES = 1 << 20
SHOWN = 20  # ignored entries listed by name; the rest are counted


def pack_index(exercises):
    """({slug}, {file name: [slug, ...]}) of the pack's exercises."""
    slugs, names = set(), {}
    for slug in sorted(os.listdir(exercises)):
        folder = os.path.join(exercises, slug)
        if not (SLUG.match(slug) and os.path.isdir(folder)):
            continue
        slugs.add(slug)
        for name in sorted(os.listdir(folder)):
            if os.path.isfile(os.path.join(folder, name)):
                names.setdefault(name, []).append(slug)
    return slugs, names


def walk(top):
    """(directories, files) under top, as paths relative to it, sorted;
    symbolic links count as files (never followed)."""
    dirs, files = [], []
    for here, subdirs, names in os.walk(top):
        rel = os.path.relpath(here, top)
        for d in sorted(subdirs):
            path = os.path.normpath(os.path.join(rel, d))
            if os.path.islink(os.path.join(top, path)):
                files.append(path)
            else:
                dirs.append(path)
        files.extend(os.path.normpath(os.path.join(rel, n)) for n in names)
        subdirs[:] = sorted(d for d in subdirs if not os.path.islink(os.path.join(here, d)))
    return sorted(dirs), sorted(files)


def hidden(path):
    """A dot file or folder, or what a Mac adds to a zip (__MACOSX/): never graded."""
    return any(part.startswith(".") or part == "__MACOSX" for part in path.split(os.sep))


def depth(path):
    return path.count(os.sep)


def inside(path, folder):
    return path == folder or path.startswith(folder + os.sep)


def choose(candidates, rank):
    """The one best candidate by rank, or None on a tie for the best."""
    ranked = sorted(candidates, key=rank)
    if len(ranked) > 1 and rank(ranked[0]) == rank(ranked[1]):
        return None
    return ranked[0]


def take(args):
    slugs, names = pack_index(args.exercises)
    sub = args.submission
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    shutil.copytree(args.exercises, args.out, symlinks=True)

    dirs, files = walk(sub) if os.path.isdir(sub) else ([], [])
    taken, notes, ignored = {}, [], {}  # taken: submitted path -> (slug, name)

    def ignore(path, why):
        ignored[path] = why

    # 1. Exercise folders, by name; one inside exercises/ first, then the shallowest.
    folders = {}
    for d in dirs:
        if os.path.basename(d) in slugs and not hidden(d):
            folders.setdefault(os.path.basename(d), []).append(d)
    chosen = {}
    for slug, found in sorted(folders.items()):
        rank = lambda d: (os.path.basename(os.path.dirname(d)) != "exercises", depth(d))
        best = choose(found, rank)
        if best is None:
            notes.append(f"{slug}/ is in your submission more than once ({', '.join(f + '/' for f in found)}):"
                         " none of them was taken")
            continue
        chosen[slug] = best
        for other in found:
            if other != best and not inside(other, best):
                notes.append(f"{other}/ was not taken: {best}/ was")
    for f in files:
        owner = next((s for s, d in chosen.items() if inside(f, d)), None)
        if owner is None:
            continue
        full = os.path.join(sub, f)
        rel = os.path.relpath(f, chosen[owner])
        if hidden(rel):
            ignore(f, "hidden")
        elif os.path.islink(full):
            ignore(f, "a symbolic link")
        elif os.path.getsize(full) > MAX_FILE_BYTES:
            ignore(f, "larger than 1 MiB")
        else:
            taken[f] = (owner, rel)

    # 2. Loose files, by name, into the one exercise that has a file so named.
    loose = {}
    for f in files:
        if f in taken or f in ignored or any(inside(f, d) for d in chosen.values()):
            continue
        if hidden(f):
            ignore(f, "hidden")
            continue
        if any(inside(f, d) for found in folders.values() for d in found):
            ignore(f, "in an exercise folder that was not taken")
            continue
        name = os.path.basename(f)
        owners = names.get(name, [])
        if len(owners) != 1:
            ignore(f, "no exercise has a file of that name" if not owners
                   else f"{len(owners)} exercises have a file of that name")
        elif owners[0] in chosen:
            ignore(f, f"{owners[0]}/ was submitted as a folder, which was taken instead")
        else:
            loose.setdefault(name, []).append(f)
    for name, found in sorted(loose.items()):
        best = choose(found, depth)
        for f in found:
            full = os.path.join(sub, f)
            if best is None:
                ignore(f, f"{name} is in your submission more than once, at the same depth")
            elif f != best:
                ignore(f, f"{best} was taken instead")
            elif os.path.islink(full):
                ignore(f, "a symbolic link")
            elif os.path.getsize(full) > MAX_FILE_BYTES:
                ignore(f, "larger than 1 MiB")
            else:
                taken[f] = (names[name][0], name)

    for f, (slug, rel) in sorted(taken.items()):
        target = os.path.join(args.out, slug, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(sub, f), target)

    lines = []
    by_slug = {}
    for f, (slug, rel) in sorted(taken.items()):
        by_slug.setdefault(slug, []).append(f)
    for slug in sorted(slugs):
        if slug in chosen:
            count = len(by_slug.get(slug, []))
            lines.append(f"{slug}: your {chosen[slug]}/ ({count} file{'s' if count != 1 else ''})")
        elif slug in by_slug:
            lines.append(f"{slug}: your {', '.join(by_slug[slug])}")
        else:
            lines.append(f"{slug}: not in your submission, graded on the stub")
    out = ["Graded from your submission:"] + ["  " + l for l in lines]
    if not taken:
        out.append("Nothing in your submission matched an exercise: submit your exercises/ folder,"
                   " its NN-slug/ folders, or files named as in them (such as refresh.cc).")
    ignored_lines = collapse(ignored, files, taken)
    if notes or ignored_lines:
        out.append("Ignored:")
        out += ["  " + n for n in notes]
        out += ["  " + l for l in ignored_lines[:SHOWN]]
        if len(ignored_lines) > SHOWN:
            out.append(f"  ... and {len(ignored_lines) - SHOWN} more")
    os.makedirs(os.path.dirname(os.path.abspath(args.notes)), exist_ok=True)
    with open(args.notes, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))
    return 0


def collapse(ignored, files, taken):
    """Ignored files as lines, a folder none of whose files was taken shown
    once (`.git/ (212 files)`) rather than file by file."""
    ignored_all = [f for f in files if f not in taken]
    for f in ignored_all:
        ignored.setdefault(f, "")
    used_dirs = set()
    for f in taken:
        parent = os.path.dirname(f)
        while parent:
            used_dirs.add(parent)
            parent = os.path.dirname(parent)
    groups = {}
    for f in ignored_all:
        top, parent = f, os.path.dirname(f)
        while parent and parent not in used_dirs:
            top, parent = parent, os.path.dirname(parent)
        groups.setdefault(top, []).append(f)
    lines = []
    for top, members in sorted(groups.items()):
        if members == [top]:
            why = ignored[top]
            lines.append(f"{top}" + (f": {why}" if why else ""))
        else:
            lines.append(f"{top}/ ({len(members)} file{'s' if len(members) != 1 else ''})")
    return lines


def finish(args):
    notes = open(args.notes, encoding="utf-8").read().rstrip() if os.path.exists(args.notes) else ""
    extra = []
    if args.build_failed:
        extra.append("Some of your code did not compile: each such exercise's tests quote the"
                     " compiler's first errors.")
    try:
        results = json.load(open(args.results, encoding="utf-8"))
        if not isinstance(results, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as e:
        results = {"score": 0, "tests": []}
        extra.append(f"The grader wrote no results ({e}): this is the course's problem, not"
                     " yours; please tell the course staff.")
    results["output"] = "\n".join(filter(None, [notes] + extra))
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("take", help="lay the submission over the pack's exercises")
    t.add_argument("--exercises", required=True, help="the pack's exercises/ (the stubs)")
    t.add_argument("--submission", required=True, help="the student's submission folder")
    t.add_argument("--out", required=True, help="where to write the exercises to grade")
    t.add_argument("--notes", required=True, help="where to write what was taken and ignored")
    f = sub.add_parser("finish", help="put the notes into results.json's output")
    f.add_argument("--results", required=True)
    f.add_argument("--notes", required=True)
    f.add_argument("--build-failed", action="store_true")
    args = ap.parse_args()
    return take(args) if args.command == "take" else finish(args)


if __name__ == "__main__":
    sys.exit(main())
