#!/usr/bin/env bash
# Local services for development and tests, on loopback only.
#   scripts/services.sh start   start FerretDB, Mailpit and Jaeger unless reachable; check RabbitMQ.
#                               FerretDB and Mailpit are built together first; Jaeger, which nothing
#                               waits for, is built and started in the background (services trace to
#                               its address from the start and their exporters retry until it answers)
#   scripts/services.sh stop    stop what `start` started (tracked by pid files in .data/run)
#   scripts/services.sh status  show what is reachable
# LOCAL_TRACES=off skips Jaeger. Env overrides: MONGODB_URI, AMQP_URL, SMTP_URL, MAILPIT_API_URL, OTEL_EXPORTER_OTLP_ENDPOINT. A service
# whose URL you set is never started here, only checked.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
RUN="$DATA/run"
LOGS="$DATA/log"
BIN="$ROOT/.tools/bin"
mkdir -p "$RUN" "$LOGS"

reachable() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_for() { # name host port seconds
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    reachable "$2" "$3" && return 0
    sleep 0.1
  done
  echo "error: $1 did not come up on $2:$3 within $4 s; see $LOGS/$1.log" >&2
  return 1
}

# host and port out of a URL such as mongodb://user:pw@host:27017/db
host_of() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"; rest="${rest%%,*}"; echo "${rest%:*}"; }
port_of() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"; rest="${rest%%,*}"; echo "${rest##*:}"; }

start_detached() { # name command...
  local name="$1"; shift
  nohup "$@" >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

start_mongo() {
  if [[ -n "${MONGODB_URI:-}" ]]; then
    local h p; h="$(host_of "$MONGODB_URI")"; p="$(port_of "$MONGODB_URI")"
    [[ "$p" =~ ^[0-9]+$ ]] || p=27017
    reachable "$h" "$p" || { echo "error: MONGODB_URI is set but $h:$p is not reachable" >&2; return 1; }
    echo "MongoDB API: using MONGODB_URI ($h:$p)"
    return
  fi
  if reachable 127.0.0.1 27017; then echo "MongoDB API: already running on 127.0.0.1:27017"; return; fi
  mkdir -p "$DATA/ferretdb/sqlite" "$DATA/ferretdb/state"
  start_detached ferretdb "$BIN/ferretdb" --handler=sqlite --sqlite-url="file:$DATA/ferretdb/sqlite/" \
    --state-dir="$DATA/ferretdb/state" --listen-addr=127.0.0.1:27017 --debug-addr=- --telemetry=disable --log-level=warn
  wait_for ferretdb 127.0.0.1 27017 30
  echo "MongoDB API: started FerretDB on 127.0.0.1:27017 (data in .data/ferretdb)"
}

start_mailpit() {
  if [[ -n "${SMTP_URL:-}" ]]; then
    echo "SMTP: using SMTP_URL"
    return
  fi
  if reachable 127.0.0.1 1025; then echo "SMTP: already running on 127.0.0.1:1025 (Mailpit UI http://127.0.0.1:8025)"; return; fi
  start_detached mailpit "$BIN/mailpit" --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 \
    --database "$DATA/mailpit.db" --max 5000 --disable-version-check --smtp-auth-accept-any --smtp-auth-allow-insecure
  wait_for mailpit 127.0.0.1 1025 30
  wait_for mailpit 127.0.0.1 8025 30
  echo "SMTP: started Mailpit on 127.0.0.1:1025, UI and API on http://127.0.0.1:8025"
}

# Jaeger v2 all-in-one, in memory (infra/jaeger/local.yaml): OTLP/HTTP 4318, OTLP/gRPC 4317, query API and UI 16686.
start_jaeger() {
  if [[ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then
    echo "Traces: exporting to OTEL_EXPORTER_OTLP_ENDPOINT ($OTEL_EXPORTER_OTLP_ENDPOINT)"
    return
  fi
  if reachable 127.0.0.1 4318; then echo "Traces: OTLP already listening on 127.0.0.1:4318 (Jaeger UI http://127.0.0.1:16686)"; return; fi
  bash "$ROOT/scripts/tools.sh" jaeger
  reachable 127.0.0.1 4318 && return # another command started it while this one waited for the build
  JAEGER_OTLP_HTTP_PORT=4318 JAEGER_OTLP_GRPC_PORT=4317 JAEGER_UI_PORT=16686 JAEGER_QUERY_GRPC_PORT=16685 \
    JAEGER_UI_ASSETS="${JAEGER_UI_ASSETS:-$ROOT/infra/jaeger/ui}" JAEGER_MAX_TRACES=20000 \
    start_detached jaeger "$BIN/jaeger" --config "file:$ROOT/infra/jaeger/local.yaml"
  wait_for jaeger 127.0.0.1 4318 30
  wait_for jaeger 127.0.0.1 16686 30
  echo "Traces: started Jaeger, OTLP on http://127.0.0.1:4318, query API and UI on http://127.0.0.1:16686"
}

check_rabbitmq() {
  local url="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}" h p
  h="$(host_of "$url")"; p="$(port_of "$url")"
  [[ "$p" =~ ^[0-9]+$ ]] || p=5672
  if reachable "$h" "$p"; then echo "RabbitMQ: reachable on $h:$p"; return; fi
  if [[ -z "${AMQP_URL:-}" ]] && command -v rabbitmq-server >/dev/null 2>&1; then
    echo "RabbitMQ: not running, starting the installed rabbitmq-server ..."
    rabbitmq-server -detached >/dev/null 2>&1 || true
    if wait_for rabbitmq "$h" "$p" 90; then echo "RabbitMQ: started on $h:$p"; return; fi
  fi
  cat >&2 <<MSG
error: RabbitMQ is not reachable at $h:$p.
  Debian/Ubuntu: sudo apt-get install rabbitmq-server && sudo systemctl start rabbitmq-server
  Docker:        docker compose -f infra/compose.yaml up -d rabbitmq
  Or point AMQP_URL at a running broker.
MSG
  return 1
}

stop_all() {
  local f pid
  for f in "$RUN"/*.pid; do
    [[ -e "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      echo "stopped $(basename "$f" .pid)"
    fi
    rm -f "$f"
  done
}

case "${1:-start}" in
  start)
    # What the services need in order to answer, built together (each tool once, whoever else asks).
    need=()
    [[ -z "${MONGODB_URI:-}" ]] && ! reachable 127.0.0.1 27017 && need+=(ferretdb)
    [[ -z "${SMTP_URL:-}" ]] && ! reachable 127.0.0.1 1025 && need+=(mailpit)
    [[ ${#need[@]} -eq 0 ]] || bash "$ROOT/scripts/tools.sh" "${need[@]}"
    start_mongo
    check_rabbitmq
    start_mailpit
    if [[ "${LOCAL_TRACES:-on}" == off ]]; then
      : # npm test: the tests that need traces start private Jaegers
    elif [[ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]] || reachable 127.0.0.1 4318 || bash "$ROOT/scripts/tools.sh" --check jaeger; then
      start_jaeger
    else
      echo "Traces: building Jaeger in the background; it starts on http://127.0.0.1:16686 when built (log: .data/log/jaeger-start.log)"
      nohup bash "$0" jaeger >>"$LOGS/jaeger-start.log" 2>&1 &
      echo $! >"$RUN/jaeger-build.pid"
    fi
    ;;
  jaeger) start_jaeger ;;
  stop) stop_all ;;
  status)
    for s in "MongoDB API:127.0.0.1:27017" "RabbitMQ:127.0.0.1:5672" "SMTP:127.0.0.1:1025" "Mailpit API:127.0.0.1:8025" "Jaeger OTLP:127.0.0.1:4318" "Jaeger UI:127.0.0.1:16686"; do
      IFS=: read -r name host port <<<"$s"
      if reachable "$host" "$port"; then echo "$name up ($host:$port)"; else echo "$name down ($host:$port)"; fi
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
