#!/usr/bin/env bash
# Imports (or updates) the little-ecom data view and dashboard into Kibana.
#   KIBANA_URL=https://kibana.example.com KIBANA_USER=elastic KIBANA_PASSWORD=... infra/kibana/import.sh
# Optional: KIBANA_CA_FILE (CA of Kibana's certificate), KIBANA_SPACE (default: the default space).
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${KIBANA_URL:?set KIBANA_URL}" "${KIBANA_USER:?set KIBANA_USER}" "${KIBANA_PASSWORD:?set KIBANA_PASSWORD}"
space="${KIBANA_SPACE:+/s/$KIBANA_SPACE}"
ca=()
[[ -n "${KIBANA_CA_FILE:-}" ]] && ca=(--cacert "$KIBANA_CA_FILE")
response="$(curl --silent --show-error --fail-with-body "${ca[@]}" \
  -u "$KIBANA_USER:$KIBANA_PASSWORD" -H 'kbn-xsrf: true' \
  -X POST "$KIBANA_URL$space/api/saved_objects/_import?overwrite=true" \
  --form file=@"${SAVED_OBJECTS:-$DIR/little-ecom.ndjson}")"
echo "$response"
grep -q '"success":true' <<<"$response"
