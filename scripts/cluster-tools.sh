#!/usr/bin/env bash
# Builds the local cluster's components (scripts/cluster.sh) into .tools/cluster/bin, once per pinned
# version: Kubernetes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kube-proxy, kubectl) from infra/cluster/components (go.mod pins k8s.io/kubernetes like helm/envtest),
# a CoreDNS with only the plugins the cluster needs (infra/cluster/coredns), the pod sandbox ("pause")
# program, and helm (scripts/tools.sh). Cold: ~15-20 min of Go builds on 2 contended cores.
# Each build is also kept in a cache of this machine outside the work tree, keyed by the same stamp
# (LITTLE_ECOM_CACHE, default /var/cache/little-ecom): a fresh clone on the same machine, as CI's is,
# copies the binaries from there in seconds instead of rebuilding. Nothing carries it to another
# machine: a new one builds cold.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/cluster/bin"
CACHE="${LITTLE_ECOM_CACHE:-/var/cache/little-ecom}/cluster"
mkdir -p "$BIN"
[[ -x /usr/local/go/bin/go ]] && export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || { echo "error: Go 1.26+ is needed to build the cluster components (https://go.dev/dl/)" >&2; exit 1; }

KUBERNETES_VERSION="v1.35.4"
COREDNS_VERSION="v1.15.0"
# kube-router, the NetworkPolicy controller only: v2.1.0 is the one release the Go module proxy serves
# here (security advisories are reported against it; it runs only inside this test cluster, with no
# listener of its own).
KUBE_ROUTER_VERSION="v2.1.0"
KUBERNETES_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd pause)

stamp_of() { # module dir -> version + go.sum digest: a changed pin rebuilds
  echo "$1+$(cat "$2/go.mod" "$2/go.sum" "$2"/*.go "$2"/*/*.go 2>/dev/null | sha256sum | cut -c1-16)"
}
built() { [[ -f "$BIN/.$1.version" && "$(cat "$BIN/.$1.version")" == "$2" ]]; }

cached() { [[ -f "$CACHE/$1-$2/.complete" ]]; }

from_cache() { # part stamp binaries...: copy a build of this stamp from the machine cache, if there is one
  local dir="$CACHE/$1-$2" part="$1" stamp="$2" name
  shift 2
  cached "$part" "$stamp" || return 1
  for name in "$@"; do cp "$dir/$name" "$BIN/$name.tmp" && mv "$BIN/$name.tmp" "$BIN/$name"; done
  echo "$stamp" >"$BIN/.$part.version"
  echo "cluster: $part $stamp from the machine cache $dir"
}

to_cache() { # part stamp binaries...: keep this build for other clones on this machine (best effort)
  local part="$1" dir="$CACHE/$1-$2" name old
  shift 2
  mkdir -p "$dir" 2>/dev/null || return 0
  rm -f "$dir/.complete"
  for name in "$@"; do cp "$BIN/$name" "$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name" || return 0; done
  touch "$dir/.complete"
  # Builds of an older pin are of no further use.
  for old in "$CACHE/$part"-*; do [[ "$old" == "$dir" ]] || rm -rf "$old"; done
}

build_kubernetes() {
  local dir="$ROOT/infra/cluster/components" stamp
  stamp="$(stamp_of "$KUBERNETES_VERSION" "$dir")"
  if built kubernetes "$stamp"; then cached kubernetes "$stamp" || to_cache kubernetes "$stamp" "${KUBERNETES_BINARIES[@]}"; return; fi
  from_cache kubernetes "$stamp" "${KUBERNETES_BINARIES[@]}" && return
  grep -q "k8s.io/kubernetes $KUBERNETES_VERSION\$" "$dir/go.mod" || {
    echo "error: infra/cluster/components/go.mod does not pin k8s.io/kubernetes $KUBERNETES_VERSION" >&2
    exit 1
  }
  echo "cluster: building Kubernetes $KUBERNETES_VERSION components into .tools/cluster/bin (once; 10-20 min cold) ..."
  local minor="${KUBERNETES_VERSION#v1.}" v=k8s.io/component-base/version
  minor="${minor%%.*}"
  (cd "$dir" && go build -trimpath -ldflags "-s -w -X $v.gitVersion=$KUBERNETES_VERSION \
    -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" -o "$BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kubectl ./etcd)
  # The sandbox image's only file: static, so the image needs no libc.
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/pause" ./pause)
  echo "$stamp" >"$BIN/.kubernetes.version"
  to_cache kubernetes "$stamp" "${KUBERNETES_BINARIES[@]}"
}

build_coredns() {
  local dir="$ROOT/infra/cluster/coredns" stamp
  stamp="$(stamp_of "$COREDNS_VERSION" "$dir")"
  if built coredns "$stamp"; then cached coredns "$stamp" || to_cache coredns "$stamp" coredns; return; fi
  from_cache coredns "$stamp" coredns && return
  echo "cluster: building CoreDNS $COREDNS_VERSION (cluster plugins only) into .tools/cluster/bin ..."
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$BIN/coredns" .)
  echo "$stamp" >"$BIN/.coredns.version"
  to_cache coredns "$stamp" coredns
}

build_kube_router() {
  local stamp="$KUBE_ROUTER_VERSION"
  if built kube-router "$stamp"; then cached kube-router "$stamp" || to_cache kube-router "$stamp" kube-router; return; fi
  from_cache kube-router "$stamp" kube-router && return
  echo "cluster: building kube-router $KUBE_ROUTER_VERSION into .tools/cluster/bin ..."
  GOBIN="$BIN" go install "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION"
  echo "$stamp" >"$BIN/.kube-router.version"
  to_cache kube-router "$stamp" kube-router
}

for part in ${*:-kubernetes coredns kube-router helm}; do
  case "$part" in
    kubernetes) build_kubernetes ;;
    coredns) build_coredns ;;
    kube-router) build_kube_router ;;
    helm | ferretdb | mailpit) bash "$ROOT/scripts/tools.sh" "$part" ;;
    *) echo "unknown part: $part" >&2; exit 1 ;;
  esac
done
