# Sourced by infra/docker/build.sh and scripts/images.sh: the services the one Dockerfile builds, as
# "<name> <workspace dir> <port>" (the Dockerfile's SERVICE, SERVICE_DIR and PORT build arguments).
# helm/test/images.test.ts checks it against the workspaces and the chart's values.
# shellcheck disable=SC2034
LITTLE_ECOM_SERVICES=(
  "gateway gateway 4000"
  "products subgraphs/products 4001"
  "accounts subgraphs/accounts 4002"
  "notifications subgraphs/notifications 4003"
)
