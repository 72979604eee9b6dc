#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine of this kind: the real servers the
# tests run (Redis, PostgreSQL) and Go for the collector, Prometheus and Alertmanager builds
# (scripts/build-collector.sh, scripts/build-prom-tools.sh: Debian's Prometheus 2.42 and
# Alertmanager 0.25 are older than what compose ships). Idempotent: does nothing when everything
# is already there.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
# Debian's Chromium for the browser test (test/e2e/browser.test.ts drives it with playwright-core;
# no browser is ever downloaded). Fonts so the page renders text and layout shifts have a size.
[[ -x /usr/bin/chromium ]] || need+=(chromium fonts-dejavu-core)
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
# Debian's packages start system services on the default ports; the tests use their own
# instances on free ports, so the system ones are left alone.
command -v go >/dev/null || { echo "Go is required to build the collector, Prometheus and Alertmanager (expected at /usr/local/go/bin)" >&2; exit 1; }
