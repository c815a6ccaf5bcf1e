#!/usr/bin/env bash
# Builds the course's image (the Containerfile) with podman on a machine that
# reaches Debian's package mirror but no container registry: the Debian 12
# base is made here with debootstrap, imported, and the Containerfile built
# on it. Run from anywhere, as root (debootstrap needs it):
#
#   .devcontainer/build-image.sh [--tag NAME] [--base IMAGE] [--new-base]
#
#   --tag NAME    the image to build (default: stampede)
#   --base IMAGE  build on IMAGE instead (docker.io/library/debian:bookworm
#                 where a registry is reachable); no debootstrap then
#   --new-base    make the debootstrap base again even if it is there
#
# Environment:
#   STAMPEDE_MIRROR        Debian mirror (default http://deb.debian.org/debian)
#   STAMPEDE_PODMAN_FLAGS  podman's global flags, e.g. "--storage-driver vfs
#                          --cgroup-manager cgroupfs"; set, they are used as
#                          they are and not probed
#   STAMPEDE_BUILD_FLAGS   `podman build` flags, e.g. "--isolation chroot
#                          --network host"; set, they are used as they are
#   STAMPEDE_RUN_FLAGS     `podman run` flags, e.g. "--runtime runc --ulimit
#                          nofile=20000:20000"; only printed, for your runs
#   JOBS                   the compiler's parallelism in the image (default 2)
#
# Prints how long each stage took and the image's size.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=stampede
base=
new_base=0
while [ $# -gt 0 ]; do
  case $1 in
  --tag) tag=${2:?--tag needs a name}; shift 2 ;;
  --base) base=${2:?--base needs an image}; shift 2 ;;
  --new-base) new_base=1; shift ;;
  -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

mirror=${STAMPEDE_MIRROR:-http://deb.debian.org/debian}
local_base=localhost/stampede-base:bookworm
jobs=${JOBS:-2}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
timings=()
record() { timings+=("$(printf '%-34s %8s s' "$1" "$2")"); }

command -v podman >/dev/null || {
  echo "build-image.sh: podman is missing (Debian: apt-get install podman)" >&2
  exit 2
}

# podman's global flags: as given, or the defaults if `podman info` works with
# them, else the fallbacks that need no kernel support beyond a chroot.
if [ -n "${STAMPEDE_PODMAN_FLAGS+set}" ]; then
  read -r -a pflags <<<"$STAMPEDE_PODMAN_FLAGS"
elif podman info >/dev/null 2>&1; then
  pflags=()
else
  pflags=(--storage-driver vfs --cgroup-manager cgroupfs)
  say "podman info failed with the defaults; trying ${pflags[*]}"
fi
pm() { podman "${pflags[@]}" "$@"; }

total_start=$(now)

# 1. The base: Debian 12 from the mirror, as the registry's debian:bookworm
# would be (minbase, the same three suites in its sources).
if [ -z "$base" ]; then
  base=$local_base
  if [ $new_base -eq 0 ] && pm image exists "$base"; then
    say "using the base image made before: $base (--new-base makes it again)"
  else
    command -v debootstrap >/dev/null || {
      echo "build-image.sh: debootstrap is missing (Debian: apt-get install debootstrap)" >&2
      exit 2
    }
    [ "$(id -u)" -eq 0 ] || { echo "build-image.sh: debootstrap needs root" >&2; exit 2; }
    rootfs=$(mktemp -d "${TMPDIR:-/var/tmp}/stampede-rootfs.XXXXXX")
    # The unpacked tree is only a step: gone however the script ends.
    trap 'rm -rf "$rootfs"' EXIT
    say "debootstrap --variant=minbase bookworm from $mirror"
    t=$(now)
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
      tail -20 "$rootfs.log" >&2
      exit 1
    }
    rm -f "$rootfs.log"
    rm -f "$rootfs/etc/apt/sources.list"
    security=${mirror%/debian}/debian-security
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
    record "debootstrap (minbase bookworm)" "$(since "$t")"
    say "importing it as $base"
    t=$(now)
    tar -C "$rootfs" --numeric-owner -c . | pm import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
    record "podman import" "$(since "$t")"
  fi
fi

# 2. The flags: as given, or probed on the base. `podman run` (the image's
# use) must start a container; a RUN step must also reach the mirror
# (./dev deps uses apt-get). Sandboxes differ in what they refuse: podman's
# default limits on open files and processes above this shell's (crun and
# runc: "setrlimit: Operation not permitted"), crun on a cgroup v1 + v2
# hybrid ("cgroups in hybrid mode not supported": runc copes).
runs() { pm run --rm "$@" "$base" true >/dev/null 2>&1; }
if [ -n "${STAMPEDE_RUN_FLAGS+set}" ]; then
  read -r -a rflags <<<"$STAMPEDE_RUN_FLAGS"
else
  rflags=()
  if ! runs; then
    found=0
    hn=$(ulimit -Hn) hu=$(ulimit -Hu)
    for runtime in "" runc; do
      [ -z "$runtime" ] || command -v "$runtime" >/dev/null || continue
      for nproc in "$hu" 32768 4096; do
        try=(--ulimit "nofile=$hn:$hn" --ulimit "nproc=$nproc:$nproc")
        [ "$nproc" != unlimited ] || try=(--ulimit "nofile=$hn:$hn")
        [ -z "$runtime" ] || try=(--runtime "$runtime" "${try[@]}")
        if runs "${try[@]}"; then
          rflags=("${try[@]}") found=1
          break 2
        fi
      done
    done
    [ $found -eq 1 ] || say "no container starts here (podman run); set STAMPEDE_RUN_FLAGS"
  fi
fi
if [ -n "${STAMPEDE_BUILD_FLAGS+set}" ]; then
  read -r -a bflags <<<"$STAMPEDE_BUILD_FLAGS"
else
  host=$(sed -E 's#^[a-z]+://([^/:]+).*#\1#' <<<"$mirror")
  probe="exec 3<>/dev/tcp/$host/80"
  reaches() { pm run --rm "$base" bash -c "$probe" >/dev/null 2>&1; }
  if [ ${#rflags[@]} -eq 0 ] && runs; then
    bflags=()
    reaches || bflags=(--network host)
  else
    # Where podman run needs help, buildah's chroot isolation runs the RUN
    # steps with no OCI runtime, cgroups or rlimits to set, on the host's
    # network (it has no other).
    bflags=(--isolation chroot --network host)
  fi
fi
[ ${#rflags[@]} -eq 0 ] || say "podman run needs here: ${rflags[*]}"
[ ${#bflags[@]} -eq 0 ] || say "podman build needs here: ${bflags[*]}"

# 3. The image, each Containerfile step (and the final commit of the image)
# timed from its first line of output.
say "podman ${pflags[*]} build ${bflags[*]} --build-arg BASE=$base -t $tag"
t=$(now)
steps=$(mktemp)
set +e
pm build "${bflags[@]}" --build-arg BASE="$base" --build-arg JOBS="$jobs" \
  -f Containerfile -t "$tag" . 2>&1 |
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case $line in STEP\ * | COMMIT\ *) printf '%s\t%s\n' "$EPOCHREALTIME" "${line:0:70}" >>"$steps" ;; esac
  done
status=${PIPESTATUS[0]}
set -e
printf '%s\t%s\n' "$EPOCHREALTIME" end >>"$steps"
record "podman build (all steps)" "$(since "$t")"
# One line per step that took a second or more (COPY and ENV take none).
while IFS=$'\t' read -r start name; do
  if [ -n "${prev:-}" ]; then
    d=$(awk -v a="$prev" -v b="$start" 'BEGIN { printf "%.1f", b - a }')
    awk -v d="$d" 'BEGIN { exit !(d >= 1) }' && record "  ${prev_name:0:32}" "$d"
  fi
  prev=$start prev_name=$name
done <"$steps"
rm -f "$steps"
record total "$(since "$total_start")"

printf '\n' >&2
printf '%s\n' "${timings[@]}" >&2
if [ "$status" -ne 0 ]; then
  echo "build-image.sh: podman build failed (exit $status)" >&2
  exit "$status"
fi
pm image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' "$tag" >&2
cat >&2 <<NEXT

Next (docs/container.md):
  podman ${pflags[*]} run ${rflags[*]} --rm -it -p 127.0.0.1:6080:6080 -v "\$PWD/exercises:/home/student/stampede/exercises" $tag
  inside: ./dev grade 01     ./dev run     .devcontainer/gui.sh --listen 0.0.0.0
NEXT
