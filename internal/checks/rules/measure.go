package rules

import (
	"context"
	"golive.dev/golive/internal/source"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"golive.dev/golive/internal/source/promrules"
)

// Measure is what an alert expression watches, recognised from the PromQL
// rather than from the alert's name.
type Measure string

const (
	ErrorRatio Measure = "error-ratio" // errors over all requests
	Latency    Measure = "latency"     // a quantile of a duration histogram or summary
	Restarts   Measure = "restarts"    // container restarts, crash loops
	TargetDown Measure = "target-down" // up == 0, no ready replicas, absent series
	CPU        Measure = "cpu"
	Memory     Measure = "memory"
	Resource   Measure = "resource" // cpu or memory
	Throughput Measure = "throughput"
	Metric     Measure = "metric" // a named metric (regexp parameter)
)

var measures = []Measure{ErrorRatio, Latency, Restarts, TargetDown, CPU, Memory, Resource, Throughput, Metric}

// comparison is one "signal op number" found in an expression, with the
// signal on the left.
type comparison struct {
	side      parser.Expr
	op        string // >, >=, <, <=, ==, != ; "" when the expression has no literal comparison
	threshold float64
	scale     float64 // 100 when the signal was multiplied by 100 (a percentage)
}

func isComparison(t parser.ItemType) bool {
	switch t {
	case parser.GTR, parser.GTE, parser.LSS, parser.LTE, parser.EQLC, parser.NEQ:
		return true
	}
	return false
}

func flip(op string) string {
	switch op {
	case ">":
		return "<"
	case ">=":
		return "<="
	case "<":
		return ">"
	case "<=":
		return ">="
	}
	return op
}

func unparen(e parser.Expr) parser.Expr {
	for {
		switch x := e.(type) {
		case *parser.ParenExpr:
			e = x.Expr
		case *parser.StepInvariantExpr:
			e = x.Expr
		default:
			return e
		}
	}
}

// number evaluates a constant sub-expression (a literal, possibly signed,
// parenthesised or simple arithmetic of literals).
func number(e parser.Expr) (float64, bool) {
	switch x := unparen(e).(type) {
	case *parser.NumberLiteral:
		return x.Val, true
	case *parser.UnaryExpr:
		v, ok := number(x.Expr)
		if !ok {
			return 0, false
		}
		if x.Op == parser.SUB {
			return -v, true
		}
		return v, true
	case *parser.BinaryExpr:
		a, ok1 := number(x.LHS)
		b, ok2 := number(x.RHS)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch x.Op {
		case parser.ADD:
			return a + b, true
		case parser.SUB:
			return a - b, true
		case parser.MUL:
			return a * b, true
		case parser.DIV:
			if b != 0 {
				return a / b, true
			}
		}
	}
	return 0, false
}

// comparisons lists every literal comparison in expr.
func comparisons(expr parser.Expr) []comparison {
	var out []comparison
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		b, ok := n.(*parser.BinaryExpr)
		if !ok || !isComparison(b.Op) {
			return nil
		}
		op := b.Op.String()
		if v, ok := number(b.RHS); ok {
			out = append(out, scaled(comparison{side: b.LHS, op: op, threshold: v, scale: 1}))
		} else if v, ok := number(b.LHS); ok {
			out = append(out, scaled(comparison{side: b.RHS, op: flip(op), threshold: v, scale: 1}))
		}
		return nil
	})
	return out
}

// scaled recognises "x * 100 > 5" (a percentage) so thresholds compare as ratios.
func scaled(c comparison) comparison {
	b, ok := unparen(c.side).(*parser.BinaryExpr)
	if !ok || b.Op != parser.MUL {
		return c
	}
	if v, ok := number(b.RHS); ok && v == 100 {
		return comparison{side: b.LHS, op: c.op, threshold: c.threshold / 100, scale: 100}
	}
	if v, ok := number(b.LHS); ok && v == 100 {
		return comparison{side: b.RHS, op: c.op, threshold: c.threshold / 100, scale: 100}
	}
	return c
}

// signal is what classify learned about one expression.
type signal struct {
	measures map[Measure]bool
	quantile float64       // latency: the quantile asked, 0 if unknown
	window   time.Duration // restarts: the range of increase()/rate()
	perSec   bool          // restarts: counted per second (rate) rather than per window
	inverse  bool          // cpu/memory: measures what is free, so "<" means pressure
	metrics  []string      // metric names seen
	sels     []*parser.VectorSelector
}

var (
	durationName = regexp.MustCompile(`(?i)duration|latency|_seconds|_milliseconds|_ms(_|$)|response_time|_time(_|$)`)
	errorName    = regexp.MustCompile(`(?i)error|fail|5xx|exception|fault`)
	errorValue   = regexp.MustCompile(`(?i)^5|error|fail|exception|unavailable|internal|deadline|unknown|fault`)
	okValue      = regexp.MustCompile(`(?i)^[23]|^ok$|success`)
	statusLabel  = regexp.MustCompile(`(?i)^(status|code|status_code|http_status|response_code|grpc_code|grpc_status|result|outcome|status_class|response_status)$`)
	recordedErr  = regexp.MustCompile(`(?i)error.*(ratio|percent|pct|share)|(ratio|percent|pct|share).*error|availability`)
	recordedLat  = regexp.MustCompile(`(?i)(latency|duration).*(p|quantile)(\d{2,3})|(p|quantile)(\d{2,3}).*(latency|duration)`)
	trafficName  = regexp.MustCompile(`(?i)request|http_server|grpc_server|rpc|messages|events|commands|jobs|processed|handled|throughput|transactions|ops`)
	downMetric   = regexp.MustCompile(`^(up|probe_success)$|replicas_(available|ready)$|status_ready$|_ready_replicas$`)
	unavailable  = regexp.MustCompile(`replicas_unavailable$`)
	cpuName      = regexp.MustCompile(`(?i)cpu`)
	memName      = regexp.MustCompile(`(?i)memory|_rss|heap|oom`)
	freeName     = regexp.MustCompile(`(?i)avail|free`)
	restartName  = regexp.MustCompile(`(?i)restart`)
)

func selName(v *parser.VectorSelector) string {
	if v.Name != "" {
		return v.Name
	}
	for _, m := range v.LabelMatchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// classifier looks through recording rules to what they measure. One
// classifier serves a whole run (see classifierFor): every rules check asks
// about the same expressions, so signals are memoized. A memoized signal is
// shared and must not be changed by its caller.
type classifier struct {
	recorded map[string][]*promrules.Rule

	mu   sync.Mutex
	memo map[classifyKey]*signal
}

type classifyKey struct {
	e     parser.Expr
	depth int
}

// classifierFor returns the run's classifier over the run's rules.
func classifierFor(ctx context.Context, env *source.Env, set *promrules.Set) *classifier {
	c, err := source.Load(ctx, env, "rules/classifier", func(context.Context, *source.Inputs) (*classifier, error) {
		return &classifier{recorded: set.Recorded(), memo: map[classifyKey]*signal{}}, nil
	})
	if err != nil || c == nil {
		return &classifier{recorded: set.Recorded()}
	}
	return c
}

func (c *classifier) classify(e parser.Expr, depth int) *signal {
	key := classifyKey{e, depth}
	if c.memo != nil {
		c.mu.Lock()
		sig, ok := c.memo[key]
		c.mu.Unlock()
		if ok {
			return sig
		}
	}
	sig := c.classifyFresh(e, depth)
	if c.memo != nil {
		c.mu.Lock()
		c.memo[key] = sig
		c.mu.Unlock()
	}
	return sig
}

func (c *classifier) classifyFresh(e parser.Expr, depth int) *signal {
	s := &signal{measures: map[Measure]bool{}}
	c.walk(e, s, depth)
	if s.measures[CPU] || s.measures[Memory] {
		s.measures[Resource] = true
	}
	// The request counter under an error ratio is its denominator, not traffic.
	if s.measures[ErrorRatio] || s.measures[Latency] {
		delete(s.measures, Throughput)
	}
	return s
}

func (c *classifier) walk(e parser.Expr, s *signal, depth int) {
	parser.Inspect(e, func(n parser.Node, path []parser.Node) error {
		switch x := n.(type) {
		case *parser.VectorSelector:
			name := selName(x)
			s.metrics = append(s.metrics, name)
			s.sels = append(s.sels, x)
			c.selector(x, name, path, s)
			if depth > 0 {
				for _, r := range c.recorded[name] {
					if r.Parsed != nil {
						sub := c.classify(r.Parsed, depth-1)
						s.merge(sub)
					}
				}
			}
		case *parser.Call:
			c.call(x, s)
		case *parser.BinaryExpr:
			if x.Op == parser.DIV && hasErrorFilter(x.LHS) {
				s.measures[ErrorRatio] = true
			}
			// 1 - success/total
			if x.Op == parser.SUB {
				if v, ok := number(x.LHS); ok && v == 1 {
					if d, ok := unparen(x.RHS).(*parser.BinaryExpr); ok && d.Op == parser.DIV && hasSuccessFilter(d.LHS) {
						s.measures[ErrorRatio] = true
					}
				}
			}
		}
		return nil
	})
}

func (s *signal) merge(o *signal) {
	for m := range o.measures {
		s.measures[m] = true
	}
	if s.quantile == 0 {
		s.quantile = o.quantile
	}
	if s.window == 0 {
		s.window, s.perSec = o.window, o.perSec
	}
	s.inverse = s.inverse || o.inverse
	s.metrics = append(s.metrics, o.metrics...)
	s.sels = append(s.sels, o.sels...)
}

func (c *classifier) selector(v *parser.VectorSelector, name string, path []parser.Node, s *signal) {
	switch {
	case name == "kube_pod_container_status_restarts_total" || restartName.MatchString(name):
		s.measures[Restarts] = true
		s.window, s.perSec = rangeOf(path)
	case name == "kube_pod_container_status_waiting_reason" || name == "kube_pod_container_status_last_terminated_reason":
		for _, m := range v.LabelMatchers {
			if m.Name == "reason" && (strings.Contains(m.Value, "CrashLoop") || strings.Contains(m.Value, "OOMKilled")) {
				s.measures[Restarts] = true
			}
		}
	}
	if downMetric.MatchString(name) || unavailable.MatchString(name) {
		s.measures[TargetDown] = true
	}
	if cpuName.MatchString(name) || resourceMatcher(v, "cpu") {
		s.measures[CPU] = true
	}
	if memName.MatchString(name) || resourceMatcher(v, "memory") {
		s.measures[Memory] = true
	}
	if (s.measures[CPU] || s.measures[Memory]) && freeName.MatchString(name) {
		s.inverse = true
	}
	if recordedErr.MatchString(name) && len(c.recorded[name]) == 0 {
		s.measures[ErrorRatio] = true
	}
	if m := recordedLat.FindStringSubmatch(name); m != nil && len(c.recorded[name]) == 0 {
		s.measures[Latency] = true
		digits := m[3]
		if digits == "" {
			digits = m[5]
		}
		if q, err := strconv.ParseFloat("0."+digits, 64); err == nil && s.quantile == 0 {
			s.quantile = q
		}
	}
	// A summary's quantile series of a duration metric.
	if durationName.MatchString(name) {
		for _, m := range v.LabelMatchers {
			if m.Name == "quantile" && m.Type == labels.MatchEqual {
				if q, err := strconv.ParseFloat(m.Value, 64); err == nil {
					s.measures[Latency] = true
					s.quantile = q
				}
			}
		}
	}
	if trafficName.MatchString(name) && !strings.HasSuffix(name, "_bucket") && !strings.HasSuffix(name, "_sum") && inRate(path) && !errorName.MatchString(name) && !hasErrorMatcher(v) {
		s.measures[Throughput] = true
	}
}

func (c *classifier) call(x *parser.Call, s *signal) {
	switch x.Func.Name {
	case "histogram_quantile":
		if len(x.Args) == 2 {
			q, ok := number(x.Args[0])
			dur := false
			parser.Inspect(x.Args[1], func(n parser.Node, _ []parser.Node) error {
				if v, ok := n.(*parser.VectorSelector); ok && durationName.MatchString(selName(v)) {
					dur = true
				}
				return nil
			})
			if dur {
				s.measures[Latency] = true
				if ok {
					s.quantile = q
				}
			}
		}
	case "absent", "absent_over_time":
		s.measures[TargetDown] = true
	}
}

func resourceMatcher(v *parser.VectorSelector, res string) bool {
	for _, m := range v.LabelMatchers {
		if m.Name == "resource" && m.Type == labels.MatchEqual && m.Value == res {
			return true
		}
	}
	return false
}

var rateFuncs = map[string]bool{"rate": true, "irate": true, "increase": true, "delta": true, "idelta": true, "deriv": true, "changes": true, "resets": true}

func inRate(path []parser.Node) bool {
	for _, n := range path {
		if c, ok := n.(*parser.Call); ok && rateFuncs[c.Func.Name] {
			return true
		}
	}
	return false
}

// rangeOf returns the range of the innermost increase()/rate() around a
// selector, and whether the function counts per second.
func rangeOf(path []parser.Node) (time.Duration, bool) {
	var rng time.Duration
	for i := len(path) - 1; i >= 0; i-- {
		switch x := path[i].(type) {
		case *parser.MatrixSelector:
			rng = x.Range
		case *parser.SubqueryExpr:
			if rng == 0 {
				rng = x.Range
			}
		case *parser.Call:
			if rateFuncs[x.Func.Name] {
				return rng, x.Func.Name == "rate" || x.Func.Name == "irate" || x.Func.Name == "deriv"
			}
		}
	}
	return 0, false
}

func hasErrorMatcher(v *parser.VectorSelector) bool {
	for _, m := range v.LabelMatchers {
		if !statusLabel.MatchString(m.Name) {
			continue
		}
		switch m.Type {
		case labels.MatchEqual, labels.MatchRegexp:
			if errorValue.MatchString(m.Value) {
				return true
			}
		case labels.MatchNotEqual, labels.MatchNotRegexp:
			if okValue.MatchString(m.Value) {
				return true
			}
		}
	}
	return false
}

func hasSuccessMatcher(v *parser.VectorSelector) bool {
	for _, m := range v.LabelMatchers {
		if statusLabel.MatchString(m.Name) && (m.Type == labels.MatchEqual || m.Type == labels.MatchRegexp) && okValue.MatchString(m.Value) {
			return true
		}
	}
	return false
}

// hasErrorFilter: the numerator counts failures, by name or by label.
func hasErrorFilter(e parser.Expr) bool {
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if v, ok := n.(*parser.VectorSelector); ok && (errorName.MatchString(selName(v)) || hasErrorMatcher(v)) {
			found = true
		}
		return nil
	})
	return found
}

func hasSuccessFilter(e parser.Expr) bool {
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if v, ok := n.(*parser.VectorSelector); ok && hasSuccessMatcher(v) {
			found = true
		}
		return nil
	})
	return found
}

// candidate is an alert rule that measures what an item asks for, with the
// threshold it uses.
type candidate struct {
	rule *promrules.Rule
	cmp  comparison
	sig  *signal
}

// candidates returns every way the alert measures m. A metric regexp narrows
// Metric (and may narrow other measures to a service's metrics).
func (c *classifier) candidates(r *promrules.Rule, m Measure, metric *regexp.Regexp) []candidate {
	if r.Parsed == nil {
		return nil
	}
	var out []candidate
	for _, cmp := range comparisons(r.Parsed) {
		sig := c.classify(cmp.side, 3)
		if sig.matches(m, metric) {
			out = append(out, candidate{rule: r, cmp: cmp, sig: sig})
		}
	}
	if len(out) == 0 {
		sig := c.classify(r.Parsed, 3)
		if sig.matches(m, metric) {
			out = append(out, candidate{rule: r, cmp: comparison{side: r.Parsed, scale: 1}, sig: sig})
		}
	}
	return out
}

func (s *signal) matches(m Measure, metric *regexp.Regexp) bool {
	nameOK := metric == nil
	for _, n := range s.metrics {
		if metric != nil && metric.MatchString(n) {
			nameOK = true
		}
	}
	if m == Metric {
		return metric != nil && nameOK
	}
	return s.measures[m] && nameOK
}

func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
