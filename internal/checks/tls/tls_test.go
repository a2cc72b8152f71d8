package tls

import (
	"fmt"
	"testing"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/check/checktest"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe/probetest"
	"golive.dev/golive/internal/verdict"
)

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
	var table []checktest.Case
	for i, c := range cases {
		table = append(table, checktest.Case{Name: fmt.Sprintf("%d-%s-%s", i, c.id, c.want), ID: c.id, Inputs: c.in, With: c.params, Want: c.want})
	}
	checktest.Table(t, r, table, nil)
}

func TestUnreachable(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	for _, c := range r.All() {
		t.Run(c.ID, func(t *testing.T) {
			if out := checktest.Run(t, r, c.ID, source.Inputs{}, nil); out.Status != verdict.Unverified {
				t.Errorf("no target: %s", out.Status)
			}
			in := source.Inputs{Targets: []source.Target{{URL: "https://127.0.0.1:1"}}, Now: time.Now()}
			if out := checktest.Run(t, r, c.ID, in, map[string]any{}); out.Status != verdict.Unverified {
				t.Errorf("unreachable: %s %v", out.Status, out.Findings)
			}
		})
	}
}
