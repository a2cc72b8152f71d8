package tls

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe/probetest"
	"golive.dev/golive/internal/verdict"
)

func run(t *testing.T, r *check.Registry, id string, in source.Inputs, raw map[string]any) (verdict.Status, []verdict.Finding) {
	t.Helper()
	c, ok := r.Lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	p, err := c.Resolve(raw)
	if err != nil {
		t.Fatalf("%s params: %v", id, err)
	}
	fs, err := c.Run(context.Background(), source.NewEnv(in), p)
	if err != nil {
		if _, ok := source.AsMissing(err); ok {
			return verdict.Unverified, []verdict.Finding{{Status: verdict.Unverified, Message: err.Error()}}
		}
		return verdict.Error, []verdict.Finding{{Status: verdict.Error, Message: err.Error()}}
	}
	if len(fs) == 0 {
		return verdict.Unverified, nil
	}
	st := make([]verdict.Status, len(fs))
	for i, f := range fs {
		st[i] = f.Status
	}
	return verdict.Combine(st...), fs
}

func TestChecks(t *testing.T) {
	s := probetest.Start(t)
	r := check.NewRegistry()
	Register(r)
	good := source.Inputs{Targets: []source.Target{{Name: "good", URL: s.GoodHTTPS.URL}}, CAFile: s.CA.PEMFile}
	bad := source.Inputs{Targets: []source.Target{{Name: "bad", URL: s.BadHTTPS.URL}}, CAFile: s.CA.PEMFile}
	noCA := source.Inputs{Targets: good.Targets}
	plain := source.Inputs{Targets: []source.Target{{Name: "plain", URL: s.GoodHTTP.URL}}}
	redirect := source.Inputs{Targets: []source.Target{{Name: "redirect", URL: s.GoodRedirect.URL}}}
	type tc struct {
		id     string
		in     source.Inputs
		params map[string]any
		want   verdict.Status
	}
	cases := []tc{
		{"tls/min-version", good, nil, verdict.Pass},
		{"tls/min-version", bad, nil, verdict.Fail},
		{"tls/certificate", good, map[string]any{"failDays": 30, "warnDays": 60}, verdict.Pass},
		{"tls/certificate", bad, nil, verdict.Fail},
		{"tls/certificate", noCA, nil, verdict.Fail},
		{"tls/certificate", good, map[string]any{"failDays": 300}, verdict.Fail},
		{"tls/ciphers", good, nil, verdict.Pass},
		{"tls/ciphers", bad, nil, verdict.Fail},
		{"tls/ciphers", plain, nil, verdict.Unverified},
		{"tls/http-redirect", redirect, nil, verdict.Pass},
		{"tls/http-redirect", plain, nil, verdict.Fail},
		{"tls/http-redirect", good, map[string]any{"httpPort": probetest.Port(s.GoodRedirect)}, verdict.Pass},
		{"tls/http-redirect", good, map[string]any{"httpPort": probetest.Port(s.GoodHTTP)}, verdict.Fail},
	}
	seen := map[string]map[verdict.Status]bool{}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d-%s-%s", i, c.id, c.want), func(t *testing.T) {
			got, fs := run(t, r, c.id, c.in, c.params)
			if got != c.want {
				b, _ := json.MarshalIndent(fs, "", "  ")
				t.Errorf("%s = %s, want %s\n%s", c.id, got, c.want, b)
			}
		})
		if seen[c.id] == nil {
			seen[c.id] = map[verdict.Status]bool{}
		}
		seen[c.id][c.want] = true
	}
	for _, c := range r.All() {
		if !seen[c.ID][verdict.Pass] || !seen[c.ID][verdict.Fail] {
			t.Errorf("%s needs a passing and a failing case", c.ID)
		}
	}
}

func TestUnreachable(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	for _, c := range r.All() {
		t.Run(c.ID, func(t *testing.T) {
			if got, _ := run(t, r, c.ID, source.Inputs{}, nil); got != verdict.Unverified {
				t.Errorf("no target: %s", got)
			}
			in := source.Inputs{Targets: []source.Target{{URL: "https://127.0.0.1:1"}}, Now: time.Now()}
			if got, fs := run(t, r, c.ID, in, map[string]any{}); got != verdict.Unverified {
				t.Errorf("unreachable: %s %v", got, fs)
			}
		})
	}
}
