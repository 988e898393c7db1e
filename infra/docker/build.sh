#!/usr/bin/env bash
# `npm run docker:build [-- <tag>]`: builds the four service images where a Docker engine exists.
# Images: ${REGISTRY:-ghcr.io/little-ecom}/<service>:<tag>, tag defaulting to the chart appVersion.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REGISTRY="${REGISTRY:-ghcr.io/little-ecom}"
TAG="${1:-$(sed -n "s/^appVersion: *[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}$/\1/p" helm/little-ecom/Chart.yaml)}"
if [[ "$TAG" == "latest" || -z "$TAG" ]]; then echo "refusing to build without a pinned tag" >&2; exit 1; fi
command -v docker >/dev/null || { echo "docker is not installed" >&2; exit 1; }
for service in gateway products accounts notifications; do
  dockerfile="subgraphs/$service/Dockerfile"
  [[ "$service" == gateway ]] && dockerfile="gateway/Dockerfile"
  echo "== $REGISTRY/$service:$TAG"
  docker build --file "$dockerfile" --tag "$REGISTRY/$service:$TAG" ${DOCKER_BUILD_ARGS:-} .
done
echo "push with: for s in gateway products accounts notifications; do docker push $REGISTRY/\$s:$TAG; done"
