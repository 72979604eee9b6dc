#!/usr/bin/env bash
# prom/prometheus:v<release>: the Debian base with busybox and the prometheus binaries that
# scripts/build-prom-tools.sh builds from the Go module (the same ones the native tests run).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
prom_tool_image prometheus PROMETHEUS prometheus promtool
