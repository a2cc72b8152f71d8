package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

var healthyWords = []string{"ok", "healthy", "up", "pass", "passing", "true", "ready", "green", "available", "serving"}

func registerEndpoints(r *check.Registry) {
	r.Register(check.Check{
		ID:    "http/health",
		Title: "Health endpoint answers as expected",
		Description: "GETs the health (or readiness) path and expects the status given (200 by default). " +
			"With json, checks fields of the JSON body (\"status: ok|healthy\"); with components, the body must " +
			"mention each dependency (database, redis, ...); with componentsHealthy, every object in the body " +
			"that carries a status field must report a healthy value.",
		Needs: needs,
		Params: []check.Param{pathParam("/health", "health path"), pPort, pTarget,
			{Name: "expectStatus", Type: check.String, Default: "200", Description: "expected status: 200, 2xx or a comma list"},
			{Name: "json", Type: check.Map, Description: "JSON field (dotted path) -> expected value; \"a|b\" any of, \"*\" present, \"nonempty\""},
			{Name: "components", Type: check.Strings, Description: "dependencies the body must report, e.g. [database, redis, nats]"},
			{Name: "componentsHealthy", Type: check.Bool, Default: false, Description: "every status field in the body must be healthy"},
			{Name: "healthyValues", Type: check.Strings, Default: healthyWords, Description: "values that count as healthy"},
			{Name: "maxLatency", Type: check.Duration, Default: "0s", Description: "slowest acceptable answer; 0 ignores time"},
		},
		Run: runHealth,
	})
	r.Register(check.Check{
		ID:    "http/probes-distinct",
		Title: "Liveness and readiness are separate endpoints",
		Description: "The liveness path answers 2xx and the readiness path is a different path that exists " +
			"(any status but 404/405: a 503 while not ready is fine).",
		Needs: needs,
		Params: []check.Param{pPort, pTarget,
			{Name: "livenessPath", Type: check.String, Default: "/health"},
			{Name: "readinessPath", Type: check.String, Default: "/ready"},
		},
		Run: runProbesDistinct,
	})
	r.Register(check.Check{
		ID:    "http/request",
		Title: "An endpoint answers a request as expected",
		Description: "Sends one request (method, path, body, headers; with auth the --token) and checks the " +
			"status, the latency and JSON fields of the answer. For smoke tests such as \"POST /api/chat " +
			"returns 200 within 5s\". The body sent is never written to a report.",
		Needs: needs,
		Params: []check.Param{pathParam("/", "request path, with query if any"), pPort, pTarget,
			{Name: "method", Type: check.String, Default: "GET"},
			{Name: "body", Type: check.String, Default: "", Description: "request body"},
			{Name: "contentType", Type: check.String, Default: "application/json"},
			{Name: "headers", Type: check.Map, Description: "extra request headers"},
			{Name: "auth", Type: check.Bool, Default: false, Description: "send --token and --header values; unverified without --token"},
			{Name: "expectStatus", Type: check.String, Default: "2xx"},
			{Name: "maxLatency", Type: check.Duration, Default: "0s", Description: "slowest acceptable answer; 0 ignores time"},
			{Name: "json", Type: check.Map, Description: "JSON field -> expected value (see http/health)"},
			{Name: "bodyContains", Type: check.String, Default: "", Description: "text the body must contain"},
			{Name: "requireHeaders", Type: check.Strings, Description: "response headers that must be present"},
		},
		Run: runRequest,
	})
	r.Register(check.Check{
		ID:          "http/endpoints",
		Title:       "Listed endpoints answer with the expected status",
		Description: "Sends one request per listed path and expects each to answer with expectStatus.",
		Needs:       needs,
		Params: []check.Param{pPort, pTarget,
			{Name: "paths", Type: check.Strings, Required: true, Description: "paths to call"},
			{Name: "method", Type: check.String, Default: "GET"},
			{Name: "auth", Type: check.Bool, Default: false},
			{Name: "expectStatus", Type: check.String, Default: "2xx"},
		},
		Run: runEndpoints,
	})
	r.Register(check.Check{
		ID:          "http/reachable",
		Title:       "The service's hostname resolves and it answers",
		Description: "Resolves the target's hostname and expects an HTTP answer below 500 on path.",
		Needs:       needs,
		Params:      []check.Param{pathParam("/", "path to request"), pPort, pTarget},
		Run:         runReachable,
	})
}

func runHealth(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	want, err := StatusMatcher(p.String("expectStatus"))
	if err != nil {
		return nil, err
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		var problems []string
		if !want(r.Status) {
			problems = append(problems, fmt.Sprintf("status %d, want %s", r.Status, p.String("expectStatus")))
		}
		if max := p.Duration("maxLatency"); max > 0 && r.Exchange.DurationMs > float64(max.Milliseconds()) {
			problems = append(problems, fmt.Sprintf("answered in %.0f ms, above %s", r.Exchange.DurationMs, max))
		}
		fails, jerr := checkJSON(r.Body, p.Map("json"))
		if jerr != nil {
			problems = append(problems, jerr.Error())
		}
		problems = append(problems, fails...)
		if comps := p.Strings("components"); len(comps) > 0 {
			problems = append(problems, missingComponents(r.Body, comps)...)
		}
		if p.Bool("componentsHealthy") {
			problems = append(problems, unhealthy(r.Body, p.Strings("healthyValues"))...)
		}
		ev := map[string]any{"body": probe.BodyHead(r.Body)}
		if len(problems) > 0 {
			return []verdict.Finding{finding(verdict.Fail, r, strings.Join(problems, "; "), ev)}, nil
		}
		return []verdict.Finding{finding(verdict.Pass, r, fmt.Sprintf("%s answered %d", p.String("path"), r.Status), ev)}, nil
	})
}

// missingComponents returns the components the body does not mention: as a
// JSON key or value anywhere, or as a word in a text body.
func missingComponents(body []byte, comps []string) []string {
	var doc any
	var words []string
	if json.Unmarshal(body, &doc) == nil {
		collectWords(doc, &words)
	} else {
		words = strings.Fields(strings.ToLower(string(body)))
	}
	var out []string
	for _, c := range comps {
		found := false
		for _, w := range words {
			if strings.Contains(w, strings.ToLower(c)) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, fmt.Sprintf("body does not report %q", c))
		}
	}
	return out
}

func collectWords(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			*out = append(*out, strings.ToLower(k))
			collectWords(val, out)
		}
	case []any:
		for _, val := range x {
			collectWords(val, out)
		}
	case string:
		*out = append(*out, strings.ToLower(x))
	}
}

// unhealthy walks a JSON body and reports every status-like field whose
// value is not a healthy word.
func unhealthy(body []byte, healthy []string) []string {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return []string{"body is not JSON, cannot read component statuses"}
	}
	var out []string
	seen := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				val := x[k]
				lk := strings.ToLower(k)
				if lk == "status" || lk == "state" || lk == "healthy" || lk == "health" {
					if s, ok := val.(string); ok || isBool(val) {
						seen++
						if !ok {
							s = fmt.Sprint(val)
						}
						if !containsFold(healthy, s) {
							out = append(out, fmt.Sprintf("%s%s is %q", path, k, s))
						}
						continue
					}
				}
				walk(path+k+".", val)
			}
		case []any:
			for i, val := range x {
				walk(fmt.Sprintf("%s%d.", path, i), val)
			}
		}
	}
	walk("", doc)
	if seen == 0 {
		out = append(out, "body reports no component status")
	}
	return out
}

func isBool(v any) bool { _, ok := v.(bool); return ok }

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

func runProbesDistinct(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	live, ready := p.String("livenessPath"), p.String("readinessPath")
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if strings.TrimRight(live, "/") == strings.TrimRight(ready, "/") {
			return []verdict.Finding{{Status: verdict.Fail, Endpoint: t.URL.String(),
				Message: fmt.Sprintf("liveness and readiness use the same path %s", live)}}, nil
		}
		lr, err := pc.Do(ctx, t, probe.Request{Path: live, Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		rr, err := pc.Do(ctx, t, probe.Request{Path: ready, Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		ev := map[string]any{"liveness": lr.Exchange.Evidence(), "readiness": rr.Exchange.Evidence()}
		f := verdict.Finding{Endpoint: t.URL.String(), Evidence: ev}
		switch {
		case lr.Status < 200 || lr.Status > 299:
			f.Status, f.Message = verdict.Fail, fmt.Sprintf("liveness %s answered %d", live, lr.Status)
		case rr.Status == http.StatusNotFound || rr.Status == http.StatusMethodNotAllowed:
			f.Status, f.Message = verdict.Fail, fmt.Sprintf("readiness %s answered %d: no separate readiness endpoint", ready, rr.Status)
		default:
			f.Status, f.Message = verdict.Pass, fmt.Sprintf("liveness %s (%d) and readiness %s (%d) are separate", live, lr.Status, ready, rr.Status)
		}
		return []verdict.Finding{f}, nil
	})
}

func runRequest(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	want, err := StatusMatcher(p.String("expectStatus"))
	if err != nil {
		return nil, err
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if p.Bool("auth") && !pc.HasToken() {
			return nil, source.NotGiven(probe.FlagToken, "token for the authenticated request")
		}
		req := probe.Request{Method: strings.ToUpper(p.String("method")), Path: p.String("path"), Port: p.Int("port"),
			Auth: p.Bool("auth"), Header: http.Header{}}
		if b := p.String("body"); b != "" {
			req.Body = []byte(b)
			req.Header.Set("Content-Type", p.String("contentType"))
		}
		for k, v := range p.Map("headers") {
			req.Header.Set(k, fmt.Sprint(v))
		}
		if max := p.Duration("maxLatency"); max > 0 {
			req.Timeout = max + time.Second
			req.NoCache = true
		}
		r, err := pc.Do(ctx, t, req)
		if err != nil {
			return nil, err
		}
		var problems []string
		if !want(r.Status) {
			problems = append(problems, fmt.Sprintf("status %d, want %s", r.Status, p.String("expectStatus")))
		}
		if max := p.Duration("maxLatency"); max > 0 && r.Exchange.DurationMs > float64(max.Milliseconds()) {
			problems = append(problems, fmt.Sprintf("answered in %.0f ms, above %s", r.Exchange.DurationMs, max))
		}
		fails, jerr := checkJSON(r.Body, p.Map("json"))
		if jerr != nil {
			problems = append(problems, jerr.Error())
		}
		problems = append(problems, fails...)
		if s := p.String("bodyContains"); s != "" && !strings.Contains(string(r.Body), s) {
			problems = append(problems, fmt.Sprintf("body does not contain %q", s))
		}
		for _, h := range p.Strings("requireHeaders") {
			if r.Header.Get(h) == "" {
				problems = append(problems, fmt.Sprintf("no %s header", h))
			}
		}
		msg := fmt.Sprintf("%s %s answered %d in %.0f ms", req.Method, p.String("path"), r.Status, r.Exchange.DurationMs)
		if len(problems) > 0 {
			return []verdict.Finding{finding(verdict.Fail, r, msg+": "+strings.Join(problems, "; "), nil)}, nil
		}
		return []verdict.Finding{finding(verdict.Pass, r, msg, nil)}, nil
	})
}

func runEndpoints(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	want, err := StatusMatcher(p.String("expectStatus"))
	if err != nil {
		return nil, err
	}
	paths := p.Strings("paths")
	if len(paths) == 0 {
		return nil, fmt.Errorf("paths: give at least one path")
	}
	if len(paths) > 50 {
		return nil, fmt.Errorf("paths: %d paths, at most 50 per check", len(paths))
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if p.Bool("auth") && !pc.HasToken() {
			return nil, source.NotGiven(probe.FlagToken, "token for the authenticated requests")
		}
		var out []verdict.Finding
		for _, path := range paths {
			r, err := pc.Do(ctx, t, probe.Request{Method: strings.ToUpper(p.String("method")), Path: path,
				Port: p.Int("port"), Auth: p.Bool("auth")})
			if err != nil {
				return nil, err
			}
			out = append(out, finding(passIf(want(r.Status)), r,
				fmt.Sprintf("%s answered %d (want %s)", path, r.Status, p.String("expectStatus")), nil))
		}
		return out, nil
	})
}

func runReachable(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		host := t.URL.Hostname()
		ev := map[string]any{"host": host}
		if net.ParseIP(host) == nil {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			addrs, err := net.DefaultResolver.LookupHost(rctx, host)
			cancel()
			if err != nil {
				return []verdict.Finding{{Status: verdict.Fail, Endpoint: t.URL.String(),
					Message: fmt.Sprintf("%s does not resolve: %v", host, err), Evidence: ev}}, nil
			}
			ev["addresses"] = addrs
		}
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		return []verdict.Finding{finding(passIf(r.Status < 500), r,
			fmt.Sprintf("%s resolves and answered %d", host, r.Status), ev)}, nil
	})
}
