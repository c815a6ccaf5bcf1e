#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (its zip unpacked in /autograder/source; the course in source/stampede).
# It installs what the simulator's build and the graded tests need, and builds
# the simulator's release tree once (source/stampede/build/release), which
# run_autograder grades every submission against.
#
# Choose Gradescope's Ubuntu 24.04 base image (or newer): the build needs
# CMake 3.25, and 22.04 has 3.22.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pack=$here/stampede

# ./dev's package list, so the names live in one place, less what grading
# never uses (the GUI, the reality lab's servers, ./dev test's and ./dev
# bench's tools); plus python3 for grade.py and bubblewrap, the sandbox a
# student's code runs in where the machine allows it.
PACKAGES=()
# shellcheck disable=SC1090
source <(sed -n '/^PACKAGES=(/,/)$/p' "$pack/dev")
unused=" qt6-base-dev qt6-charts-dev qt6-svg-dev ffmpeg postgresql memcached python3-pymemcache
  libmemcached-tools clang-format doxygen libbenchmark-dev parallel time "
needed=(python3 bubblewrap)
for p in "${PACKAGES[@]}"; do
  [[ $unused == *" $p"[[:space:]]* || " ${needed[*]} " == *" $p "* ]] || needed+=("$p")
done
missing=()
for p in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

version=$(cmake --version | sed -n -E 's/^cmake version ([0-9]+)\.([0-9]+).*/\1 \2/p')
read -r major minor <<<"$version"
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 25 ]; }; then
  echo "setup.sh: CMake $major.$minor is too old (3.25 needed): choose the Ubuntu 24.04 base image" >&2
  exit 1
fi

# The simulator's libraries and the student host, as ./dev grade builds them,
# without the GUI and the simulator's own tests (no Qt, no benchmark library).
# Warnings are not errors here: the base image's compiler may be newer than
# the one the course is developed with.
cd "$pack"
echo "== building the simulator (build/release)"
cmake --preset release -DSTAMPEDE_BUILD_GUI=OFF -DSTAMPEDE_BUILD_TESTS=OFF -DSTAMPEDE_WERROR=OFF >/dev/null
cmake --build --preset release -j "$(nproc)" --target stampede stampede_io stampede_hosting graded_tests \
  stampede-student-host

# The grading build configures against it (GoogleTest found, libraries
# there): a problem shows now, when the autograder is uploaded, rather than
# on the first submission.
probe=$(mktemp -d)
cmake -S tests/exercises -B "$probe" -DSTAMPEDE_BUILD="$pack/build/release" \
  -DEXERCISES="$pack/exercises" >/dev/null
rm -rf "$probe"

chmod +x "$here/run_autograder"
echo "== ready: run_autograder grades against $pack/build/release"
