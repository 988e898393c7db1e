#!/usr/bin/env bash
# `npm test`: everything a fresh clone needs, then every check and test, then one summary line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NODE_ENV=test

bash scripts/ensure-deps.sh

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
start_local_services
# Tests also start a private Mailpit and a kube-apiserver, so install every tool
# even when shared services already answer.
bash scripts/tools.sh ferretdb mailpit jaeger helm kubeconform actionlint k8s-api kube-apiserver

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
