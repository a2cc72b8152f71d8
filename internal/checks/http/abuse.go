package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

// Bounds on what a pack may ask a burst to send.
const (
	maxBurstCount    = 1000
	maxBurstDuration = time.Minute
	maxBodyLimitSize = 64 << 20
)

var defaultDebugPaths = []string{"/debug/pprof/", "/debug/vars", "/debug", "/actuator", "/actuator/env",
	"/actuator/heapdump", "/.env", "/.git/config", "/server-status", "/phpinfo.php"}

var defaultBadPayloads = []string{
	`{"golive": "unterminated`,
	`{"id": "1' OR '1'='1' --", "name": "golive"}`,
	`{"name": "<script>golive_xss()</script>"}`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
}

func registerAbuse(r *check.Registry) {
	r.Register(check.Check{
		ID:    "http/rate-limit",
		Title: "A burst beyond the limit gets 429 with Retry-After",
		Description: "Announces, then sends at most count requests within duration (concurrency at a time) and " +
			"stops at the first 429. Passes when a 429 came back, with Retry-After when requireRetryAfter is set.",
		Needs: needs,
		Params: []check.Param{pathParam("/", "path to request"), pPort, pTarget,
			{Name: "method", Type: check.String, Default: "GET"},
			{Name: "count", Type: check.Int, Default: 50, Description: fmt.Sprintf("most requests sent (at most %d)", maxBurstCount)},
			{Name: "duration", Type: check.Duration, Default: "5s", Description: "longest the burst lasts (at most 1m)"},
			{Name: "concurrency", Type: check.Int, Default: 5},
			{Name: "auth", Type: check.Bool, Default: false, Description: "send --token (per-user limits)"},
			{Name: "requireRetryAfter", Type: check.Bool, Default: true},
		},
		Run: runRateLimit,
	})
	r.Register(check.Check{
		ID:    "http/body-limit",
		Title: "An oversized request body gets 413",
		Description: "Sends one body of size bytes and expects 413. A connection dropped mid-upload without an " +
			"answer fails: clients then retry blindly.",
		Needs: needs,
		Params: []check.Param{pathParam("/", "path accepting a body"), pPort, pTarget,
			{Name: "method", Type: check.String, Default: "POST"},
			{Name: "size", Type: check.Int, Default: 10<<20 + 1, Description: "bytes sent (at most 64 MiB)"},
			{Name: "auth", Type: check.Bool, Default: false},
		},
		Run: runBodyLimit,
	})
	r.Register(check.Check{
		ID:          "http/not-found",
		Title:       "Unknown routes get 404 without internals",
		Description: "Requests a path that cannot exist; expects 404 and no stack trace or source path in the body.",
		Needs:       needs,
		Params: []check.Param{pathParam("", "path to request; empty makes a random one"), pPort, pTarget,
			{Name: "expectStatus", Type: check.String, Default: "404"},
		},
		Run: runNotFound,
	})
	r.Register(check.Check{
		ID:    "http/debug-endpoints",
		Title: "Debug and development endpoints are not exposed",
		Description: "Requests well-known debug paths (pprof, expvar, actuator, .env, .git, server-status, ...); " +
			"each must answer 3xx, 401, 403, 404, 405 or 410 and never 2xx or a stack trace.",
		Needs: needs,
		Params: []check.Param{pPort, pTarget,
			{Name: "paths", Type: check.Strings, Default: defaultDebugPaths},
		},
		Run: runDebugEndpoints,
	})
	r.Register(check.Check{
		ID:    "http/bad-input",
		Title: "Malformed and hostile input gets a 4xx, never a 5xx",
		Description: "Sends each payload (malformed JSON, SQL injection, script injection, deep nesting) to path; " +
			"each answer must match expectStatus (4xx), carry no stack trace, not reflect the injected script, and " +
			"with requireJSONError be a JSON body. 404/405 means the path does not take the method: unverified.",
		Needs: needs,
		Params: []check.Param{pPort, pTarget,
			{Name: "path", Type: check.String, Default: "", Description: "an endpoint that takes a body; required to decide"},
			{Name: "method", Type: check.String, Default: "POST"},
			{Name: "payloads", Type: check.Strings, Default: defaultBadPayloads},
			{Name: "contentType", Type: check.String, Default: "application/json"},
			{Name: "expectStatus", Type: check.String, Default: "4xx"},
			{Name: "requireJSONError", Type: check.Bool, Default: false},
			{Name: "auth", Type: check.Bool, Default: false},
		},
		Run: runBadInput,
	})
}

func runRateLimit(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	count, dur, conc := p.Int("count"), p.Duration("duration"), p.Int("concurrency")
	if count < 1 || count > maxBurstCount {
		return nil, fmt.Errorf("count %d outside [1, %d]", count, maxBurstCount)
	}
	if dur <= 0 || dur > maxBurstDuration {
		return nil, fmt.Errorf("duration %s outside (0, %s]", dur, maxBurstDuration)
	}
	conc = min(max(conc, 1), 50, count)
	method := strings.ToUpper(p.String("method"))
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if p.Bool("auth") && !pc.HasToken() {
			return nil, source.NotGiven(probe.FlagToken, "token for per-user rate limits")
		}
		u := probe.URLFor(t, p.String("path"), p.Int("port"), "")
		probe.Notify(ctx, fmt.Sprintf("golive rate-limit probe: up to %d %s requests to %s within %s, %d at a time, stopping at the first 429",
			count, method, u, dur, conc))
		bctx, cancel := context.WithTimeout(ctx, dur)
		defer cancel()
		var sent, answered atomic.Int64
		var mu sync.Mutex
		var limited, last *probe.Response
		var lastErr error
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for bctx.Err() == nil && sent.Add(1) <= int64(count) {
					r, err := pc.Do(bctx, t, probe.Request{Method: method, Path: p.String("path"), Port: p.Int("port"),
						Auth: p.Bool("auth"), NoCache: true, Unbudgeted: true, Timeout: dur})
					mu.Lock()
					if err != nil {
						if bctx.Err() == nil {
							lastErr = err
						}
						mu.Unlock()
						continue
					}
					answered.Add(1)
					statuses[r.Status]++
					last = r
					if r.Status == http.StatusTooManyRequests && limited == nil {
						limited = r
						cancel()
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		n := min(sent.Load(), int64(count))
		ev := map[string]any{"sent": n, "answered": answered.Load(), "statuses": statuses, "limit": count, "window": dur.String()}
		if limited != nil {
			ra := limited.Header.Get("Retry-After")
			if p.Bool("requireRetryAfter") && ra == "" {
				return []verdict.Finding{finding(verdict.Fail, limited, fmt.Sprintf("429 after %d requests but no Retry-After header", answered.Load()), ev)}, nil
			}
			return []verdict.Finding{finding(verdict.Pass, limited, fmt.Sprintf("429 after %d requests (Retry-After %q)", answered.Load(), ra), ev)}, nil
		}
		if last == nil {
			if lastErr != nil {
				return nil, lastErr
			}
			return nil, fmt.Errorf("burst got no answer within %s", dur)
		}
		return []verdict.Finding{finding(verdict.Fail, last, fmt.Sprintf("no 429 after %d requests within %s", answered.Load(), dur), ev)}, nil
	})
}

func runBodyLimit(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	size := p.Int("size")
	if size < 1 || size > maxBodyLimitSize {
		return nil, fmt.Errorf("size %d outside [1, %d]", size, maxBodyLimitSize)
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if p.Bool("auth") && !pc.HasToken() {
			return nil, source.NotGiven(probe.FlagToken, "token for the upload")
		}
		// Made only when there is somewhere to send it: up to 10 MB.
		body := bytes.Repeat([]byte("a"), size)
		if size > 16 {
			copy(body, `{"golive":"`)
			copy(body[size-2:], `"}`)
		}
		probe.Notify(ctx, fmt.Sprintf("golive body-limit probe: one %s of %d bytes to %s", strings.ToUpper(p.String("method")),
			size, probe.URLFor(t, p.String("path"), p.Int("port"), "")))
		r, err := pc.Do(ctx, t, probe.Request{Method: strings.ToUpper(p.String("method")), Path: p.String("path"), Port: p.Int("port"),
			Body: body, Header: http.Header{"Content-Type": {"application/json"}}, Auth: p.Bool("auth"), Timeout: 30 * time.Second})
		if err != nil {
			if isDialError(err) || r == nil {
				return nil, err
			}
			return []verdict.Finding{{Status: verdict.Fail, Endpoint: r.Exchange.URL, Evidence: r.Exchange.Evidence(),
				Message: fmt.Sprintf("connection dropped while sending %d bytes, no 413 answer", size)}}, nil
		}
		if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
			f := finding(verdict.Unverified, r, fmt.Sprintf("%s answered %d: the route does not take a body; name one that does", p.String("path"), r.Status), nil)
			f.Hint = "the check's path and method parameters"
			return []verdict.Finding{f}, nil
		}
		return []verdict.Finding{finding(passIf(r.Status == http.StatusRequestEntityTooLarge), r,
			fmt.Sprintf("%d-byte body answered %d (want 413)", size, r.Status), nil)}, nil
	})
}

func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func runNotFound(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	want, err := StatusMatcher(p.String("expectStatus"))
	if err != nil {
		return nil, err
	}
	path := p.String("path")
	if path == "" {
		path = "/golive-probe-" + randomHex(6) + "/does-not-exist"
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		r, err := pc.Do(ctx, t, probe.Request{Path: path, Port: p.Int("port")})
		if err != nil {
			return nil, err
		}
		var out []verdict.Finding
		out = append(out, finding(passIf(want(r.Status)), r, fmt.Sprintf("unknown route answered %d (want %s)", r.Status, p.String("expectStatus")), nil))
		if l := leak(r.Body); l != "" {
			out = append(out, finding(verdict.Fail, r, "error body leaks internals: "+l, nil))
		} else {
			out = append(out, finding(verdict.Pass, r, "no stack trace or source path in the error body", nil))
		}
		return out, nil
	})
}

func runDebugEndpoints(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	paths := p.Strings("paths")
	if len(paths) == 0 {
		return nil, fmt.Errorf("paths: give at least one debug path (none probed proves nothing closed)")
	}
	if len(paths) > 50 {
		return nil, fmt.Errorf("paths: %d paths, at most 50", len(paths))
	}
	closed, _ := StatusMatcher("3xx,401,403,404,405,410")
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		var out, open []verdict.Finding
		for _, path := range paths {
			r, err := pc.Do(ctx, t, probe.Request{Path: path, Port: p.Int("port"), NoFollow: true})
			if err != nil {
				return nil, err
			}
			if !closed(r.Status) || leak(r.Body) != "" {
				open = append(open, finding(verdict.Fail, r, fmt.Sprintf("%s answered %d", path, r.Status), nil))
			}
		}
		if len(open) > 0 {
			return open, nil
		}
		out = append(out, verdict.Finding{Status: verdict.Pass, Endpoint: t.URL.String(),
			Message:  fmt.Sprintf("none of %d debug paths is open", len(paths)),
			Evidence: map[string]any{"paths": paths}})
		return out, nil
	})
}

func runBadInput(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	path := p.String("path")
	if path == "" {
		return nil, &source.Missing{Input: "the check's path parameter", Reason: "no endpoint taking a body named"}
	}
	want, err := StatusMatcher(p.String("expectStatus"))
	if err != nil {
		return nil, err
	}
	payloads := p.Strings("payloads")
	if len(payloads) > 20 {
		return nil, fmt.Errorf("payloads: %d payloads, at most 20", len(payloads))
	}
	method := strings.ToUpper(p.String("method"))
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		if p.Bool("auth") && !pc.HasToken() {
			return nil, source.NotGiven(probe.FlagToken, "token for the requests")
		}
		var out []verdict.Finding
		for i, pl := range payloads {
			r, err := pc.Do(ctx, t, probe.Request{Method: method, Path: path, Port: p.Int("port"), Body: []byte(pl),
				Header: http.Header{"Content-Type": {p.String("contentType")}}, Auth: p.Bool("auth")})
			if err != nil {
				return nil, err
			}
			ev := map[string]any{"payload": i + 1}
			if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
				f := finding(verdict.Unverified, r, fmt.Sprintf("%s %s answered %d: the route does not take this method", method, path, r.Status), ev)
				f.Hint = "the check's path and method parameters"
				out = append(out, f)
				continue
			}
			var problems []string
			if !want(r.Status) {
				problems = append(problems, fmt.Sprintf("status %d (want %s)", r.Status, p.String("expectStatus")))
			}
			if l := leak(r.Body); l != "" {
				problems = append(problems, "stack trace in body: "+l)
			}
			if bytes.Contains(r.Body, []byte("<script>golive_xss()")) {
				problems = append(problems, "injected script reflected unescaped")
			}
			if p.Bool("requireJSONError") && !jsonBody(r.Body) {
				problems = append(problems, "error body is not JSON")
			}
			if len(problems) > 0 {
				out = append(out, finding(verdict.Fail, r, fmt.Sprintf("payload %d: %s", i+1, strings.Join(problems, "; ")), ev))
			} else {
				out = append(out, finding(verdict.Pass, r, fmt.Sprintf("payload %d refused with %d", i+1, r.Status), ev))
			}
		}
		return out, nil
	})
}

func jsonBody(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && jsonValid(t)
}
