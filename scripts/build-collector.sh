#!/usr/bin/env bash
# Builds the slim collector from collector/builder-config.yaml with the OpenTelemetry
# Collector Builder, and caches the binary keyed by the manifest's hash so a machine
# builds it once. Prints the binary's path on stdout (and nothing else).
set -euo pipefail
# Go lives here on the CI machines; callers (the test harness) may not have it on PATH.
export PATH="$PATH:/usr/local/go/bin"
root=$(cd "$(dirname "$0")/.." && pwd)
manifest="$root/collector/builder-config.yaml"
version=$(awk '/^  version:/ {print $2; exit}' "$manifest")
# The key covers the manifest and the sources of Sightline's own components (collector/processor,
# collector/extension), which the manifest compiles in by path, so editing one rebuilds too.
hash=$({
  sha256sum "$manifest" | cut -c1-64
  (cd "$root" && find collector/processor collector/extension -type f ! -name '*_test.go' ! -name '*.md' ! -path '*/testdata/*' -print0 | sort -z | xargs -0 sha256sum)
} | sha256sum | cut -c1-16)
cache_dir="${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/otelcol-$hash"
binary="$cache_dir/otelcol-sightline"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building collector v$version (manifest $hash) in $work" >&2
GOBIN="$work/bin" go install "go.opentelemetry.io/collector/cmd/builder@v$version" >&2
cp "$manifest" "$work/builder-config.yaml"
cp -r "$root/collector/processor" "$work/processor"
cp -r "$root/collector/extension" "$work/extension"
(cd "$work" && CGO_ENABLED=0 ./bin/builder --config builder-config.yaml >&2)
mkdir -p "$cache_dir"
# Copy then rename, so a concurrent reader never sees a half-written binary.
cp "$work/_build/otelcol-sightline" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "$binary"
