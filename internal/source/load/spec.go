// Package load is golive's own load generator: an open model that sends at a
// constant arrival rate whatever the service does, with a cap on requests in
// flight, and records latency from each request's intended send time so a
// slow service is not hidden by a client that waits for it (coordinated
// omission). Runs are always bounded in requests and time.
package load

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Hard bounds: a spec outside them is refused rather than clipped, so the
// user is never surprised by what was sent.
const (
	MaxRate        = 100_000
	MaxDuration    = 10 * time.Minute
	MaxConcurrency = 5_000
	MaxRequests    = 10_000_000
	MaxMix         = 32

	DefaultConcurrency = 50
	DefaultTimeout     = 5 * time.Second
)

// Op is one kind of request in the mix.
type Op struct {
	Method string
	Path   string
	Weight int
}

// Spec says what a load test sends.
type Spec struct {
	Rate        float64 // requests per second
	Duration    time.Duration
	Concurrency int
	Timeout     time.Duration // per request
	MaxRequests int64         // 0: rate x duration
	Mix         []Op
	Target      string // target name; "" means the first target
}

// Total is the number of requests the spec schedules.
func (s Spec) Total() int64 {
	n := int64(math.Ceil(s.Rate * s.Duration.Seconds()))
	if s.MaxRequests > 0 && s.MaxRequests < n {
		n = s.MaxRequests
	}
	return n
}

// String is the canonical form, used as the memo key so equal specs share
// one run.
func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rate=%s/s,duration=%s,concurrency=%d,timeout=%s",
		strconv.FormatFloat(s.Rate, 'f', -1, 64), s.Duration, s.Concurrency, s.Timeout)
	if s.MaxRequests > 0 {
		fmt.Fprintf(&b, ",requests=%d", s.MaxRequests)
	}
	if s.Target != "" {
		fmt.Fprintf(&b, ",target=%s", s.Target)
	}
	if len(s.Mix) > 0 {
		parts := make([]string, len(s.Mix))
		for i, op := range s.Mix {
			parts[i] = fmt.Sprintf("%s %s %d", op.Method, op.Path, op.Weight)
		}
		b.WriteString(",mix=" + strings.Join(parts, "|"))
	}
	return b.String()
}

// ParseSpec reads a --load value such as
//
//	rate=200/s,duration=30s,concurrency=50,path=/api/items
//	rate=12000/m,duration=1m,mix=GET /a 3|POST /b 1
//
// Keys: rate (per s, m or h; a bare number is per second), duration,
// concurrency, timeout, requests (hard cap), path, method, mix, target.
// rate and duration are required: a load test is never implied.
func ParseSpec(s string) (Spec, error) {
	sp := Spec{Concurrency: DefaultConcurrency, Timeout: DefaultTimeout}
	s = strings.TrimSpace(s)
	if s == "" {
		return sp, fmt.Errorf("empty load spec: want e.g. rate=200/s,duration=30s")
	}
	var path, method string
	seen := map[string]bool{}
	for _, field := range strings.Split(s, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		k, v, ok := strings.Cut(field, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return sp, fmt.Errorf("load spec %q: want key=value", field)
		}
		if seen[k] {
			return sp, fmt.Errorf("load spec: %s given twice", k)
		}
		seen[k] = true
		var err error
		switch k {
		case "rate":
			sp.Rate, err = parseRate(v)
		case "duration":
			sp.Duration, err = time.ParseDuration(v)
		case "concurrency":
			sp.Concurrency, err = strconv.Atoi(v)
		case "timeout":
			sp.Timeout, err = time.ParseDuration(v)
		case "requests":
			sp.MaxRequests, err = strconv.ParseInt(v, 10, 64)
		case "path":
			path = v
		case "method":
			method = strings.ToUpper(v)
		case "target":
			sp.Target = v
		case "mix":
			sp.Mix, err = ParseMix(v)
		default:
			return sp, fmt.Errorf("load spec: unknown key %q (want rate, duration, concurrency, timeout, requests, path, method, mix, target)", k)
		}
		if err != nil {
			return sp, fmt.Errorf("load spec %s=%q: %w", k, v, err)
		}
	}
	if !seen["rate"] || !seen["duration"] {
		return sp, fmt.Errorf("load spec %q: rate and duration are required", s)
	}
	if len(sp.Mix) > 0 && (path != "" || method != "") {
		return sp, fmt.Errorf("load spec: give either mix or path/method, not both")
	}
	if len(sp.Mix) == 0 {
		if path == "" {
			path = "/"
		}
		if method == "" {
			method = http.MethodGet
		}
		sp.Mix = []Op{{Method: method, Path: path, Weight: 1}}
	}
	return sp, sp.Validate()
}

func parseRate(v string) (float64, error) {
	num, unit, _ := strings.Cut(v, "/")
	r, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return 0, fmt.Errorf("want a number of requests like 200/s")
	}
	switch strings.TrimSpace(unit) {
	case "", "s", "1s":
	case "m", "min", "1m":
		r /= 60
	case "h", "1h":
		r /= 3600
	default:
		return 0, fmt.Errorf("unknown rate unit %q (want s, m or h)", unit)
	}
	return r, nil
}

// ParseMix reads "GET /a 3|POST /b 1": method, path and an optional weight.
func ParseMix(v string) ([]Op, error) {
	var ops []Op
	for _, part := range strings.Split(v, "|") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("mix entry %q: want \"METHOD /path [weight]\"", strings.TrimSpace(part))
		}
		op := Op{Method: strings.ToUpper(f[0]), Path: f[1], Weight: 1}
		if len(f) == 3 {
			w, err := strconv.Atoi(f[2])
			if err != nil {
				return nil, fmt.Errorf("mix entry %q: weight %q is not a whole number", strings.TrimSpace(part), f[2])
			}
			op.Weight = w
		}
		ops = append(ops, op)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("empty mix")
	}
	return ops, nil
}

// Validate checks the spec against the hard bounds.
func (s Spec) Validate() error {
	switch {
	case !(s.Rate > 0) || s.Rate > MaxRate || math.IsInf(s.Rate, 0):
		return fmt.Errorf("rate %v/s outside (0, %d]", s.Rate, MaxRate)
	case s.Duration <= 0 || s.Duration > MaxDuration:
		return fmt.Errorf("duration %s outside (0, %s]", s.Duration, MaxDuration)
	case s.Concurrency < 1 || s.Concurrency > MaxConcurrency:
		return fmt.Errorf("concurrency %d outside [1, %d]", s.Concurrency, MaxConcurrency)
	case s.Timeout <= 0 || s.Timeout > time.Minute:
		return fmt.Errorf("timeout %s outside (0, 1m]", s.Timeout)
	case s.MaxRequests < 0 || s.MaxRequests > MaxRequests:
		return fmt.Errorf("requests %d outside [0, %d]", s.MaxRequests, MaxRequests)
	case s.Total() > MaxRequests:
		return fmt.Errorf("rate x duration schedules %d requests, above the cap of %d", s.Total(), MaxRequests)
	case s.Total() < 1:
		return fmt.Errorf("rate x duration schedules no request")
	case len(s.Mix) == 0 || len(s.Mix) > MaxMix:
		return fmt.Errorf("mix has %d entries, want 1 to %d", len(s.Mix), MaxMix)
	}
	for _, op := range s.Mix {
		if op.Weight < 1 || op.Weight > 1000 {
			return fmt.Errorf("mix %s %s: weight %d outside [1, 1000]", op.Method, op.Path, op.Weight)
		}
		if !validMethod(op.Method) {
			return fmt.Errorf("mix: method %q is not an HTTP method", op.Method)
		}
		if !strings.HasPrefix(op.Path, "/") {
			return fmt.Errorf("mix: path %q must start with /", op.Path)
		}
	}
	return nil
}

func validMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// schedule expands the weighted mix into a repeating sequence so the n-th
// request's kind is fixed: runs are reproducible and need no random source.
func (s Spec) schedule() []Op {
	ops := append([]Op(nil), s.Mix...)
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Weight > ops[j].Weight })
	var seq []Op
	// Interleave by smooth weighted round robin.
	cur := make([]int, len(ops))
	total := 0
	for _, op := range ops {
		total += op.Weight
	}
	for range total {
		best := 0
		for i := range ops {
			cur[i] += ops[i].Weight
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		seq = append(seq, ops[best])
	}
	return seq
}
