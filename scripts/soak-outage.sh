#!/usr/bin/env bash
# Soak: the remote-write outage test with a long Prometheus outage (default 15 minutes) on the real
# collector and Prometheus. Not part of CI (CI runs the same test with a 2-minute outage).
#   bash scripts/soak-outage.sh            # 900 s outage, about 18 minutes in all
#   SIGHTLINE_OUTAGE_S=3600 bash scripts/soak-outage.sh
# Prints "remote-write outage: <s> s, <sent> samples sent, <found> in Prometheus"; the test fails
# unless every sample is there, in order.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
if [[ -z "${SIGHTLINE_OTELCOL_BIN:-}" ]]; then
  SIGHTLINE_OTELCOL_BIN=$(bash scripts/build-collector.sh)
  export SIGHTLINE_OTELCOL_BIN
fi
export SIGHTLINE_OUTAGE_S="${SIGHTLINE_OUTAGE_S:-900}"
exec npx vitest run collector/test/remote-write-outage.test.ts --testTimeout=$(((SIGHTLINE_OUTAGE_S + 300) * 1000))
