// Package http holds the checks that call the running service over HTTP(S):
// health and readiness, /metrics, security headers, CORS, authentication,
// abuse protections and request tracing. Paths, ports and thresholds come
// from parameters; every request goes through source/probe, which bounds it
// and keeps it as evidence.
package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

// Register adds the HTTP checks.
func Register(r *check.Registry) {
	registerEndpoints(r)
	registerMetrics(r)
	registerHeaders(r)
	registerAuth(r)
	registerAbuse(r)
}

var needs = []check.Input{check.HTTP}

// Parameters most checks share.
var (
	pTarget = check.Param{Name: "target", Type: check.String, Default: "",
		Description: "name of the target to probe (--target-name); empty probes every target"}
	pPort = check.Param{Name: "port", Type: check.Int, Default: 0,
		Description: "port to use instead of the target's (e.g. 9100 for /metrics); 0 keeps the target's"}
)

func pathParam(def, what string) check.Param {
	return check.Param{Name: "path", Type: check.String, Default: def, Description: what}
}

// forTargets runs fn for each selected target. A target that gives no HTTP
// answer yields an unverified finding; if none answers, the whole check is
// unverified through source.Unreachable.
func forTargets(ctx context.Context, env *source.Env, p check.Params, fn func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error)) ([]verdict.Finding, error) {
	pc, err := probe.From(ctx, env)
	if err != nil {
		return nil, err
	}
	ts := pc.Targets()
	if name := p.String("target"); name != "" {
		var sel []probe.Target
		for _, t := range ts {
			if t.Name == name {
				sel = append(sel, t)
			}
		}
		if len(sel) == 0 {
			return nil, source.NotGiven(probe.FlagTarget, fmt.Sprintf("target named %q", name))
		}
		ts = sel
	}
	var out []verdict.Finding
	var lastErr error
	reached := 0
	for _, t := range ts {
		fs, err := fn(pc, t)
		if err != nil {
			var m *source.Missing
			if errors.As(err, &m) {
				return nil, err
			}
			if !probe.IsTransport(err) {
				return nil, fmt.Errorf("%s: %w", t, err)
			}
			lastErr = err
			out = append(out, verdict.Finding{Status: verdict.Unverified, Endpoint: t.URL.String(),
				Message: "no HTTP answer: " + err.Error(), Hint: probe.FlagTarget})
			continue
		}
		reached++
		out = append(out, fs...)
	}
	if reached == 0 && lastErr != nil {
		return nil, source.Unreachable(probe.FlagTarget, lastErr)
	}
	return out, nil
}

// finding builds a finding about one exchange.
func finding(st verdict.Status, r *probe.Response, msg string, extra map[string]any) verdict.Finding {
	ev := r.Exchange.Evidence()
	maps.Copy(ev, extra)
	return verdict.Finding{Status: st, Endpoint: r.Exchange.URL, Message: msg, Evidence: ev}
}

func passIf(ok bool) verdict.Status {
	if ok {
		return verdict.Pass
	}
	return verdict.Fail
}

// StatusMatcher parses an expected status: "200", "2xx", "401,403", "4xx,5xx".
func StatusMatcher(spec string) (func(int) bool, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("empty expected status")
	}
	var tests []func(int) bool
	for _, part := range strings.Split(spec, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		switch {
		case len(part) == 3 && part[1:] == "xx" && part[0] >= '1' && part[0] <= '5':
			class := int(part[0]-'0') * 100
			tests = append(tests, func(s int) bool { return s >= class && s < class+100 })
		default:
			n, err := strconv.Atoi(part)
			if err != nil || n < 100 || n > 599 {
				return nil, fmt.Errorf("expected status %q: want a code like 200, a class like 2xx, or a comma list", part)
			}
			tests = append(tests, func(s int) bool { return s == n })
		}
	}
	return func(s int) bool {
		for _, t := range tests {
			if t(s) {
				return true
			}
		}
		return false
	}, nil
}

// lookupJSON finds a dotted path ("checks.database.status") in a decoded
// JSON document; a numeric segment indexes an array.
func lookupJSON(doc any, path string) (any, bool) {
	cur := doc
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				// Accept a key that differs only in case: "Status" vs "status".
				for k, val := range v {
					if strings.EqualFold(k, seg) {
						next, ok = val, true
						break
					}
				}
			}
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// matchValue compares a JSON value with an expectation from a pack: "*"
// means present, "nonempty" means present and not empty, "a|b" means any
// of, otherwise equality (case-insensitive for strings).
func matchValue(got any, want any) bool {
	ws, isStr := want.(string)
	if !isStr {
		return fmt.Sprint(got) == fmt.Sprint(want)
	}
	switch ws {
	case "*":
		return true
	case "nonempty":
		switch g := got.(type) {
		case nil:
			return false
		case string:
			return strings.TrimSpace(g) != ""
		case []any:
			return len(g) > 0
		case map[string]any:
			return len(g) > 0
		}
		return true
	}
	gs := fmt.Sprint(got)
	for _, alt := range strings.Split(ws, "|") {
		if strings.EqualFold(strings.TrimSpace(alt), gs) {
			return true
		}
	}
	return false
}

// checkJSON applies field assertions to a body. It returns the failures.
func checkJSON(body []byte, want map[string]any) (failures []string, err error) {
	if len(want) == 0 {
		return nil, nil
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	for _, path := range sortedKeys(want) {
		got, ok := lookupJSON(doc, path)
		if !ok {
			failures = append(failures, fmt.Sprintf("%s missing", path))
			continue
		}
		if !matchValue(got, want[path]) {
			failures = append(failures, fmt.Sprintf("%s is %v, want %v", path, truncate(fmt.Sprint(got), 60), want[path]))
		}
	}
	return failures, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// stackTraceRE finds traces and internals leaking into error bodies:
// Go panics, Python tracebacks, Java/.NET/Node frames, file:line of source.
var stackTraceRE = regexp.MustCompile(`(?m)goroutine \d+ \[|^panic: |Traceback \(most recent call last\)|^\s+at [\w$.<>]+\(.*\)|Exception in thread|\bat [\w.]+\.java:\d+|System\.[A-Za-z.]+Exception|\.(go|py|js|ts|rb|php|cs|java):\d+\b|node_modules/`)

// leak returns the first line of body that looks like a stack trace.
func leak(body []byte) string {
	loc := stackTraceRE.FindIndex(body)
	if loc == nil {
		return ""
	}
	start := loc[0]
	for start > 0 && body[start-1] != '\n' {
		start--
	}
	end := loc[1]
	for end < len(body) && body[end] != '\n' {
		end++
	}
	return truncate(strings.TrimSpace(string(body[start:end])), 160)
}

func jsonValid(b []byte) bool { return json.Valid(b) }
