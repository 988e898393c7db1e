#!/usr/bin/env bash
# `npm run test:cluster`: the chart on a real single-node cluster (helm/cluster-test). Starts the
# cluster (scripts/cluster.sh; builds its components once into .tools/cluster), builds the images
# without Docker (scripts/images.mjs), imports them into the node's containerd under two tags (the
# upgrade test rolls from the first to the second), runs the tests and always tears the cluster down,
# restoring the host. Needs root. On 2 busy cores: cold (nothing built) ~37 min; a fresh clone on a
# machine that built the components before (their machine cache, scripts/cluster-tools.sh) ~6 min;
# warm ~3 min.
# Ends with the summary line "tests: N passed, N failed".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NODE_ENV=test
TAG_A=cluster-a
TAG_B=cluster-b
IMAGES="$ROOT/.data/cluster-images"
REPORT="$ROOT/.data/cluster-test-results.json"
mkdir -p "$ROOT/.data"
rm -f "$REPORT"

cleanup() {
  local status=$?
  echo "== tearing the cluster down"
  bash scripts/cluster.sh down || { echo "error: cluster teardown failed; run: npm run cluster -- down" >&2; status=1; }
  rm -rf "$IMAGES"
  exit "$status"
}
trap cleanup EXIT
# A stop signal (CI timeout, ^C) still tears down: the EXIT trap runs after these.
trap 'exit 130' INT
trap 'exit 143' TERM

step() { # seconds name command...: a step that may not hang the run
  local seconds="$1" name="$2"
  shift 2
  echo "== $name"
  local start=$SECONDS
  if ! timeout --kill-after=30 "$seconds" "$@"; then
    echo "error: $name failed or exceeded ${seconds}s" >&2
    echo "tests: 0 passed, 1 failed"
    exit 1
  fi
  echo "   ($name: $((SECONDS - start)) s)"
}

step 2400 "cluster up" bash scripts/cluster.sh up
step 1200 "images (no Docker)" node scripts/images.mjs build --tag "$TAG_A" --out "$IMAGES"
echo "== import the images into the node's containerd"
for tar in "$IMAGES"/*-"$TAG_A".tar; do
  name="ghcr.io/little-ecom/$(basename "$tar" "-$TAG_A.tar")"
  timeout 600 bash scripts/cluster.sh load "$tar"
  # The same image under a second tag: a new tag is what rolls every Deployment in the upgrade test.
  timeout 60 bash scripts/cluster.sh ctr images tag --force "$name:$TAG_A" "$name:$TAG_B" >/dev/null
done

echo "== cluster tests"
status=0
timeout --kill-after=30 2700 npx vitest run --config helm/cluster-test/vitest.config.ts \
  --reporter=default --reporter=json --outputFile="$REPORT" || status=1
node scripts/test-summary.mjs "$REPORT" || status=1
exit "$status"
