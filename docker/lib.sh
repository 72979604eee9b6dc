# Sourced by docker/*/build.sh: the image cache shared by every image build.
# An image is cached as a `docker save` tarball named by its content key under
# ${SIGHTLINE_CACHE_DIR:-~/.cache/sightline}/images/, and carries the key as the label
# org.sightline.key, so a build is skipped when the engine already has it and `docker load`s the
# tarball when only the cache has it.
set -euo pipefail
docker_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$docker_dir/.." && pwd)
cache_root=${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}
images_dir="$cache_root/images"
# The engine's default bridge is off (scripts/docker-engine.sh) and the package registries are
# reached the way the host reaches them, so build steps run on the host network. The classic
# builder: Debian's dockerd 20.10 has BuildKit, but the docker CLI needs the buildx plugin for it.
export DOCKER_BUILDKIT=0

# new_scratch: sets $scratch to a new temporary directory, removed when the script exits.
_scratch_dirs=()
_remove_scratch() {
  local d
  for d in "${_scratch_dirs[@]}"; do chmod -R u+w "$d" 2>/dev/null || true; rm -rf "$d"; done
}
trap _remove_scratch EXIT
new_scratch() {
  scratch=$(mktemp -d)
  _scratch_dirs+=("$scratch")
}

# host_ca_bundle: the CA bundle this machine trusts (SSL_CERT_FILE, else Debian's). The locally
# built Node and Go images trust it too, so `npm ci` and `go install` in a build step work behind
# the same TLS-inspecting proxy as the host; Docker Hub's images need no such thing.
host_ca_bundle() {
  local bundle=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
  [[ -s "$bundle" ]] || { echo "no CA bundle at $bundle (set SSL_CERT_FILE)" >&2; return 1; }
  echo "$bundle"
}

# pin <KEY>: a version from scripts/versions.env.
pin() {
  local value
  value=$(awk -F= -v k="$1" '$1 == k {print $2}' "$repo_dir/scripts/versions.env")
  [[ -n "$value" ]] || { echo "no $1 pin in scripts/versions.env" >&2; return 1; }
  echo "$value"
}

# content_key <file-or-string>...: 16 hex digits over the files' contents and the strings.
content_key() {
  local arg
  for arg in "$@"; do
    if [[ -f "$arg" ]]; then sha256sum <"$arg"; else printf '%s\n' "$arg"; fi
  done | sha256sum | cut -c1-16
}

# image_key <tag>: the content key an image was built with (empty when absent).
image_key() { docker image inspect -f '{{index .Config.Labels "org.sightline.key"}}' "$1" 2>/dev/null || true; }

# ensure_image <name> <key> <tag>...: makes the tags exist at this key, calling the caller's
# build_image <key> <tag>... only when neither the engine nor the cache has them.
ensure_image() {
  local name=$1 key=$2
  shift 2
  local tar="$images_dir/$name-$key.tar" tag missing=0
  for tag in "$@"; do [[ $(image_key "$tag") == "$key" ]] || missing=1; done
  ((missing)) || return 0
  if [[ -s "$tar" ]]; then
    echo "loading $* from $tar" >&2
    docker load -q -i "$tar" >&2
    return 0
  fi
  echo "building $* (key $key)" >&2
  build_image "$key" "$@"
  mkdir -p "$images_dir"
  # Older builds of the same image are superseded; keep only this one.
  rm -f "$images_dir/$name"-*.tar
  docker save -o "$tar.tmp" "$@"
  mv "$tar.tmp" "$tar"
}

# docker_build <key> <dockerfile> <context> <tag>... [-- extra docker build args]
docker_build() {
  local key=$1 dockerfile=$2 context=$3
  shift 3
  local args=() tags=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; args+=("$@"); break; fi
    tags+=(-t "$1")
    shift
  done
  docker build --network host --label "org.sightline.key=$key" -f "$dockerfile" "${tags[@]}" "${args[@]}" "$context" >&2
}

# prom/<name>:v<release> from the binaries scripts/build-prom-tools.sh builds (the ones the native tests
# run): the Debian base, busybox, the tools and the image's default config. Shared by
# docker/prometheus/build.sh and docker/alertmanager/build.sh. Prints the tag.
# Usage: prom_tool_image <name> <versions.env pin> <tool>...
prom_tool_image() {
  local name=$1 pin_name=$2
  shift 2
  local release tag base dir
  release=$(pin "$pin_name")
  tag="prom/$name:v$release"
  base=$(bash "$docker_dir/base/build.sh")
  dir="$docker_dir/$name"
  _prom_tool_name=$name
  _prom_tool_tools=("$@")
  build_image() {
    local key=$1
    shift
    local context bin_dir t
    new_scratch
    context=$scratch
    bin_dir=$(bash "$repo_dir/scripts/build-prom-tools.sh" "$_prom_tool_name")/bin
    mkdir "$context/bin"
    for t in "${_prom_tool_tools[@]}"; do cp "$bin_dir/$t" "$context/bin/$t"; done
    cp "$docker_dir/$_prom_tool_name"/*.yml "$context/"
    docker_build "$key" "$docker_dir/$_prom_tool_name/Dockerfile" "$context" "$@"
  }
  ensure_image "$name" "$(content_key "$docker_dir/lib.sh" "$dir/Dockerfile" "$dir/$name.yml" "$release" "$(image_key "$base")")" "$tag"
  echo "$tag"
}
