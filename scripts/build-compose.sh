#!/usr/bin/env bash
# Builds Docker Compose v2 from its Go module and installs it as a Docker CLI plugin, cached by
# version. `go install` refuses the module (its go.mod has exclude directives), so the module is
# downloaded and `go build ./cmd` runs inside a writable copy of it.
# Usage: build-compose.sh [plugin-dir]   (default: $DOCKER_CONFIG/cli-plugins or ~/.docker/cli-plugins)
# Prints the installed plugin's path on stdout, and nothing else.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(awk -F= '$1 == "COMPOSE" {print $2}' "$root/scripts/versions.env")
[[ -n "$version" ]] || { echo "build-compose.sh: no COMPOSE pin in scripts/versions.env" >&2; exit 1; }
plugin_dir=${1:-${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins}
cache_dir="${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/compose-$version"
binary="$cache_dir/docker-compose"
if [[ ! -x "$binary" ]]; then
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
  echo "building docker compose v$version in $work" >&2
  dir=$(cd "$work" && go mod download -json "github.com/docker/compose/v2@v$version" |
    awk -F'"' '$2 == "Dir" {print $4}')
  [[ -d "$dir" ]] || { echo "build-compose.sh: go mod download gave no directory" >&2; exit 1; }
  # The module cache is read-only; building needs a go.sum write at most, so copy it.
  cp -r "$dir" "$work/src"
  chmod -R u+w "$work/src"
  (cd "$work/src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-w -X github.com/docker/compose/v2/internal.Version=v$version" \
    -o "$work/docker-compose" ./cmd >&2)
  mkdir -p "$cache_dir"
  # Copy then rename, so a concurrent reader never sees a half-written binary.
  cp "$work/docker-compose" "$binary.tmp"
  mv "$binary.tmp" "$binary"
fi
mkdir -p "$plugin_dir"
install -m 0755 "$binary" "$plugin_dir/docker-compose"
echo "$plugin_dir/docker-compose"
