// Package checktest runs checks in tests the way the engine does, and
// enforces the rule that every registered check has a passing and a failing
// fixture.
package checktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
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
	return RunEnv(t, reg, id, source.NewEnv(in), raw)
}

// RunEnv is Run over an Env the test prepared itself, for sources that must
// be opened ahead and shared (a database pool closed at cleanup, a fake
// cluster client) or whose problems the test inspects afterwards.
func RunEnv(t testing.TB, reg *check.Registry, id string, env *source.Env, raw map[string]any) check.Outcome {
	t.Helper()
	c, ok := reg.Lookup(id)
	if !ok {
		t.Fatalf("check %s is not registered", id)
	}
	p, err := c.Resolve(raw)
	if err != nil {
		t.Fatalf("%s parameters: %v", id, err)
	}
	return c.Evaluate(context.Background(), env, p)
}

// Dir is the inputs of a run over one repository directory, its path
// joined from elem (usually "testdata" and the fixture's name).
func Dir(elem ...string) source.Inputs {
	return source.Inputs{Paths: []string{filepath.Join(elem...)}}
}

// Case is one fixture of a check: what it runs on, the raw parameters a pack
// would give, and the status the engine must settle on.
type Case struct {
	Name   string // subtest name; ID/Want when empty
	ID     string
	Inputs source.Inputs
	Env    *source.Env // when set, used instead of Inputs
	With   map[string]any
	Want   verdict.Status
}

// Run evaluates the case and reports, without stopping t, a status other
// than Want together with the findings that led to it.
func (c Case) Run(t testing.TB, reg *check.Registry) check.Outcome {
	t.Helper()
	env := c.Env
	if env == nil {
		env = source.NewEnv(c.Inputs)
	}
	out := RunEnv(t, reg, c.ID, env, c.With)
	if out.Status != c.Want {
		t.Errorf("%s with %v = %s, want %s; findings:\n%s", c.ID, c.With, out.Status, c.Want, Show(out.Findings))
	} else if testing.Verbose() {
		t.Logf("%s findings:\n%s", c.ID, Show(out.Findings))
	}
	return out
}

func (c Case) name() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID + "/" + string(c.Want)
}

// Table runs each case in its own subtest, hands the outcome to each (when
// not nil) for the package's own assertions, and then fails t for every
// registered check that no case expects to pass and to fail.
func Table(t *testing.T, reg *check.Registry, cases []Case, each func(t *testing.T, c Case, out check.Outcome)) {
	t.Helper()
	var cov Coverage
	for _, c := range cases {
		// The expectation counts, not the result: a case that misses its
		// status already fails on its own.
		cov.Saw(c.ID, c.Want)
		t.Run(c.name(), func(t *testing.T) {
			out := c.Run(t, reg)
			if each != nil {
				each(t, c, out)
			}
		})
	}
	cov.RequirePassAndFail(t, reg)
}

// NoLeak fails t when a finding shows any of the secret values. Findings are
// searched both as JSON (what reports carry) and as Go text, because JSON
// escapes quotes and angle brackets that a value may contain.
func NoLeak(t testing.TB, fs []verdict.Finding, secrets ...string) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(fs)
	text := buf.String() + fmt.Sprintf("%+v", fs)
	for i, s := range secrets {
		// Named by position so that the test log does not repeat the value.
		if s != "" && strings.Contains(text, s) {
			t.Errorf("secret value #%d of NoLeak's list shows in the findings", i+1)
		}
	}
}

// Show renders findings for a failure message.
func Show(fs []verdict.Finding) string {
	b, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		return fmt.Sprintf("%+v", fs)
	}
	return string(b)
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
