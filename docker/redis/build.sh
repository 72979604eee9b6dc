#!/usr/bin/env bash
# redis:<REDIS>-bookworm: the Debian base plus Debian's redis-server (the REDIS pin is the version
# bookworm ships; the build fails if the package is another one).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
version=$(pin REDIS)
tag="redis:$version-bookworm"
base=$(bash "$docker_dir/base/build.sh")
dir="$docker_dir/redis"

build_image() {
  local key=$1
  shift
  chmod +x "$dir/docker-entrypoint.sh"
  docker_build "$key" "$dir/Dockerfile" "$dir" "$@" -- --build-arg "REDIS_VERSION=$version"
}

ensure_image redis "$(content_key "$0" "$dir/Dockerfile" "$dir/docker-entrypoint.sh" "$version" "$(image_key "$base")")" "$tag"
echo "$tag"
