// Package e2e runs golive the way a user does — the `golive` command line over
// the example repositories and against real services on loopback — and
// measures how much of the seed checklists it decides. It holds tests only.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"golive.dev/golive/internal/cli"
	"golive.dev/golive/internal/verdict"
)

// TestMain keeps the test services' own log lines (TLS handshakes the bad
// service refuses on purpose) out of the output.
func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// seedPacks are the built-in packs written from the five seed checklists.
var seedPacks = []string{"mpl-proxy", "eventcore", "acton-service", "agent-framework", "generic"}

// repoRoot is the repository root, so tests can name example paths the way
// a user at the root would.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

type result struct {
	code           int
	stdout, stderr string
}

// golive runs the command line in-process, as `golive ARGS...` would.
func golive(t testing.TB, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), "e2e", args, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func readReport(t testing.TB, path string) *verdict.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	var r verdict.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("parse report %s: %v", path, err)
	}
	return &r
}

// inventory maps every seed-inventory id to its primary verify kind. The
// inventory lives beside the repository (../shared); testdata holds the same
// id -> kind pairs so the tests also run from a lone clone, and the two are
// compared whenever both exist.
func inventory(t testing.TB) map[string]string {
	t.Helper()
	local := map[string]string{}
	data, err := os.ReadFile(filepath.Join("testdata", "inventory-verify.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &local); err != nil {
		t.Fatalf("testdata/inventory-verify.json: %v", err)
	}
	shared, err := os.ReadFile(filepath.Join(repoRoot(t), "..", "shared", "seed-inventory.json"))
	if err != nil {
		return local
	}
	var entries []struct {
		ID     string `json:"id"`
		Verify string `json:"verify"`
	}
	if err := json.Unmarshal(shared, &entries); err != nil {
		t.Fatalf("seed-inventory.json: %v", err)
	}
	fromShared := map[string]string{}
	for _, e := range entries {
		fromShared[e.ID] = e.Verify
	}
	if !reflect.DeepEqual(fromShared, local) {
		t.Fatalf("testdata/inventory-verify.json is stale against ../shared/seed-inventory.json: regenerate it (id -> verify)")
	}
	return fromShared
}

// itemKind is the verify kind of an item's refs. Every seed pack item refers
// to inventory lines of one kind; a mix is reported so the test's premise
// does not silently break.
func itemKind(t testing.TB, inv map[string]string, pack string, it verdict.ItemResult) string {
	t.Helper()
	kind := ""
	for _, r := range it.Refs {
		k, ok := inv[r]
		if !ok {
			t.Errorf("%s %s: ref %q is not in the seed inventory", pack, it.ID, r)
			continue
		}
		if kind != "" && k != kind {
			t.Errorf("%s %s: refs mix verify kinds %s and %s", pack, it.ID, kind, k)
		}
		kind = k
	}
	return kind
}

func decided(s verdict.Status) bool {
	return s == verdict.Pass || s == verdict.Fail || s == verdict.NA
}

// coverage is what one pack run decided among the items of some verify kinds.
type coverage struct {
	automated, decided, manual int
	undecided                  []string // "item (status): message", not excepted
}

// measure counts, among the items whose kind satisfies want, how many are
// automated and decided; exceptions name items allowed to stay undecided,
// and an exception that no longer applies is an error, so the list stays
// honest.
func measure(t *testing.T, inv map[string]string, rep *verdict.Report, want func(kind string) bool, exceptions map[string]string) coverage {
	t.Helper()
	var c coverage
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			if !want(itemKind(t, inv, p.Name, it)) {
				continue
			}
			if !it.Automated {
				c.manual++
				continue
			}
			c.automated++
			_, excepted := exceptions[it.ID]
			if decided(it.Status) {
				c.decided++
				if excepted {
					t.Errorf("%s: exception for %s no longer needed (it is %s): drop it", p.Name, it.ID, it.Status)
				}
				continue
			}
			if !excepted {
				c.undecided = append(c.undecided, fmt.Sprintf("%s (%s): %s", it.ID, it.Status, firstLine(it.Message)))
			}
		}
	}
	for id := range exceptions {
		if !hasItem(rep, id) {
			t.Errorf("exception for unknown item %s", id)
		}
	}
	sort.Strings(c.undecided)
	return c
}

func hasItem(rep *verdict.Report, id string) bool {
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			if it.ID == id {
				return true
			}
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 240 {
		s = s[:240] + "…"
	}
	return s
}

func item(t testing.TB, rep *verdict.Report, id string) verdict.ItemResult {
	t.Helper()
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			if it.ID == id {
				return it
			}
		}
	}
	t.Fatalf("no item %s in the report", id)
	return verdict.ItemResult{}
}
