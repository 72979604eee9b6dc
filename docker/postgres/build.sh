#!/usr/bin/env bash
# postgres:<POSTGRES>-bookworm: the Debian base plus Debian's postgresql-<major> (the POSTGRES pin
# is the major version bookworm ships).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
major=$(pin POSTGRES)
tag="postgres:$major-bookworm"
base=$(bash "$docker_dir/base/build.sh")
dir="$docker_dir/postgres"

build_image() {
  local key=$1
  shift
  chmod +x "$dir/docker-entrypoint.sh"
  docker_build "$key" "$dir/Dockerfile" "$dir" "$@" -- --build-arg "PG_MAJOR=$major"
}

ensure_image postgres "$(content_key "$0" "$dir/Dockerfile" "$dir/docker-entrypoint.sh" "$major" "$(image_key "$base")")" "$tag"
echo "$tag"
