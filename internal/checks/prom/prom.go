// Package prom holds the checks that ask the service's Prometheus: are its
// targets up, are error rate and latency under their thresholds, do the
// required metrics have fresh samples, are the alert rules loaded and is
// nothing firing.
package prom

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/prom"
	"golive.dev/golive/internal/verdict"
)

// Register adds the Prometheus checks.
func Register(r *check.Registry) {
	for _, c := range []check.Check{
		targetsUp(), errorRate(), latency(), metricsPresent(), rulesLoaded(),
		noAlertsFiring(), query(), history(),
	} {
		r.Register(c)
	}
}

var needs = []check.Input{check.Prometheus}

func client(ctx context.Context, env *source.Env) (*src.Client, error) {
	return src.From(ctx, env)
}

// labelMap turns a Map parameter into string label matchers.
func labelMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// matchers merges the job parameter into the selector map.
func matchers(p check.Params) map[string]string {
	m := labelMap(p.Map("selector"))
	if j := p.String("job"); j != "" {
		m["job"] = j
	}
	return m
}

// matches reports whether labels satisfy every matcher of sel (same syntax as
// src.Selector: "~re", "!v", "!~re").
func matches(labels map[string]string, sel map[string]string) bool {
	for k, want := range sel {
		got := labels[k]
		switch {
		case strings.HasPrefix(want, "!~"):
			if fullMatch(want[2:], got) {
				return false
			}
		case strings.HasPrefix(want, "~"):
			if !fullMatch(want[1:], got) {
				return false
			}
		case strings.HasPrefix(want, "!"):
			if got == want[1:] {
				return false
			}
		default:
			if got != want {
				return false
			}
		}
	}
	return true
}

func fullMatch(re, s string) bool {
	r, err := regexp.Compile("^(?:" + re + ")$")
	return err == nil && r.MatchString(s)
}

func braces(sel string) string {
	if sel == "" {
		return ""
	}
	return "{" + sel + "}"
}

// withSel joins extra matchers to a selector string.
func withSel(sel string, extra ...string) string {
	parts := []string{}
	if sel != "" {
		parts = append(parts, sel)
	}
	for _, e := range extra {
		if e != "" {
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, ",")
}

func promDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

var selectorParams = []check.Param{
	{Name: "job", Type: check.String, Description: "scrape job of the service (label job)"},
	{Name: "selector", Type: check.Map, Description: `more label matchers, label: value ("~re" regex, "!v" not equal, "!~re" not matching)`},
}

func targetsUp() check.Check {
	return check.Check{
		ID:          "prom/targets-up",
		Title:       "The service's scrape targets are up",
		Description: "Lists the active targets of the Prometheus server, keeps those whose labels match job and selector, and passes when there are at least minTargets of them and every one is up. A target that is down fails with its last scrape error.",
		Needs:       needs,
		Params: append(append([]check.Param{}, selectorParams...),
			check.Param{Name: "minTargets", Type: check.Int, Default: 1, Description: "fewest matching targets"}),
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			sel := matchers(p)
			ts, err := c.Targets(ctx)
			if err != nil {
				return nil, err
			}
			var out []verdict.Finding
			n := 0
			for _, t := range ts {
				l := map[string]string{}
				for k, v := range t.Labels {
					l[string(k)] = string(v)
				}
				if !matches(l, sel) {
					continue
				}
				n++
				f := verdict.Finding{Check: "prom/targets-up", Endpoint: mask.URL(t.ScrapeURL), Evidence: map[string]any{
					"job": l["job"], "instance": l["instance"], "health": string(t.Health), "lastScrape": t.LastScrape.UTC().Format(time.RFC3339),
				}}
				if t.Health == "up" {
					f.Status, f.Message = verdict.Pass, fmt.Sprintf("target %s of job %s is up", l["instance"], l["job"])
				} else {
					f.Status = verdict.Fail
					f.Message = fmt.Sprintf("target %s of job %s is %s: %s", l["instance"], l["job"], t.Health, t.LastError)
					f.Evidence["lastError"] = t.LastError
				}
				out = append(out, f)
			}
			if min := p.Int("minTargets"); n < min {
				out = append(out, verdict.Finding{Check: "prom/targets-up", Status: verdict.Fail, Endpoint: c.URL,
					Message:  fmt.Sprintf("%d target(s) match %s, want at least %d", n, braces(src.Selector(sel)), min),
					Evidence: map[string]any{"selector": src.Selector(sel), "targets": len(ts)},
					Hint:     "check the job name and that Prometheus discovers the service (ServiceMonitor, scrape config)"})
			}
			return out, nil
		},
	}
}

// thresholdFinding judges one sample against max.
func thresholdFinding(id, what string, s src.Sample, max float64, unit string, expr string) verdict.Finding {
	f := verdict.Finding{Check: id, Evidence: map[string]any{"query": expr, "value": s.Value, "max": max, "series": s.LabelString()}}
	switch {
	case !src.Defined(s.Value):
		f.Status = verdict.Unverified
		f.Message = fmt.Sprintf("%s %s is undefined (%v): no traffic in the window", what, s.LabelString(), s.Value)
		f.Evidence["value"] = fmt.Sprint(s.Value)
	case s.Value <= max:
		f.Status, f.Message = verdict.Pass, fmt.Sprintf("%s %s is %s, at most %s", what, s.LabelString(), fmtNum(s.Value, unit), fmtNum(max, unit))
	default:
		f.Status, f.Message = verdict.Fail, fmt.Sprintf("%s %s is %s, above %s", what, s.LabelString(), fmtNum(s.Value, unit), fmtNum(max, unit))
	}
	return f
}

func fmtNum(v float64, unit string) string {
	switch unit {
	case "%":
		return fmt.Sprintf("%.2f%%", v*100)
	case "s":
		return fmt.Sprintf("%.3gs", v)
	}
	return fmt.Sprintf("%.4g", v)
}

func by(p check.Params) string {
	if b := p.Strings("by"); len(b) > 0 {
		return " by (" + strings.Join(b, ",") + ")"
	}
	return ""
}

func errorRate() check.Check {
	id := "prom/error-rate"
	return check.Check{
		ID:    id,
		Title: "The service's error ratio is under its threshold",
		Description: "Builds sum(rate(errors[window])) / sum(rate(total[window])) from the parameters and passes when every resulting ratio is at most max. " +
			"Errors are either their own counter (errorsMetric) or the total counter restricted by errorLabel matching errorMatch (e.g. code ~ 5..). " +
			"No traffic in the window leaves the check unverified; a counter without series fails.",
		Needs: needs,
		Params: append(append([]check.Param{}, selectorParams...),
			check.Param{Name: "totalMetric", Type: check.String, Default: "http_requests_total", Description: "counter of all requests"},
			check.Param{Name: "errorsMetric", Type: check.String, Description: "counter of failed requests; empty: totalMetric filtered by errorLabel"},
			check.Param{Name: "errorLabel", Type: check.String, Default: "code", Description: "label of totalMetric that marks errors"},
			check.Param{Name: "errorMatch", Type: check.String, Default: "5..", Description: "regex of errorLabel values that are errors"},
			check.Param{Name: "window", Type: check.Duration, Default: "5m", Description: "rate window"},
			check.Param{Name: "max", Type: check.Float, Default: 0.05, Description: "highest acceptable error ratio (0.05 = 5%)"},
			check.Param{Name: "by", Type: check.Strings, Description: "labels to judge separately (e.g. [instance])"},
		),
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			sel := src.Selector(matchers(p))
			w := promDuration(p.Duration("window"))
			total := p.String("totalMetric")
			var errs string
			if em := p.String("errorsMetric"); em != "" {
				errs = fmt.Sprintf("sum%s(rate(%s%s[%s]))", by(p), em, braces(sel), w)
			} else {
				errs = fmt.Sprintf("sum%s(rate(%s{%s}[%s]))", by(p), total, withSel(sel, fmt.Sprintf("%s=~%q", p.String("errorLabel"), p.String("errorMatch"))), w)
			}
			tot := fmt.Sprintf("sum%s(rate(%s%s[%s]))", by(p), total, braces(sel), w)
			// An error counter with no series at all means no errors happened
			// when the total exists: "or 0 * total" keeps the ratio defined.
			expr := fmt.Sprintf("(%s or (0 * %s)) / %s", errs, tot, tot)
			return judgeQuery(ctx, c, id, "error ratio", expr, p.Float("max"), "%", total)
		},
	}
}

// judgeQuery runs expr and judges each sample against max. An empty result
// is a failure naming the metric that has no series.
func judgeQuery(ctx context.Context, c *src.Client, id, what, expr string, max float64, unit, metric string) ([]verdict.Finding, error) {
	res, err := c.Query(ctx, expr, time.Time{})
	if err != nil {
		return nil, err
	}
	if len(res.Samples) == 0 {
		return []verdict.Finding{{Check: id, Status: verdict.Fail, Endpoint: c.URL,
			Message:  fmt.Sprintf("%s: the query returned no series; %s has no samples for this selector", what, metric),
			Evidence: map[string]any{"query": expr},
			Hint:     "check the metric name and labels the service exports"}}, nil
	}
	var out []verdict.Finding
	for _, s := range res.Samples {
		f := thresholdFinding(id, what, s, max, unit, expr)
		f.Endpoint = c.URL
		out = append(out, f)
	}
	return out, nil
}

func latency() check.Check {
	id := "prom/latency"
	return check.Check{
		ID:    id,
		Title: "The service's latency quantile is under its threshold",
		Description: "Computes histogram_quantile(quantile, sum by (le) (rate(histogram_bucket[window]))) over the selected series and passes when the result is at most max seconds. " +
			"Native histograms are used when the classic buckets have no series.",
		Needs: needs,
		Params: append(append([]check.Param{}, selectorParams...),
			check.Param{Name: "histogram", Type: check.String, Default: "http_request_duration_seconds", Description: "histogram metric name, without _bucket"},
			check.Param{Name: "quantile", Type: check.Float, Default: 0.95, Description: "quantile, 0.95 = p95"},
			check.Param{Name: "window", Type: check.Duration, Default: "5m", Description: "rate window"},
			check.Param{Name: "max", Type: check.Float, Default: 1.0, Description: "highest acceptable latency in seconds"},
			check.Param{Name: "by", Type: check.Strings, Description: "labels to judge separately (e.g. [route])"},
		),
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			q := p.Float("quantile")
			if q <= 0 || q >= 1 {
				return nil, fmt.Errorf("quantile %v: want a value between 0 and 1", q)
			}
			sel := src.Selector(matchers(p))
			w := promDuration(p.Duration("window"))
			h := p.String("histogram")
			grp := append([]string{"le"}, p.Strings("by")...)
			expr := fmt.Sprintf("histogram_quantile(%g, sum by (%s) (rate(%s_bucket%s[%s])))", q, strings.Join(grp, ","), h, braces(sel), w)
			res, err := c.Query(ctx, expr, time.Time{})
			if err != nil {
				return nil, err
			}
			if len(res.Samples) == 0 {
				expr = fmt.Sprintf("histogram_quantile(%g, sum%s(rate(%s%s[%s])))", q, by(p), h, braces(sel), w)
			} else {
				expr = res.Expr
			}
			what := fmt.Sprintf("p%g latency", q*100)
			return judgeQuery(ctx, c, id, what, expr, p.Float("max"), "s", h)
		},
	}
}

func metricsPresent() check.Check {
	id := "prom/metrics-present"
	return check.Check{
		ID:    id,
		Title: "The required metrics have fresh samples in Prometheus",
		Description: "For each metric name, looks for series (the name itself or its _bucket/_count/_sum/_total forms) with a sample within maxAge, restricted by job and selector. " +
			"A metric without fresh samples fails; the age of the newest sample is kept as evidence.",
		Needs: needs,
		Params: append(append([]check.Param{}, selectorParams...),
			check.Param{Name: "metrics", Type: check.Strings, Required: true, Description: "metric names that must exist"},
			check.Param{Name: "maxAge", Type: check.Duration, Default: "5m", Description: "newest sample must be younger than this"},
			check.Param{Name: "exact", Type: check.Bool, Default: false, Description: "match the names exactly, without histogram/counter suffixes"},
		),
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			ms := p.Strings("metrics")
			if len(ms) == 0 {
				return nil, fmt.Errorf("parameter metrics is empty: name at least one metric")
			}
			sel := src.Selector(matchers(p))
			age := promDuration(p.Duration("maxAge"))
			var out []verdict.Finding
			for _, m := range ms {
				name := fmt.Sprintf("__name__=%q", m)
				if !p.Bool("exact") {
					name = fmt.Sprintf("__name__=~%q", regexp.QuoteMeta(m)+"(_bucket|_count|_sum|_total|_created)?")
				}
				// timestamp() drops the metric name, so series of a histogram's
				// _bucket and _count would collide: ask per name found.
				names, err := c.Query(ctx, fmt.Sprintf("count by (__name__) (last_over_time(%s[%s]))", braces(withSel(name, sel)), age), time.Time{})
				if err != nil {
					return nil, err
				}
				expr := ""
				res := &src.Result{}
				for _, n := range names.Samples {
					vs := braces(withSel(fmt.Sprintf("__name__=%q", n.Labels["__name__"]), sel))
					// max_over_time of timestamp() finds the newest sample
					// even beyond the default 5m lookback.
					expr = fmt.Sprintf("time() - max(max_over_time(timestamp(%s)[%s:]))", vs, age)
					if p.Duration("maxAge") <= 5*time.Minute {
						expr = fmt.Sprintf("time() - max(timestamp(%s))", vs)
					}
					r, err := c.Query(ctx, expr, time.Time{})
					if err != nil {
						return nil, err
					}
					if len(r.Samples) > 0 && (len(res.Samples) == 0 || r.Samples[0].Value < res.Samples[0].Value) {
						res = r
					}
				}
				if expr == "" {
					expr = names.Expr
				}
				f := verdict.Finding{Check: id, Endpoint: c.URL, Evidence: map[string]any{"metric": m, "query": expr, "maxAge": age}}
				switch {
				case len(res.Samples) == 0:
					f.Status, f.Message = verdict.Fail, fmt.Sprintf("metric %s has no sample in the last %s%s", m, age, selNote(sel))
				case res.Samples[0].Value > p.Duration("maxAge").Seconds():
					f.Status, f.Message = verdict.Fail, fmt.Sprintf("metric %s is stale: newest sample %.0fs old, want under %s", m, res.Samples[0].Value, age)
					f.Evidence["ageSeconds"] = res.Samples[0].Value
				default:
					f.Status, f.Message = verdict.Pass, fmt.Sprintf("metric %s has fresh samples (%.0fs old)", m, res.Samples[0].Value)
					f.Evidence["ageSeconds"] = res.Samples[0].Value
				}
				out = append(out, f)
			}
			return out, nil
		},
	}
}

func selNote(sel string) string {
	if sel == "" {
		return ""
	}
	return " for " + braces(sel)
}

func rulesLoaded() check.Check {
	id := "prom/rules-loaded"
	return check.Check{
		ID:    id,
		Title: "The required alerting and recording rules are loaded and healthy",
		Description: "Reads the rules API. Each name in rules must be a loaded rule; each regex in patterns must match at least one rule name; each text in exprContains must appear in some rule's expression. " +
			"Matched rules (or every rule in the groups selected, when healthy is set) must evaluate without error; recordingFresh also asks for a current series of each matched recording rule, and alertmanager for at least one active Alertmanager.",
		Needs: needs,
		Params: []check.Param{
			{Name: "rules", Type: check.Strings, Description: "rule names that must be loaded"},
			{Name: "patterns", Type: check.Strings, Description: "regexes; each must match the name of at least one loaded rule"},
			{Name: "exprContains", Type: check.Strings, Description: "texts; each must appear in the expression of at least one loaded rule"},
			{Name: "type", Type: check.String, Default: "", Description: "restrict to alerting or recording rules"},
			{Name: "groups", Type: check.String, Default: "", Description: "regex of rule group names to consider (empty: all)"},
			{Name: "healthy", Type: check.Bool, Default: false, Description: "every rule of the considered groups must have health ok, not only the matched ones"},
			{Name: "recordingFresh", Type: check.Bool, Default: false, Description: "matched recording rules must have a current series"},
			{Name: "alertmanager", Type: check.Bool, Default: false, Description: "at least one Alertmanager must be active"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			if len(p.Strings("rules"))+len(p.Strings("patterns"))+len(p.Strings("exprContains")) == 0 && !p.Bool("healthy") && !p.Bool("alertmanager") {
				return nil, fmt.Errorf("give rules, patterns, exprContains, healthy or alertmanager: nothing to check")
			}
			all, err := c.Rules(ctx)
			if err != nil {
				return nil, err
			}
			var grp *regexp.Regexp
			if g := p.String("groups"); g != "" {
				if grp, err = regexp.Compile("^(?:" + g + ")$"); err != nil {
					return nil, fmt.Errorf("groups regex %q: %w", g, err)
				}
			}
			var rules []src.Rule
			for _, r := range all {
				if t := p.String("type"); t != "" && r.Type != t {
					continue
				}
				if grp != nil && !grp.MatchString(r.Group) {
					continue
				}
				rules = append(rules, r)
			}
			ev := func(r src.Rule) map[string]any {
				return map[string]any{"rule": r.Name, "type": r.Type, "group": r.Group, "file": r.File, "health": r.Health, "expr": r.Query}
			}
			var out []verdict.Finding
			matched := map[int]bool{}
			judge := func(i int) verdict.Finding {
				r := rules[i]
				matched[i] = true
				if r.Health == "err" {
					e := ev(r)
					e["lastError"] = r.LastError
					return verdict.Finding{Check: id, Status: verdict.Fail, Endpoint: c.URL, Evidence: e,
						Message: fmt.Sprintf("%s rule %s (group %s) fails to evaluate: %s", r.Type, r.Name, r.Group, r.LastError)}
				}
				return verdict.Finding{Check: id, Status: verdict.Pass, Endpoint: c.URL, Evidence: ev(r),
					Message: fmt.Sprintf("%s rule %s is loaded (group %s, health %s)", r.Type, r.Name, r.Group, orUnknown(r.Health))}
			}
			miss := func(msg string, e map[string]any) {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, Endpoint: c.URL, Message: msg, Evidence: e,
					Hint: "add the rule to a rule file Prometheus loads (or a PrometheusRule the operator picks up)"})
			}
			for _, name := range p.Strings("rules") {
				found := false
				for i, r := range rules {
					if r.Name == name {
						out = append(out, judge(i))
						found = true
					}
				}
				if !found {
					miss(fmt.Sprintf("no loaded rule is named %s (%d rules loaded)", name, len(rules)), map[string]any{"rule": name})
				}
			}
			for _, pat := range p.Strings("patterns") {
				re, err := regexp.Compile(pat)
				if err != nil {
					return nil, fmt.Errorf("pattern %q: %w", pat, err)
				}
				found := false
				for i, r := range rules {
					if re.MatchString(r.Name) {
						out = append(out, judge(i))
						found = true
					}
				}
				if !found {
					miss(fmt.Sprintf("no loaded rule name matches %s", pat), map[string]any{"pattern": pat})
				}
			}
			for _, txt := range p.Strings("exprContains") {
				found := false
				for i, r := range rules {
					if strings.Contains(compact(r.Query), compact(txt)) {
						out = append(out, judge(i))
						found = true
					}
				}
				if !found {
					miss(fmt.Sprintf("no loaded rule's expression contains %q", txt), map[string]any{"exprContains": txt})
				}
			}
			if p.Bool("healthy") {
				if len(rules) == 0 {
					miss("no rules are loaded in the considered groups", nil)
				}
				for i, r := range rules {
					if !matched[i] && r.Health == "err" {
						out = append(out, judge(i))
					}
				}
				if len(rules) > 0 {
					out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Endpoint: c.URL,
						Message: fmt.Sprintf("%d rule(s) loaded; health checked for all of them", len(rules))})
				}
			}
			if p.Bool("recordingFresh") {
				for i := range rules {
					r := rules[i]
					if !matched[i] || r.Type != "recording" {
						continue
					}
					res, err := c.Query(ctx, fmt.Sprintf("count({__name__=%q})", r.Name), time.Time{})
					if err != nil {
						return nil, err
					}
					if len(res.Samples) == 0 {
						out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, Endpoint: c.URL, Evidence: ev(r),
							Message: fmt.Sprintf("recording rule %s has no current series: its input metrics are missing", r.Name)})
					}
				}
			}
			if p.Bool("alertmanager") {
				active, dropped, err := c.Alertmanagers(ctx)
				if err != nil {
					return nil, err
				}
				e := map[string]any{"active": active, "dropped": dropped}
				if len(active) == 0 {
					out = append(out, verdict.Finding{Check: id, Status: verdict.Fail, Endpoint: c.URL, Evidence: e,
						Message: "no active Alertmanager: firing alerts reach nobody", Hint: "configure alerting.alertmanagers in Prometheus"})
				} else {
					out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Endpoint: c.URL, Evidence: e,
						Message: fmt.Sprintf("%d Alertmanager(s) active", len(active))})
				}
			}
			return out, nil
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// compact drops whitespace so expressions match however they are wrapped.
func compact(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func noAlertsFiring() check.Check {
	id := "prom/no-alerts-firing"
	return check.Check{
		ID:          id,
		Title:       "None of the service's alerts is firing",
		Description: "Reads the alerts API and fails for every firing alert whose labels match selector and whose severity is in severities (any when empty), except the alert names in ignore (Watchdog-style heartbeats). Pending alerts are reported but pass unless pendingFails is set.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "selector", Type: check.Map, Description: "alert label matchers (e.g. job, service, namespace)"},
			{Name: "severities", Type: check.Strings, Description: "severity label values that count (empty: all)"},
			{Name: "ignore", Type: check.Strings, Default: []any{"Watchdog", "InfoInhibitor", "DeadMansSwitch"}, Description: "alert names never counted"},
			{Name: "pendingFails", Type: check.Bool, Default: false, Description: "pending alerts fail too"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			alerts, err := c.Alerts(ctx)
			if err != nil {
				return nil, err
			}
			sel := labelMap(p.Map("selector"))
			ignore := map[string]bool{}
			for _, n := range p.Strings("ignore") {
				ignore[n] = true
			}
			sev := map[string]bool{}
			for _, s := range p.Strings("severities") {
				sev[s] = true
			}
			var out []verdict.Finding
			considered := 0
			for _, a := range alerts {
				l := map[string]string{}
				for k, v := range a.Labels {
					l[string(k)] = string(v)
				}
				if ignore[l["alertname"]] || !matches(l, sel) || (len(sev) > 0 && !sev[l["severity"]]) {
					continue
				}
				considered++
				e := map[string]any{"alertname": l["alertname"], "state": string(a.State), "labels": l, "activeAt": a.ActiveAt.UTC().Format(time.RFC3339), "value": a.Value}
				st := verdict.Pass
				if a.State == "firing" || p.Bool("pendingFails") {
					st = verdict.Fail
				}
				out = append(out, verdict.Finding{Check: id, Status: st, Endpoint: c.URL, Evidence: e,
					Message: fmt.Sprintf("alert %s is %s since %s", l["alertname"], a.State, a.ActiveAt.UTC().Format(time.RFC3339))})
			}
			if considered == 0 {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, Endpoint: c.URL,
					Message:  fmt.Sprintf("no alert is firing or pending%s (%d active alerts in total)", selNote(src.Selector(sel)), len(alerts)),
					Evidence: map[string]any{"activeAlerts": len(alerts)}})
			}
			return out, nil
		},
	}
}

var ops = map[string]func(a, b float64) bool{
	"<":  func(a, b float64) bool { return a < b },
	"<=": func(a, b float64) bool { return a <= b },
	">":  func(a, b float64) bool { return a > b },
	">=": func(a, b float64) bool { return a >= b },
	"==": func(a, b float64) bool { return a == b },
	"!=": func(a, b float64) bool { return a != b },
}

func opNames() string {
	ks := make([]string, 0, len(ops))
	for k := range ops {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

func query() check.Check {
	id := "prom/query"
	return check.Check{
		ID:    id,
		Title: "A PromQL query's every result satisfies a comparison",
		Description: "Runs expr as an instant query and compares every resulting sample with threshold using op. " +
			"An empty result is judged by empty: unverified (the default: nothing to judge), fail (the series should exist) or pass (the query selects only bad series, e.g. firing alerts).",
		Needs: needs,
		Params: []check.Param{
			{Name: "expr", Type: check.String, Required: true, Description: "PromQL expression"},
			{Name: "op", Type: check.String, Default: "<=", Description: "comparison: " + opNames()},
			{Name: "threshold", Type: check.Float, Default: 0.0, Description: "value compared against"},
			{Name: "empty", Type: check.String, Default: "unverified", Description: "status when the query returns nothing: unverified, fail or pass"},
			{Name: "offset", Type: check.Duration, Description: "evaluate this long before now (e.g. 24h to prove history exists)"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			expr, op, thr := p.String("expr"), p.String("op"), p.Float("threshold")
			cmp, ok := ops[op]
			if !ok {
				return nil, fmt.Errorf("op %q: want one of %s", op, opNames())
			}
			empty := verdict.Status(p.String("empty"))
			if empty != verdict.Unverified && empty != verdict.Fail && empty != verdict.Pass {
				return nil, fmt.Errorf("empty %q: want unverified, fail or pass", empty)
			}
			at := c.Now.Add(-p.Duration("offset"))
			res, err := c.Query(ctx, expr, at)
			if err != nil {
				return nil, err
			}
			if len(res.Samples) == 0 {
				return []verdict.Finding{{Check: id, Status: empty, Endpoint: c.URL, Evidence: map[string]any{"query": expr, "at": at.UTC().Format(time.RFC3339)},
					Message: fmt.Sprintf("query returned no series (%s when empty)", empty)}}, nil
			}
			var out []verdict.Finding
			for _, s := range res.Samples {
				f := verdict.Finding{Check: id, Endpoint: c.URL, Evidence: map[string]any{"query": expr, "series": s.LabelString(), "value": s.Value, "op": op, "threshold": thr}}
				switch {
				case !src.Defined(s.Value):
					f.Status, f.Message = verdict.Unverified, fmt.Sprintf("%s is %v, not a number to compare", s.LabelString(), s.Value)
					f.Evidence["value"] = fmt.Sprint(s.Value)
				case cmp(s.Value, thr):
					f.Status, f.Message = verdict.Pass, fmt.Sprintf("%s = %.4g %s %.4g", s.LabelString(), s.Value, op, thr)
				default:
					f.Status, f.Message = verdict.Fail, fmt.Sprintf("%s = %.4g, want %s %.4g", s.LabelString(), s.Value, op, thr)
				}
				out = append(out, f)
			}
			return out, nil
		},
	}
}

func history() check.Check {
	id := "prom/history"
	return check.Check{
		ID:          id,
		Title:       "Prometheus keeps enough history",
		Description: "Evaluates expr (default up) as it was minHistory ago and passes when series existed then, so past hours or days can be viewed; the configured retention is kept as evidence.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "expr", Type: check.String, Default: "up", Description: "series that must have history"},
			{Name: "minHistory", Type: check.Duration, Default: "24h", Description: "how far back data must exist"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			c, err := client(ctx, env)
			if err != nil {
				return nil, err
			}
			back := p.Duration("minHistory")
			at := c.Now.Add(-back)
			res, err := c.Query(ctx, fmt.Sprintf("count(%s)", p.String("expr")), at)
			if err != nil {
				return nil, err
			}
			e := map[string]any{"query": p.String("expr"), "at": at.UTC().Format(time.RFC3339)}
			if flags, err := c.Flags(ctx); err == nil {
				for _, k := range []string{"storage.tsdb.retention.time", "storage.tsdb.retention.size", "storage.tsdb.retention"} {
					if v := flags[k]; v != "" && v != "0s" && v != "0B" {
						e[k] = v
					}
				}
			}
			f := verdict.Finding{Check: id, Endpoint: c.URL, Evidence: e}
			if len(res.Samples) == 0 || res.Samples[0].Value == 0 {
				f.Status, f.Message = verdict.Fail, fmt.Sprintf("no %s series %s ago: history does not reach back %s", p.String("expr"), back, back)
			} else {
				f.Status, f.Message = verdict.Pass, fmt.Sprintf("%.0f %s series existed %s ago", res.Samples[0].Value, p.String("expr"), back)
			}
			return []verdict.Finding{f}, nil
		},
	}
}
