package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/promrules"
	"golive.dev/golive/internal/verdict"
)

func runAnnotations(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "rules/annotations"
	if len(p.Strings("annotations")) == 0 && !p.Bool("requireSeverity") {
		return nil, fmt.Errorf("annotations is empty and requireSeverity is false: nothing to check")
	}
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	alerts := set.Alerts()
	if len(alerts) == 0 {
		return []verdict.Finding{noRules(id, set, "")}, nil
	}
	want := p.Strings("annotations")
	var out []verdict.Finding
	for _, r := range alerts {
		var missing []string
		if p.Bool("requireSeverity") && r.Labels["severity"] == "" {
			missing = append(missing, "severity label")
		}
		for _, a := range want {
			v := annotation(r, a)
			if v == "" {
				missing = append(missing, a+" annotation")
				continue
			}
			if strings.HasPrefix(a, "runbook") && !runbookExists(env, r, v) {
				missing = append(missing, fmt.Sprintf("runbook %q (no such file)", v))
			}
		}
		if len(missing) > 0 {
			out = append(out, at(id, verdict.Fail, r, fmt.Sprintf("alert %s lacks %s", r.Alert, strings.Join(missing, ", "))))
		}
	}
	if len(out) == 0 {
		out = append(out, verdict.Finding{Check: id, Status: verdict.Pass,
			Message: fmt.Sprintf("all %d alerts have %s", len(alerts), strings.Join(want, ", "))})
	}
	return out, nil
}

// runbookExists checks a runbook given as a path in the repository. URLs and
// templated values cannot be checked offline and count as present.
func runbookExists(env *source.Env, r *promrules.Rule, v string) bool {
	if strings.Contains(v, "://") || strings.Contains(v, "{{") || strings.HasPrefix(v, "#") {
		return true
	}
	p := strings.SplitN(v, "#", 2)[0]
	if filepath.IsAbs(p) {
		_, err := os.Stat(p)
		return err == nil
	}
	cands := []string{filepath.Join(filepath.Dir(r.File), p)}
	for _, root := range env.Inputs.Paths {
		cands = append(cands, filepath.Join(root, p))
	}
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return true
		}
	}
	// A bare word (a wiki page name) is not a path: do not fail it.
	return !strings.ContainsAny(p, "/.")
}

var sloName = regexp.MustCompile(`(?i)(^|[:_])slo([:_]|$)|sloth|pyrra|error_budget|errorbudget|burn_?rate|slo:sli_error`)

func runSLO(ctx context.Context, env *source.Env, _ check.Params) ([]verdict.Finding, error) {
	const id = "rules/slo"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	if len(set.Rules) == 0 {
		return []verdict.Finding{noRules(id, set, "wanted SLO rules")}, nil
	}
	for _, r := range set.Rules {
		why := ""
		switch {
		case sloName.MatchString(r.Name()) || sloName.MatchString(r.Group):
			why = "name " + r.Name()
		case r.Labels["sloth_id"] != "" || r.Labels["sloth_slo"] != "" || r.Labels["slo"] != "":
			why = "SLO labels"
		case r.IsAlert() && sloName.MatchString(r.Expr):
			why = "burn-rate expression"
		case r.IsAlert() && isMultiWindowBurn(r):
			why = "multi-window burn-rate expression"
		}
		if why != "" {
			f := at(id, verdict.Pass, r, fmt.Sprintf("SLO rule found (%s)", why))
			return []verdict.Finding{f}, nil
		}
	}
	return []verdict.Finding{{Check: id, Status: verdict.Fail,
		Message: fmt.Sprintf("none of %d rules looks like an SLO rule (Sloth/Pyrra output, error budget or burn-rate series)", len(set.Rules)),
		Hint:    "generate SLO rules with Sloth or Pyrra, or write multi-window burn-rate alerts"}}, nil
}

// isMultiWindowBurn recognises the classic "error ratio over a long and a
// short window, each above N times the budget" alert.
func isMultiWindowBurn(r *promrules.Rule) bool {
	if r.Parsed == nil || !strings.Contains(r.Expr, " and ") {
		return false
	}
	c := &classifier{}
	n := 0
	for _, cmp := range comparisons(r.Parsed) {
		if c.classify(cmp.side, 0).measures[ErrorRatio] {
			n++
		}
	}
	return n >= 2
}

var infraMetric = regexp.MustCompile(`^(up|kube_|kubelet_|container_|node_|process_|go_|prometheus_|alertmanager_|apiserver_|coredns_|etcd_|machine_|probe_|scrape_|blackbox_|cadvisor_|namespace_|instance:|cluster:|workqueue_|rest_client_)`)

func runAppMetrics(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	const id = "rules/app-metrics"
	set, err := load(ctx, env)
	if err != nil {
		return nil, err
	}
	alerts := set.Alerts()
	if len(alerts) == 0 {
		return []verdict.Finding{noRules(id, set, "wanted alerts on application metrics")}, nil
	}
	c := classifierFor(ctx, env, set)
	var names []string
	var first *promrules.Rule
	for _, r := range alerts {
		if r.Parsed == nil {
			continue
		}
		for _, m := range c.classify(r.Parsed, 3).metrics {
			if m != "" && !infraMetric.MatchString(m) && len(c.recorded[m]) == 0 {
				names = append(names, r.Alert+" ("+m+")")
				if first == nil {
					first = r
				}
				break
			}
		}
	}
	if len(names) < p.Int("min") || first == nil {
		return []verdict.Finding{{Check: id, Status: verdict.Fail,
			Message: fmt.Sprintf("%d alerts use application metrics, want at least %d; the others watch only infrastructure metrics", len(names), p.Int("min"))}}, nil
	}
	f := at(id, verdict.Pass, first, fmt.Sprintf("%d alerts watch application metrics", len(names)))
	f.Evidence["alerts"] = names
	return []verdict.Finding{f}, nil
}
