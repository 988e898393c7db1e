//go:build tools

// Package envtest pins the kube-apiserver and etcd the chart tests run against: a real API server
// built from the Kubernetes release whose schemas the chart is validated with (see go.mod), as
// controller test environments do. scripts/tools.sh builds both into .tools/bin.
package envtest

import (
	_ "go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
