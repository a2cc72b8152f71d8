package load

import (
	"fmt"
	"sort"

	"context"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

func registerBaseline(r *check.Registry) {
	r.Register(check.Check{
		ID:    "load/baseline",
		Title: "Load-test figures did not regress against the baseline report",
		Description: "Runs the load test and compares its p95, p99, error rate and throughput with the load figures " +
			"recorded in the --baseline report (an earlier JSON report of a run with the same --load): each may " +
			"be worse by at most maxRegression (0.1 = 10%); error rates also by maxErrorRateIncrease in absolute " +
			"terms, so that 0% to 0.01% is not an infinite regression.",
		Needs: []check.Input{check.Load},
		Params: params(
			check.Param{Name: "maxRegression", Type: check.Float, Default: 0.1, Description: "largest relative worsening accepted"},
			check.Param{Name: "maxErrorRateIncrease", Type: check.Float, Default: 0.001, Description: "largest absolute rise of the error rate accepted"},
		),
		Run: runBaseline,
	})
}

// figures are the load measures compared with a baseline.
type figures struct {
	P95, P99, ErrorRate, Throughput float64
	Spec                            string
}

func runBaseline(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	if env.Inputs.Baseline == "" {
		return nil, source.NotGiven("--baseline", "baseline report")
	}
	base, err := baselineFigures(env.Inputs.Baseline)
	if err != nil {
		return nil, err
	}
	res, err := run(ctx, env, p)
	if err != nil {
		return nil, err
	}
	now := figures{P95: ms(res.Quantile(0.95).Microseconds()), P99: ms(res.Quantile(0.99).Microseconds()),
		ErrorRate: res.ErrorRate(), Throughput: res.Throughput, Spec: res.Spec}
	old, ok := base[res.Spec]
	if !ok {
		specs := make([]string, 0, len(base))
		for s := range base {
			specs = append(specs, s)
		}
		sort.Strings(specs)
		return []verdict.Finding{{Status: verdict.Unverified, Endpoint: res.URL, Hint: "--baseline",
			Message:  fmt.Sprintf("the baseline has no load test with the same shape (%s)", res.Spec),
			Evidence: map[string]any{"baselineSpecs": specs}}}, nil
	}
	maxReg := p.Float("maxRegression")
	var out []verdict.Finding
	worse := func(name string, before, after float64, higherIsWorse bool) {
		limit := before * (1 + maxReg)
		bad := after > limit
		if !higherIsWorse {
			limit = before * (1 - maxReg)
			bad = after < limit
		}
		st := verdict.Pass
		if bad {
			st = verdict.Fail
		}
		out = append(out, verdict.Finding{Status: st, Endpoint: res.URL,
			Message:  fmt.Sprintf("%s %.2f against %.2f in the baseline (limit %.2f)", name, after, before, limit),
			Evidence: map[string]any{"metric": name, "baseline": before, "now": after, "limit": limit, "spec": res.Spec}})
	}
	worse("p95 ms", old.P95, now.P95, true)
	worse("p99 ms", old.P99, now.P99, true)
	worse("throughput req/s", old.Throughput, now.Throughput, false)
	limit := old.ErrorRate*(1+maxReg) + p.Float("maxErrorRateIncrease")
	st := verdict.Pass
	if now.ErrorRate > limit {
		st = verdict.Fail
	}
	out = append(out, verdict.Finding{Status: st, Endpoint: res.URL,
		Message:  fmt.Sprintf("error rate %.4f against %.4f in the baseline (limit %.4f)", now.ErrorRate, old.ErrorRate, limit),
		Evidence: map[string]any{"metric": "error rate", "baseline": old.ErrorRate, "now": now.ErrorRate, "limit": limit, "spec": res.Spec}})
	return out, nil
}

func ms(us int64) float64 { return float64(us) / 1000 }

// baselineFigures reads the load figures of an earlier JSON report, keyed by
// the load test's spec: every load finding carries its summary as evidence.
func baselineFigures(path string) (map[string]figures, error) {
	rep, err := verdict.ReadReport(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	out := map[string]figures{}
	for _, pr := range rep.Packs {
		for _, it := range pr.Items {
			for _, f := range it.Findings {
				ev := f.Evidence
				spec, _ := ev["spec"].(string)
				p95, ok1 := ev["p95Ms"].(float64)
				p99, ok2 := ev["p99Ms"].(float64)
				er, ok3 := ev["errorRate"].(float64)
				tp, ok4 := ev["throughputRps"].(float64)
				if spec == "" || !ok1 || !ok2 || !ok3 || !ok4 {
					continue
				}
				out[spec] = figures{P95: p95, P99: p99, ErrorRate: er, Throughput: tp, Spec: spec}
			}
		}
	}
	if len(out) == 0 {
		return nil, &source.Missing{Input: "--baseline", Reason: "the baseline report " + path + " holds no load-test figures"}
	}
	return out, nil
}
