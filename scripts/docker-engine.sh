#!/usr/bin/env bash
# Starts and stops a private Docker engine for the compose test: Debian's dockerd (installed from
# the docker.io package when missing), run as root with its own data root, exec root, pidfile,
# socket and (empty) daemon.json under one state directory, so it shares no state with any other
# Docker engine on the machine and leaves nothing behind but that directory.
#
#   docker-engine.sh start <state-dir>   prints the DOCKER_HOST to use (unix://<state-dir>/docker.sock)
#   docker-engine.sh stop <state-dir>    stops it (SIGTERM, then SIGKILL after 30 s)
#
# Keep <state-dir> short (e.g. under /tmp): containerd's sockets live under it and a unix socket
# path has at most 107 bytes.
#
# Networking: user-defined bridge networks (what compose creates) work with DNS by service name.
# The default bridge (docker0) is not created (--bridge=none) and the host's firewall is left alone
# (--iptables=false): published ports are served by docker-proxy on the host, and containers get
# no NAT to the outside, which the stack does not need. Image builds run with `--network host`
# (docker/lib.sh).
set -euo pipefail
cmd=${1:?usage: docker-engine.sh start|stop <state-dir>}
state=${2:?usage: docker-engine.sh start|stop <state-dir>}
[[ $(id -u) -eq 0 ]] || { echo "docker-engine.sh: dockerd must run as root" >&2; exit 1; }
mkdir -p "$state"
state=$(cd "$state" && pwd)
pidfile="$state/dockerd.pid"
socket="$state/docker.sock"

running() { [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
start)
  if ! command -v dockerd >/dev/null; then
    echo "installing Debian's docker.io" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >&2
    # The package enables a system daemon; this script runs its own, so leave that one stopped.
    systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
  fi
  if running; then
    echo "unix://$socket"
    exit 0
  fi
  echo '{}' >"$state/daemon.json"
  # setsid: the engine outlives this script and ignores the caller's Ctrl-C; stop it with `stop`.
  setsid dockerd \
    --config-file "$state/daemon.json" \
    --data-root "$state/data" \
    --exec-root "$state/exec" \
    --pidfile "$pidfile" \
    --host "unix://$socket" \
    --storage-driver overlay2 \
    --bridge none \
    --iptables=false \
    --log-level warn \
    >"$state/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if DOCKER_HOST="unix://$socket" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
      echo "unix://$socket"
      exit 0
    fi
    sleep 0.5
  done
  echo "docker-engine.sh: dockerd did not answer on $socket within 60 s; its log:" >&2
  tail -n 40 "$state/dockerd.log" >&2
  exit 1
  ;;
stop)
  if running; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "docker-engine.sh: dockerd $pid ignored SIGTERM for 30 s; killing it" >&2
      kill -KILL "$pid"
    fi
  fi
  # dockerd leaves its default network namespace (and, when killed, overlay mounts) mounted under
  # the state directory; unmount them, deepest first, so the directory can be removed.
  awk -v s="$state/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r | while read -r mount; do
    umount "$mount" 2>/dev/null || umount -l "$mount"
  done
  ;;
*)
  echo "usage: docker-engine.sh start|stop <state-dir>" >&2
  exit 2
  ;;
esac
