package http

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

func metricsParams(extra ...check.Param) []check.Param {
	return append([]check.Param{pathParam("/metrics", "metrics path"), pPort, pTarget}, extra...)
}

func registerMetrics(r *check.Registry) {
	r.Register(check.Check{
		ID:    "http/metrics",
		Title: "/metrics parses and exposes the required metrics",
		Description: "GETs the metrics path; it must answer 200 and parse as the Prometheus text format or " +
			"OpenMetrics. Every name in required must exist (\"foo_total\" and OpenMetrics \"foo\" are the same " +
			"counter). Each entry of anyOf names a need and a regular expression over family names, optionally " +
			"prefixed by a type: \"histogram:request_size|response_size\"; some family must match.",
		Needs: needs,
		Params: metricsParams(
			check.Param{Name: "required", Type: check.Strings, Description: "metric names that must exist"},
			check.Param{Name: "anyOf", Type: check.Map, Description: "need -> [type:]regexp over family names"},
		),
		Run: runMetrics,
	})
	r.Register(check.Check{
		ID:    "http/metrics-red",
		Title: "/metrics has a request counter and a latency histogram",
		Description: "Looks for a counter whose name says requests (or another word in counterWords) and a " +
			"histogram (or, with allowSummary, a summary) whose name says duration or latency. With requireErrors, " +
			"the counter must carry a status/code/outcome label or an error counter must exist.",
		Needs: needs,
		Params: metricsParams(
			check.Param{Name: "counterWords", Type: check.Strings, Default: []string{"request", "requests", "commands", "calls"}},
			check.Param{Name: "latencyWords", Type: check.Strings, Default: []string{"duration", "latency"}},
			check.Param{Name: "allowSummary", Type: check.Bool, Default: true},
			check.Param{Name: "requireErrors", Type: check.Bool, Default: false},
		),
		Run: runMetricsRED,
	})
	r.Register(check.Check{
		ID:    "http/metrics-cardinality",
		Title: "No metric has unbounded label cardinality",
		Description: "Counts the series of every family on /metrics: more than maxSeries fails, naming the " +
			"label with the most values. A label with at least maxIDLikeValues values that look like identifiers " +
			"(UUIDs, long numbers, e-mails, IPs, paths with IDs) fails too: those grow with traffic.",
		Needs: needs,
		Params: metricsParams(
			check.Param{Name: "maxSeries", Type: check.Int, Default: 500, Description: "series per family"},
			check.Param{Name: "maxIDLikeValues", Type: check.Int, Default: 10, Description: "identifier-like values per label; 0 disables"},
			check.Param{Name: "ignore", Type: check.Strings, Description: "families to skip (regexps)"},
		),
		Run: runMetricsCardinality,
	})
}

// scrape fetches and parses the metrics page. A page that does not parse is a
// failing finding, returned as fail with a nil exposition.
func scrape(ctx context.Context, pc *probe.Client, t probe.Target, p check.Params) (*Exposition, *probe.Response, *verdict.Finding, error) {
	r, err := pc.Do(ctx, t, probe.Request{Path: p.String("path"), Port: p.Int("port"),
		Header: map[string][]string{"Accept": {"application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1"}}})
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Status != 200 {
		f := finding(verdict.Fail, r, fmt.Sprintf("%s answered %d, want 200", p.String("path"), r.Status), nil)
		return nil, r, &f, nil
	}
	ex, perr := ParseExposition(r.Body, r.Header.Get("Content-Type"))
	if perr != nil {
		f := finding(verdict.Fail, r, perr.Error(), map[string]any{"body": probe.BodyHead(r.Body)})
		return nil, r, &f, nil
	}
	if len(ex.Families) == 0 {
		// An empty exposition parses, but every judgement over it would pass on nothing.
		f := finding(verdict.Fail, r, fmt.Sprintf("%s answered 200 but exposes no metric", p.String("path")), map[string]any{"body": probe.BodyHead(r.Body)})
		return nil, r, &f, nil
	}
	return ex, r, nil, nil
}

func runMetrics(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	type need struct {
		name  string
		types []string
		re    *regexp.Regexp
	}
	var needsList []need
	for name, v := range p.Map("anyOf") {
		spec := fmt.Sprint(v)
		var types []string
		if t, rest, ok := strings.Cut(spec, ":"); ok && isMetricType(t) {
			types, spec = []string{t}, rest
		}
		re, err := regexp.Compile(spec)
		if err != nil {
			return nil, fmt.Errorf("anyOf %s: %w", name, err)
		}
		needsList = append(needsList, need{name, types, re})
	}
	sort.Slice(needsList, func(i, j int) bool { return needsList[i].name < needsList[j].name })
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		ex, r, bad, err := scrape(ctx, pc, t, p)
		if err != nil || bad != nil {
			return oneOrNone(bad), err
		}
		base := map[string]any{"format": ex.Format, "families": len(ex.Families)}
		var out []verdict.Finding
		var missing []string
		for _, name := range p.Strings("required") {
			if ex.Find(name) == nil {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			out = append(out, finding(verdict.Fail, r, "missing metrics: "+strings.Join(missing, ", "), base))
		}
		for _, n := range needsList {
			m := ex.Match(n.re, n.types...)
			if len(m) == 0 {
				what := n.re.String()
				if len(n.types) > 0 {
					what = n.types[0] + " matching " + what
				}
				out = append(out, finding(verdict.Fail, r, fmt.Sprintf("no metric for %s (%s)", n.name, what), base))
				continue
			}
			out = append(out, finding(verdict.Pass, r, fmt.Sprintf("%s: %s (%s)", n.name, m[0].Name, m[0].Type), base))
		}
		if len(missing) == 0 {
			msg := fmt.Sprintf("%s parses as %s with %d families", p.String("path"), ex.Format, len(ex.Families))
			if req := p.Strings("required"); len(req) > 0 {
				msg += "; required present: " + strings.Join(req, ", ")
			}
			out = append(out, finding(verdict.Pass, r, msg, base))
		}
		return out, nil
	})
}

func oneOrNone(f *verdict.Finding) []verdict.Finding {
	if f == nil {
		return nil
	}
	return []verdict.Finding{*f}
}

func isMetricType(s string) bool {
	switch s {
	case "counter", "gauge", "histogram", "summary", "untyped", "unknown":
		return true
	}
	return false
}

func wordsRE(words []string) *regexp.Regexp {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = regexp.QuoteMeta(strings.ToLower(w))
	}
	return regexp.MustCompile(`(?i)(^|_)(` + strings.Join(q, "|") + `)(_|$)`)
}

var errorLabels = []string{"code", "status", "status_code", "outcome", "result", "error", "success"}

func runMetricsRED(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	counterRE := wordsRE(p.Strings("counterWords"))
	latencyRE := wordsRE(p.Strings("latencyWords"))
	histTypes := []string{"histogram"}
	if p.Bool("allowSummary") {
		histTypes = append(histTypes, "summary")
	}
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		ex, r, bad, err := scrape(ctx, pc, t, p)
		if err != nil || bad != nil {
			return oneOrNone(bad), err
		}
		var out []verdict.Finding
		counters := ex.Match(counterRE, "counter")
		if len(counters) == 0 {
			out = append(out, finding(verdict.Fail, r, "no request counter (a counter named with "+strings.Join(p.Strings("counterWords"), "/")+")", nil))
		} else {
			out = append(out, finding(verdict.Pass, r, "request counter: "+names(counters), nil))
		}
		hists := ex.Match(latencyRE, histTypes...)
		if len(hists) == 0 {
			out = append(out, finding(verdict.Fail, r, "no latency histogram (a "+strings.Join(histTypes, " or ")+" named with "+strings.Join(p.Strings("latencyWords"), "/")+")", nil))
		} else {
			out = append(out, finding(verdict.Pass, r, "latency histogram: "+names(hists), nil))
		}
		if p.Bool("requireErrors") {
			var withLabel []string
			for _, c := range counters {
				if hasAnyLabel(c, errorLabels) {
					withLabel = append(withLabel, c.Name)
				}
			}
			errCounters := ex.Match(regexp.MustCompile(`(?i)(^|_)(errors?|failures?|failed)(_|$)`), "counter")
			switch {
			case len(withLabel) > 0:
				out = append(out, finding(verdict.Pass, r, "errors countable by label on "+strings.Join(withLabel, ", "), nil))
			case len(errCounters) > 0:
				out = append(out, finding(verdict.Pass, r, "error counter: "+names(errCounters), nil))
			default:
				out = append(out, finding(verdict.Fail, r, "no error counter and no status/code/outcome label on the request counter", nil))
			}
		}
		return out, nil
	})
}

func names(fs []*Family) string {
	n := make([]string, 0, len(fs))
	for i, f := range fs {
		if i == 5 {
			n = append(n, fmt.Sprintf("and %d more", len(fs)-5))
			break
		}
		n = append(n, f.Name)
	}
	return strings.Join(n, ", ")
}

func hasAnyLabel(f *Family, labels []string) bool {
	for _, s := range f.Series {
		for _, l := range labels {
			if _, ok := s[l]; ok {
				return true
			}
		}
	}
	return false
}

func runMetricsCardinality(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	var ignore []*regexp.Regexp
	for _, s := range p.Strings("ignore") {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("ignore %q: %w", s, err)
		}
		ignore = append(ignore, re)
	}
	maxSeries, maxIDs := p.Int("maxSeries"), p.Int("maxIDLikeValues")
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		ex, r, bad, err := scrape(ctx, pc, t, p)
		if err != nil || bad != nil {
			return oneOrNone(bad), err
		}
		var out []verdict.Finding
		worst := Cardinality{}
	families:
		for _, c := range ex.Cardinalities() {
			for _, re := range ignore {
				if re.MatchString(c.Family) {
					continue families
				}
			}
			if c.Series > worst.Series {
				worst = c
			}
			ev := map[string]any{"cardinality": c}
			if maxSeries > 0 && c.Series > maxSeries {
				out = append(out, finding(verdict.Fail, r, fmt.Sprintf("%s has %d series (max %d); label %q has %d values",
					c.Family, c.Series, maxSeries, c.TopLabel, c.TopValues), ev))
				continue
			}
			if maxIDs > 0 && c.IDLikeCount >= maxIDs {
				out = append(out, finding(verdict.Fail, r, fmt.Sprintf("%s label %q has %d identifier-like values (e.g. %s): unbounded",
					c.Family, c.IDLikeLabel, c.IDLikeCount, strings.Join(c.Examples, ", ")), ev))
			}
		}
		if len(out) == 0 {
			out = append(out, finding(verdict.Pass, r, fmt.Sprintf("%d families, largest %s with %d series (max %d)",
				len(ex.Families), worst.Family, worst.Series, maxSeries), map[string]any{"largest": worst}))
		}
		return out, nil
	})
}
