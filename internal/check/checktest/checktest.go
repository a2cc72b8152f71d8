// Package checktest runs checks in tests the way the engine does, and
// enforces the rule that every registered check has a passing and a failing
// fixture.
package checktest

import (
	"context"
	"sort"
	"sync"
	"testing"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

// Run resolves raw parameters and evaluates check id over the inputs with the
// engine's rules (missing input: unverified; no finding: unverified).
func Run(t testing.TB, reg *check.Registry, id string, in source.Inputs, raw map[string]any) check.Outcome {
	t.Helper()
	c, ok := reg.Lookup(id)
	if !ok {
		t.Fatalf("check %s is not registered", id)
	}
	p, err := c.Resolve(raw)
	if err != nil {
		t.Fatalf("%s parameters: %v", id, err)
	}
	return c.Evaluate(context.Background(), source.NewEnv(in), p)
}

// Coverage records the statuses each check's fixtures produced.
type Coverage struct {
	mu   sync.Mutex
	seen map[string]map[verdict.Status]bool
}

// Saw records that a fixture of check id gave status st.
func (c *Coverage) Saw(id string, st verdict.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]map[verdict.Status]bool{}
	}
	if c.seen[id] == nil {
		c.seen[id] = map[verdict.Status]bool{}
	}
	c.seen[id][st] = true
}

// RequirePassAndFail fails t for every check of reg that no fixture saw pass
// and fail.
func (c *Coverage) RequirePassAndFail(t testing.TB, reg *check.Registry) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing []string
	for _, ch := range reg.All() {
		if !c.seen[ch.ID][verdict.Pass] || !c.seen[ch.ID][verdict.Fail] {
			missing = append(missing, ch.ID)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		t.Errorf("check %s lacks a passing or a failing fixture", id)
	}
}
