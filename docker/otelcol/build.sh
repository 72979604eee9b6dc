#!/usr/bin/env bash
# sightline/otelcol:<dist.version>: the slim collector image, built by collector/Dockerfile (Go
# build stage on golang:<GO>-bookworm, runtime on debian:bookworm-slim), the tag compose names.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
manifest="$repo_dir/collector/builder-config.yaml"
version=$(awk '/^  version:/ {print $2; exit}' "$manifest")
tag="sightline/otelcol:$version"
go_image=$(bash "$docker_dir/golang/build.sh")
base=$(bash "$docker_dir/base/build.sh")

build_image() {
  local key=$1
  shift
  docker_build "$key" "$repo_dir/collector/Dockerfile" "$repo_dir" "$@" -- \
    --build-arg "OTELCOL_VERSION=$version" --build-arg "GO_VERSION=$(pin GO)"
}

# Keyed by every file the Dockerfile can COPY (what .dockerignore lets through).
sources=$( (cd "$repo_dir" && find collector/Dockerfile collector/builder-config.yaml collector/otelcol.yaml \
  collector/processor pii/rules.yaml .dockerignore -type f 2>/dev/null || true) | LC_ALL=C sort | xargs sha256sum | sha256sum)
ensure_image otelcol "$(content_key "$0" "$sources" "$(image_key "$go_image")" "$(image_key "$base")")" "$tag"
echo "$tag"
