#!/usr/bin/env bash
# Checks the container's files without a container, a display or a network
# (CI has none of them): devcontainer.json is JSON and builds the
# Containerfile; the Containerfile installs the packages (./dev deps) before
# the sources are copied in and exposes nothing; every port published in the
# files and docs is on the host's loopback; gui.sh's page listens on 127.0.0.1
# by default and refuses an open address outside a container; the scripts
# parse (and pass shellcheck where it is installed). Where websockify and
# noVNC are installed, gui.sh also runs for real, against a stand-in for
# stampede-gui that listens on 127.0.0.1, and must serve the page on
# 127.0.0.1 alone and leave nothing running once stopped.
#
#   tests/container/check_container_files.sh [SOURCE_DIR]
set -uo pipefail
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root" || exit 2
py=/usr/bin/python3
[ -x "$py" ] || py=python3

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '      %s\n' "$2"; }
check() { # check NAME COMMAND...: passes when COMMAND exits 0; shows its output when not
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$(tail -4 <<<"$out")"; fi
}

scripts=(.devcontainer/gui.sh .devcontainer/build-image.sh tests/container/check_container_files.sh)

# 1. devcontainer.json: plain JSON, building this repository's Containerfile,
# forwarding noVNC's port and publishing nothing itself.
check "devcontainer.json is JSON and builds ../Containerfile, forwards 6080, publishes nothing" \
  "$py" - .devcontainer/devcontainer.json <<'PY'
import json, os, sys
path = sys.argv[1]
with open(path) as f:
    d = json.load(f)
b = d.get("build", {})
target = os.path.normpath(os.path.join(os.path.dirname(path), b.get("dockerfile", "")))
assert target == "Containerfile", f"build.dockerfile points at {target}, not Containerfile"
assert os.path.normpath(os.path.join(os.path.dirname(path), b.get("context", "."))) == ".", "build.context is not the repository"
assert 6080 in d.get("forwardPorts", []), "forwardPorts lacks 6080 (noVNC)"
assert "appPort" not in d, "appPort publishes on every address of the host: use forwardPorts"
for a in d.get("runArgs", []):
    assert not a.startswith(("-p", "--publish")), f"runArgs publishes a port: {a}"
assert d.get("postCreateCommand"), "no postCreateCommand (the build)"
PY

# 2. The Containerfile: ./dev deps before the sources, no EXPOSE, a BASE
# that defaults to Debian 12.
check "Containerfile: dev alone, ./dev deps, then the sources; no EXPOSE; BASE is Debian 12" \
  "$py" - Containerfile <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# Instructions, continuation lines joined, comments dropped.
lines, cur = [], ""
for raw in text.splitlines():
    if not cur and raw.lstrip().startswith("#"):
        continue
    cur += raw.rstrip("\\").strip() + " "
    if not raw.rstrip().endswith("\\"):
        if cur.strip():
            lines.append(cur.strip())
        cur = ""
ins = [(l.split()[0].upper(), l) for l in lines]
m = re.search(r"ARG BASE=(\S+)", text)
assert m and re.search(r"debian:bookworm$", m.group(1)), "ARG BASE does not default to debian:bookworm"
assert any(k == "FROM" and "${BASE}" in l for k, l in ins), "FROM does not use ${BASE}"
deps = [i for i, (k, l) in enumerate(ins) if k == "RUN" and re.search(r"\bdev deps\b", l)]
assert deps, "no RUN of ./dev deps"
copies = [(i, l) for i, (k, l) in enumerate(ins) if k in ("COPY", "ADD")]
for i, l in copies:
    words = [w for w in l.split()[1:] if not w.startswith("--")]
    sources = words[:-1]
    if i < deps[0]:
        assert sources == ["dev"], f"copied before ./dev deps, beyond dev: {l}"
    if "." in sources:
        assert i > deps[0], "the sources are copied before ./dev deps"
assert any("." in [w for w in l.split()[1:] if not w.startswith("--")][:-1] for i, l in copies), "the sources are never copied"
assert not any(k == "EXPOSE" for k, l in ins), "EXPOSE: -P would publish it on every address of the host"
assert any(k == "USER" and l.split()[1] != "root" for k, l in ins), "the image's user is root"
PY

check ".containerignore and .dockerignore keep out build/, .git and solutions/, the same lines" \
  "$py" - <<'PY'
def lines(p):
    return [l.strip() for l in open(p) if l.strip() and not l.lstrip().startswith("#")]
c, d = lines(".containerignore"), lines(".dockerignore")
assert c == d, f".containerignore {c} != .dockerignore {d}"
for need in ("build/", ".git", "solutions/"):
    assert need in c, f"{need} is not ignored"
PY

# 3. Every port published, in any of the files or the docs, is on the host's
# loopback: -p 127.0.0.1:HOST:CONTAINER (or localhost, [::1]).
published() {
  local files=(Containerfile .devcontainer/devcontainer.json .devcontainer/*.sh docs/container.md)
  local bad_lines
  # A line that says "never" warns against what it shows.
  bad_lines=$(grep -nE -- '(^|[[:space:]"`])(-p|--publish)([[:space:]=]+|[0-9])' "${files[@]}" 2>/dev/null |
    grep -iv 'never' |
    grep -vE -- '(-p|--publish)[[:space:]=]*(127\.0\.0\.1|localhost|\[::1\]):[0-9]+:[0-9]+' |
    grep -vE -- '(-p|--publish)[[:space:]=]*[A-Z_]*[a-z]' || true)
  [ -z "$bad_lines" ] || { echo "published beyond the loopback: $bad_lines"; return 1; }
  grep -qE -- '-p 127\.0\.0\.1:6080:6080' docs/container.md || { echo "docs/container.md never publishes 6080 on 127.0.0.1"; return 1; }
  ! grep -nE -- '(-P|--publish-all)([[:space:]]|$)|--network[= ]host' docs/container.md .devcontainer/devcontainer.json |
    grep -iv 'never' || { echo "-P, --publish-all or --network host recommended"; return 1; }
}
check "every published port is on 127.0.0.1 (Containerfile, .devcontainer, docs/container.md)" published

# 4. gui.sh: the page on 127.0.0.1 unless told, the VNC stream from
# 127.0.0.1, and no open address outside a container.
static_gui() {
  grep -qE '^listen=\$\{STAMPEDE_GUI_LISTEN:-127\.0\.0\.1\}$' .devcontainer/gui.sh || { echo "default listen is not 127.0.0.1"; return 1; }
  # shellcheck disable=SC2016 # gui.sh's own text, $ and all
  grep -qE 'websockify .*"\$listen:\$port" "127\.0\.0\.1:\$vnc_port"' .devcontainer/gui.sh || { echo "websockify is not run on \$listen:\$port to 127.0.0.1"; return 1; }
}
check "gui.sh: websockify on \$listen (default 127.0.0.1), to VNC on 127.0.0.1" static_gui
in_container() { [ -f /run/.containerenv ] || [ -f /.dockerenv ]; }
if in_container; then
  echo "skip  gui.sh's refusals outside a container (this runs in one)"
else
  refuses() { # refuses EXPECTED-TEXT ARGS...: gui.sh exits 2 saying so
    local want=$1 out status
    shift
    out=$(env -u REMOTE_CONTAINERS -u CODESPACES "$@" 2>&1 </dev/null)
    status=$?
    if [ "$status" -ne 2 ] || ! grep -q -- "$want" <<<"$out"; then
      echo "exit $status: $out"
      return 1
    fi
  }
  check "gui.sh refuses to run outside a container" \
    refuses "no container detected" .devcontainer/gui.sh
  check "gui.sh refuses --listen 0.0.0.0 outside a container" \
    refuses "open the page to the network" env STAMPEDE_GUI_OUTSIDE_CONTAINER=1 .devcontainer/gui.sh --listen 0.0.0.0
fi

# 5. The scripts parse; shellcheck where it is installed.
for s in "${scripts[@]}"; do check "bash -n $s" bash -n "$s"; done
if command -v shellcheck >/dev/null; then
  check "shellcheck ${scripts[*]}" shellcheck "${scripts[@]}"
else
  echo "skip  shellcheck (not installed)"
fi
check "build-image.sh --help" .devcontainer/build-image.sh --help

# 6. gui.sh for real, where websockify and noVNC are installed (the image;
# not CI): a stand-in for stampede-gui, the page on 127.0.0.1, then Ctrl-C's
# signal and nothing left listening.
live_gui() {
  local tmp status=0
  tmp=$(mktemp -d)
  cat >"$tmp/fake-gui" <<'PY'
#!/usr/bin/env python3
# Stands in for stampede-gui: a "VNC server" on 127.0.0.1 at the port that
# QT_QPA_PLATFORM names, saying RFB's greeting to whoever connects.
import os, socket
spec = os.environ["QT_QPA_PLATFORM"]
port = int(spec.split("port=")[1].split(":")[0])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen()
with open(os.environ["FAKE_GUI_PIDFILE"], "w") as f:
    f.write(str(os.getpid()))
while True:
    c, _ = s.accept()
    c.sendall(b"RFB 003.008\n")
    c.close()
PY
  chmod +x "$tmp/fake-gui"
  # A job started with & ignores SIGINT, and so would gui.sh: as a terminal's
  # foreground command it would not, so SIGINT goes back to its default.
  local restore_sigint='import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])'

  read -r web vnc < <("$py" -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))')
  STAMPEDE_GUI_BIN="$tmp/fake-gui" FAKE_GUI_PIDFILE="$tmp/pid" STAMPEDE_GUI_OUTSIDE_CONTAINER=1 \
    STAMPEDE_VNC_PORT=$vnc setsid "$py" -c "$restore_sigint" .devcontainer/gui.sh --port "$web" \
    >"$tmp/out" 2>&1 </dev/null &
  local gui_sh=$!
  for _ in $(seq 100); do grep -q 'open in your browser' "$tmp/out" && break; sleep 0.1; done
  "$py" - "$web" "$vnc" <<'PY' || status=1
import sys, urllib.request
web, vnc = int(sys.argv[1]), int(sys.argv[2])
def listening(port):
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            addr, p = f[1].rsplit(":", 1)
            if f[3] == "0A" and int(p, 16) == port:
                found.append(addr)
    return found
w = listening(web)
assert w, f"nothing listens on {web}"
assert all(a == "0100007F" for a in w), f"the page listens beyond 127.0.0.1: {w}"
page = urllib.request.urlopen(f"http://127.0.0.1:{web}/vnc.html", timeout=5).read()
assert b"noVNC" in page, "vnc.html is not noVNC's page"
PY
  kill -INT "$gui_sh" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$gui_sh" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$gui_sh" 2>/dev/null; then
    echo "gui.sh still running 5 s after SIGINT"
    status=1
  fi
  if [ -s "$tmp/pid" ] && kill -0 "$(cat "$tmp/pid")" 2>/dev/null; then
    echo "the window (stand-in) outlived gui.sh"
    kill "$(cat "$tmp/pid")" 2>/dev/null
    status=1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$web") 2>/dev/null; then
    echo "the page outlived gui.sh"
    status=1
  fi
  # Whatever of the test's own session is left (gui.sh's children, when it
  # failed to stop them) goes, by its process group.
  kill -KILL -- "-$gui_sh" 2>/dev/null
  [ $status -eq 0 ] || cat "$tmp/out"
  rm -rf "$tmp"
  return $status
}
if command -v websockify >/dev/null && [ -f /usr/share/novnc/vnc.html ]; then
  check "gui.sh serves noVNC on 127.0.0.1 only, and stops it and the window on Ctrl-C" live_gui
else
  echo "skip  gui.sh live (websockify and noVNC are not installed here; they are in the image)"
fi

echo "container files: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
