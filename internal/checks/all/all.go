// Package all wires every built-in check domain into one registry.
package all

import (
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/checks/cluster"
	"golive.dev/golive/internal/checks/config"
	"golive.dev/golive/internal/checks/db"
	"golive.dev/golive/internal/checks/docker"
	"golive.dev/golive/internal/checks/http"
	"golive.dev/golive/internal/checks/kube"
	"golive.dev/golive/internal/checks/load"
	"golive.dev/golive/internal/checks/prom"
	"golive.dev/golive/internal/checks/repo"
	"golive.dev/golive/internal/checks/rules"
	"golive.dev/golive/internal/checks/scan"
	"golive.dev/golive/internal/checks/secrets"
	"golive.dev/golive/internal/checks/tls"
)

// Registry returns a registry holding every built-in check and CEL binding.
func Registry() *check.Registry {
	r := check.NewRegistry()
	for _, register := range domains {
		register(r)
	}
	return r
}

// domains lists each domain's Register function. Adding a domain is one line here.
var domains = []func(*check.Registry){
	repo.Register,
	kube.Register,
	config.Register,
	docker.Register,
	rules.Register,
	secrets.Register,
	scan.Register,
	prom.Register,
	db.Register,
	cluster.Register,
	http.Register,
	tls.Register,
	load.Register,
}
