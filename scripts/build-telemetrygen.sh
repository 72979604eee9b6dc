#!/usr/bin/env bash
# Builds telemetrygen (the OpenTelemetry load generator, cmd/telemetrygen of collector-contrib) from
# its Go module at the pinned TELEMETRYGEN version, which must be the collector's contrib version
# (collector/builder-config.yaml), and caches the binary by version. `npm run bench:collector` drives
# the collector with it. Prints the binary's path on stdout, and nothing else.
set -euo pipefail
# Go lives here on the CI machines; callers may not have it on PATH.
export PATH="$PATH:/usr/local/go/bin"
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(awk -F= '$1 == "TELEMETRYGEN" {print $2}' "$root/scripts/versions.env")
[[ -n "$version" ]] || { echo "build-telemetrygen.sh: no TELEMETRYGEN pin in scripts/versions.env" >&2; exit 1; }
collector_version=$(awk '/^  version:/ {print $2; exit}' "$root/collector/builder-config.yaml")
if [[ "$version" != "$collector_version" ]]; then
  echo "build-telemetrygen.sh: TELEMETRYGEN=$version in scripts/versions.env, but the collector is v$collector_version (collector/builder-config.yaml); pin the same release" >&2
  exit 1
fi
cache_dir="${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/telemetrygen-$version"
binary="$cache_dir/telemetrygen"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building telemetrygen v$version in $work" >&2
# The module proxy and checksum database come from the environment (GOPROXY, GOFLAGS), as for the collector.
GOBIN="$work/bin" CGO_ENABLED=0 go install -trimpath \
  "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v$version" >&2
mkdir -p "$cache_dir"
# Copy then rename, so a concurrent reader never sees a half-written binary.
cp "$work/bin/telemetrygen" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "$binary"
