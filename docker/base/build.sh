#!/usr/bin/env bash
# The Debian bookworm base every other image builds on, tagged debian:bookworm-slim (what the
# Dockerfiles name, so a user with a registry pulls the official one instead). Built with
# `debootstrap --variant=minbase` from the mirror this machine's apt already uses (read at run
# time; no mirror is written into the repository) and imported with `docker import`.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
tag=debian:bookworm-slim
suite=bookworm

# The first non-security bookworm mirror in the machine's apt sources (deb822 or one-line style).
apt_mirror() {
  if [[ -n "${SIGHTLINE_DEBIAN_MIRROR:-}" ]]; then echo "$SIGHTLINE_DEBIAN_MIRROR"; return; fi
  local mirror=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    mirror=$(awk -v RS= -v suite="$suite" '
      $0 ~ "(^|\n)Types:[^\n]*deb( |\n|$)" && $0 ~ "(^|\n)Suites:[^\n]*[ \t]" suite "([ \t]|\n|$)" {
        if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) {
          s = substr($0, RSTART, RLENGTH); sub(/.*URIs:[ \t]*/, "", s); print s; exit
        }
      }' /etc/apt/sources.list.d/*.sources)
  fi
  if [[ -z "$mirror" ]]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v suite="$suite" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i+1) == suite) { print $i; exit } }')
  fi
  [[ -n "$mirror" ]] || { echo "base: no $suite mirror in /etc/apt sources; set SIGHTLINE_DEBIAN_MIRROR" >&2; return 1; }
  echo "$mirror"
}

build_image() {
  local key=$1
  shift
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
  }
  local mirror rootfs
  mirror=$(apt_mirror)
  new_scratch
  rootfs=$scratch
  echo "debootstrap $suite from $mirror" >&2
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >&2
  # What the slim images leave out: package lists, caches, logs, docs.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  # apt in a container: no recommends, no docs, clean after each install (as the official image).
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/90sightline"
  local tag_args=() t
  for t in "$@"; do tag_args+=("$t"); done
  tar -C "$rootfs" -c . | docker import \
    --change "LABEL org.sightline.key=$key" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "${tag_args[0]}" >&2
  for t in "${tag_args[@]:1}"; do docker tag "${tag_args[0]}" "$t"; done
}

# debootstrap takes minutes, so the key is the suite and a recipe number rather than this file's
# hash: bump `recipe` when a change below alters the root filesystem.
recipe=1
ensure_image base "$(content_key base "$recipe" "$suite")" "$tag"
echo "$tag"
