#!/usr/bin/env bash
# Runs the tests with vitest (vitest.config.ts: one project per package or folder, one file at a
# time because the integration tests start real servers on a two-core machine). Arguments go to
# `vitest run`: a path substring filters files, `--project sdk` picks a project.
# Ends with a plain "N passed, N failed" line counted from vitest's JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
if [[ -z "${SIGHTLINE_OTELCOL_BIN:-}" ]]; then
  SIGHTLINE_OTELCOL_BIN=$(bash scripts/build-collector.sh)
  export SIGHTLINE_OTELCOL_BIN
fi
report=$(mktemp --suffix=.json)
trap 'rm -f "$report"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`vitest on node ${process.version}, ${r.numTotalTestSuites} suites`);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || true
exit "$status"
