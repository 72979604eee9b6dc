#!/usr/bin/env bash
# Runs every test file with Node's test runner, one file at a time: the integration tests
# start real servers and the machine has two cores. Extra arguments filter by path substring.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
if [[ -z "${SIGHTLINE_OTELCOL_BIN:-}" ]]; then
  SIGHTLINE_OTELCOL_BIN=$(bash scripts/build-collector.sh)
  export SIGHTLINE_OTELCOL_BIN
fi
mapfile -t files < <(find packages collector prometheus grafana scripts test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if (($#)); then
  filtered=()
  for f in "${files[@]}"; do for pattern in "$@"; do [[ $f == *"$pattern"* ]] && filtered+=("$f") && break; done; done
  files=("${filtered[@]}")
fi
exec node --import tsx --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec "${files[@]}"
