#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, builds, lints and
# runs every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
bash scripts/install-deps.sh
npm ci --no-audit --no-fund
SIGHTLINE_OTELCOL_BIN=$(bash scripts/build-collector.sh)
export SIGHTLINE_OTELCOL_BIN
npm run build
npx tsc -p tsconfig.json
npx biome check .
bash scripts/run-tests.sh
