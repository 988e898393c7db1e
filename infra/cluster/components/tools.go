//go:build tools

// Package components pins the Kubernetes components of the local cluster (scripts/cluster.sh): the
// release whose API schemas the chart is validated with (the same k8s.io/kubernetes as helm/envtest),
// with etcd at the version that release's go.mod asks for. scripts/cluster-tools.sh builds them into
// .tools/cluster/bin.
package components

import (
	_ "go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
