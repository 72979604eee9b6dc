#!/usr/bin/env bash
# Builds Prometheus (prometheus + promtool) or Alertmanager (alertmanager + amtool) from its Go
# module at the version pinned in scripts/versions.env, and caches the binaries by release version
# so a machine builds each once. The native tests, `npm run stack:native` and the compose images
# all use these binaries, so tests and compose run the same versions.
#
#   bash scripts/build-prom-tools.sh prometheus     # prints <cache>/prometheus-<release>
#   bash scripts/build-prom-tools.sh alertmanager   # prints <cache>/alertmanager-<release>
#
# Prints the cache directory (with bin/<tool> inside) on stdout, and nothing else.
#
#   eval "$(bash scripts/build-prom-tools.sh env)"
#
# builds both and exports SIGHTLINE_PROMETHEUS_BIN, SIGHTLINE_PROMTOOL_BIN,
# SIGHTLINE_ALERTMANAGER_BIN and SIGHTLINE_AMTOOL_BIN (what the harness and the tests run).
#
# Why not `go install …@version`: a module whose go.mod has replace or exclude directives cannot be
# installed that way, so the module is downloaded and built inside a writable copy instead (with
# its go.work ignored: that names sibling modules the module zip does not carry).
#
# No web UI: both embed their UI only from assets an npm/Elm build generates, which the modules do
# not carry. Prometheus is built without `-tags builtinassets` (that tag needs web/ui/embed.go and
# the built static files), so its UI pages answer 404; Alertmanager's ui/web.go embeds
# ui/app/dist unconditionally, so a one-line placeholder page stands in for it. The HTTP APIs, the
# remote-write receiver, rules, alerting and /-/ready are unaffected: that is all the tests and
# Grafana (which queries the API) use.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
root=$(cd "$(dirname "$0")/.." && pwd)
tool=${1:-}
if [[ $tool == env ]]; then
  prometheus_dir=$(bash "$0" prometheus)
  alertmanager_dir=$(bash "$0" alertmanager)
  for command in prometheus promtool; do
    printf 'export SIGHTLINE_%s_BIN=%q\n' "${command^^}" "$prometheus_dir/bin/$command"
  done
  for command in alertmanager amtool; do
    printf 'export SIGHTLINE_%s_BIN=%q\n' "${command^^}" "$alertmanager_dir/bin/$command"
  done
  exit 0
fi
# shellcheck source=versions.env
source "$root/scripts/versions.env"
case "$tool" in
  prometheus)
    module=github.com/prometheus/prometheus
    module_version="v$PROMETHEUS_MODULE"
    release=$PROMETHEUS
    commands=(prometheus promtool)
    ;;
  alertmanager)
    module=github.com/prometheus/alertmanager
    module_version="v$ALERTMANAGER"
    release=$ALERTMANAGER
    commands=(alertmanager amtool)
    ;;
  *)
    echo "usage: $0 prometheus|alertmanager (got '${tool}')" >&2
    exit 2
    ;;
esac
cache_dir="${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/$tool-$release"
built() {
  local command
  for command in "${commands[@]}"; do [[ -x "$cache_dir/bin/$command" ]] || return 1; done
}
if built; then
  echo "$cache_dir"
  exit 0
fi
# One build at a time per release: a second caller (the image build, a test) waits, then finds it.
mkdir -p "$(dirname "$cache_dir")"
exec 9>"$cache_dir.lock"
flock 9
if built; then
  echo "$cache_dir"
  exit 0
fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 143' TERM INT # so a stopped build still removes its work directory
echo "building $tool $release (module $module@$module_version) in $work" >&2
source_dir=$(go mod download -json "$module@$module_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[[ -d "$source_dir" ]] || { echo "go mod download $module@$module_version gave no source directory" >&2; exit 1; }
# The module's own VERSION file is the release it was cut from; the pin must name the same one.
module_release=$(tr -d '[:space:]' <"$source_dir/VERSION")
if [[ "$module_release" != "$release" ]]; then
  echo "scripts/versions.env: $module@$module_version is release $module_release, not $release" >&2
  exit 1
fi
cp -r "$source_dir" "$work/src"
chmod -R u+w "$work/src"
if [[ $tool == alertmanager ]]; then
  # ui/web.go embeds ui/app/dist (the Elm and Mantine builds), which the module does not carry.
  for ui in elm mantine; do
    mkdir -p "$work/src/ui/app/dist/$ui"
    printf '<!doctype html><title>Alertmanager</title><p>Built without its web UI; the API is at /api/v2/.\n' \
      >"$work/src/ui/app/dist/$ui/index.html"
  done
fi
# The same -X flags the upstream release build (.promu.yml) sets, so `--version` prints the release.
ldflags="-s -w"
ldflags+=" -X github.com/prometheus/common/version.Version=$release"
ldflags+=" -X github.com/prometheus/common/version.Revision=$module_version"
ldflags+=" -X github.com/prometheus/common/version.Branch=module"
ldflags+=" -X github.com/prometheus/common/version.BuildUser=sightline"
ldflags+=" -X github.com/prometheus/common/version.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
# CGO off (and netgo): static binaries that also run in a minimal image. Prometheus leaves out
# the cloud service discoveries (its documented remove_all_sd tag; static, file, HTTP and DNS
# discovery stay): Sightline's configs use static targets only, and the Kubernetes, AWS, Azure and
# GCP clients were most of a cold build's time.
tags=netgo
[[ $tool == prometheus ]] && tags+=",remove_all_sd,enable_dns_sd"
mkdir -p "$work/out/bin"
for command in "${commands[@]}"; do
  (cd "$work/src" && GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -tags "$tags" \
    -ldflags "$ldflags" -o "$work/out/bin/$command" "./cmd/$command" >&2)
done
"$work/out/bin/${commands[0]}" --version >&2
# Build beside the cache, then rename: a reader sees no directory or a complete one.
staging=$(mktemp -d "$cache_dir.tmp.XXXXXX")
cp -r "$work/out/bin" "$staging/bin"
chmod 755 "$staging"
rm -rf "$cache_dir"
mv -T "$staging" "$cache_dir"
echo "$cache_dir"
