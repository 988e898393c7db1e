// Command coredns is CoreDNS with only the plugins the local cluster's DNS needs (scripts/cluster.sh):
// answers for cluster.local from the API server, nothing forwarded anywhere else, so a pod cannot
// resolve (and so reach by name) any host outside this machine. Smaller and faster to build than
// the full CoreDNS with its cloud plugins.
package main

import (
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"

	"github.com/coredns/coredns/coremain"
)

func main() { coremain.Run() }
