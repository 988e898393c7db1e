#!/usr/bin/env bash
# Installs the platform little-ecom runs on, then little-ecom itself, into the current kubectl
# context, in dependency order. Safe to re-run: every step is an upgrade/apply, and generated
# credentials are created once and kept.
#
#   infra/platform/install.sh [all|platform|app]      (default: all)
#
# Needs: kubectl, helm 3.14+, openssl, a default StorageClass, and for `app`:
#   SMTP_URL               smtp(s)://user:pass@relay:587 of your mail relay (first install only)
#   JWT_SIGNING_KEYS_FILE  JSON array of private JWKs, active key first (first install and rotations)
# Optional: LITTLE_ECOM_NAMESPACE (little-ecom), LITTLE_ECOM_VALUES (an extra values file, e.g. your
# hostnames), LITTLE_ECOM_IMAGE_TAG, KUBE_CONTEXT (refuse to run against any other context).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORM="$ROOT/infra/platform"
# shellcheck source=versions.env
source "$PLATFORM/versions.env"
NS="${LITTLE_ECOM_NAMESPACE:-little-ecom}"
what="${1:-all}"

log() { printf '\n== %s\n' "$*"; }
need() { command -v "$1" >/dev/null || { echo "error: $1 is required" >&2; exit 1; }; }
need kubectl
need helm
need openssl
if [[ -n "${KUBE_CONTEXT:-}" && "$(kubectl config current-context)" != "$KUBE_CONTEXT" ]]; then
  echo "error: current context is $(kubectl config current-context), expected $KUBE_CONTEXT" >&2
  exit 1
fi

namespace() { kubectl create namespace "$1" --dry-run=client -o yaml | kubectl apply -f - >/dev/null; }
# Creates a generic Secret once; an existing one is left alone (its credentials are in use).
secret_once() { # namespace name key value
  kubectl -n "$1" get secret "$2" >/dev/null 2>&1 && return
  kubectl -n "$1" create secret generic "$2" --from-literal="$3=$4" >/dev/null
}
configmap_from() { # namespace name --from-file=... (applied, so re-runs update it)
  local ns="$1" name="$2"
  shift 2
  kubectl -n "$ns" create configmap "$name" "$@" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}
secret_value() { kubectl -n "$1" get secret "$2" -o "jsonpath={.data.${3//./\\.}}" | base64 -d; }
urlencode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in [a-zA-Z0-9.~_-]) out+="$c" ;; *) out+="$(printf '%%%02X' "'$c")" ;; esac
  done
  printf '%s' "$out"
}

install_platform() {
  log "helm repositories"
  helm repo add ingress-nginx https://kubernetes.github.io/ingress-nginx --force-update >/dev/null
  helm repo add mongodb https://mongodb.github.io/helm-charts --force-update >/dev/null
  helm repo add elastic https://helm.elastic.co --force-update >/dev/null
  helm repo update >/dev/null

  log "ingress-nginx $INGRESS_NGINX_CHART_VERSION"
  helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx --version "$INGRESS_NGINX_CHART_VERSION" \
    --namespace ingress-nginx --create-namespace -f "$PLATFORM/values/ingress-nginx.yaml" --wait --timeout 10m

  log "MongoDB operator $MONGODB_OPERATOR_CHART_VERSION and the replica set"
  helm upgrade --install mongodb-kubernetes mongodb/mongodb-kubernetes --version "$MONGODB_OPERATOR_CHART_VERSION" \
    --namespace mongodb --create-namespace -f "$PLATFORM/values/mongodb-kubernetes.yaml" --wait --timeout 10m
  # One MongoDB user per subgraph of subgraphs.json (manifests/mongodb.yaml lists the same; helm/test checks).
  for user in $(node "$ROOT/scripts/service-list.mjs" subgraphs | cut -d' ' -f1); do
    secret_once mongodb "mongodb-$user-password" password "$(openssl rand -hex 24)"
  done
  kubectl apply -f "$PLATFORM/manifests/mongodb.yaml"
  kubectl -n mongodb wait mongodbcommunity/little-ecom-mongodb --for=jsonpath='{.status.phase}'=Running --timeout=20m

  log "RabbitMQ Cluster Operator $RABBITMQ_OPERATOR_VERSION and the cluster"
  kubectl apply -f "https://github.com/rabbitmq/cluster-operator/releases/download/$RABBITMQ_OPERATOR_VERSION/cluster-operator.yml"
  kubectl -n rabbitmq-system rollout status deployment/rabbitmq-cluster-operator --timeout=10m
  namespace rabbitmq
  configmap_from rabbitmq little-ecom-rabbitmq-definitions --from-file=definitions.json="$ROOT/infra/rabbitmq/definitions.json"
  kubectl apply -f "$PLATFORM/manifests/rabbitmq.yaml"
  kubectl -n rabbitmq wait rabbitmqcluster/little-ecom-rabbitmq --for=condition=AllReplicasReady --timeout=20m
  # Post-boot import: it merges the topology in and leaves the operator's default user alone (a
  # load_definitions at boot would make RabbitMQ skip creating that user). The services declare the
  # same topology themselves on connect; this only makes it visible before they first start.
  kubectl -n rabbitmq exec little-ecom-rabbitmq-server-0 -c rabbitmq -- \
    rabbitmqctl import_definitions /etc/rabbitmq/definitions/definitions.json

  log "Redis (gateway response cache)"
  namespace redis
  secret_once redis little-ecom-redis password "$(openssl rand -hex 24)"
  kubectl apply -f "$PLATFORM/manifests/redis.yaml"
  kubectl -n redis rollout status statefulset/little-ecom-redis --timeout=10m

  log "ECK operator $ECK_OPERATOR_CHART_VERSION, Elasticsearch and Kibana $ELASTIC_STACK_VERSION"
  helm upgrade --install elastic-operator elastic/eck-operator --version "$ECK_OPERATOR_CHART_VERSION" \
    --namespace elastic-system --create-namespace -f "$PLATFORM/values/eck-operator.yaml" --wait --timeout 10m
  namespace logging
  kubectl apply -f "$PLATFORM/manifests/elastic.yaml"
  kubectl -n logging wait elasticsearch/little-ecom --for=jsonpath='{.status.health}'=green --timeout=30m
  kubectl -n logging wait kibana/little-ecom --for=jsonpath='{.status.health}'=green --timeout=20m
  kubectl -n logging wait apmserver/little-ecom --for=jsonpath='{.status.health}'=green --timeout=20m

  log "Fluentd"
  configmap_from logging fluentd-config \
    --from-file=fluent.conf="$ROOT/infra/fluentd/fluent.conf" \
    --from-file=little-ecom-index-template.json="$ROOT/infra/elasticsearch/little-ecom-index-template.json"
  kubectl apply -f "$PLATFORM/manifests/fluentd.yaml"
  # A changed config only takes effect on restart.
  kubectl -n logging rollout restart statefulset/fluentd
  kubectl -n logging rollout status statefulset/fluentd --timeout=10m

  log "Kibana data view and dashboard"
  configmap_from logging little-ecom-kibana-saved-objects --from-file=little-ecom.ndjson="$ROOT/infra/kibana/little-ecom.ndjson"
  kubectl -n logging delete job little-ecom-kibana-import --ignore-not-found
  kubectl apply -f "$PLATFORM/manifests/kibana-import-job.yaml"
  kubectl -n logging wait job/little-ecom-kibana-import --for=condition=complete --timeout=10m
}

install_app() {
  log "little-ecom secrets"
  namespace "$NS"
  local amqp smtp jwt event_secrets rabbit_user rabbit_pass redis name _port _db
  # <subgraph>-mongodb-uri for every subgraph of subgraphs.json, from its operator-made connection secret.
  local mongo_uris=()
  while read -r name _port _db; do
    mongo_uris+=("--from-literal=$name-mongodb-uri=$(secret_value mongodb "little-ecom-mongodb-admin-$name" connectionString.standard)")
  done < <(node "$ROOT/scripts/service-list.mjs" subgraphs)
  rabbit_user="$(secret_value rabbitmq little-ecom-rabbitmq-default-user username)"
  rabbit_pass="$(secret_value rabbitmq little-ecom-rabbitmq-default-user password)"
  amqp="amqp://$(urlencode "$rabbit_user"):$(urlencode "$rabbit_pass")@little-ecom-rabbitmq.rabbitmq.svc:5672"
  redis="redis://:$(urlencode "$(secret_value redis little-ecom-redis password)")@little-ecom-redis.redis.svc:6379"
  local existing=false
  kubectl -n "$NS" get secret little-ecom-secrets >/dev/null 2>&1 && existing=true
  if [[ -n "${SMTP_URL:-}" ]]; then smtp="$SMTP_URL"
  elif $existing; then smtp="$(secret_value "$NS" little-ecom-secrets smtp-url)"
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
  if [[ -n "${JWT_SIGNING_KEYS_FILE:-}" ]]; then jwt="$(cat "$JWT_SIGNING_KEYS_FILE")"
  elif $existing; then jwt="$(secret_value "$NS" little-ecom-secrets jwt-signing-keys)"
  else echo "error: set JWT_SIGNING_KEYS_FILE for the first install (docs/deploy.md: generating keys)" >&2; exit 1; fi
  # Seals the reset token between accounts and notifications: generated once, kept on upgrades.
  if $existing && event_secrets="$(secret_value "$NS" little-ecom-secrets event-secrets-key 2>/dev/null)" && [[ -n "$event_secrets" ]]; then :
  else event_secrets="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; fi
  # Seals TOTP secrets at rest, for accounts alone: generated once, kept on upgrades (a new one locks out every factor).
  if $existing && totp_secrets="$(secret_value "$NS" little-ecom-secrets totp-secrets-key 2>/dev/null)" && [[ -n "$totp_secrets" ]]; then :
  else totp_secrets="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; fi
  kubectl -n "$NS" create secret generic little-ecom-secrets \
    "${mongo_uris[@]}" \
    --from-literal=amqp-url="$amqp" \
    --from-literal=smtp-url="$smtp" \
    --from-literal=jwt-signing-keys="$jwt" \
    --from-literal=gateway-signing-key="$gateway_signing_key" \
    --from-literal=gateway-public-key="$gateway_public_key" \
    --from-literal=redis-url="$redis" \
    --from-literal=event-secrets-key="$event_secrets" \
    --from-literal=totp-secrets-key="$totp_secrets" \
    --from-literal=otel-exporter-otlp-headers="Authorization=Bearer $(secret_value logging little-ecom-apm-token secret-token)" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null

  log "little-ecom"
  local extra=()
  [[ -n "${LITTLE_ECOM_VALUES:-}" ]] && extra+=(-f "$LITTLE_ECOM_VALUES")
  [[ -n "${LITTLE_ECOM_IMAGE_TAG:-}" ]] && extra+=(--set "image.tag=$LITTLE_ECOM_IMAGE_TAG")
  helm upgrade --install little-ecom "$ROOT/helm/little-ecom" --namespace "$NS" \
    -f "$PLATFORM/values/little-ecom.yaml" "${extra[@]}" \
    --set-file supergraph="$ROOT/gateway/supergraph.graphql" \
    --wait --timeout 10m --history-max 10
  # Pods read the Secret at start: roll them so a changed credential or key set takes effect.
  kubectl -n "$NS" rollout restart deployment -l app.kubernetes.io/instance=little-ecom
  for deployment in $(kubectl -n "$NS" get deployment -l app.kubernetes.io/instance=little-ecom -o name); do
    kubectl -n "$NS" rollout status "$deployment" --timeout=10m
  done
  helm test little-ecom --namespace "$NS" --timeout 5m
}

case "$what" in
  all) install_platform; install_app ;;
  platform) install_platform ;;
  app) install_app ;;
  *) echo "usage: $0 [all|platform|app]" >&2; exit 1 ;;
esac
log "done"
