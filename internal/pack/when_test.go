package pack_test

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/checks/all"
	"golive.dev/golive/internal/engine"
	"golive.dev/golive/internal/pack"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

// productItems lists the items of the default pack that only make sense for
// one product (or, for rust-or-go, one family of languages), or for services
// that have a component or feature (JWTs, Redis or NATS, a cache, a second API
// version). Every other item is a generic requirement and must carry no
// condition.
var productItems = map[string][]string{
	"mpl": {
		"security/internal-tls",
		"configuration/mpl-strict-mode",
		"configuration/mpl-qom-profile",
		"configuration/mpl-schema-enforcement",
		"configuration/mpl-assertions",
		"configuration/mpl-policy-engine",
		"configuration/immutable-registry-source",
		"configuration/fqdn-upstreams",
		"alerting/qom-degradation",
		"alerting/schema-validation-failures",
		"operations/config-version-control",
		"compliance/message-provenance",
		"compliance/policy-documentation",
		"compliance/schema-change-audit",
	},
	"acton": {
		"security/cedar-authorization",
		"security/authorization-policies-reviewed",
		"configuration/xdg-config-dir",
		"configuration/minimal-features",
		"configuration/observability-feature",
		"performance/policy-decision-cache",
	},
	"agent": {
		"security/prompt-injection-protection",
		"security/pii-detection",
		"configuration/config-file-valid",
		"configuration/system-prompt-reviewed",
		"configuration/model-deployment",
		"configuration/tools-tested",
		"observability/token-usage",
	},
	// Panics that kill a request or the process exist in Rust and Go only.
	"rust-or-go": {
		"reliability/panic-recovery",
	},
	// The service issues or validates JWTs itself (acton-service does).
	"jwt": {
		"security/jwt-signing-strength",
		"security/token-expiry",
		"security/token-revocation",
		"security/jwt-claims-validation",
	},
	"redis-or-nats": {
		"performance/client-connection-pools",
	},
	"cache": {
		"performance/caching-strategy",
		"performance/cache-warming",
		"observability/cache-hit-rate",
	},
	// More than one API version exists.
	"api-versions": {
		"api/migration-guides",
		"api/deprecation-warnings",
	},
}

// eventcoreWhen detects an EventCore service. No item of the default pack is
// EventCore-only (its seed's requirements are all generic there), so no item
// uses it yet; it is tested here so that a pack adding such items can.
const eventcoreWhen = `config.exists(k, k.endsWith("Cargo.toml") && [config[k], "workspace" in config[k] ? config[k].workspace : {}].exists(t, "dependencies" in t && t.dependencies.exists(d, d.startsWith("eventcore"))))`

// fixtures are mini repositories and the products each one is.
var fixtures = []struct {
	dir      string
	products []string
}{
	{"testdata/products/mpl", []string{"mpl"}},           // mpl block in Helm values
	{"testdata/products/mpl-umbrella", []string{"mpl"}},  // mpl-proxy subchart block in an umbrella chart's values
	{"testdata/products/mpl-manifests", []string{"mpl"}}, // plain manifests named after the proxy
	{"testdata/products/eventcore", []string{"eventcore", "rust-or-go"}},
	{"testdata/products/acton", []string{"acton", "rust-or-go", "jwt"}},      // [workspace.dependencies] and an inheriting member
	{"testdata/products/acton-root", []string{"acton", "rust-or-go", "jwt"}}, // [workspace.dependencies] alone
	{"testdata/products/agent-toml", []string{"agent"}},
	{"testdata/products/agent-pyproject", []string{"agent"}}, // PEP 621 dependency, name not normalised
	{"testdata/products/generic", []string{"rust-or-go"}},    // look-alike keys, a list JSON, scalar YAML documents
	{"testdata/features/jwt-config", []string{"jwt"}},        // an [auth.jwt] section
	{"testdata/features/jwt-deps", []string{"jwt"}},          // jsonwebtoken in package.json
	{"testdata/features/jwt-pyproject", []string{"jwt"}},     // PyJWT in a PEP 621 dependency list
	{"testdata/features/redis-nats", []string{"redis-or-nats", "cache"}},
	{"testdata/features/cache", []string{"cache"}}, // an in-process cache library
	{"testdata/features/api-v2", []string{"api-versions"}},
	{"../../examples/ready-service", nil}, // a complete Python service
}

func loadDefault(t *testing.T) (*check.Registry, *pack.Pack) {
	t.Helper()
	reg := all.Registry()
	p, err := (&pack.Loader{Registry: reg}).Load("default")
	if err != nil {
		t.Fatalf("default pack does not load: %v", err)
	}
	return reg, p
}

// detectors returns each product's condition as the default pack writes it,
// after checking that every item of a product carries the same one and that
// no other item carries any.
func detectors(t *testing.T, reg *check.Registry, p *pack.Pack) map[string]*check.CELProgram {
	t.Helper()
	owner := map[string]string{}
	for prod, ids := range productItems {
		for _, id := range ids {
			owner[id] = prod
		}
	}
	when := map[string]string{}
	seen := map[string]bool{}
	for _, it := range p.Items {
		seen[it.ID] = true
		prod, specific := owner[it.ID]
		switch {
		case !specific && it.When != "":
			t.Errorf("%s is not product-specific but has when: %s", it.ID, it.When)
		case specific && it.When == "":
			t.Errorf("%s is %s-only but has no when", it.ID, prod)
		case specific && it.WhenProgram == nil:
			t.Errorf("%s: when was not compiled", it.ID)
		case specific && when[prod] == "":
			when[prod] = it.When
		case specific && when[prod] != it.When:
			t.Errorf("%s: when differs from the other %s items:\n  %s\n  %s", it.ID, prod, it.When, when[prod])
		}
	}
	for id := range owner {
		if !seen[id] {
			t.Errorf("productItems names %s, which the default pack does not have", id)
		}
	}
	when["eventcore"] = eventcoreWhen
	out := map[string]*check.CELProgram{}
	for prod, expr := range when {
		prg, err := reg.CompileCEL(expr)
		if err != nil {
			t.Fatalf("%s condition does not compile: %v", prod, err)
		}
		out[prod] = prg
	}
	return out
}

func fixtureEnv(dir string) *source.Env {
	return source.NewEnv(source.Inputs{Paths: []string{filepath.FromSlash(dir)},
		Now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)})
}

// TestProductConditions evaluates each product's condition on every fixture:
// it must hold exactly for the fixture's products and never fail to evaluate
// (a condition that errors would leave a foreign product's items to fail).
func TestProductConditions(t *testing.T) {
	reg, p := loadDefault(t)
	dets := detectors(t, reg, p)
	for _, fx := range fixtures {
		t.Run(filepath.Base(fx.dir), func(t *testing.T) {
			env := fixtureEnv(fx.dir)
			want := map[string]bool{}
			for _, prod := range fx.products {
				want[prod] = true
			}
			for _, prod := range sortedKeys(dets) {
				got, err := reg.EvalCEL(context.Background(), dets[prod], env)
				if err != nil {
					t.Errorf("%s condition does not evaluate: %v", prod, err)
					continue
				}
				if got != want[prod] {
					t.Errorf("%s condition = %v, want %v", prod, got, want[prod])
				}
			}
		})
	}
}

// TestDefaultPackProductItems runs the default pack with every built-in check
// over each fixture: the fixture's own product items are judged by their
// checks, the other products' items are na, and no generic item is na
// because of a condition.
func TestDefaultPackProductItems(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole default pack per fixture")
	}
	reg, p := loadDefault(t)
	owner := map[string]string{}
	for prod, ids := range productItems {
		for _, id := range ids {
			owner[id] = prod
		}
	}
	for _, fx := range fixtures {
		t.Run(filepath.Base(fx.dir), func(t *testing.T) {
			want := map[string]bool{}
			for _, prod := range fx.products {
				want[prod] = true
			}
			rep := engine.Run(context.Background(), engine.Options{Registry: reg, Packs: []*pack.Pack{p},
				Env: fixtureEnv(fx.dir), CheckTimeout: 30 * time.Second})
			if len(rep.Packs) != 1 {
				t.Fatalf("report has %d packs, want 1", len(rep.Packs))
			}
			for _, ir := range rep.Packs[0].Items {
				excused := excusedByWhen(ir)
				prod, specific := owner[ir.ID]
				switch {
				case !specific && excused:
					t.Errorf("generic item %s was made na by a condition", ir.ID)
				case specific && want[prod] && excused:
					t.Errorf("%s item %s is na on a %s fixture: %s", prod, ir.ID, prod, ir.Message)
				case specific && !want[prod] && (!excused || ir.Status != verdict.NA):
					t.Errorf("%s item %s is %s on a fixture that is not %s, want na", prod, ir.ID, ir.Status, prod)
				}
			}
		})
	}
}

func excusedByWhen(ir verdict.ItemResult) bool {
	for _, f := range ir.Findings {
		if f.Check == "when" && f.Status == verdict.NA {
			return true
		}
	}
	return strings.HasPrefix(ir.Message, "does not apply to this service (when:")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
