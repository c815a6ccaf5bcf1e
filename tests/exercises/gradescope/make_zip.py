#!/usr/bin/env python3
"""Writes Gradescope's autograder zip (./dev gradescope).

    make_zip.py --root ROOT --out autograder.zip [--from head|worktree]

At the zip's top, as Gradescope asks: setup.sh and run_autograder (from
tests/exercises/gradescope/); under stampede/, the course as students get it
(./dev student-pack): the committed tree without solutions/. With --from
worktree, the working tree's files instead (tracked and untracked, less what
.gitignore ignores and solutions/), but for exercises/, as committed (the
working tree's may be solved): what the tests check against a build of the
working tree.
"""
import argparse
import io
import os
import stat
import subprocess
import sys
import tarfile
import time
import zipfile

PACK = "stampede"
TOP = ("setup.sh", "run_autograder")
HERE = "tests/exercises/gradescope"


def head_files(root, under="."):
    """(path, mode, bytes) of every committed file (under a folder) but solutions/."""
    tar = subprocess.run(["git", "-C", root, "archive", "--format=tar", "HEAD", "--", under,
                          ":(exclude)solutions"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        for m in t.getmembers():
            if m.isfile():
                yield m.name, m.mode, t.extractfile(m).read()
            elif m.issym():
                yield m.name, stat.S_IFLNK | 0o777, m.linkname.encode()


def worktree_files(root):
    """(path, mode, bytes) of the working tree's files but solutions/ and the
    ignored, and exercises/ as committed (the working tree's is a student's)."""
    yield from head_files(root, "exercises")
    out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard", "--", ".", ":(exclude)solutions",
                          ":(exclude)exercises"], check=True, capture_output=True).stdout
    for path in sorted(set(filter(None, out.decode().split("\0")))):
        full = os.path.join(root, path)
        if os.path.islink(full):
            yield path, stat.S_IFLNK | 0o777, os.readlink(full).encode()
        elif os.path.isfile(full):  # not a file deleted but not yet committed
            yield path, os.stat(full).st_mode & 0o777, open(full, "rb").read()


def add(z, name, mode, data, when):
    info = zipfile.ZipInfo(name, date_time=when)
    if not stat.S_ISLNK(mode):
        mode = stat.S_IFREG | (0o755 if mode & 0o111 else 0o644)
    info.external_attr = mode << 16
    info.create_system = 3  # Unix: the modes above are read
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="the repository")
    ap.add_argument("--out", required=True, help="the zip to write")
    ap.add_argument("--from", dest="source", choices=["head", "worktree"], default="head")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    try:
        files = list(head_files(root) if args.source == "head" else worktree_files(root))
    except subprocess.CalledProcessError as e:
        print(f"make_zip: {' '.join(e.cmd[:4])} failed (is {root} a git checkout?): "
              f"{e.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        return 2
    by_path = {path: (mode, data) for path, mode, data in files}
    missing = [f"{HERE}/{name}" for name in TOP if f"{HERE}/{name}" not in by_path]
    if missing:
        print(f"make_zip: {', '.join(missing)} not in the {args.source} tree"
              + (" (commit them first, or use --from worktree)" if args.source == "head" else ""),
              file=sys.stderr)
        return 2
    when = time.localtime()[:6]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for name in TOP:
            mode, data = by_path[f"{HERE}/{name}"]
            add(z, name, mode | 0o755, data, when)
        for path, mode, data in files:
            add(z, f"{PACK}/{path}", mode, data, when)
    os.replace(tmp, args.out)
    print(f"{args.out}: setup.sh, run_autograder and {PACK}/ ({len(files)} files, from "
          f"{'the working tree' if args.source == 'worktree' else 'HEAD'}, without solutions/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
