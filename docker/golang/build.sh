#!/usr/bin/env bash
# golang:<GO>-bookworm: the Debian base plus the Go distribution at the GO pin, taken from the Go
# module proxy's toolchain module golang.org/toolchain (the same files as the release archive).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
export PATH="$PATH:/usr/local/go/bin"
go_version=$(pin GO)
tag="golang:$go_version-bookworm"
base=$(bash "$docker_dir/base/build.sh")

build_image() {
  local key=$1
  shift
  local context dir
  new_scratch
  context=$scratch
  dir=$(cd "$context" && go mod download -json "golang.org/toolchain@v0.0.1-go$go_version.linux-amd64" |
    awk -F'"' '$2 == "Dir" {print $4}')
  [[ -d "$dir" ]] || { echo "golang: go mod download gave no directory" >&2; return 1; }
  cp -r "$dir" "$context/go"
  cp "$(host_ca_bundle)" "$context/ca-certificates.crt"
  # The module zip carries no file modes: make the tools executable, as in the release archive.
  chmod -R u+w,a+rX "$context/go"
  chmod a+x "$context/go"/bin/* "$context/go"/pkg/tool/linux_amd64/*
  docker_build "$key" "$docker_dir/golang/Dockerfile" "$context" "$@" -- --build-arg "GO_VERSION=$go_version"
}

ensure_image golang "$(content_key "$0" "$docker_dir/golang/Dockerfile" "$go_version" "$(host_ca_bundle)" "$(image_key "$base")")" "$tag"
echo "$tag"
