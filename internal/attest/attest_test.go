package attest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)

func TestParseExpiry(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{"90d", "2027-02-20", ""},
		{"2w", "2026-12-06", ""},
		{"6m", "2027-05-22", ""},
		{"1y", "2027-11-22", ""},
		{"2026-12-31", "2026-12-31", ""},
		{"2026-11-22", "2026-11-22", ""}, // counts through today
		{"2026-11-21", "", "already past"},
		{"0d", "", "positive"},
		{"soon", "", "want a span"},
		{"", "", "want a span"},
	}
	for _, c := range cases {
		got, err := ParseExpiry(c.in, now)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("%q: %v %v, want %s", c.in, got, err, c.want)
		}
	}
}

func TestExpiredAtIsEndOfDay(t *testing.T) {
	d, _ := ParseDate("2026-11-22")
	if d.ExpiredAt(now) {
		t.Error("a date expires only after its day ends")
	}
	if !d.ExpiredAt(now.Add(10 * time.Hour)) {
		t.Error("the next day it has expired")
	}
}

func write(t *testing.T, root, name, body string) {
	t.Helper()
	p := filepath.Join(root, Dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsWithFileAndLine(t *testing.T) {
	cases := []struct {
		name, file, body, want string
	}{
		{"waiver without reason", WaiversFile, "waivers:\n  - item: a/b\n    expires: 2027-01-01\n", "waivers.yaml:2: waiver of a/b needs a reason"},
		{"waiver without expiry", WaiversFile, "waivers:\n  - item: a/b\n    reason: r\n", "waivers.yaml:2: waiver of a/b needs an expiry"},
		{"unknown field", WaiversFile, "waivers:\n  - item: a/b\n    reason: r\n    expires: 2027-01-01\n    approver: x\n", "waivers.yaml:5: unknown field approver"},
		{"bad date", AttestationsFile, "attestations:\n  - item: a\n    by: x\n    evidence: https://x\n    expires: next week\n", "attestations.yaml"},
		{"attestation without evidence", AttestationsFile, "attestations:\n  - item: a\n    by: x\n    expires: 2027-01-01\n", "attestations.yaml:2: attestation of a needs evidence"},
		{"syntax", AttestationsFile, "attestations: [\n", "attestations.yaml:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, c.file, c.body)
			_, err := Load(root)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestAddKeepsEntriesAndHashesEvidence(t *testing.T) {
	root := t.TempDir()
	ev := filepath.Join(root, "drill.md")
	os.WriteFile(ev, []byte("restore took 14 minutes\n"), 0o644)
	sum, err := FileSHA256(ev)
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := ParseDate("2027-01-01")
	for _, item := range []string{"dr/drill", "ops/on-call"} {
		if _, err := AddAttestation(root, Attestation{Item: item, By: "alice", At: now, Expires: exp, Evidence: "drill.md", SHA256: sum}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := AddWaiver(root, Waiver{Item: "x/y", Reason: ""}); err == nil {
		t.Error("a waiver without a reason was written")
	}
	s, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Attestations) != 2 || s.Attestations[0].Line == 0 {
		t.Fatalf("attestations %+v", s.Attestations)
	}
	a, st, ok := s.AttestationFor("any", "dr/drill", now)
	if !ok || !st.Valid || a.By != "alice" {
		t.Fatalf("attestation not valid: %+v %+v", a, st)
	}
	os.WriteFile(ev, []byte("restore took 3 hours\n"), 0o644)
	if _, st, _ := s.AttestationFor("any", "dr/drill", now); st.Valid || !strings.Contains(st.Reason, "changed") {
		t.Errorf("changed evidence still valid: %+v", st)
	}
	os.Remove(ev)
	if _, st, _ := s.AttestationFor("any", "dr/drill", now); st.Valid || !strings.Contains(st.Reason, "gone") {
		t.Errorf("missing evidence still valid: %+v", st)
	}
}

func TestWaiverMatches(t *testing.T) {
	w := Waiver{Item: "rel/replicas", Pack: "default", Object: "Deployment/prod/api"}
	cases := []struct {
		pack, item, object string
		want               bool
	}{
		{"default", "rel/replicas", "Deployment/prod/api", true},
		{"default", "rel/replicas", "deployment/prod/api", true},
		{"default", "rel/replicas", "Deployment/prod/web", false},
		{"mpl-proxy", "rel/replicas", "Deployment/prod/api", false},
		{"default", "rel/pdb", "Deployment/prod/api", false},
	}
	for _, c := range cases {
		if got := w.Matches(c.pack, c.item, c.object); got != c.want {
			t.Errorf("%+v: %v", c, got)
		}
	}
	if !(Waiver{Item: "rel/replicas"}).Matches("any", "rel/replicas", "Deployment/x/y") {
		t.Error("a waiver without object covers every object")
	}
}

// FuzzLoad feeds arbitrary bytes as both .golive files: Load must return a
// store or an error naming the file, never panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("waivers:\n  - item: a/b\n    reason: r\n    expires: 2027-01-01\n"), []byte("attestations:\n  - {item: a, by: x, evidence: y, expires: 2027-01-01}\n"))
	f.Add([]byte("waivers: {}"), []byte("- - -"))
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, w, a []byte) {
		write(t, root, WaiversFile, string(w))
		write(t, root, AttestationsFile, string(a))
		s, err := Load(root)
		if err == nil && s == nil {
			t.Fatal("nil store without error")
		}
		if err != nil && !strings.Contains(err.Error(), Dir) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
