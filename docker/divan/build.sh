#!/usr/bin/env bash
# sightline/divan:local: the Divan API image, built by packages/demo/Dockerfile on
# node:<NODE24>-bookworm-slim (its build stage runs `npm ci`), the tag compose names.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
tag=sightline/divan:local
node_image=$(bash "$docker_dir/node/build.sh")

build_image() {
  local key=$1
  shift
  docker_build "$key" "$repo_dir/packages/demo/Dockerfile" "$repo_dir" "$@" -- --build-arg "NODE_VERSION=$(pin NODE24)"
}

# Keyed by every file the Dockerfile can COPY (what .dockerignore lets through).
sources=$(cd "$repo_dir" && find package.json package-lock.json tsconfig.base.json tsconfig.json \
  packages/node packages/harness/package.json packages/web/package.json packages/demo -type f \
  -not -path '*/node_modules/*' -not -path '*/dist/*' | LC_ALL=C sort | xargs sha256sum | sha256sum)
ensure_image divan "$(content_key "$0" "$repo_dir/packages/demo/Dockerfile" "$repo_dir/.dockerignore" "$sources" \
  "$(image_key "$node_image")")" "$tag"
echo "$tag"
