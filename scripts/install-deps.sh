#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine of this kind: the real servers the
# tests run (Prometheus + promtool, Alertmanager + amtool, Redis, PostgreSQL) and Go for the
# collector build. Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
# Debian's packages start system services on the default ports; the tests use their own
# instances on free ports, so the system ones are left alone.
command -v go >/dev/null || { echo "Go is required to build the collector (expected at /usr/local/go/bin)" >&2; exit 1; }
