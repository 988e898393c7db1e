#!/usr/bin/env bash
# `npm test`: everything a fresh clone needs, then every check and test, then one summary line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NODE_ENV=test

bash scripts/ensure-deps.sh

# Stop, on exit, the local services this run started (and only those).
mkdir -p .data/run
before="$(ls .data/run 2>/dev/null || true)"
cleanup() {
  local f
  for f in .data/run/*.pid; do
    [[ -e "$f" ]] || continue
    if ! grep -qx "$(basename "$f")" <<<"$before"; then
      kill "$(cat "$f")" 2>/dev/null || true
      rm -f "$f"
    fi
  done
}
trap cleanup EXIT
bash scripts/services.sh start
bash scripts/tools.sh helm kubeconform k8s-api

# Checks before tests; a failed check fails the run, but the tests still run so one run shows everything.
status=0
echo "== codegen"
npm run --silent codegen
echo "== supergraph"
npm run --silent compose -- --check || status=1
echo "== typecheck and lint"
npx turbo run typecheck lint --output-logs=errors-only --log-prefix=task || status=1
echo "== tests"
rm -f .data/vitest-results.json
npx vitest run --reporter=default --reporter=json --outputFile=.data/vitest-results.json || status=1
node scripts/test-summary.mjs .data/vitest-results.json || status=1
[[ "$status" == 0 ]] || echo "FAILED: see the output above (checks and tests both count)"
exit "$status"
