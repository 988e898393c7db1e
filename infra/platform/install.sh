#!/usr/bin/env bash
# Installs the platform little-ecom runs on, then little-ecom itself, into the current kubectl
# context, in dependency order (docs/deploy.md §3). Safe to re-run: every step is an upgrade or an
# apply, generated credentials are created once and kept, and the app rolls once per deploy (only
# when its chart, values or Secret changed).
#
#   infra/platform/install.sh [--dry-run] [all|platform|app]      (default: all)
#
#   --dry-run   checks the tools, then prints every command it would run (Secret values redacted)
#               without reading or changing the cluster.
#
# Needs: bash 4.4+, kubectl, helm 3.14+, node 20.19+, openssl, base64, sha256sum (checked first, all at
# once), a default StorageClass, and for `app`:
#   SMTP_URL               smtp(s)://user:pass@relay:465 of your mail relay (first install only)
#   JWT_SIGNING_KEYS_FILE  JSON array of private JWKs, active key first (first install and rotations)
# Optional: LITTLE_ECOM_NAMESPACE (little-ecom), LITTLE_ECOM_VALUES (an extra values file, e.g. your
# hostnames), LITTLE_ECOM_IMAGE_TAG, KUBE_CONTEXT (refuse to run against any other context),
# LOGGING_PROFILE (full | light: docs/deploy.md §10), LITTLE_ECOM_INGRESS (gateway-api | nginx;
# default: nginx where ingress-nginx is already installed, gateway-api on a new cluster).
# Every version comes from versions.env; the manifests only name its variables.
set -euo pipefail
# mapfile and empty arrays under `set -u` need bash 4.4+ (macOS ships 3.2: brew install bash).
if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
  echo "error: bash 4.4+ is required (this is $BASH_VERSION)" >&2
  exit 1
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORM="$ROOT/infra/platform"

DRY_RUN=false
what=all
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=true ;;
    all | platform | app) what="$arg" ;;
    *) echo "usage: $0 [--dry-run] [all|platform|app]" >&2; exit 1 ;;
  esac
done

# shellcheck source=versions.env
source "$PLATFORM/versions.env"
# The variables versions.env defines: the only values substituted into the manifests.
mapfile -t VERSION_VARS < <(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$PLATFORM/versions.env")
NS="${LITTLE_ECOM_NAMESPACE:-little-ecom}"
LOGGING_PROFILE="${LOGGING_PROFILE:-full}"
case "$LOGGING_PROFILE" in full | light) ;; *) echo "error: LOGGING_PROFILE must be full or light" >&2; exit 1 ;; esac

log() { printf '\n== %s\n' "$*"; }

# --- preflight: every tool this script runs, reported together, before anything happens ---------
version_at_least() { # have want
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}
preflight() {
  local missing=() tool
  for tool in kubectl helm node openssl base64 sha256sum sed sort; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if command -v helm >/dev/null 2>&1; then
    local helm_version
    helm_version="$(helm version --template '{{.Version}}' 2>/dev/null || echo v0)"
    version_at_least "${helm_version#v}" 3.14.0 || missing+=("helm 3.14+ (found $helm_version)")
  fi
  if command -v node >/dev/null 2>&1; then
    local node_version
    node_version="$(node --version 2>/dev/null || echo v0)"
    version_at_least "${node_version#v}" 20.19.0 || missing+=("node 20.19+ (found $node_version)")
  fi
  if ((${#missing[@]} > 0)); then
    printf 'error: %s is required\n' "${missing[@]}" >&2
    exit 1
  fi
  echo "preflight: kubectl, helm $(helm version --template '{{.Version}}'), node $(node --version), openssl, base64, sha256sum found"
  if $DRY_RUN; then
    echo "dry run: nothing is read from or changed in the cluster; commands are printed as they would run"
    return
  fi
  kubectl version --request-timeout=10s >/dev/null || { echo "error: the cluster does not answer (kubectl version)" >&2; exit 1; }
  if [[ -n "${KUBE_CONTEXT:-}" && "$(kubectl config current-context)" != "$KUBE_CONTEXT" ]]; then
    echo "error: current context is $(kubectl config current-context), expected $KUBE_CONTEXT" >&2
    exit 1
  fi
}

# --- command runners: print in a dry run, run otherwise --------------------------------------------
run() {
  if $DRY_RUN; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}
# A manifest with ${VAR} of versions.env (and the extra NAME=value pairs given) substituted.
render() { # file [NAME=value ...]
  local text name
  text="$(<"$1")"
  shift
  for name in "${VERSION_VARS[@]}"; do text="${text//\$\{$name\}/${!name}}"; done
  for pair in "$@"; do text="${text//\$\{${pair%%=*}\}/${pair#*=}}"; done
  printf '%s\n' "$text"
}
apply() { # file [NAME=value ...]
  if $DRY_RUN; then
    printf '+ kubectl apply -f %s   # with versions.env%s\n' "${1#"$ROOT"/}" "${2:+ and ${*:2}}"
    render "$@" | sed -n 's/^\s*\(image\|version\): *\(.*\)$/    \1: \2/p'
  else
    render "$@" | kubectl apply -f -
  fi
}
namespace() {
  if $DRY_RUN; then echo "+ kubectl create namespace $1 (if missing)"; return; fi
  kubectl create namespace "$1" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}
# Creates a generic Secret once; an existing one is left alone (its credentials are in use).
secret_once() { # namespace name key value
  if $DRY_RUN; then echo "+ kubectl -n $1 create secret generic $2 --from-literal=$3=<generated> (once; kept when it exists)"; return; fi
  kubectl -n "$1" get secret "$2" >/dev/null 2>&1 && return
  kubectl -n "$1" create secret generic "$2" --from-literal="$3=$4" >/dev/null
}
configmap_from() { # namespace name --from-file=... (applied, so re-runs update it)
  local ns="$1" name="$2"
  shift 2
  if $DRY_RUN; then echo "+ kubectl -n $ns apply configmap $name $*"; return; fi
  kubectl -n "$ns" create configmap "$name" "$@" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}
secret_value() { # namespace name key
  if $DRY_RUN; then printf '<%s/%s:%s>' "$1" "$2" "$3"; return; fi
  kubectl -n "$1" get secret "$2" -o "jsonpath={.data.${3//./\\.}}" | base64 -d
}
secret_exists() { ! $DRY_RUN && kubectl -n "$1" get secret "$2" >/dev/null 2>&1; }
urlencode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in [a-zA-Z0-9.~_-]) out+="$c" ;; *) out+="$(printf '%%%02X' "'$c")" ;; esac
  done
  printf '%s' "$out"
}
# The port of an SMTP URL: its own, else the scheme's (smtps 465, smtp 587).
smtp_port() {
  local rest="${1#*://}"
  rest="${rest##*@}"
  rest="${rest%%/*}"
  rest="${rest%%\?*}"
  if [[ "$rest" == *:* ]]; then echo "${rest##*:}"
  elif [[ "$1" == smtps://* ]]; then echo 465
  else echo 587; fi
}
files_sha() { cat "$@" | sha256sum | cut -c1-16; }

# --- ingress ---------------------------------------------------------------------------------------
ingress_kind() {
  if [[ -n "${LITTLE_ECOM_INGRESS:-}" ]]; then echo "$LITTLE_ECOM_INGRESS"; return; fi
  # An existing ingress-nginx keeps serving (switching is a planned change: docs/deploy.md §7).
  if ! $DRY_RUN && helm status ingress-nginx --namespace ingress-nginx >/dev/null 2>&1; then echo nginx; else echo gateway-api; fi
}

install_ingress() {
  local kind
  kind="$(ingress_kind)"
  case "$kind" in
    nginx)
      log "ingress-nginx $INGRESS_NGINX_CHART_VERSION"
      run helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx --version "$INGRESS_NGINX_CHART_VERSION" \
        --namespace ingress-nginx --create-namespace -f "$PLATFORM/values/ingress-nginx.yaml" --wait --timeout 10m
      ;;
    gateway-api)
      log "Envoy Gateway $ENVOY_GATEWAY_VERSION (Gateway API $GATEWAY_API_VERSION CRDs) and the Gateway"
      # The chart installs the Gateway API CRDs of its release with Envoy Gateway's own.
      run helm upgrade --install envoy-gateway oci://docker.io/envoyproxy/gateway-helm --version "$ENVOY_GATEWAY_VERSION" \
        --namespace envoy-gateway-system --create-namespace -f "$PLATFORM/values/envoy-gateway.yaml" --wait --timeout 10m
      namespace gateway-system
      apply "$PLATFORM/manifests/gateway.yaml" "LITTLE_ECOM_NAMESPACE=$NS"
      ;;
    *) echo "error: LITTLE_ECOM_INGRESS must be gateway-api or nginx" >&2; exit 1 ;;
  esac
}

install_platform() {
  log "helm repositories"
  run helm repo add ingress-nginx https://kubernetes.github.io/ingress-nginx --force-update
  run helm repo add jetstack https://charts.jetstack.io --force-update
  run helm repo add mongodb https://mongodb.github.io/helm-charts --force-update
  run helm repo add elastic https://helm.elastic.co --force-update
  run helm repo update

  log "cert-manager $CERT_MANAGER_CHART_VERSION"
  run helm upgrade --install cert-manager jetstack/cert-manager --version "$CERT_MANAGER_CHART_VERSION" \
    --namespace cert-manager --create-namespace -f "$PLATFORM/values/cert-manager.yaml" --wait --timeout 10m

  install_ingress

  log "MongoDB operator $MONGODB_OPERATOR_CHART_VERSION and the replica set (MongoDB $MONGODB_VERSION)"
  run helm upgrade --install mongodb-kubernetes mongodb/mongodb-kubernetes --version "$MONGODB_OPERATOR_CHART_VERSION" \
    --namespace mongodb --create-namespace -f "$PLATFORM/values/mongodb-kubernetes.yaml" --wait --timeout 10m
  # One MongoDB user per subgraph of subgraphs.json (manifests/mongodb.yaml lists the same; helm/test
  # checks), and the backup user of the backup CronJob.
  local user
  for user in $(node "$ROOT/scripts/service-list.mjs" subgraphs | cut -d' ' -f1) backup; do
    secret_once mongodb "mongodb-$user-password" password "$(openssl rand -hex 24)"
  done
  apply "$PLATFORM/manifests/mongodb.yaml"
  run kubectl -n mongodb wait mongodbcommunity/little-ecom-mongodb --for=jsonpath='{.status.phase}'=Running --timeout=20m
  apply "$PLATFORM/manifests/mongodb-backup.yaml"

  log "RabbitMQ Cluster Operator $RABBITMQ_OPERATOR_VERSION and the cluster"
  run kubectl apply -f "https://github.com/rabbitmq/cluster-operator/releases/download/$RABBITMQ_OPERATOR_VERSION/cluster-operator.yml"
  run kubectl -n rabbitmq-system rollout status deployment/rabbitmq-cluster-operator --timeout=10m
  namespace rabbitmq
  configmap_from rabbitmq little-ecom-rabbitmq-definitions --from-file=definitions.json="$ROOT/infra/rabbitmq/definitions.json"
  apply "$PLATFORM/manifests/rabbitmq.yaml"
  run kubectl -n rabbitmq wait rabbitmqcluster/little-ecom-rabbitmq --for=condition=AllReplicasReady --timeout=20m
  # Post-boot import: it merges the topology in and leaves the operator's default user alone (a
  # load_definitions at boot would make RabbitMQ skip creating that user). The services declare the
  # same topology themselves on connect; this only makes it visible before they first start.
  run kubectl -n rabbitmq exec little-ecom-rabbitmq-server-0 -c rabbitmq -- \
    rabbitmqctl import_definitions /etc/rabbitmq/definitions/definitions.json
  rabbitmq_users

  log "Redis $REDIS_IMAGE (gateway response cache)"
  namespace redis
  secret_once redis little-ecom-redis password "$(openssl rand -hex 24)"
  apply "$PLATFORM/manifests/redis.yaml"
  run kubectl -n redis rollout status statefulset/little-ecom-redis --timeout=10m

  install_logging

  log "Prometheus alert rules"
  # Needs the Prometheus Operator's CRDs (kube-prometheus-stack); skipped without them.
  if $DRY_RUN || kubectl get crd prometheusrules.monitoring.coreos.com >/dev/null 2>&1; then
    apply "$PLATFORM/manifests/prometheus-rules.yaml" "LITTLE_ECOM_NAMESPACE=$NS"
  else
    echo "no PrometheusRule CRD (install kube-prometheus-stack first): alert rules skipped"
  fi
}

# Per-service RabbitMQ users with least privilege (infra/rabbitmq/permissions.json), passwords
# generated once into Secrets rabbitmq/little-ecom-rabbitmq-<service>; the operator's default user
# stays the admin and no service uses it.
rabbitmq_users() {
  log "RabbitMQ users, one per service"
  local service configure write read password
  while IFS=$'\t' read -r service configure write read; do
    secret_once rabbitmq "little-ecom-rabbitmq-$service" password "$(openssl rand -hex 24)"
    password="$(secret_value rabbitmq "little-ecom-rabbitmq-$service" password)"
    # add_user fails on an existing user: change its password instead, so reruns converge.
    if $DRY_RUN; then
      echo "+ rabbitmqctl add_user little-ecom-$service <password> (or change_password when it exists)"
    else
      kubectl -n rabbitmq exec little-ecom-rabbitmq-server-0 -c rabbitmq -- \
        rabbitmqctl add_user "little-ecom-$service" "$password" >/dev/null 2>&1 ||
        kubectl -n rabbitmq exec little-ecom-rabbitmq-server-0 -c rabbitmq -- \
          rabbitmqctl change_password "little-ecom-$service" "$password" >/dev/null
    fi
    run kubectl -n rabbitmq exec little-ecom-rabbitmq-server-0 -c rabbitmq -- \
      rabbitmqctl set_permissions -p / "little-ecom-$service" "$configure" "$write" "$read"
  done < <(node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const [s, r] of Object.entries(p.services)) console.log([s, r.configure, r.write, r.read].join("\t"));
  ' "$ROOT/infra/rabbitmq/permissions.json")
}

install_logging() {
  log "ECK operator $ECK_OPERATOR_CHART_VERSION; Elasticsearch and Kibana $ELASTIC_STACK_VERSION ($LOGGING_PROFILE profile)"
  run helm upgrade --install elastic-operator elastic/eck-operator --version "$ECK_OPERATOR_CHART_VERSION" \
    --namespace elastic-system --create-namespace -f "$PLATFORM/values/eck-operator.yaml" --wait --timeout 10m
  namespace logging
  apply "$PLATFORM/manifests/logging-$LOGGING_PROFILE/elastic.yaml"
  # Green on one node too: the index templates ask for auto_expand_replicas 0-1, so a lone node
  # holds no replica it could never place.
  run kubectl -n logging wait elasticsearch/little-ecom --for=jsonpath='{.status.health}'=green --timeout=30m
  run kubectl -n logging wait kibana/little-ecom --for=jsonpath='{.status.health}'=green --timeout=20m
  if [[ "$LOGGING_PROFILE" == full ]]; then
    run kubectl -n logging wait apmserver/little-ecom --for=jsonpath='{.status.health}'=green --timeout=20m
  fi

  log "Retention (ILM) and index templates"
  configmap_from logging little-ecom-elasticsearch-setup \
    --from-file=ilm-policy.json="$ROOT/infra/elasticsearch/little-ecom-ilm-policy.json" \
    --from-file=little-ecom-index-template.json="$ROOT/infra/elasticsearch/little-ecom-index-template.json" \
    --from-file=containers-index-template.json="$ROOT/infra/elasticsearch/containers-index-template.json"
  # Named after its input, so a rerun with the same files finds it done and an edit runs a new one.
  local setup_sha
  setup_sha="$(files_sha "$ROOT"/infra/elasticsearch/*.json)"
  apply "$PLATFORM/manifests/elasticsearch-setup-job.yaml" "SETUP_SHA=$setup_sha"
  run kubectl -n logging wait "job/little-ecom-elasticsearch-setup-$setup_sha" --for=condition=complete --timeout=10m

  if [[ "$LOGGING_PROFILE" == full ]]; then
    log "Fluentd (aggregator)"
    configmap_from logging fluentd-config \
      --from-file=fluent.conf="$ROOT/infra/fluentd/fluent.conf" \
      --from-file=little-ecom-index-template.json="$ROOT/infra/elasticsearch/little-ecom-index-template.json"
    # The config's checksum is on the pod template: a changed config rolls Fluentd, an unchanged one does not.
    apply "$PLATFORM/manifests/logging-full/fluentd.yaml" \
      "FLUENTD_CONFIG_SHA=$(files_sha "$ROOT/infra/fluentd/fluent.conf" "$ROOT/infra/elasticsearch/little-ecom-index-template.json")"
    run kubectl -n logging rollout status statefulset/fluentd --timeout=10m
  fi

  log "Fluent Bit $FLUENT_BIT_IMAGE on every node (every container's log: mongod, ingress, ...)"
  configmap_from logging fluent-bit-config \
    --from-file=fluent-bit.conf="$ROOT/infra/fluent-bit/fluent-bit.conf" \
    --from-file=parsers.conf="$ROOT/infra/fluent-bit/parsers.conf" \
    --from-file=output.conf="$ROOT/infra/fluent-bit/output-$LOGGING_PROFILE.conf"
  apply "$PLATFORM/manifests/fluent-bit.yaml" "LITTLE_ECOM_NAMESPACE=$NS" \
    "FLUENT_BIT_CONFIG_SHA=$(files_sha "$ROOT/infra/fluent-bit/fluent-bit.conf" "$ROOT/infra/fluent-bit/parsers.conf" "$ROOT/infra/fluent-bit/output-$LOGGING_PROFILE.conf")"
  run kubectl -n logging rollout status daemonset/fluent-bit --timeout=10m

  log "Kibana data view and dashboard"
  configmap_from logging little-ecom-kibana-saved-objects --from-file=little-ecom.ndjson="$ROOT/infra/kibana/little-ecom.ndjson"
  local objects_sha
  objects_sha="$(files_sha "$ROOT/infra/kibana/little-ecom.ndjson")"
  apply "$PLATFORM/manifests/kibana-import-job.yaml" "SAVED_OBJECTS_SHA=$objects_sha"
  run kubectl -n logging wait "job/little-ecom-kibana-import-$objects_sha" --for=condition=complete --timeout=10m
}

install_app() {
  log "little-ecom secrets"
  namespace "$NS"
  local smtp jwt event_secrets totp_secrets redis name _port _db service
  # <subgraph>-mongodb-uri for every subgraph of subgraphs.json, from its operator-made connection
  # secret; <subgraph>-amqp-url from its own RabbitMQ user (rabbitmq_users).
  local literals=()
  while read -r name _port _db; do
    literals+=("--from-literal=$name-mongodb-uri=$(secret_value mongodb "little-ecom-mongodb-admin-$name" connectionString.standard)")
  done < <(node "$ROOT/scripts/service-list.mjs" subgraphs)
  for service in $(node "$ROOT/scripts/service-list.mjs" subgraphs | cut -d' ' -f1); do
    literals+=("--from-literal=$service-amqp-url=amqp://little-ecom-$service:$(urlencode "$(secret_value rabbitmq "little-ecom-rabbitmq-$service" password)")@little-ecom-rabbitmq.rabbitmq.svc:5672")
  done
  redis="redis://:$(urlencode "$(secret_value redis little-ecom-redis password)")@little-ecom-redis.redis.svc:6379"
  local existing=false
  secret_exists "$NS" little-ecom-secrets && existing=true
  if [[ -n "${SMTP_URL:-}" ]]; then smtp="$SMTP_URL"
  elif $existing; then smtp="$(secret_value "$NS" little-ecom-secrets smtp-url)"
  elif $DRY_RUN; then smtp="smtp://<SMTP_URL>:587"
  else echo "error: set SMTP_URL for the first install" >&2; exit 1; fi
  # The gateway's Ed25519 pair (it signs subgraph requests, they verify): generated once, kept across upgrades.
  local gateway_signing_key gateway_public_key
  if $existing && gateway_signing_key="$(secret_value "$NS" little-ecom-secrets gateway-signing-key 2>/dev/null)" &&
    gateway_public_key="$(secret_value "$NS" little-ecom-secrets gateway-public-key 2>/dev/null)" &&
    [[ -n "$gateway_signing_key" && -n "$gateway_public_key" ]]; then :
  else
    read -r gateway_signing_key gateway_public_key < <(node -e \
      "const k = require('node:crypto').generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }); console.log(k.d, k.x)")
  fi
  if [[ -n "${JWT_SIGNING_KEYS_FILE:-}" ]]; then jwt="$(<"$JWT_SIGNING_KEYS_FILE")"
  elif $existing; then jwt="$(secret_value "$NS" little-ecom-secrets jwt-signing-keys)"
  elif $DRY_RUN; then jwt="<JWT_SIGNING_KEYS_FILE>"
  else echo "error: set JWT_SIGNING_KEYS_FILE for the first install (docs/deploy.md: generating keys)" >&2; exit 1; fi
  # Seals the reset token between accounts and notifications: generated once, kept on upgrades.
  if $existing && event_secrets="$(secret_value "$NS" little-ecom-secrets event-secrets-key 2>/dev/null)" && [[ -n "$event_secrets" ]]; then :
  else event_secrets="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; fi
  # Seals TOTP secrets at rest, for accounts alone: generated once, kept on upgrades (a new one locks out every factor).
  if $existing && totp_secrets="$(secret_value "$NS" little-ecom-secrets totp-secrets-key 2>/dev/null)" && [[ -n "$totp_secrets" ]]; then :
  else totp_secrets="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; fi
  literals+=(
    --from-literal=smtp-url="$smtp"
    --from-literal=jwt-signing-keys="$jwt"
    --from-literal=gateway-signing-key="$gateway_signing_key"
    --from-literal=gateway-public-key="$gateway_public_key"
    --from-literal=redis-url="$redis"
    --from-literal=event-secrets-key="$event_secrets"
    --from-literal=totp-secrets-key="$totp_secrets"
  )
  # The APM Server token exists in the full logging profile only; without it tracing is off.
  local tracing=()
  if [[ "$LOGGING_PROFILE" == full ]]; then
    literals+=(--from-literal=otel-exporter-otlp-headers="Authorization=Bearer $(secret_value logging little-ecom-apm-token secret-token)")
  else
    tracing=(--set observability.tracing.otlpEndpoint= --set logging.fluentd.enabled=false)
  fi
  local manifest checksum
  if $DRY_RUN; then
    local literal keys=()
    for literal in "${literals[@]}"; do
      literal="${literal#--from-literal=}"
      keys+=("${literal%%=*}")
    done
    echo "+ kubectl -n $NS apply secret little-ecom-secrets with the keys: ${keys[*]} (values redacted)"
    checksum="<sha256 of the Secret>"
  else
    manifest="$(kubectl -n "$NS" create secret generic little-ecom-secrets "${literals[@]}" --dry-run=client -o yaml)"
    printf '%s\n' "$manifest" | kubectl apply -f - >/dev/null
    checksum="$(printf '%s\n' "$manifest" | sed -n '/^data:/,/^[a-z]/p' | sha256sum | cut -c1-16)"
  fi

  log "little-ecom"
  local extra=()
  [[ -n "${LITTLE_ECOM_VALUES:-}" ]] && extra+=(-f "$LITTLE_ECOM_VALUES")
  [[ -n "${LITTLE_ECOM_IMAGE_TAG:-}" ]] && extra+=(--set "image.tag=$LITTLE_ECOM_IMAGE_TAG")
  [[ "$(ingress_kind)" == gateway-api ]] && extra+=(-f "$PLATFORM/values/little-ecom-gateway-api.yaml")
  # One rollout per deploy: the Secret's checksum is on the pod templates, so pods roll with the
  # release when the Secret changed and not otherwise (no restart after the upgrade). The NetworkPolicy
  # lets notifications reach exactly the relay's port.
  run helm upgrade --install little-ecom "$ROOT/helm/little-ecom" --namespace "$NS" \
    -f "$PLATFORM/values/little-ecom.yaml" "${extra[@]}" "${tracing[@]}" \
    --set-string "secrets.checksum=$checksum" \
    --set "notifications.smtpPort=$(smtp_port "$smtp")" \
    --set-file supergraph="$ROOT/gateway/supergraph.graphql" \
    --wait --timeout 10m --history-max 10
  run helm test little-ecom --namespace "$NS" --timeout 5m
}

preflight
case "$what" in
  all) install_platform; install_app ;;
  platform) install_platform ;;
  app) install_app ;;
esac
log "done"
