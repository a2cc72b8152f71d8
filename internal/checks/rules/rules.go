// Package rules holds the checks over Prometheus alerting and recording
// rules: that expressions parse, that the alerts a pack requires exist
// (recognised by what their expression measures, not by their name) with the
// pack's threshold, `for`, severity and annotations, and that alerts avoid
// the usual traps (raw counters, per-pod noise).
package rules

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/promrules"
	"golive.dev/golive/internal/verdict"
)

// Register adds the rules checks.
func Register(r *check.Registry) {
	needs := []check.Input{check.PromRules}
	r.Register(check.Check{
		ID:    "rules/alert",
		Title: "An alert watches the required signal with the required threshold, for, severity and annotations",
		Description: "Finds alerting rules whose PromQL measures the signal (error-ratio: errors divided by all requests; " +
			"latency: histogram_quantile or a summary quantile of a duration metric; restarts; target-down: up == 0, no ready replicas, absent(); " +
			"cpu, memory, resource; throughput; metric: a named metric) and compares each with the threshold, the quantile, " +
			"the window, the minimum for, the severity label and the annotations asked. Recording rules are looked through.",
		Needs: needs,
		Params: []check.Param{
			{Name: "measure", Type: check.String, Required: true, Description: "error-ratio, latency, restarts, target-down, cpu, memory, resource, throughput or metric"},
			{Name: "metric", Type: check.String, Description: "regexp a metric name in the expression must match (required for measure metric)"},
			{Name: "op", Type: check.String, Description: "direction of the threshold: > or < (default > ; < for target-down style and inverse metrics)"},
			{Name: "threshold", Type: check.Float, Description: "the alert must fire at this value or earlier (ratio for error-ratio, cpu, memory: 0.05 = 5%; seconds for latency; count per window for restarts)"},
			{Name: "exact", Type: check.Bool, Default: false, Description: "the threshold (and window) must equal the one asked instead of being at least as strict"},
			{Name: "quantile", Type: check.Float, Description: "latency: the quantile the alert must use, e.g. 0.99"},
			{Name: "window", Type: check.Duration, Description: "restarts: the window the threshold counts over, e.g. 10m"},
			{Name: "minFor", Type: check.Duration, Default: "0s", Description: "the alert's for must be at least this"},
			{Name: "requireFor", Type: check.Bool, Default: true, Description: "the alert must have a non-zero for"},
			{Name: "severity", Type: check.String, Default: "", Description: "the severity label the alert must carry; empty: any severity label"},
			{Name: "annotations", Type: check.Strings, Default: []any{"summary"}, Description: "annotations that must be non-empty (runbook_url also accepts runbook)"},
			{Name: "matchers", Type: check.Map, Description: "label: regexp; a selector of the expression must match each (scopes the alert to the service, e.g. job: eventcore)"},
		},
		Run: runAlert,
	})
	r.Register(check.Check{
		ID:          "rules/valid",
		Title:       "Every rule file reads and every expression parses",
		Description: "Reads rule files and PrometheusRule objects with Prometheus' rule format and parses each expression with the PromQL parser; reports each problem at file:line.",
		Needs:       needs,
		Run:         runValid,
	})
	r.Register(check.Check{
		ID:          "rules/present",
		Title:       "Alerting rules exist",
		Description: "Counts alerting rules, optionally of one severity.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "min", Type: check.Int, Default: 1, Description: "minimum number of alerting rules"},
			{Name: "severity", Type: check.String, Default: "", Description: "count only alerts with this severity label"},
		},
		Run: runPresent,
	})
	r.Register(check.Check{
		ID:          "rules/no-raw-counter",
		Title:       "No alert compares a raw counter",
		Description: "A counter (_total, _count, _sum, _bucket) compared without rate(), increase() or similar only grows, so the alert fires forever after the first event.",
		Needs:       needs,
		Run:         runRawCounter,
	})
	r.Register(check.Check{
		ID:    "rules/aggregated",
		Title: "Service-level alerts aggregate across pods",
		Description: "Error-ratio, latency and throughput alerts should sum or average over the service's pods (sum/avg/max by (...)); " +
			"a per-pod expression fires on one noisy pod and floods on scale-out.",
		Needs: needs,
		Run:   runAggregated,
	})
	r.Register(check.Check{
		ID:          "rules/for-duration",
		Title:       "Alerts wait a for duration before firing",
		Description: "Every alert (or every alert of the given severities) has for at least minFor, so brief spikes do not page.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "minFor", Type: check.Duration, Default: "1m", Description: "minimum for"},
			{Name: "severities", Type: check.Strings, Description: "only alerts with one of these severity labels; empty: all alerts"},
		},
		Run: runFor,
	})
	r.Register(check.Check{
		ID:          "rules/annotations",
		Title:       "Every alert carries a severity and the required annotations",
		Description: "Every alerting rule has the annotations asked (non-empty) and a severity label; a runbook given as a relative path must exist in the repository.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "annotations", Type: check.Strings, Default: []any{"summary", "runbook_url"}, Description: "annotations every alert must have (runbook_url also accepts runbook)"},
			{Name: "requireSeverity", Type: check.Bool, Default: true, Description: "every alert must have a severity label"},
		},
		Run: runAnnotations,
	})
	r.Register(check.Check{
		ID:          "rules/slo",
		Title:       "SLO recording or burn-rate alerting rules exist",
		Description: "Recognises SLO rules as generated by Sloth or Pyrra (slo: / sloth_ / pyrra labels and names, error budget and burn-rate series) or hand-written multi-window burn-rate alerts.",
		Needs:       needs,
		Run:         runSLO,
	})
	r.Register(check.Check{
		ID:          "rules/app-metrics",
		Title:       "Alerts watch application metrics, not only infrastructure",
		Description: "At least min alerting rules use a metric that is not from Kubernetes, node, cAdvisor, process, Go runtime or Prometheus itself.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "min", Type: check.Int, Default: 1, Description: "minimum number of such alerts"},
		},
		Run: runAppMetrics,
	})
}

func load(ctx context.Context, env *source.Env) (*promrules.Set, error) {
	set, err := promrules.From(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("read alert rules: %w", err)
	}
	return set, nil
}

// noRules is the finding when nothing was found: the repository is the
// input, so missing rules fail rather than go unverified.
func noRules(id string, set *promrules.Set, what string) verdict.Finding {
	return verdict.Finding{
		Check:   id,
		Status:  verdict.Fail,
		Message: "no alerting rules found (rule files with groups: or PrometheusRule objects); " + what,
		Hint:    "add Prometheus rule files or a PrometheusRule, or pass the path of the repository that holds them",
	}
}

// unparsed is the finding of a check that could read none of the alert
// expressions it needs: rules/valid names each parse error.
func unparsed(id string, n int) verdict.Finding {
	return verdict.Finding{Check: id, Status: verdict.Unverified,
		Message: fmt.Sprintf("%d alert expression(s) do not parse, so they could not be judged", n),
		Hint:    "fix the expressions rules/valid reports"}
}

func at(id string, st verdict.Status, r *promrules.Rule, msg string) verdict.Finding {
	f := verdict.Finding{Check: id, Status: st, Message: msg, File: r.File, Line: r.Line, Object: r.Object}
	f.Evidence = map[string]any{"rule": r.Name(), "group": r.Group, "expr": r.Expr}
	return f
}

func fmtNum(v float64) string { return fmt.Sprintf("%g", v) }

type alertReq struct {
	measure    Measure
	metric     *regexp.Regexp
	op         string
	threshold  float64
	hasThr     bool
	exact      bool
	quantile   float64
	window     time.Duration
	minFor     time.Duration
	requireFor bool
	severity   string
	annots     []string
	matchers   map[string]*regexp.Regexp
}

func parseReq(p check.Params) (*alertReq, error) {
	q := &alertReq{
		measure:    Measure(p.String("measure")),
		op:         p.String("op"),
		threshold:  p.Float("threshold"),
		hasThr:     p.Has("threshold"),
		exact:      p.Bool("exact"),
		quantile:   p.Float("quantile"),
		window:     p.Duration("window"),
		minFor:     p.Duration("minFor"),
		requireFor: p.Bool("requireFor"),
		severity:   p.String("severity"),
		annots:     p.Strings("annotations"),
	}
	known := false
	for _, m := range measures {
		if m == q.measure {
			known = true
		}
	}
	if !known {
		return nil, fmt.Errorf("measure %q: want one of %v", q.measure, measures)
	}
	if s := p.String("metric"); s != "" {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", s, err)
		}
		q.metric = re
	} else if q.measure == Metric {
		return nil, fmt.Errorf("measure metric needs the metric parameter")
	}
	if q.op == "" {
		q.op = ">"
	}
	if q.op != ">" && q.op != "<" {
		return nil, fmt.Errorf("op %q: want > or <", q.op)
	}
	if m := p.Map("matchers"); len(m) > 0 {
		q.matchers = map[string]*regexp.Regexp{}
		for k, v := range m {
			re, err := regexp.Compile("^(?:" + fmt.Sprint(v) + ")$")
			if err != nil {
				return nil, fmt.Errorf("matcher %s: %w", k, err)
			}
			q.matchers[k] = re
		}
	}
	return q, nil
}

func (q *alertReq) describe() string {
	s := string(q.measure)
	if q.metric != nil {
		s += " on " + q.metric.String()
	}
	if q.quantile > 0 {
		s += fmt.Sprintf(" (quantile %g)", q.quantile)
	}
	if q.hasThr {
		s += " " + q.op + " " + fmtNum(q.threshold)
		if q.window > 0 {
			s += " in " + q.window.String()
		}
	}
	if q.severity != "" {
		s += ", severity " + q.severity
	}
	return s
}

// problems lists what keeps a candidate from satisfying the request.
func (q *alertReq) problems(c candidate) []string {
	var out []string
	r := c.rule
	op := c.cmp.op
	thr := c.cmp.threshold
	// Free memory/cpu falling is usage rising: compare as usage.
	if c.sig.inverse && (q.measure == CPU || q.measure == Memory || q.measure == Resource) && op != "" && thr <= 1 {
		op, thr = flip(op), 1-thr
	}
	if q.measure == TargetDown && op != "" && (op == ">" || op == ">=" || (op == "==" && thr >= 1) || op == "!=") {
		unav := false
		for _, n := range c.sig.metrics {
			if unavailable.MatchString(n) {
				unav = true
			}
		}
		if !unav {
			out = append(out, fmt.Sprintf("fires when the signal is %s %s, not when targets are down", op, fmtNum(thr)))
		}
	}
	if q.hasThr {
		want := q.threshold
		got := thr
		if (q.measure == CPU || q.measure == Memory || q.measure == Resource) && c.cmp.scale == 1 && got > 1 && got <= 100 {
			got /= 100 // written as a percentage without "* 100"
		}
		if q.measure == Restarts && q.window > 0 && c.sig.window > 0 && !q.exact {
			// Compare rates so that "> 5 in 30m" and "> 3 in 10m" are comparable.
			wantRate := want / q.window.Seconds()
			gotRate := got
			if !c.sig.perSec {
				gotRate = got / c.sig.window.Seconds()
			}
			want, got = wantRate, gotRate
		}
		if q.measure == Latency {
			for _, n := range c.sig.metrics {
				if strings.Contains(n, "millisecond") || strings.Contains(n, "_ms") {
					got /= 1000
					break
				}
			}
		}
		switch {
		case op == "":
			out = append(out, "has no numeric threshold")
		case !sameDirection(op, q.op):
			out = append(out, fmt.Sprintf("fires when %s %s, asked %s %s", op, fmtNum(thr), q.op, fmtNum(q.threshold)))
		case q.exact && !approx(got, want):
			out = append(out, fmt.Sprintf("threshold %s, asked exactly %s", fmtNum(thr), fmtNum(q.threshold)))
		case !q.exact && q.op == ">" && got > want && !approx(got, want):
			out = append(out, fmt.Sprintf("threshold %s is laxer than %s", fmtNum(thr), fmtNum(q.threshold)))
		case !q.exact && q.op == "<" && got < want && !approx(got, want):
			out = append(out, fmt.Sprintf("threshold %s is laxer than %s", fmtNum(thr), fmtNum(q.threshold)))
		}
	}
	if q.quantile > 0 && !approx(c.sig.quantile, q.quantile) {
		if c.sig.quantile == 0 {
			out = append(out, fmt.Sprintf("quantile unknown, asked %g", q.quantile))
		} else {
			out = append(out, fmt.Sprintf("uses quantile %g, asked %g", c.sig.quantile, q.quantile))
		}
	}
	if q.measure == Restarts && q.window > 0 && q.exact && c.sig.window != q.window {
		out = append(out, fmt.Sprintf("counts over %s, asked %s", c.sig.window, q.window))
	}
	if q.requireFor && r.For == 0 {
		out = append(out, "has no for duration")
	}
	if q.minFor > 0 && r.For < q.minFor {
		out = append(out, fmt.Sprintf("for %s is shorter than %s", r.For, q.minFor))
	}
	sev := r.Labels["severity"]
	switch {
	case q.severity == "" && sev == "":
		out = append(out, "has no severity label")
	case q.severity != "" && !strings.EqualFold(sev, q.severity):
		out = append(out, fmt.Sprintf("severity %q, asked %q", sev, q.severity))
	}
	for _, a := range q.annots {
		if annotation(r, a) == "" {
			out = append(out, "has no "+a+" annotation")
		}
	}
	for label, re := range q.matchers {
		if !selectsLabel(c.sig.sels, label, re) {
			out = append(out, fmt.Sprintf("no selector matches %s=~%q", label, strings.TrimSuffix(strings.TrimPrefix(re.String(), "^(?:"), ")$")))
		}
	}
	return out
}

func annotation(r *promrules.Rule, name string) string {
	if v := strings.TrimSpace(r.Annots[name]); v != "" {
		return v
	}
	if name == "runbook_url" {
		return strings.TrimSpace(r.Annots["runbook"])
	}
	return ""
}

func selectsLabel(sels []*parser.VectorSelector, label string, re *regexp.Regexp) bool {
	for _, s := range sels {
		for _, m := range s.LabelMatchers {
			if m.Name == label && re.MatchString(m.Value) {
				return true
			}
		}
	}
	return false
}

func sameDirection(got, want string) bool {
	switch want {
	case ">":
		return got == ">" || got == ">="
	case "<":
		return got == "<" || got == "<="
	}
	return false
}

func runAlert(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "rules/alert"
	q, err := parseReq(p)
	if err != nil {
		return nil, err
	}
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	alerts := set.Alerts()
	if len(alerts) == 0 {
		return []verdict.Finding{noRules(id, set, "wanted an alert on "+q.describe())}, nil
	}
	c := classifierFor(ctx, env, set)
	type scored struct {
		c     candidate
		probs []string
	}
	var all []scored
	for _, r := range alerts {
		for _, cand := range c.candidates(r, q.measure, q.metric) {
			all = append(all, scored{cand, q.problems(cand)})
		}
	}
	if len(all) == 0 {
		return []verdict.Finding{{
			Check:    id,
			Status:   verdict.Fail,
			Message:  fmt.Sprintf("no alert measures %s (looked at %d alerting rules in %d files)", q.describe(), len(alerts), len(set.Files)),
			Evidence: map[string]any{"files": set.Files},
		}}, nil
	}
	sort.SliceStable(all, func(i, j int) bool { return len(all[i].probs) < len(all[j].probs) })
	best := all[0]
	r := best.c.rule
	if len(best.probs) == 0 {
		f := at(id, verdict.Pass, r, fmt.Sprintf("alert %s measures %s", r.Alert, q.describe()))
		addAlertEvidence(f.Evidence, best.c)
		return []verdict.Finding{f}, nil
	}
	f := at(id, verdict.Fail, r, fmt.Sprintf("alert %s measures %s but %s", r.Alert, q.measure, strings.Join(best.probs, "; ")))
	addAlertEvidence(f.Evidence, best.c)
	f.Evidence["wanted"] = q.describe()
	return []verdict.Finding{f}, nil
}

func addAlertEvidence(ev map[string]any, c candidate) {
	if c.cmp.op != "" {
		ev["comparison"] = c.cmp.op + " " + fmtNum(c.cmp.threshold)
	}
	ev["for"] = c.rule.For.String()
	if s := c.rule.Labels["severity"]; s != "" {
		ev["severity"] = s
	}
	if c.sig.quantile > 0 {
		ev["quantile"] = c.sig.quantile
	}
}

func runValid(ctx context.Context, env *source.Env, _ check.Params) ([]verdict.Finding, error) {
	const id = "rules/valid"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	var out []verdict.Finding
	for _, e := range set.Errors {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, File: e.File, Line: e.Line, Message: e.Err.Error()})
	}
	for _, r := range set.Rules {
		if r.ParseErr != nil {
			f := at(id, verdict.Fail, r, fmt.Sprintf("%s: expression does not parse: %v", r.Name(), r.ParseErr))
			f.Line = r.ExprLine
			out = append(out, f)
			continue
		}
		for _, pr := range r.Problems {
			out = append(out, at(id, verdict.Fail, r, fmt.Sprintf("%s: %s", r.Name(), pr)))
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if len(set.Rules) == 0 {
		return []verdict.Finding{{Check: id, Status: verdict.NA, Message: "no rule files or PrometheusRule objects found"}}, nil
	}
	return []verdict.Finding{{
		Check: id, Status: verdict.Pass,
		Message:  fmt.Sprintf("%d rules in %d files read and parsed", len(set.Rules), len(set.Files)),
		Evidence: map[string]any{"files": set.Files},
	}}, nil
}

func runPresent(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "rules/present"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	sev := p.String("severity")
	var names []string
	var first *promrules.Rule
	for _, r := range set.Alerts() {
		if sev != "" && !strings.EqualFold(r.Labels["severity"], sev) {
			continue
		}
		if first == nil {
			first = r
		}
		names = append(names, r.Alert)
	}
	what := "alerting rules"
	if sev != "" {
		what = "alerting rules with severity " + sev
	}
	if len(names) < p.Int("min") || first == nil {
		f := noRules(id, set, fmt.Sprintf("found %d %s, want at least %d", len(names), what, p.Int("min")))
		if len(set.Alerts()) > 0 {
			f.Message = fmt.Sprintf("found %d %s, want at least %d", len(names), what, p.Int("min"))
		}
		return []verdict.Finding{f}, nil
	}
	f := at(id, verdict.Pass, first, fmt.Sprintf("%d %s found", len(names), what))
	f.Evidence = map[string]any{"alerts": names, "files": set.Files}
	return []verdict.Finding{f}, nil
}

var counterSuffix = regexp.MustCompile(`(_total|_count|_sum|_bucket)$`)

// counterSafe are functions under which a raw counter is fine.
var counterSafe = map[string]bool{
	"rate": true, "irate": true, "increase": true, "delta": true, "idelta": true, "deriv": true,
	"changes": true, "resets": true, "absent": true, "absent_over_time": true, "present_over_time": true,
	"timestamp": true, "count_over_time": true, "predict_linear": true,
}

func runRawCounter(ctx context.Context, env *source.Env, _ check.Params) ([]verdict.Finding, error) {
	const id = "rules/no-raw-counter"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	alerts := set.Alerts()
	if len(alerts) == 0 {
		return []verdict.Finding{{Check: id, Status: verdict.NA, Message: "no alerting rules found"}}, nil
	}
	var out []verdict.Finding
	parsed := 0
	for _, r := range alerts {
		if r.Parsed == nil {
			continue
		}
		parsed++
		var raw []string
		parser.Inspect(r.Parsed, func(n parser.Node, path []parser.Node) error {
			v, ok := n.(*parser.VectorSelector)
			if !ok || !counterSuffix.MatchString(selName(v)) {
				return nil
			}
			for _, a := range path {
				if c, ok := a.(*parser.Call); ok && counterSafe[c.Func.Name] {
					return nil
				}
			}
			raw = append(raw, selName(v))
			return nil
		})
		if len(raw) > 0 {
			f := at(id, verdict.Fail, r, fmt.Sprintf("alert %s compares raw counter %s: a counter only grows, wrap it in increase() or rate()", r.Alert, strings.Join(raw, ", ")))
			f.Line = r.ExprLine
			out = append(out, f)
		}
	}
	if parsed == 0 {
		return []verdict.Finding{unparsed(id, len(alerts))}, nil
	}
	if len(out) == 0 {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Message: fmt.Sprintf("none of %d alerts compares a raw counter", parsed)})
		if parsed < len(alerts) {
			out[0].Evidence = map[string]any{"unparsed": len(alerts) - parsed}
		}
	}
	return out, nil
}

func aggregates(e parser.Expr) bool {
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if a, ok := n.(*parser.AggregateExpr); ok {
			switch a.Op {
			case parser.SUM, parser.AVG, parser.MAX, parser.MIN, parser.COUNT, parser.QUANTILE:
				// "by (pod)" keeps pods apart, so it is not an aggregation across them.
				if !(!a.Without && containsAny(a.Grouping, "pod", "instance", "pod_name", "container")) {
					found = true
				}
			}
		}
		return nil
	})
	return found
}

func containsAny(list []string, names ...string) bool {
	for _, l := range list {
		for _, n := range names {
			if l == n {
				return true
			}
		}
	}
	return false
}

func runAggregated(ctx context.Context, env *source.Env, _ check.Params) ([]verdict.Finding, error) {
	const id = "rules/aggregated"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	c := classifierFor(ctx, env, set)
	var out []verdict.Finding
	n, skipped := 0, 0
	for _, r := range set.Alerts() {
		if r.Parsed == nil {
			skipped++
			continue
		}
		sig := c.classify(r.Parsed, 0) // recorded series are already aggregated where they were recorded
		if !(sig.measures[ErrorRatio] || sig.measures[Latency] || sig.measures[Throughput]) {
			continue
		}
		recorded := false
		for _, m := range sig.metrics {
			if len(c.recorded[m]) > 0 || strings.Contains(m, ":") {
				recorded = true
			}
		}
		n++
		if aggregates(r.Parsed) || recorded {
			continue
		}
		out = append(out, at(id, verdict.Fail, r, fmt.Sprintf("alert %s is evaluated per series (per pod): aggregate with sum(...) by (service) or similar", r.Alert)))
	}
	if n == 0 {
		if skipped > 0 {
			// An unparsed alert may be the service-level one: its absence is not shown.
			return []verdict.Finding{unparsed(id, skipped)}, nil
		}
		return []verdict.Finding{{Check: id, Status: verdict.NA, Message: "no error-ratio, latency or throughput alerts found"}}, nil
	}
	if len(out) == 0 {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Message: fmt.Sprintf("all %d service-level alerts aggregate across pods", n)})
	}
	return out, nil
}

func runFor(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "rules/for-duration"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	minFor := p.Duration("minFor")
	sevs := p.Strings("severities")
	var out []verdict.Finding
	n := 0
	for _, r := range set.Alerts() {
		if len(sevs) > 0 && !containsFold(sevs, r.Labels["severity"]) {
			continue
		}
		n++
		if r.For < minFor {
			out = append(out, at(id, verdict.Fail, r, fmt.Sprintf("alert %s has for %s, want at least %s", r.Alert, r.For, minFor)))
		}
	}
	if n == 0 {
		if len(set.Alerts()) == 0 {
			return []verdict.Finding{noRules(id, set, "")}, nil
		}
		return []verdict.Finding{{Check: id, Status: verdict.NA, Message: fmt.Sprintf("no alerts with severity %v", sevs)}}, nil
	}
	if len(out) == 0 {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Message: fmt.Sprintf("all %d alerts wait at least %s", n, minFor)})
	}
	return out, nil
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}
