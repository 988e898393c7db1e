# Sourced by dev.sh and test.sh: start the local services, and on exit stop only the ones this run
# started (a FerretDB you started yourself, or another run's, is left alone).
start_local_services() {
  mkdir -p .data/run
  _services_before="$(ls .data/run 2>/dev/null || true)"
  trap stop_started_services EXIT
  bash scripts/services.sh start
}

stop_started_services() {
  local f
  for f in .data/run/*.pid; do
    [[ -e "$f" ]] || continue
    if ! grep -qx "$(basename "$f")" <<<"${_services_before:-}"; then
      kill "$(cat "$f")" 2>/dev/null || true
      rm -f "$f"
    fi
  done
}
