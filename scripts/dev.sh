#!/usr/bin/env bash
# `npm run dev`: the whole system on this machine, with reload on change. Ctrl-C stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NODE_ENV="${NODE_ENV:-development}"
# One coloured line per log entry instead of JSON (LOG_FORMAT=json to see what production writes).
export LOG_FORMAT="${LOG_FORMAT:-pretty}"

started_at=$SECONDS
# On a fresh machine the slow part is building FerretDB and Mailpit from the Go module proxy: build them
# while npm installs the dependencies and generates code (one progress line per tool). Jaeger, which
# nothing waits for, is built afterwards in the background by services.sh.
if bash scripts/tools.sh --check ferretdb mailpit; then
  tools_pid=""
else
  echo "building the local services (FerretDB, Mailpit) while npm installs ..."
  bash scripts/tools.sh ferretdb mailpit &
  tools_pid=$!
fi

bash scripts/ensure-deps.sh
npm run --silent codegen
npm run --silent compose >/dev/null
if [[ -n "$tools_pid" ]]; then wait "$tools_pid" || { echo "error: building the local services failed (see above)" >&2; exit 1; }; fi
echo "dependencies and tools ready after $((SECONDS - started_at)) s"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
start_local_services
# Every service traces to the local Jaeger that services.sh started (or to the collector you named).
export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4318}"
# Links in emails (order, password reset) point at the storefront's dev server.
export STOREFRONT_URL="${STOREFRONT_URL:-http://localhost:5173}"

npm run --silent seed -w @little-ecom/products

# Every subgraph of subgraphs.json; turbo below runs the `dev` script of every workspace that has one.
subgraph_lines=""
while read -r name port _db; do
  extra=""
  [[ "$name" == accounts ]] && extra="   (JWKS: /.well-known/jwks.json)"
  subgraph_lines+="$(printf '    %-25s %s' "$name subgraph" "http://localhost:$port/graphql$extra")"$'\n'
done < <(node scripts/service-list.mjs subgraphs)
gateway_port="$(node -p "require('./subgraphs.json').gateway.port")"

print_urls() {
  cat <<MSG

  little-ecom is ready ($((SECONDS - started_at)) s after npm run dev)
    Storefront                http://localhost:5173/   (admin console: /admin)
    GraphQL + Apollo Sandbox  http://localhost:$gateway_port/
${subgraph_lines}    Mailpit (sent emails)     http://localhost:8025/
    Traces (Jaeger)           http://localhost:16686/   (a trace: /api/traces/<x-trace-id of a response>)
  A demo customer with a past order is created once the gateway is up (password in .data/demo-customer.json).
  A demo admin, in another terminal:
    npm run -s create-admin -- --email admin@example.com --password '<a password of 8+ characters>'
    then log in at http://localhost:5173/login (or run the logIn mutation in Sandbox and send
    'Authorization: Bearer <accessToken>').
  Ctrl-C stops everything started here.

MSG
}

# Subgraphs and the gateway reload on code changes; the supergraph is recomposed when a schema changes
# and the gateway swaps it in without a restart.
npx turbo run dev --ui=stream --output-logs=full --log-prefix=task &
turbo_pid=$!
npm run --silent compose -w @little-ecom/gateway -- --watch &
compose_pid=$!
# Once the gateway answers: the URLs, then demo data through the gateway (a demo customer with a past
# order). Bounded wait.
(
  ready=""
  for _ in $(seq 1 180); do
    curl -fsS "http://127.0.0.1:$gateway_port/readyz" >/dev/null 2>&1 && { ready=1; break; }
    sleep 1
  done
  if [[ -n "$ready" ]]; then print_urls; else echo "the gateway did not answer within 180 s; see the logs above"; fi
  npm run --silent seed:demo -w @little-ecom/orders -- "http://127.0.0.1:$gateway_port/graphql" ||
    echo "demo order not created (see above); run: npm run seed:demo -w @little-ecom/orders"
) &
demo_pid=$!
trap 'kill $turbo_pid $compose_pid $demo_pid 2>/dev/null || true; wait $turbo_pid 2>/dev/null || true; stop_started_services' EXIT INT TERM
wait $turbo_pid
