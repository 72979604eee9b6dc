#!/usr/bin/env bash
# prom/alertmanager:v<release>: the Debian base with busybox and the alertmanager binaries that
# scripts/build-prom-tools.sh builds from the Go module (the same ones the native tests run).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
release=$(pin ALERTMANAGER)
tag="prom/alertmanager:v$release"
tools=(alertmanager amtool)
name=$(basename "$(dirname "$0")")
base=$(bash "$docker_dir/base/build.sh")

build_image() {
  local key=$1
  shift
  local context bin_dir t
  new_scratch
  context=$scratch
  bin_dir=$(bash "$repo_dir/scripts/build-prom-tools.sh" "$name")/bin
  mkdir "$context/bin"
  for t in "${tools[@]}"; do cp "$bin_dir/$t" "$context/bin/$t"; done
  cp "$docker_dir/$name"/*.yml "$context/"
  docker_build "$key" "$docker_dir/$name/Dockerfile" "$context" "$@"
}

dir="$docker_dir/$name"
ensure_image "$name" "$(content_key "$0" "$dir/Dockerfile" "$dir/$name.yml" "$release" "$(image_key "$base")")" "$tag"
echo "$tag"
