#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, builds, lints and
# runs every test. `.ci/run` calls exactly this.
#   - Node.js 24 (primary) and 22 (minimum) from pinned npm packages, cached by version;
#     the machine's own Node is never used.
#   - The whole suite on Node 24 with vitest; the SDK's own suite again on Node 22.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
started=$SECONDS
bash scripts/install-deps.sh
node24=$(bash scripts/install-node.sh 24)
node22=$(bash scripts/install-node.sh 22)
export PATH="$node24:$PATH"
echo "runtimes: node $(node --version) (suite), node $("$node22/node" --version) (SDK suite), npm $(npm --version), $(go version)"
npm ci --no-audit --no-fund
SIGHTLINE_OTELCOL_BIN=$(bash scripts/build-collector.sh)
export SIGHTLINE_OTELCOL_BIN
# Prometheus, promtool, Alertmanager, amtool at the compose versions (cached): SIGHTLINE_*_BIN.
prom_tools_env=$(bash scripts/build-prom-tools.sh env)
eval "$prom_tools_env"
echo "setup took $((SECONDS - started)) s"
npm run build
npx tsc -p tsconfig.json
# bench/ has its own tsconfig (its scripts are not part of any package).
npx tsc -p bench
npx biome check .
bash scripts/run-tests.sh
echo "SDK suite on Node.js 22:"
PATH="$node22:$PATH" bash scripts/run-tests.sh --project sdk
echo "test command took $((SECONDS - started)) s"
