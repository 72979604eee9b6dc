#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, builds, lints and
# runs every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
bash scripts/install-deps.sh
# Not `npm ci`: the package registry this machine reaches serves only this platform's builds of
# biome and rollup, so the lockfile cannot list the other platforms' optional packages and `npm ci`
# rejects it as out of sync. `npm install` still installs exactly the locked versions.
npm install --no-audit --no-fund
SIGHTLINE_OTELCOL_BIN=$(bash scripts/build-collector.sh)
export SIGHTLINE_OTELCOL_BIN
npm run build
npx tsc -p tsconfig.json
npx biome check .
bash scripts/run-tests.sh
