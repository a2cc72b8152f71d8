// Package all wires every built-in check domain into one registry.
package all

import (
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/checks/config"
	"golive.dev/golive/internal/checks/repo"
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
	config.Register,
}
