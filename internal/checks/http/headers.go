package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

var allSecurityHeaders = []string{"hsts", "csp", "nosniff", "frame", "referrer", "no-version-leak"}

func registerHeaders(r *check.Registry) {
	r.Register(check.Check{
		ID:    "http/security-headers",
		Title: "Responses carry the security headers",
		Description: "GETs path and checks, per name in require: hsts (Strict-Transport-Security with max-age of " +
			"at least hstsMinAge, over HTTPS), csp (Content-Security-Policy), nosniff (X-Content-Type-Options: " +
			"nosniff), frame (X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors), referrer (Referrer-Policy) " +
			"and no-version-leak (Server/X-Powered-By without a version number).",
		Needs: needs,
		Params: []check.Param{pathParam("/", "path to request"), pPort, pTarget,
			{Name: "require", Type: check.Strings, Default: allSecurityHeaders, Description: "subset of " + strings.Join(allSecurityHeaders, ", ")},
			{Name: "hstsMinAge", Type: check.Duration, Default: "4320h", Description: "least HSTS max-age (180 days)"},
		},
		Run: runSecurityHeaders,
	})
	r.Register(check.Check{
		ID:    "http/cors",
		Title: "CORS refuses foreign origins",
		Description: "Sends a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) and a plain " +
			"GET from foreignOrigin: neither may be answered with that origin or * in Access-Control-Allow-Origin " +
			"(* is tolerated with allowWildcard, never together with credentials). Origins in allowedOrigins, " +
			"when given, must be allowed.",
		Needs: needs,
		Params: []check.Param{pathParam("/", "path to request"), pPort, pTarget,
			{Name: "foreignOrigin", Type: check.String, Default: "https://golive-cors-probe.invalid"},
			{Name: "allowedOrigins", Type: check.Strings, Description: "origins that must be allowed"},
			{Name: "allowWildcard", Type: check.Bool, Default: false, Description: "accept * without credentials (public APIs)"},
			{Name: "method", Type: check.String, Default: "POST", Description: "method asked for in the preflight"},
		},
		Run: runCORS,
	})
	r.Register(check.Check{
		ID:          "http/compression",
		Title:       "Responses are compressed when the client accepts it",
		Description: "GETs path with Accept-Encoding listing encodings; the answer must carry one of them in Content-Encoding.",
		Needs:       needs,
		Params: []check.Param{pathParam("/", "a path with a compressible answer"), pPort, pTarget,
			{Name: "encodings", Type: check.Strings, Default: []string{"gzip", "br", "zstd", "deflate"}},
		},
		Run: runCompression,
	})
	r.Register(check.Check{
		ID:    "http/request-id",
		Title: "Request ids are returned and propagated",
		Description: "Sends a request with a fresh value in each header of headers; each must come back in the " +
			"response, with the same value when echo is set (else any value: the service generates one).",
		Needs: needs,
		Params: []check.Param{pathParam("/", "path to request"), pPort, pTarget,
			{Name: "headers", Type: check.Strings, Default: []string{"X-Request-Id"}},
			{Name: "echo", Type: check.Bool, Default: true, Description: "the supplied value must come back unchanged"},
			{Name: "anyOf", Type: check.Bool, Default: false, Description: "one of the headers is enough"},
		},
		Run: runRequestID,
	})
	r.Register(check.Check{
		ID:    "http/traceparent",
		Title: "W3C trace context is propagated",
		Description: "Sends a W3C traceparent with a fresh trace id; passes when the response carries that trace " +
			"id (traceparent, traceresponse or any header). When it does not, propagation cannot be seen from " +
			"outside: the finding is unverified and the tracing backend must show it. A traceparent or traceresponse " +
			"with another trace id fails: the service restarted the trace.",
		Needs:  needs,
		Params: []check.Param{pathParam("/", "path to request"), pPort, pTarget},
		Run:    runTraceparent,
	})
	r.Register(check.Check{
		ID:          "http/cdn",
		Title:       "Responses come through a CDN",
		Description: "GETs path and expects one of the headers a CDN adds (Via, X-Cache, CF-Ray, X-Amz-Cf-Id, X-Served-By, ...).",
		Needs:       needs,
		Params: []check.Param{pathParam("/", "path to request"), pPort, pTarget,
			{Name: "headers", Type: check.Strings, Default: []string{"Via", "X-Cache", "CF-Ray", "X-Amz-Cf-Id", "X-Served-By", "X-Fastly-Request-Id", "X-Akamai-Request-Id", "X-Azure-Ref", "X-CDN"}},
		},
		Run: runCDN,
	})
	r.Register(check.Check{
		ID:          "http/deprecation",
		Title:       "Deprecated API versions announce it",
		Description: "Each deprecated path must answer with a Deprecation or Sunset header (RFC 9745, RFC 8594).",
		Needs:       needs,
		Params: []check.Param{pPort, pTarget,
			{Name: "paths", Type: check.Strings, Description: "paths of deprecated API versions; without them the check cannot decide"},
			{Name: "auth", Type: check.Bool, Default: false},
		},
		Run: runDeprecation,
	})
}

var versionLeakRE = regexp.MustCompile(`\d+\.\d+`)

func runSecurityHeaders(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	req := p.Strings("require")
	for _, r := range req {
		if !containsFold(allSecurityHeaders, r) {
			return nil, fmt.Errorf("require: unknown header check %q (want %s)", r, strings.Join(allSecurityHeaders, ", "))
		}
	}
	minAge := p.Duration("hstsMinAge")
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		h := r.Header
		var out []verdict.Finding
		add := func(ok bool, msg string) { out = append(out, finding(passIf(ok), r, msg, nil)) }
		for _, name := range req {
			switch strings.ToLower(name) {
			case "hsts":
				v := h.Get("Strict-Transport-Security")
				// What matters is the answer's connection: an http:// target
				// that redirects to HTTPS is judged on the HTTPS answer.
				if r.TLS == nil {
					f := finding(verdict.Unverified, r, "HSTS only counts over HTTPS and the answer came over plain HTTP", nil)
					f.Hint = "--target https://..."
					out = append(out, f)
					continue
				}
				age, ok := hstsMaxAge(v)
				switch {
				case v == "":
					add(false, "no Strict-Transport-Security header")
				case !ok:
					add(false, fmt.Sprintf("Strict-Transport-Security %q has no valid max-age", v))
				default:
					add(age >= minAge, fmt.Sprintf("HSTS max-age %d days (want >= %d)", int(age.Hours()/24), int(minAge.Hours()/24)))
				}
			case "csp":
				v := h.Get("Content-Security-Policy")
				add(v != "", presentMsg("Content-Security-Policy", v))
			case "nosniff":
				v := h.Get("X-Content-Type-Options")
				add(strings.EqualFold(strings.TrimSpace(v), "nosniff"), fmt.Sprintf("X-Content-Type-Options %q (want nosniff)", v))
			case "frame":
				xfo := strings.ToUpper(strings.TrimSpace(h.Get("X-Frame-Options")))
				csp := strings.ToLower(h.Get("Content-Security-Policy"))
				ok := xfo == "DENY" || xfo == "SAMEORIGIN" || strings.Contains(csp, "frame-ancestors")
				add(ok, fmt.Sprintf("frame protection: X-Frame-Options %q, CSP frame-ancestors %t", xfo, strings.Contains(csp, "frame-ancestors")))
			case "referrer":
				v := h.Get("Referrer-Policy")
				ok := v != "" && !strings.Contains(strings.ToLower(v), "unsafe-url")
				add(ok, fmt.Sprintf("Referrer-Policy %q", v))
			case "no-version-leak":
				var leaks []string
				for _, hn := range []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Runtime-Version"} {
					v := h.Get(hn)
					if v != "" && (versionLeakRE.MatchString(v) || strings.HasPrefix(hn, "X-AspNet")) {
						leaks = append(leaks, hn+": "+v)
					}
				}
				if len(leaks) > 0 {
					add(false, "server version leaked: "+strings.Join(leaks, "; "))
				} else {
					add(true, "no server version in Server/X-Powered-By")
				}
			}
		}
		return out, nil
	})
}

func presentMsg(name, v string) string {
	if v == "" {
		return "no " + name + " header"
	}
	return name + " present"
}

// hstsMaxAge reads max-age from a Strict-Transport-Security value.
func hstsMaxAge(v string) (time.Duration, bool) {
	for _, d := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(d), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "max-age") {
			continue
		}
		n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
		if err != nil || n < 0 || n > 1<<40 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	return 0, false
}

func runCORS(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	foreign := p.String("foreignOrigin")
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		var out []verdict.Finding
		judge := func(r *probe.Response, kind, origin string, mustAllow bool) {
			acao := strings.TrimSpace(r.Header.Get("Access-Control-Allow-Origin"))
			creds := strings.EqualFold(strings.TrimSpace(r.Header.Get("Access-Control-Allow-Credentials")), "true")
			ev := map[string]any{"origin": origin}
			switch {
			case mustAllow:
				ok := acao == origin || (acao == "*" && !creds)
				out = append(out, finding(passIf(ok), r, fmt.Sprintf("%s from trusted %s: Access-Control-Allow-Origin %q", kind, origin, acao), ev))
			case acao == "*" && creds:
				out = append(out, finding(verdict.Fail, r, kind+": Access-Control-Allow-Origin * with credentials", ev))
			case acao == "*" && !p.Bool("allowWildcard"):
				out = append(out, finding(verdict.Fail, r, kind+": Access-Control-Allow-Origin * allows every origin", ev))
			case acao != "" && acao != "*" && strings.EqualFold(acao, origin):
				msg := kind + ": foreign origin " + origin + " is allowed"
				if creds {
					msg += " with credentials"
				}
				out = append(out, finding(verdict.Fail, r, msg, ev))
			default:
				out = append(out, finding(verdict.Pass, r, fmt.Sprintf("%s from foreign %s not allowed (Access-Control-Allow-Origin %q)", kind, origin, acao), ev))
			}
		}
		preflight := func(origin string) (*probe.Response, error) {
			return pc.Do(ctx, t, probe.Request{Method: http.MethodOptions, Path: p.String("path"), Port: p.Int("port"),
				Header: http.Header{"Origin": {origin}, "Access-Control-Request-Method": {strings.ToUpper(p.String("method"))},
					"Access-Control-Request-Headers": {"authorization,content-type"}}})
		}
		r, err := preflight(foreign)
		if err != nil {
			return nil, err
		}
		judge(r, "preflight", foreign, false)
		g, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port"), Header: http.Header{"Origin": {foreign}}})
		if err != nil {
			return nil, err
		}
		judge(g, "GET", foreign, false)
		if g.Status == http.StatusNotFound && len(p.Strings("allowedOrigins")) == 0 {
			// A missing route may lack the CORS handling the real routes have:
			// no header there shows nothing, an over-broad one still fails.
			failed := false
			for _, f := range out {
				failed = failed || f.Status == verdict.Fail
			}
			if !failed {
				f := finding(verdict.Unverified, g, fmt.Sprintf("%s answered 404: no CORS header on a missing route shows nothing", p.String("path")), nil)
				f.Hint = "the check's path parameter: a route of the API"
				return []verdict.Finding{f}, nil
			}
		}
		for _, o := range p.Strings("allowedOrigins") {
			r, err := preflight(o)
			if err != nil {
				return nil, err
			}
			judge(r, "preflight", o, true)
		}
		return out, nil
	})
}

func runCompression(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	encs := p.Strings("encodings")
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port"),
			Header: http.Header{"Accept-Encoding": {strings.Join(encs, ", ")}}})
		if err != nil {
			return nil, err
		}
		ce := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
		ok := ce != "" && containsFold(encs, ce)
		msg := fmt.Sprintf("Content-Encoding %q for Accept-Encoding %s", ce, strings.Join(encs, ", "))
		if !ok && r.Status != 200 {
			msg += fmt.Sprintf(" (status %d: choose a path that answers 200 with a body)", r.Status)
		}
		return []verdict.Finding{finding(passIf(ok), r, msg, nil)}, nil
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func runRequestID(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	hs := p.Strings("headers")
	if len(hs) == 0 {
		return nil, fmt.Errorf("headers: give at least one header name")
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		sent := http.Header{}
		for _, h := range hs {
			sent.Set(h, "golive-"+randomHex(8))
		}
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port"), Header: sent, NoCache: true})
		if err != nil {
			return nil, err
		}
		var out []verdict.Finding
		good := 0
		for _, h := range hs {
			got := r.Header.Get(h)
			ok := got != "" && (!p.Bool("echo") || got == sent.Get(h))
			msg := fmt.Sprintf("%s returned as sent", h)
			switch {
			case got == "":
				msg = fmt.Sprintf("no %s in the response", h)
			case !ok:
				msg = fmt.Sprintf("%s came back as %q, not the value sent (%q)", h, got, sent.Get(h))
			case !p.Bool("echo"):
				msg = fmt.Sprintf("%s present in the response", h)
			}
			if ok {
				good++
			}
			out = append(out, finding(passIf(ok), r, msg, map[string]any{"sent": sent.Get(h)}))
		}
		if p.Bool("anyOf") && good > 0 {
			for i := range out {
				if out[i].Status == verdict.Fail {
					out[i].Status = verdict.Pass
					out[i].Message += " (another header carries the id)"
				}
			}
		}
		return out, nil
	})
}

func runTraceparent(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		traceID := randomHex(16)
		tp := "00-" + traceID + "-" + randomHex(8) + "-01"
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port"),
			Header: http.Header{"Traceparent": {tp}}, NoCache: true})
		if err != nil {
			return nil, err
		}
		for k, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(strings.ToLower(v), traceID) {
					return []verdict.Finding{finding(verdict.Pass, r, fmt.Sprintf("trace id sent in traceparent came back in %s", k),
						map[string]any{"traceId": traceID})}, nil
				}
			}
		}
		for _, h := range []string{"Traceparent", "Traceresponse"} {
			if v := r.Header.Get(h); v != "" {
				return []verdict.Finding{finding(verdict.Fail, r, fmt.Sprintf("%s %q does not carry the trace id sent: the trace was restarted", h, truncate(v, 60)),
					map[string]any{"traceId": traceID})}, nil
			}
		}
		f := finding(verdict.Unverified, r, "the trace id sent in traceparent is not in any response header; check the tracing backend for it",
			map[string]any{"traceId": traceID})
		f.Hint = "a traceresponse header, or the tracing backend"
		return []verdict.Finding{f}, nil
	})
}

func runCDN(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		for _, h := range p.Strings("headers") {
			if v := r.Header.Get(h); v != "" {
				return []verdict.Finding{finding(verdict.Pass, r, fmt.Sprintf("CDN header %s: %s", h, truncate(v, 80)), nil)}, nil
			}
		}
		return []verdict.Finding{finding(verdict.Fail, r, "no CDN header ("+strings.Join(p.Strings("headers"), ", ")+")", nil)}, nil
	})
}

func runDeprecation(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	paths := p.Strings("paths")
	if len(paths) == 0 {
		return nil, &source.Missing{Input: "the check's paths parameter", Reason: "no deprecated API paths listed"}
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if p.Bool("auth") && !pc.HasToken() {
			return nil, source.NotGiven(probe.FlagToken, "token for the authenticated requests")
		}
		var out []verdict.Finding
		for _, path := range paths {
			r, err := pc.Do(ctx, t, probe.Request{Path: path, Port: p.Int("port"), Auth: p.Bool("auth")})
			if err != nil {
				return nil, err
			}
			dep, sun := r.Header.Get("Deprecation"), r.Header.Get("Sunset")
			out = append(out, finding(passIf(dep != "" || sun != ""), r,
				fmt.Sprintf("%s: Deprecation %q, Sunset %q", path, dep, sun), nil))
		}
		return out, nil
	})
}
