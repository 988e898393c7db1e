#!/usr/bin/env bash
# `npm run docker:build [-- <tag>]`: builds the four service images where a Docker engine exists, all
# from infra/docker/Dockerfile (build arguments pick the service; the table is infra/docker/services.sh).
# Images: ${REGISTRY:-ghcr.io/little-ecom}/<service>:<tag>, tag defaulting to the chart appVersion.
# Without Docker, scripts/images.sh builds the same images as docker-archive tarballs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=services.sh
source infra/docker/services.sh
REGISTRY="${REGISTRY:-ghcr.io/little-ecom}"
TAG="${1:-$(sed -n "s/^appVersion: *[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}$/\1/p" helm/little-ecom/Chart.yaml)}"
if [[ "$TAG" == "latest" || -z "$TAG" ]]; then echo "refusing to build without a pinned tag" >&2; exit 1; fi
command -v docker >/dev/null || { echo "docker is not installed (scripts/images.sh builds the images without it)" >&2; exit 1; }
for entry in "${LITTLE_ECOM_SERVICES[@]}"; do
  read -r service dir port <<<"$entry"
  echo "== $REGISTRY/$service:$TAG"
  # shellcheck disable=SC2086 # DOCKER_BUILD_ARGS is a list of extra arguments
  docker build --file infra/docker/Dockerfile --build-arg "SERVICE=$service" --build-arg "SERVICE_DIR=$dir" \
    --build-arg "PORT=$port" --tag "$REGISTRY/$service:$TAG" ${DOCKER_BUILD_ARGS:-} .
done
echo "push with: for s in gateway products accounts notifications; do docker push $REGISTRY/\$s:$TAG; done"
