#!/usr/bin/env bash
# Makes every image docker-compose.yml runs exist in the engine at DOCKER_HOST, tagged as compose
# names them: each is loaded from the cache when built before, else built (and cached). One line
# per image tag on stdout. Grafana, Tempo, Loki and k6 are not built here (AGPL): the compose test
# replaces them (test/compose/docker-compose.test.yml).
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
for image in base node redis postgres prometheus alertmanager otelcol divan; do
  bash "$dir/$image/build.sh"
done
