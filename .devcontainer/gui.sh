#!/usr/bin/env bash
# The simulator's window, from inside the container, in the host's browser:
# stampede-gui draws on Qt's VNC platform plugin (in Debian's qt6-base), and
# websockify serves noVNC's page and carries the VNC stream to it. Prints the
# address to open; Ctrl-C (or the window closing) stops both.
#
#   .devcontainer/gui.sh [--listen ADDR] [--port N] [--size WxH] [stampede-gui args]
#
#   --listen ADDR  where the web page listens (default 127.0.0.1). VS Code's
#                  and Codespaces' port forwarding reach 127.0.0.1 inside the
#                  container. `podman run -p 127.0.0.1:6080:6080` delivers to
#                  the container's own interface, so there give 0.0.0.0: it
#                  is the container's network, not the host's, and the host
#                  side stays on its loopback.
#   --port N       the web page's port (default 6080)
#   --size WxH     the window's screen (default 1280x800)
#   stampede-gui's arguments, default builtin:frontpage
#
# Environment: STAMPEDE_GUI_LISTEN, STAMPEDE_GUI_PORT, STAMPEDE_VNC_PORT
# (default 5900), STAMPEDE_GUI_BIN (another stampede-gui), and
# STAMPEDE_GUI_OUTSIDE_CONTAINER=1 to run where no container is detected.
#
# Qt's VNC server takes no address: it listens on every interface of the
# network it runs in. Inside a container that is the container's own network,
# whose VNC port nobody publishes; on a machine of its own it would be every
# interface of that machine, which is why this script runs only in a
# container unless told otherwise (a machine with a display needs none of
# this: ./dev run opens the window).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

listen=${STAMPEDE_GUI_LISTEN:-127.0.0.1}
port=${STAMPEDE_GUI_PORT:-6080}
vnc_port=${STAMPEDE_VNC_PORT:-5900}
size=1280x800
while [ $# -gt 0 ]; do
  case $1 in
  --listen) listen=${2:?--listen needs an address}; shift 2 ;;
  --port) port=${2:?--port needs a number}; shift 2 ;;
  --size) size=${2:?--size needs WxH}; shift 2 ;;
  -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --) shift; break ;;
  *) break ;;
  esac
done
[ $# -gt 0 ] || set -- builtin:frontpage

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "gui.sh: $*" >&2; exit 2; }

in_container() {
  [ -f /run/.containerenv ] || [ -f /.dockerenv ] || [ -n "${REMOTE_CONTAINERS:-}${CODESPACES:-}" ]
}
if ! in_container && [ "${STAMPEDE_GUI_OUTSIDE_CONTAINER:-}" != 1 ]; then
  die "no container detected: Qt's VNC server would listen on every interface of this machine.
With a display, ./dev run opens the window; set STAMPEDE_GUI_OUTSIDE_CONTAINER=1 to go on anyway."
fi
case $listen in
127.* | localhost | ::1) ;;
*) in_container || die "--listen $listen outside a container would open the page to the network" ;;
esac
[[ $port =~ ^[0-9]+$ && $vnc_port =~ ^[0-9]+$ ]] || die "ports are numbers (got $port, $vnc_port)"
[[ $size =~ ^[0-9]+x[0-9]+$ ]] || die "--size is WxH (got $size)"

command -v websockify >/dev/null || die "websockify is missing (Debian: apt-get install websockify novnc)"
novnc=/usr/share/novnc
[ -f "$novnc/vnc.html" ] || die "noVNC's page is missing: no $novnc/vnc.html (Debian: apt-get install novnc)"

gui=${STAMPEDE_GUI_BIN:-$root/build/release/gui/stampede-gui}
if [ ! -x "$gui" ]; then
  say "building stampede-gui (release)"
  (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target stampede-gui)
fi

# Is anything accepting on 127.0.0.1:PORT? (bash alone: no client needed.)
accepting() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
accepting "$vnc_port" && die "port $vnc_port is taken (STAMPEDE_VNC_PORT picks another)"
accepting "$port" && die "port $port is taken (--port picks another)"

gui_pid='' ws_pid=''
logs=$(mktemp -d)
# shellcheck disable=SC2317 # called by the traps
stop() {
  trap - EXIT INT TERM
  # Each by its process id, the page first so no browser holds the window.
  [ -z "$ws_pid" ] || kill "$ws_pid" 2>/dev/null || true
  [ -z "$gui_pid" ] || kill "$gui_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$logs"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits up to 10 s for PID to accept on PORT; else shows LOG and stops with WHAT.
await_port() { # PORT PID LOG WHAT
  for _ in $(seq 100); do
    accepting "$1" && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "$4 stopped at its start"; }
    sleep 0.1
  done
  cat "$3" >&2
  die "$4 is not listening on port $1 after 10 s"
}

QT_QPA_PLATFORM="vnc:size=$size:port=$vnc_port" "$gui" "$@" >"$logs/gui.log" 2>&1 &
gui_pid=$!
await_port "$vnc_port" "$gui_pid" "$logs/gui.log" "stampede-gui's VNC server"

websockify --web "$novnc" "$listen:$port" "127.0.0.1:$vnc_port" >"$logs/websockify.log" 2>&1 &
ws_pid=$!
await_port "$port" "$ws_pid" "$logs/websockify.log" "websockify"

cat >&2 <<MSG

  stampede-gui $* is on VNC; open in your browser:

    http://localhost:$port/vnc.html?autoconnect=1&resize=scale

  (the page listens on $listen:$port; Ctrl-C here stops the window and the page)

MSG
# Until either one ends (the window closed, say), then stop the other.
set +e
wait -n "$gui_pid" "$ws_pid"
status=$?
if ! kill -0 "$gui_pid" 2>/dev/null; then
  say "stampede-gui ended (exit $status)"
  tail -5 "$logs/gui.log" >&2
elif ! kill -0 "$ws_pid" 2>/dev/null; then
  say "websockify ended (exit $status)"
  tail -5 "$logs/websockify.log" >&2
fi
exit "$status"
