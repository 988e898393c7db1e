#!/usr/bin/env bash
# Installs the pinned local tools into .tools/bin (git-ignored). Safe to run repeatedly: a tool is
# rebuilt only when its pinned version changes. Needs Go 1.24+ (the Go module proxy is the source).
#   scripts/tools.sh [tool ...]   build the named tools concurrently; one progress line per tool
#   scripts/tools.sh --check tool ...   exit 0 when all are installed, 1 otherwise
# Each build holds a lock (.tools/locks/<tool>.lock), so two commands racing for the same tool build it
# once: the second waits for the first and then finds it installed. The Go toolchain's own output goes
# to .tools/logs/<tool>.log, printed only when the build fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}" # another folder only for the script's own test
BIN="$TOOLS_DIR/bin"
LOCKS="$TOOLS_DIR/locks"
TOOL_LOGS="$TOOLS_DIR/logs"
mkdir -p "$BIN" "$LOCKS" "$TOOL_LOGS"
# The usual install location, for shells whose PATH lacks it (e.g. non-login CI shells).
[[ -x /usr/local/go/bin/go ]] && export PATH="$PATH:/usr/local/go/bin"

FERRETDB_VERSION="v1.24.2"
MAILPIT_VERSION="v1.27.11"
# Jaeger v2 (cmd/jaeger, built on the OpenTelemetry Collector): the local trace viewer of `npm run dev`.
JAEGER_VERSION="v1.76.0"
HELM_VERSION="v3.22.0"
# helm is built with the ldflags of its Makefile so its default Kubernetes version is the one of the
# client-go it vendors (1.37), not the fallback 1.20 that rejects charts with a kubeVersion.
HELM_K8S_MINOR="37"
KUBECONFORM_VERSION="v0.8.0"
# Lints .github/workflows (helm/test/release-workflow.test.ts runs it).
ACTIONLINT_VERSION="v1.7.12"
# The API schemas the chart is validated against, offline: the OpenAPI spec inside the pinned
# k8s.io/kubernetes module and the Gateway API CRDs, both from the Go module proxy.
KUBERNETES_VERSION="v1.35.4"
GATEWAY_API_VERSION="v1.4.1"
# CRDs of the operators infra/platform uses, for its custom resources (RabbitMQ's operator is not a
# Go module the proxy serves; its RabbitmqCluster is checked by the tests instead).
ECK_VERSION="v3.5.0"
MONGODB_COMMUNITY_CRD_VERSION="v0.9.0"
# cert-manager's Certificate (the chart's TLS certificate) and the Prometheus Operator's PrometheusRule
# and ServiceMonitor (infra/platform alert rules, the chart's ServiceMonitor).
CERT_MANAGER_CRD_VERSION="v1.21.2"
PROMETHEUS_OPERATOR_CRD_VERSION="v0.85.0"

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "error: Go 1.24+ is needed to install $1 (https://go.dev/dl/); or set the service's URL env variable to an existing one." >&2
    exit 1
  fi
}

installed() { [[ -x "$BIN/$1" && -f "$BIN/.$1.version" && "$(cat "$BIN/.$1.version")" == "$2" ]]; }

# Where the Go module cache holds a module's source (read-only), downloading it from the proxy first.
module_dir() { go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p'; } # module@version

# A writable copy of a module's source, for builds `go install module@version` cannot do; prints its
# path (the caller removes it).
module_source() { # module@version
  local src
  src="$(mktemp -d)"
  cp -r "$(module_dir "$1")/." "$src/"
  chmod -R u+w "$src"
  echo "$src"
}

install_ferretdb() {
  installed ferretdb "$FERRETDB_VERSION" && return
  need_go FerretDB
  # FerretDB's `go install` build panics without build/version/version.txt, which release builds
  # generate; build from the module source with that file written.
  local src
  src="$(module_source "github.com/FerretDB/FerretDB@$FERRETDB_VERSION")"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$BIN/ferretdb" ./cmd/ferretdb)
  rm -rf "$src"
  echo "$FERRETDB_VERSION" >"$BIN/.ferretdb.version"
}

install_jaeger() {
  installed jaeger "$JAEGER_VERSION" && return
  need_go Jaeger
  # Jaeger's go.mod has a replace directive, which `go install module@version` refuses: build from
  # the downloaded module source instead.
  local src
  src="$(module_source "github.com/jaegertracing/jaeger@$JAEGER_VERSION")"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$BIN/jaeger" ./cmd/jaeger)
  rm -rf "$src"
  echo "$JAEGER_VERSION" >"$BIN/.jaeger.version"
}

install_go_tool() { # name module version
  installed "$1" "$3" && return
  need_go "$1"
  GOBIN="$BIN" go install "$2@$3"
  echo "$3" >"$BIN/.$1.version"
}

install_helm() {
  installed helm "$HELM_VERSION" && return
  need_go helm
  local pkg=helm.sh/helm/v3
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X $pkg/internal/version.version=$HELM_VERSION \
    -X $pkg/internal/version.gitTreeState=clean \
    -X $pkg/pkg/lint/rules.k8sVersionMajor=1 -X $pkg/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR \
    -X $pkg/pkg/chartutil.k8sVersionMajor=1 -X $pkg/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR" \
    "$pkg/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" >"$BIN/.helm.version"
}

# kube-apiserver and etcd for the chart's install test, from the pinned Go modules in helm/envtest
# (go.mod pins k8s.io/kubernetes; keep it equal to KUBERNETES_VERSION). ~4 min on 2 cores, once.
install_kube_apiserver() {
  local stamp
  stamp="$KUBERNETES_VERSION+$(sha256sum "$ROOT/helm/envtest/go.sum" | cut -c1-16)"
  installed kube-apiserver "$stamp" && installed etcd "$stamp" && return
  need_go kube-apiserver
  grep -q "k8s.io/kubernetes $KUBERNETES_VERSION\$" "$ROOT/helm/envtest/go.mod" || {
    echo "error: helm/envtest/go.mod does not pin k8s.io/kubernetes $KUBERNETES_VERSION" >&2
    exit 1
  }
  local minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  local v=k8s.io/component-base/version
  (cd "$ROOT/helm/envtest" && go build -trimpath -ldflags "-s -w -X $v.gitVersion=$KUBERNETES_VERSION \
    -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
    -o "$BIN/" k8s.io/kubernetes/cmd/kube-apiserver ./etcd)
  echo "$stamp" >"$BIN/.kube-apiserver.version"
  echo "$stamp" >"$BIN/.etcd.version"
}

# The k8s-api folder's version stamp: every pinned source it is fetched from (install_k8s_api writes
# it, is_installed compares it).
k8s_api_stamp() {
  echo "$KUBERNETES_VERSION+gateway-api-$GATEWAY_API_VERSION+eck-$ECK_VERSION+apm+mongodb-$MONGODB_COMMUNITY_CRD_VERSION+cert-manager-$CERT_MANAGER_CRD_VERSION+prometheus-operator-$PROMETHEUS_OPERATOR_CRD_VERSION"
}

install_k8s_api() {
  local out="$TOOLS_DIR/k8s-api" stamp
  stamp="$(k8s_api_stamp)"
  [[ -f "$out/.version" && "$(cat "$out/.version")" == "$stamp" ]] && return
  need_go "the Kubernetes API spec"
  local k8s gw eck mongodb cm po
  k8s="$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  gw="$(module_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")"
  eck="$(module_dir "github.com/elastic/cloud-on-k8s/v3@$ECK_VERSION")"
  mongodb="$(module_dir "github.com/mongodb/mongodb-kubernetes-operator@$MONGODB_COMMUNITY_CRD_VERSION")"
  cm="$(module_dir "github.com/cert-manager/cert-manager@$CERT_MANAGER_CRD_VERSION")"
  po="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_CRD_VERSION")"
  rm -rf "$out" && mkdir -p "$out/crds"
  cp "$k8s/api/openapi-spec/swagger.json" "$out/swagger.json"
  cp "$gw"/config/crd/standard/gateway.networking.k8s.io_*.yaml "$out/crds/"
  cp "$eck"/config/crds/v1/resources/{elasticsearch.k8s.elastic.co_elasticsearches,kibana.k8s.elastic.co_kibanas,apm.k8s.elastic.co_apmservers}.yaml "$out/crds/"
  cp "$mongodb"/config/crd/bases/mongodbcommunity.mongodb.com_mongodbcommunity.yaml "$out/crds/"
  cp "$cm"/deploy/crds/cert-manager.io_{certificates,clusterissuers}.yaml "$out/crds/"
  cp "$po"/example/prometheus-operator-crd/monitoring.coreos.com_{prometheusrules,servicemonitors}.yaml "$out/crds/"
  chmod -R u+w "$out"
  echo "${KUBERNETES_VERSION#v}" >"$out/kubernetes-version"
  echo "$stamp" >"$out/.version"
}

is_installed() { # tool
  case "$1" in
    ferretdb) installed ferretdb "$FERRETDB_VERSION" ;;
    mailpit) installed mailpit "$MAILPIT_VERSION" ;;
    jaeger) installed jaeger "$JAEGER_VERSION" ;;
    helm) installed helm "$HELM_VERSION" ;;
    kubeconform) installed kubeconform "$KUBECONFORM_VERSION" ;;
    actionlint) installed actionlint "$ACTIONLINT_VERSION" ;;
    kube-apiserver)
      local stamp="$KUBERNETES_VERSION+$(sha256sum "$ROOT/helm/envtest/go.sum" | cut -c1-16)"
      installed kube-apiserver "$stamp" && installed etcd "$stamp" ;;
    k8s-api) [[ -f "$TOOLS_DIR/k8s-api/.version" && "$(cat "$TOOLS_DIR/k8s-api/.version")" == "$(k8s_api_stamp)" ]] ;;
    *) echo "unknown tool: $1" >&2; exit 2 ;;
  esac
}

build_one() { # tool
  case "$1" in
    ferretdb) install_ferretdb ;;
    mailpit) install_go_tool mailpit github.com/axllent/mailpit "$MAILPIT_VERSION" ;;
    jaeger) install_jaeger ;;
    helm) install_helm ;;
    k8s-api) install_k8s_api ;;
    kube-apiserver) install_kube_apiserver ;;
    kubeconform) install_go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" ;;
    actionlint) install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
  esac
}

# Builds one tool under its lock, printing one line when it starts and one when it ends.
locked_build() { # tool
  local tool="$1" log="$TOOL_LOGS/$1.log" start=$SECONDS
  exec 9>"$LOCKS/$tool.lock"
  if ! flock -n 9; then
    echo "  $tool: another command is building it, waiting ..."
    flock 9
  fi
  if is_installed "$tool"; then return 0; fi
  echo "  $tool: building from the Go module proxy ..."
  # In the background and then waited for, so `set -e` holds inside the build (in an `if` it would not).
  (build_one "$tool") >"$log" 2>&1 &
  if wait $!; then
    echo "  $tool: ready ($((SECONDS - start)) s)"
  else
    echo "  $tool: build FAILED after $((SECONDS - start)) s; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
}

# --check tool...: exit 0 when all are installed at their pinned versions, 1 otherwise (builds nothing).
if [[ "${1:-}" == --check ]]; then
  shift
  for tool in "$@"; do is_installed "$tool" || exit 1; done
  exit 0
fi

want="${*:-ferretdb mailpit jaeger}"
pending=()
for tool in $want; do
  is_installed "$tool" || pending+=("$tool")
done
[[ ${#pending[@]} -eq 0 ]] && exit 0
need_go "${pending[*]}"
pids=()
for tool in "${pending[@]}"; do
  locked_build "$tool" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
