package http

import (
	nethttp "net/http"
	"net/http/httptest"
	"testing"

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
	good := source.Inputs{Targets: []source.Target{{Name: "good", URL: s.GoodHTTP.URL}}, Token: probetest.Token}
	bad := source.Inputs{Targets: []source.Target{{Name: "bad", URL: s.BadHTTP.URL}}, Token: probetest.Token}
	goodTLS := source.Inputs{Targets: []source.Target{{URL: s.GoodHTTPS.URL}}, CAFile: s.CA.PEMFile}
	badTLS := source.Inputs{Targets: []source.Target{{URL: s.BadValidTLS.URL}}, CAFile: s.CA.PEMFile}
	badCert := source.Inputs{Targets: []source.Target{{URL: s.BadHTTPS.URL}}, CAFile: s.CA.PEMFile}
	noToken := source.Inputs{Targets: good.Targets}
	// A metrics endpoint answering 200 with nothing in it.
	emptySrv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {}))
	t.Cleanup(emptySrv.Close)
	empty := source.Inputs{Targets: []source.Target{{Name: "empty", URL: emptySrv.URL}}}
	t.Setenv("GOLIVE_LOW_PRIVILEGE_TOKEN", probetest.LowToken)

	type tc struct {
		id     string
		in     source.Inputs
		params map[string]any
		want   verdict.Status
	}
	health := map[string]any{"json": map[string]any{"status": "ok|healthy"}, "components": []any{"database", "redis", "nats"}, "componentsHealthy": true}
	auth := map[string]any{"path": "/api/protected"}
	cases := []tc{
		{"http/health", good, health, verdict.Pass},
		{"http/health", bad, health, verdict.Fail},
		{"http/health", good, map[string]any{"path": "/health/ready"}, verdict.Pass},
		{"http/health", bad, map[string]any{"path": "/ready"}, verdict.Fail},
		{"http/probes-distinct", good, nil, verdict.Pass},
		{"http/probes-distinct", bad, nil, verdict.Fail},
		{"http/request", good, map[string]any{"method": "POST", "path": "/api/chat", "body": `{"message":"Hello"}`, "maxLatency": "5s", "json": map[string]any{"reply": "nonempty"}}, verdict.Pass},
		{"http/request", bad, map[string]any{"method": "POST", "path": "/api/chat", "body": `{"message":"Hello"}`, "json": map[string]any{"reply": "nonempty"}}, verdict.Fail},
		{"http/request", good, map[string]any{"path": "/api/protected", "auth": true}, verdict.Pass},
		{"http/request", noToken, map[string]any{"path": "/api/protected", "auth": true}, verdict.Unverified},
		{"http/endpoints", good, map[string]any{"paths": []any{"/health", "/api/v1/things"}}, verdict.Pass},
		{"http/endpoints", bad, map[string]any{"paths": []any{"/health", "/ready"}}, verdict.Fail},
		{"http/reachable", good, nil, verdict.Pass},
		{"http/reachable", bad, map[string]any{"path": "/nope"}, verdict.Fail},
		{"http/metrics", good, map[string]any{"required": []any{"eventcore_commands_total", "eventcore_command_duration_seconds", "eventcore_events_written_total", "eventcore_active_streams", "eventcore_projection_lag_seconds"}, "anyOf": map[string]any{"in-flight": "gauge:in_flight"}}, verdict.Pass},
		{"http/metrics", bad, map[string]any{"required": []any{"eventcore_commands_total"}}, verdict.Fail},
		{"http/metrics-red", good, map[string]any{"requireErrors": true}, verdict.Pass},
		{"http/metrics-red", bad, nil, verdict.Fail},
		{"http/metrics-cardinality", good, nil, verdict.Pass},
		{"http/metrics", empty, nil, verdict.Fail},
		{"http/metrics-cardinality", empty, nil, verdict.Fail},
		{"http/metrics-cardinality", bad, nil, verdict.Fail},
		{"http/metrics-cardinality", bad, map[string]any{"maxSeries": 20, "maxIDLikeValues": 0}, verdict.Fail},
		{"http/security-headers", goodTLS, nil, verdict.Pass},
		{"http/security-headers", badTLS, nil, verdict.Fail},
		{"http/security-headers", good, map[string]any{"require": []any{"hsts"}}, verdict.Unverified},
		// An http:// target redirecting to HTTPS is judged on the HTTPS answer.
		{"http/security-headers", source.Inputs{Targets: []source.Target{{URL: s.GoodRedirect.URL}}, CAFile: s.CA.PEMFile}, map[string]any{"require": []any{"hsts"}}, verdict.Pass},
		{"http/security-headers", bad, map[string]any{"require": []any{"csp", "nosniff", "frame", "referrer", "no-version-leak"}}, verdict.Fail},
		// An invalid certificate is no HTTP answer: unverified here, failed by tls/certificate.
		{"http/security-headers", badCert, nil, verdict.Unverified},
		{"http/cors", good, map[string]any{"allowedOrigins": []any{"https://app.example.com"}}, verdict.Pass},
		{"http/cors", bad, nil, verdict.Fail},
		{"http/cors", good, map[string]any{"path": "/no-such-route"}, verdict.Unverified},
		{"http/compression", good, nil, verdict.Pass},
		{"http/compression", bad, nil, verdict.Fail},
		{"http/request-id", good, nil, verdict.Pass},
		{"http/request-id", bad, nil, verdict.Fail},
		{"http/traceparent", good, nil, verdict.Pass},
		{"http/traceparent", bad, nil, verdict.Fail},
		{"http/traceparent", source.Inputs{Targets: []source.Target{{URL: s.GoodRedirect.URL}}}, map[string]any{"path": "/nope"}, verdict.Unverified},
		{"http/cdn", good, nil, verdict.Pass},
		{"http/cdn", bad, nil, verdict.Fail},
		{"http/deprecation", good, map[string]any{"paths": []any{"/api/v1/items"}}, verdict.Pass},
		{"http/deprecation", bad, map[string]any{"paths": []any{"/api/v1/items"}}, verdict.Fail},
		{"http/deprecation", good, nil, verdict.Unverified},
		{"http/auth", good, auth, verdict.Pass},
		{"http/auth", bad, auth, verdict.Fail},
		{"http/auth", noToken, auth, verdict.Unverified},
		{"http/auth", noToken, map[string]any{"path": "/api/protected", "requireTokenSuccess": false}, verdict.Pass},
		{"http/auth", source.Inputs{Targets: good.Targets}, nil, verdict.Unverified}, // no --protected-path
		{"http/authz", good, auth, verdict.Pass},
		{"http/authz", bad, auth, verdict.Fail},
		{"http/rate-limit", good, map[string]any{"path": "/api/limited", "count": 20}, verdict.Pass},
		{"http/rate-limit", bad, map[string]any{"path": "/api/limited", "count": 20}, verdict.Fail},
		{"http/body-limit", good, map[string]any{"path": "/api/echo", "size": 2 << 20}, verdict.Pass},
		{"http/body-limit", bad, map[string]any{"path": "/api/echo", "size": 2 << 20}, verdict.Fail},
		{"http/not-found", good, nil, verdict.Pass},
		{"http/not-found", bad, nil, verdict.Fail},
		{"http/debug-endpoints", good, nil, verdict.Pass},
		{"http/debug-endpoints", bad, nil, verdict.Fail},
		{"http/debug-endpoints", good, map[string]any{"paths": []any{}}, verdict.Error},
		{"http/bad-input", good, map[string]any{"path": "/api/echo", "requireJSONError": true}, verdict.Pass},
		{"http/bad-input", bad, map[string]any{"path": "/api/echo"}, verdict.Fail},
		{"http/bad-input", good, nil, verdict.Unverified},
	}
	var table []checktest.Case
	for _, c := range cases {
		table = append(table, checktest.Case{Name: c.id + "/" + c.in.Targets[0].Name + "/" + string(c.want), ID: c.id,
			Inputs: c.in, With: c.params, Want: c.want})
	}
	checktest.Table(t, r, table, func(t *testing.T, c checktest.Case, out check.Outcome) {
		checktest.NoLeak(t, out.Findings, probetest.Token, probetest.LowToken)
	})
}

func TestUnreachableAndMissing(t *testing.T) {
	r := check.NewRegistry()
	Register(r)
	for _, c := range r.All() {
		params := map[string]any{}
		for _, p := range c.Params {
			if p.Required {
				params[p.Name] = []any{"/x"}
			}
		}
		if c.ID == "http/bad-input" || c.ID == "http/auth" || c.ID == "http/authz" || c.ID == "http/deprecation" {
			params["path"] = "/x"
			if c.ID == "http/deprecation" {
				params = map[string]any{"paths": []any{"/x"}}
			}
		}
		t.Run(c.ID, func(t *testing.T) {
			// No target at all.
			if out := checktest.Run(t, r, c.ID, source.Inputs{}, params); out.Status != verdict.Unverified {
				t.Errorf("no target: %s %v", out.Status, out.Findings)
			}
			// A closed port.
			t.Setenv("GOLIVE_LOW_PRIVILEGE_TOKEN", "x")
			in := source.Inputs{Targets: []source.Target{{URL: "http://127.0.0.1:1"}}, Token: "t"}
			if out := checktest.Run(t, r, c.ID, in, params); out.Status != verdict.Unverified {
				t.Errorf("unreachable: %s %v", out.Status, out.Findings)
			}
		})
	}
}
