# Sourced by infra/docker/build.sh and scripts/images.sh: the services the one Dockerfile builds, as
# "<name> <workspace dir> <port>" (the Dockerfile's SERVICE, SERVICE_DIR and PORT build arguments),
# read from subgraphs.json (the gateway, then every subgraph). helm/test/images.test.ts checks it
# against the workspaces and the chart's values.
# shellcheck disable=SC2034
mapfile -t LITTLE_ECOM_SERVICES < <(node "$(dirname "${BASH_SOURCE[0]}")/../../scripts/service-list.mjs" images)
