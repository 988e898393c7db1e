#!/usr/bin/env bash
# `npm run cluster -- up|down|status`: a single-node Kubernetes cluster on this machine, for trying
# the chart for real (docs/deploy.md, "Trying the chart on a local cluster"). Needs root.
#   up      build the components (cached in .tools/cluster), install containerd, runc, the CNI
#           plugins and ipset from Debian when missing, start etcd, kube-apiserver,
#           kube-controller-manager, kube-scheduler, containerd, kubelet, kube-proxy, kube-router (as
#           the NetworkPolicy controller only) and CoreDNS, and the platform stand-ins
#   down    stop all of it and restore the host: sysctls, the bridge, the nft tables, the ipsets,
#           cgroups, mounts, routes and the directories `up` created
#   status  what runs, and the nodes and pods
#   load    import docker-archive images (npm run images) into the node's containerd
#   ctr     run containerd's ctr against the node's containerd (namespace k8s.io)
# Network safety: every API listens on 127.0.0.1; pods live on the bridge lec0 (10.244.0.0/24) and
# services in 10.96.0.0/24, routed to that bridge only; an nft table drops anything a pod sends
# towards any other interface, and the cluster DNS answers cluster.local only. The host reaches the
# cluster through 127.0.0.1 (scripts/cluster/loopback-proxy.mjs, kubectl port-forward).
# Platform stand-ins (test stand-ins, not for production: infra/platform installs the real ones),
# host processes on the bridge address, reached from pods through Services + EndpointSlices:
#   mongodb.mongodb.svc:27017     a private FerretDB (SQLite)
#   rabbitmq.rabbitmq.svc:5672    a private RabbitMQ node (never the shared broker on 127.0.0.1:5672)
#   mailpit.mail.svc:1025         a private Mailpit; its API on http://127.0.0.1:18025
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/cluster/bin"
TOOLS="$ROOT/.tools/bin"
STATE="${CLUSTER_STATE_DIR:-/var/lib/little-ecom-cluster}"
RUN="/run/little-ecom-cluster"
LOGS="$STATE/logs"
PKI="$STATE/pki"
BRIDGE=lec0
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/24
NODE_NAME=little-ecom-node
APISERVER_PORT=16443
ETCD_PORT=23790
RABBITMQ_PORT=25673
MAILPIT_API_PORT=18025
SANDBOX_IMAGE=little-ecom.local/pause:1
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
# Host settings the kubelet, kube-proxy and the bridge change; `up` records them, `down` restores them.
SYSCTLS=(net.ipv4.ip_forward vm.overcommit_memory kernel.panic kernel.panic_on_oops
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.bridge.bridge-nf-call-arptables
  net.ipv4.conf.all.route_localnet net.netfilter.nf_conntrack_max)

say() { echo "cluster: $*" >&2; }
die() { say "error: $*"; exit 1; }
[[ "$(id -u)" == 0 ]] || die "needs root (containerd, the kubelet and the network setup do)"

kubectl() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

wait_until() { # seconds description command...
  local seconds="$1" what="$2" i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "$what did not happen within ${seconds}s (logs: $LOGS)"
}

wait_started() { # name seconds description command...: as wait_until, failing at once if the process exits
  local name="$1" seconds="$2" what="$3" i
  shift 3
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if ! running "$name"; then
      tail -n 20 "$LOGS/$name.log" >&2 || true
      die "$name exited before $what (log: $LOGS/$name.log)"
    fi
    sleep 0.5
  done
  die "$what did not happen within ${seconds}s (log: $LOGS/$name.log)"
}

start() { # name command... : detached, own process group, pid recorded
  local name="$1"
  shift
  setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

stop() { # name: SIGTERM to its process group, SIGKILL after 20 s
  local name="$1" pid i
  [[ -f "$RUN/$name.pid" ]] || return 0
  pid="$(cat "$RUN/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

running() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

ensure_packages() {
  local missing=() pkg
  for pkg in containerd runc containernetworking-plugins nftables conntrack debootstrap openssl iptables ipset; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return
  say "installing missing Debian packages: ${missing[*]} (apt-get) ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts containerd on install where systemd runs; this cluster runs its own instance.
}

record_host_state() {
  [[ -f "$STATE/host-state" ]] && return # recorded by the first `up`; a second `up` must not overwrite it
  {
    local name
    for name in "${SYSCTLS[@]}"; do
      [[ -e "/proc/sys/${name//.//}" ]] && echo "sysctl $name=$(cat "/proc/sys/${name//.//}")"
    done
    # nft tables that exist already (the kubelet adds iptables-nft ones, kube-proxy its own).
    nft list tables 2>/dev/null | sed -n 's/^table \([a-z0-9]*\) \(.*\)$/nft-table \1 \2/p'
    # ipsets that exist already (kube-router adds its own).
    ipset list -n 2>/dev/null | sed 's/^/ipset /'
    for dir in /var/lib/cni /run/containerd /run/netns /var/lib/kubelet /var/log/pods /var/log/containers /etc/cni /opt/cni; do
      [[ -e "$dir" ]] || echo "created $dir"
    done
  } >"$STATE/host-state.tmp"
  mv "$STATE/host-state.tmp" "$STATE/host-state"
}

make_pki() {
  [[ -f "$PKI/ca.crt" ]] && return
  mkdir -p "$PKI"
  say "creating the cluster CA and certificates in $PKI ..."
  (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=little-ecom-local-ca" 2>/dev/null
    cert() { # name subject sans(ext string or empty)
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      if [[ -n "$3" ]]; then
        printf 'subjectAltName=%s\n' "$3" >"$1.ext"
        openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 30 -extfile "$1.ext" 2>/dev/null
      else
        openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 30 2>/dev/null
      fi
    }
    cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,IP:10.96.0.1,IP:$NODE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    cert kubelet "/CN=$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME"
    # Clients: one admin identity (system:masters) for every component; the apiserver's to the kubelet.
    cert admin "/O=system:masters/CN=little-ecom-admin" ""
    cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" ""
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
  cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: little-ecom-local
    cluster: { server: "https://127.0.0.1:$APISERVER_PORT", certificate-authority: "$PKI/ca.crt" }
users:
  - name: admin
    user: { client-certificate: "$PKI/admin.crt", client-key: "$PKI/admin.key" }
contexts:
  - name: little-ecom-local
    context: { cluster: little-ecom-local, user: admin }
current-context: little-ecom-local
EOF
  chmod 600 "$KUBECONFIG_FILE"
}

setup_network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NODE_IP/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # Service addresses route to the bridge, never to the default route, even before kube-proxy's
  # rules exist (a packet to a ClusterIP nothing translates dies on the bridge).
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE"
  # Pods reach each other through Services across the bridge: bridged traffic must pass netfilter.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
  # Nothing a pod sends may leave through another interface (no masquerade either): pod traffic
  # stays on this machine.
  nft -f - <<EOF
table inet little_ecom_guard
delete table inet little_ecom_guard
table inet little_ecom_guard {
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "$BRIDGE" oifname != "$BRIDGE" counter drop
    oifname "$BRIDGE" iifname != "$BRIDGE" counter drop
  }
}
EOF
  mkdir -p "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat >"$STATE/cni/net.d/10-little-ecom.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "little-ecom",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP", "rangeStart": "10.244.0.10" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    }
  ]
}
EOF
}

start_etcd() {
  running etcd && return
  start etcd "$BIN/etcd" --name=little-ecom --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$((ETCD_PORT + 10))" --initial-advertise-peer-urls="http://127.0.0.1:$((ETCD_PORT + 10))" \
    --initial-cluster="little-ecom=http://127.0.0.1:$((ETCD_PORT + 10))" --listen-metrics-urls="" --log-level=warn
  wait_started etcd 60 "etcd answering on 127.0.0.1:$ETCD_PORT" curl -sf "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  running kube-apiserver && return
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" --advertise-address="$NODE_IP" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range="$SERVICE_CIDR" --authorization-mode=Node,RBAC --allow-privileged=false \
    --enable-admission-plugins=NodeRestriction --profiling=false --v=1
  wait_started kube-apiserver 120 "kube-apiserver ready on 127.0.0.1:$APISERVER_PORT" kubectl get --raw /readyz
}

start_controllers() {
  running kube-controller-manager || start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$KUBECONFIG_FILE" --bind-address=127.0.0.1 --secure-port=10257 \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" --use-service-account-credentials=false \
    --cluster-cidr="$POD_CIDR" --allocate-node-cidrs=false --controllers='*,-cloud-node-lifecycle' --leader-elect=false --profiling=false --v=1
  running kube-scheduler || start kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$KUBECONFIG_FILE" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false --v=1
}

write_containerd_config() {
  mkdir -p "$STATE/containerd" "$RUN/containerd"
  cat >"$STATE/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$RUN/containerd/containerd.sock"
[ttrpc]
  address = "$RUN/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$SANDBOX_IMAGE"
  # This VM withholds CAP_SYS_RESOURCE: without this every sandbox fails to start.
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
}

ctr_() { ctr --address "$RUN/containerd/containerd.sock" -n k8s.io "$@"; }

start_containerd() {
  if ! running containerd; then
    write_containerd_config
    start containerd containerd --config "$STATE/containerd.toml"
    wait_started containerd 60 "containerd answering on its socket" ctr_ version
  fi
  # The sandbox image: the static pause program, as a one-layer docker-archive.
  if ! ctr_ images ls -q | grep -qx "$SANDBOX_IMAGE"; then
    local dir
    dir="$(mktemp -d)"
    mkdir -p "$dir/rootfs" "$dir/archive/layer"
    cp "$BIN/pause" "$dir/rootfs/pause"
    tar --owner=0 --group=0 -C "$dir/rootfs" -cf "$dir/archive/layer/layer.tar" pause
    local diff config
    diff="$(sha256sum "$dir/archive/layer/layer.tar" | cut -d' ' -f1)"
    config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/pause\"],\"User\":\"65535:65535\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]}}"
    echo -n "$config" >"$dir/archive/config.json"
    echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"$SANDBOX_IMAGE\"],\"Layers\":[\"layer/layer.tar\"]}]" >"$dir/archive/manifest.json"
    tar -C "$dir/archive" -cf "$dir/pause.tar" .
    ctr_ images import "$dir/pause.tar" >/dev/null
    rm -rf "$dir"
  fi
}

start_kubelet() {
  running kubelet && return
  mkdir -p "$STATE/kubelet"
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
containerRuntimeEndpoint: unix://$RUN/containerd/containerd.sock
# This VM runs cgroup v1, which the kubelet refuses by default since 1.35.
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
resolvConf: ""
podLogsDir: $STATE/pod-logs
podCIDR: $POD_CIDR
maxPods: 60
serializeImagePulls: false
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
evictionHard: { memory.available: 200Mi, nodefs.available: 5%, imagefs.available: 5% }
EOF
  start kubelet "$BIN/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$KUBECONFIG_FILE" \
    --root-dir="$STATE/kubelet" --node-ip="$NODE_IP" --hostname-override="$NODE_NAME" --v=1
  wait_started kubelet 120 "node $NODE_NAME Ready" bash -c "'$BIN/kubectl' --kubeconfig '$KUBECONFIG_FILE' get node '$NODE_NAME' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
}

start_proxy() {
  if ! running kube-proxy; then
    cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: { kubeconfig: $KUBECONFIG_FILE }
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts only on the bridge address, never on the machine's other interfaces.
nodePortAddresses: ["$NODE_IP/32"]
# Leave the host's conntrack settings alone.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
    start kube-proxy "$BIN/kube-proxy" --config="$STATE/kube-proxy.yaml" --v=1
  fi
  wait_started kube-proxy 60 "kube-proxy healthy" curl -sf http://127.0.0.1:10256/healthz
}

# kube-router as the NetworkPolicy controller only (no routing, no service proxy: the bridge and
# kube-proxy do those): iptables-nft rules and ipsets per pod, next to kube-proxy's nftables table.
# Its health and metrics servers would listen on every interface: both are off.
start_netpol() {
  if ! running kube-router; then
    start kube-router "$BIN/kube-router" --kubeconfig="$KUBECONFIG_FILE" --hostname-override="$NODE_NAME" \
      --run-firewall=true --run-router=false --run-service-proxy=false --enable-ipv6=false \
      --service-cluster-ip-range="$SERVICE_CIDR" --health-port=0 --metrics-port=0 --v=1
  fi
  wait_started kube-router 120 "kube-router's network policy chains" iptables -t filter -n -L KUBE-ROUTER-FORWARD
}

start_dns() {
  if ! running coredns; then
    cat >"$STATE/Corefile" <<EOF
cluster.local:53 in-addr.arpa:53 {
    bind $NODE_IP
    errors
    health 127.0.0.1:18080
    ready 127.0.0.1:18181
    kubernetes cluster.local in-addr.arpa {
        kubeconfig $KUBECONFIG_FILE little-ecom-local
        pods insecure
    }
    cache 5
    loadbalance
}
EOF
    start coredns "$BIN/coredns" -conf "$STATE/Corefile"
  fi
  wait_started coredns 60 "CoreDNS ready" curl -sf http://127.0.0.1:18181/ready
  # The kube-dns Service the chart's NetworkPolicy names, pointing at the host's CoreDNS.
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: kube-dns-host, namespace: kube-system, labels: { kubernetes.io/service-name: kube-dns } }
addressType: IPv4
endpoints: [{ addresses: ["$NODE_IP"] }]
ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
EOF
}

# A selector-less Service in its own namespace whose one endpoint is a host process on the bridge.
host_service() { # namespace name service-port host-port
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: $1, labels: { little-ecom.dev/stand-in: "true" } }
---
apiVersion: v1
kind: Service
metadata: { name: $2, namespace: $1 }
spec:
  ports: [{ name: main, port: $3, targetPort: $4, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: $2-host, namespace: $1, labels: { kubernetes.io/service-name: $2 } }
addressType: IPv4
endpoints: [{ addresses: ["$NODE_IP"] }]
ports: [{ name: main, port: $4, protocol: TCP }]
EOF
}

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

start_stand_ins() {
  mkdir -p "$STATE/ferretdb" "$STATE/mailpit" "$STATE/rabbitmq"
  if ! running ferretdb; then
    start ferretdb "$TOOLS/ferretdb" --handler=sqlite --sqlite-url="file:$STATE/ferretdb/" --state-dir="$STATE/ferretdb" \
      --listen-addr="$NODE_IP:27017" --debug-addr=- --telemetry=disable --log-level=warn
  fi
  if ! running mailpit; then
    start mailpit "$TOOLS/mailpit" --smtp "$NODE_IP:1025" --listen "127.0.0.1:$MAILPIT_API_PORT" \
      --database "$STATE/mailpit/mailpit.db" --max 5000 --disable-version-check --smtp-auth-accept-any --smtp-auth-allow-insecure
  fi
  if ! running rabbitmq; then
    # A node of its own: own name, cookie, data dir and ports; the shared broker is never touched.
    # (Debian's /usr/sbin wrapper would switch to the rabbitmq user and its dirs: run the real script.)
    cat >"$STATE/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.1 = $NODE_IP:$RABBITMQ_PORT
loopback_users = none
default_user = little-ecom
default_pass = little-ecom
EOF
    echo '[].' >"$STATE/rabbitmq/enabled_plugins"
    start rabbitmq env -C "$STATE/rabbitmq" HOME="$STATE/rabbitmq" RABBITMQ_NODENAME=little-ecom-cluster@localhost \
      RABBITMQ_FEATURE_FLAGS_FILE="$STATE/rabbitmq/feature_flags" RABBITMQ_PLUGINS_EXPAND_DIR="$STATE/rabbitmq/plugins" \
      RABBITMQ_QUORUM_DIR="$STATE/rabbitmq/quorum" RABBITMQ_STREAM_DIR="$STATE/rabbitmq/stream" \
      RABBITMQ_CONFIG_FILE="$STATE/rabbitmq/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins" \
      RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$LOGS/rabbitmq" RABBITMQ_DIST_PORT=25674 \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
      /usr/lib/rabbitmq/bin/rabbitmq-server
  fi
  wait_started ferretdb 60 "FerretDB on $NODE_IP:27017" reachable "$NODE_IP" 27017
  wait_started mailpit 60 "Mailpit on $NODE_IP:1025" reachable "$NODE_IP" 1025
  wait_started rabbitmq 180 "the private RabbitMQ node on $NODE_IP:$RABBITMQ_PORT" reachable "$NODE_IP" "$RABBITMQ_PORT"
  host_service mongodb mongodb 27017 27017
  host_service rabbitmq rabbitmq 5672 "$RABBITMQ_PORT"
  host_service mail mailpit 1025 1025
}

cmd_up() {
  ensure_packages
  mkdir -p "$STATE" "$RUN" "$LOGS"
  record_host_state
  bash "$ROOT/scripts/cluster-tools.sh" kubernetes coredns kube-router
  bash "$ROOT/scripts/tools.sh" ferretdb mailpit helm
  make_pki
  setup_network
  start_etcd
  start_apiserver
  start_controllers
  start_containerd
  start_kubelet
  start_proxy
  start_netpol
  start_dns
  start_stand_ins
  say "up: export KUBECONFIG=$KUBECONFIG_FILE (node $NODE_NAME; Mailpit API http://127.0.0.1:$MAILPIT_API_PORT)"
}

cmd_down() {
  say "stopping the cluster and restoring the host ..."
  # Pods first, while the kubelet runs, so containerd and the CNI plugin release their network
  # namespaces and addresses the normal way.
  if running kubelet && running kube-apiserver; then
    kubectl delete pods --all --all-namespaces --grace-period=5 --timeout=90s >/dev/null 2>&1 || say "some pods did not stop in 90 s; removing their containers"
  fi
  say "pods stopped (${SECONDS}s)"
  local name
  for name in coredns kube-router kube-proxy kubelet kube-scheduler kube-controller-manager rabbitmq mailpit ferretdb; do stop "$name"; done
  say "components stopped (${SECONDS}s)"
  if running containerd; then
    # Whatever still runs: kill the tasks and delete the containers, so their shims exit.
    local id
    for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s KILL "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_ containers ls -q 2>/dev/null); do
      ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true
      ctr_ containers delete "$id" >/dev/null 2>&1 || true
    done
  fi
  stop containerd
  stop kube-apiserver
  stop etcd
  say "containerd and the control plane stopped (${SECONDS}s)"
  # Network: the pods' namespaces, the bridge, the routes, kube-proxy's and our nft tables.
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-' || true); do ip netns delete "$ns" 2>/dev/null || true; done
  ip route del "$SERVICE_CIDR" dev "$BRIDGE" 2>/dev/null || true
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
  # The tables this cluster adds: ours, kube-proxy's, and the kubelet's iptables-nft canaries (only
  # when they did not exist before `up`).
  local table
  for table in "inet little_ecom_guard" "ip kube-proxy" "ip6 kube-proxy" "ip filter" "ip nat" "ip mangle" \
    "ip6 filter" "ip6 nat" "ip6 mangle"; do
    grep -qx "nft-table $table" "$STATE/host-state" 2>/dev/null && continue
    # shellcheck disable=SC2086 # "family name"
    nft list table $table >/dev/null 2>&1 && nft delete table $table
  done
  # kube-router's chains, when its filter table was there before `up` (so was kept above), then its
  # ipsets (a set can go once no rule uses it): every one that did not exist before `up`.
  if nft list table ip filter >/dev/null 2>&1; then
    local rule chain
    iptables -t filter -S | grep -E '^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-ROUTER-' | sed 's/^-A //' | while read -r rule; do
      # shellcheck disable=SC2086 # a rule spec as iptables -S prints it
      iptables -t filter -D $rule 2>/dev/null || true
    done
    for chain in $(iptables -t filter -S | awk '/^-N KUBE-(ROUTER-|POD-FW-|NWPLCY-)/ {print $2}'); do iptables -t filter -F "$chain" 2>/dev/null || true; done
    for chain in $(iptables -t filter -S | awk '/^-N KUBE-(ROUTER-|POD-FW-|NWPLCY-)/ {print $2}'); do iptables -t filter -X "$chain" 2>/dev/null || true; done
  fi
  local set
  for set in $(ipset list -n 2>/dev/null || true); do
    grep -qx "ipset $set" "$STATE/host-state" 2>/dev/null || ipset destroy "$set" 2>/dev/null || true
  done
  # Mounts under the state and run dirs (the kubelet's pod volumes, containerd's rootfs, netns binds).
  local mnt
  for mnt in $(awk '{print $2}' /proc/self/mounts | grep -E "^($STATE|$RUN|/run/netns/cni-)" | sort -r || true); do
    umount -l "$mnt" 2>/dev/null || true
  done
  # cgroups the kubelet and runc created (kubepods in every v1 hierarchy), deepest first.
  local cg
  for cg in $(find /sys/fs/cgroup/*/kubepods* /sys/fs/cgroup/kubepods* -depth -type d 2>/dev/null || true); do
    rmdir "$cg" 2>/dev/null || true
  done
  if [[ -f "$STATE/host-state" ]]; then
    local line
    while read -r line; do
      case "$line" in
        sysctl\ *) sysctl -qw "${line#sysctl }" 2>/dev/null || true ;;
        created\ *) rm -rf "${line#created }" ;;
      esac
    done <"$STATE/host-state"
  fi
  rm -rf "$RUN"
  [[ "${KEEP_STATE:-}" == 1 ]] || rm -rf "$STATE"
  say "down: stopped; host restored"
}

cmd_status() {
  local name
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router coredns ferretdb mailpit rabbitmq; do
    if running "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if running kube-apiserver; then
    kubectl get nodes -o wide || true
    kubectl get pods -A -o wide || true
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  load)
    shift
    running containerd || die "the cluster is not up"
    for tar in "$@"; do
      say "importing $tar into the node's containerd ..."
      ctr_ images import "$tar"
    done
    ;;
  ctr)
    shift
    ctr_ "$@"
    ;;
  *) echo "usage: npm run cluster -- up|down|status | load <docker-archive.tar>... | ctr <args>" >&2; exit 2 ;;
esac
