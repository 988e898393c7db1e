#!/usr/bin/env bash
# `npm test`: everything a fresh clone needs, then every check and test, then one summary line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NODE_ENV=test

# Tests also start private FerretDB, Mailpit and Jaeger instances and a kube-apiserver, so every tool is
# installed even when shared services already answer; they build concurrently while npm installs.
bash scripts/tools.sh ferretdb mailpit jaeger helm kubeconform actionlint k8s-api kube-apiserver &
tools_pid=$!
# The storefront's browser journeys drive Debian's Chromium (never a browser download).
if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium for the browser tests ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) &
  chromium_pid=$!
fi
bash scripts/ensure-deps.sh
wait "$tools_pid"
[[ -z "${chromium_pid:-}" ]] || wait "$chromium_pid"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# The tests that need traces start private Jaegers: no shared one.
LOCAL_TRACES=off start_local_services

# Checks before tests; a failed check fails the run, but the tests still run so one run shows everything.
status=0
echo "== codegen"
npm run --silent codegen
echo "== supergraph"
npm run --silent compose -- --check || status=1
echo "== trusted documents"
npm run --silent trusted-documents -- --check || status=1
echo "== formatting"
npx prettier --check . --log-level=warn || status=1
echo "== typecheck and lint"
npx turbo run typecheck lint --output-logs=errors-only --log-prefix=task || status=1
echo "== tests"
rm -f .data/vitest-results.json
npx vitest run --reporter=default --reporter=json --outputFile=.data/vitest-results.json || status=1
node scripts/test-summary.mjs .data/vitest-results.json || status=1
[[ "$status" == 0 ]] || echo "FAILED: see the output above (checks and tests both count)"
exit "$status"
