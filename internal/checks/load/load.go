// Package load holds the checks that judge a load test's figures: latency
// quantiles, error rate, throughput and the capacity found by stepping the
// rate. The test itself is source/load's; it runs only when the user gave
// --load, and checks that ask for the same load share one run.
package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	srcload "golive.dev/golive/internal/source/load"
	"golive.dev/golive/internal/verdict"
)

var needs = []check.Input{check.Load}

// shapeParams let a pack item shape the load relative to --load.
var shapeParams = []check.Param{
	{Name: "rate", Type: check.Float, Default: 0.0, Description: "requests per second; 0 keeps --load's rate"},
	{Name: "multiplier", Type: check.Float, Default: 1.0, Description: "rate multiplier, e.g. 2 for the 2x-peak test"},
	{Name: "duration", Type: check.Duration, Default: "0s", Description: "0 keeps --load's duration"},
	{Name: "concurrency", Type: check.Int, Default: 0, Description: "cap on requests in flight; 0 keeps --load's"},
	{Name: "mix", Type: check.Strings, Description: "request mix, entries \"METHOD /path weight\"; empty keeps --load's"},
	{Name: "auth", Type: check.Bool, Default: false, Description: "send --token with every request"},
}

func params(extra ...check.Param) []check.Param {
	return append(append([]check.Param(nil), shapeParams...), extra...)
}

// Register adds the load checks.
func Register(r *check.Registry) {
	registerBaseline(r)
	r.Register(check.Check{
		ID:    "load/latency",
		Title: "Latency under load stays under the thresholds",
		Description: "Runs the load test (--load, shaped by the parameters) and compares p50, p95, p99 and max " +
			"latency, measured from each request's intended send time, with the thresholds given; 0 skips one. " +
			"At least one threshold is required.",
		Needs: needs,
		Params: params(
			check.Param{Name: "maxP50", Type: check.Duration, Default: "0s"},
			check.Param{Name: "maxP95", Type: check.Duration, Default: "0s"},
			check.Param{Name: "maxP99", Type: check.Duration, Default: "0s"},
			check.Param{Name: "maxLatency", Type: check.Duration, Default: "0s"},
		),
		Run: runLatency,
	})
	r.Register(check.Check{
		ID:    "load/error-rate",
		Title: "Error rate under load stays under the threshold",
		Description: "Errors are requests with no answer or a status of 400 or more, plus requests that could " +
			"not be sent within the window; their share of the scheduled requests must not exceed maxErrorRate.",
		Needs:  needs,
		Params: params(check.Param{Name: "maxErrorRate", Type: check.Float, Default: 0.01}),
		Run:    runErrorRate,
	})
	r.Register(check.Check{
		ID:    "load/throughput",
		Title: "The service sustains the offered rate",
		Description: "Answers per second must reach minRPS when given, else minRatio of the offered rate " +
			"(an open-model test offers a fixed rate; a service that cannot keep up answers less).",
		Needs: needs,
		Params: params(
			check.Param{Name: "minRPS", Type: check.Float, Default: 0.0},
			check.Param{Name: "minRatio", Type: check.Float, Default: 0.95},
		),
		Run: runThroughput,
	})
	r.Register(check.Check{
		ID:    "load/capacity",
		Title: "The maximum sustainable rate is known",
		Description: "Runs the load at each rate in steps, in order, until p95 exceeds maxP95 or the error rate " +
			"exceeds maxErrorRate; the last step that held is the capacity. If every step holds the limit is " +
			"not found (unverified: add higher steps); if the first fails, it fails.",
		Needs: needs,
		Params: []check.Param{
			{Name: "steps", Type: check.Strings, Required: true, Description: "rates per second, ascending, e.g. [\"50\", \"100\", \"200\"]"},
			{Name: "stepDuration", Type: check.Duration, Default: "20s"},
			{Name: "maxP95", Type: check.Duration, Default: "1s"},
			{Name: "maxErrorRate", Type: check.Float, Default: 0.01},
			{Name: "concurrency", Type: check.Int, Default: 0},
			{Name: "mix", Type: check.Strings},
			{Name: "auth", Type: check.Bool, Default: false},
		},
		Run: runCapacity,
	})
}

func overrides(p check.Params) (srcload.Overrides, error) {
	o := srcload.Overrides{Rate: p.Float("rate"), Multiplier: p.Float("multiplier"), Duration: p.Duration("duration"),
		Concurrency: p.Int("concurrency"), Auth: p.Bool("auth")}
	if mix := p.Strings("mix"); len(mix) > 0 {
		ops, err := srcload.ParseMix(strings.Join(mix, "|"))
		if err != nil {
			return o, fmt.Errorf("mix: %w", err)
		}
		o.Mix = ops
	}
	return o, nil
}

func run(ctx context.Context, env *source.Env, p check.Params) (*srcload.Result, error) {
	o, err := overrides(p)
	if err != nil {
		return nil, err
	}
	return srcload.From(ctx, env, o)
}

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

func runLatency(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	type limit struct {
		name string
		q    float64
		max  time.Duration
	}
	limits := []limit{{"p50", 0.5, p.Duration("maxP50")}, {"p95", 0.95, p.Duration("maxP95")},
		{"p99", 0.99, p.Duration("maxP99")}, {"max", 1, p.Duration("maxLatency")}}
	any := false
	for _, l := range limits {
		any = any || l.max > 0
	}
	if !any {
		return nil, fmt.Errorf("give at least one of maxP50, maxP95, maxP99, maxLatency")
	}
	res, err := run(ctx, env, p)
	if err != nil {
		return nil, err
	}
	if res.Completed == 0 {
		// Fast transport failures would make a latency that holds any limit.
		return []verdict.Finding{{Status: verdict.Unverified, Endpoint: res.URL, Evidence: res.Summary(),
			Message: fmt.Sprintf("no request of %d sent got an HTTP answer: no latency to judge", res.Sent)}}, nil
	}
	var out []verdict.Finding
	for _, l := range limits {
		if l.max <= 0 {
			continue
		}
		got := res.Quantile(l.q)
		out = append(out, verdict.Finding{Status: pass(got <= l.max), Endpoint: res.URL, Evidence: res.Summary(),
			Message: fmt.Sprintf("%s latency %s (max %s) at %.0f req/s offered", l.name, fmtDur(got), l.max, offered(res))})
	}
	return out, nil
}

func offered(res *srcload.Result) float64 {
	sp, err := srcload.ParseSpec(res.Spec)
	if err != nil {
		return 0
	}
	return sp.Rate
}

func pass(ok bool) verdict.Status {
	if ok {
		return verdict.Pass
	}
	return verdict.Fail
}

func runErrorRate(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	max := p.Float("maxErrorRate")
	if max < 0 || max > 1 {
		return nil, fmt.Errorf("maxErrorRate %v outside [0, 1]", max)
	}
	res, err := run(ctx, env, p)
	if err != nil {
		return nil, err
	}
	er := res.ErrorRate()
	return []verdict.Finding{{Status: pass(er <= max), Endpoint: res.URL, Evidence: res.Summary(),
		Message: fmt.Sprintf("error rate %.3f%% (max %.3f%%): %d errors, %d unsent of %d", er*100, max*100, res.Errors, res.Unsent, res.Scheduled)}}, nil
}

func runThroughput(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	res, err := run(ctx, env, p)
	if err != nil {
		return nil, err
	}
	want := p.Float("minRPS")
	if want <= 0 {
		want = p.Float("minRatio") * offered(res)
	}
	return []verdict.Finding{{Status: pass(res.Throughput >= want), Endpoint: res.URL, Evidence: res.Summary(),
		Message: fmt.Sprintf("%.1f answers/s (want >= %.1f) at %.0f req/s offered", res.Throughput, want, offered(res))}}, nil
}

func runCapacity(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	var rates []float64
	for _, s := range p.Strings("steps") {
		r, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "/s"), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("steps: %q is not a positive rate", s)
		}
		if len(rates) > 0 && r <= rates[len(rates)-1] {
			return nil, fmt.Errorf("steps must ascend: %v after %v", r, rates[len(rates)-1])
		}
		rates = append(rates, r)
	}
	if len(rates) == 0 || len(rates) > 20 {
		return nil, fmt.Errorf("steps: give 1 to 20 rates")
	}
	maxP95, maxErr := p.Duration("maxP95"), p.Float("maxErrorRate")
	user, err := srcload.UserSpec(&env.Inputs)
	if err != nil {
		return nil, err
	}
	// The user's --load duration is what they agreed to send for: a pack's
	// longer step (15s x 6 steps) must not turn a 2s test into minutes.
	stepDur := p.Duration("stepDuration")
	if stepDur <= 0 || stepDur > user.Duration {
		stepDur = user.Duration
	}
	base := check.Params{"duration": stepDur, "concurrency": p.Int("concurrency"),
		"mix": p.Strings("mix"), "auth": p.Bool("auth"), "multiplier": 1.0}
	var steps []map[string]any
	held := -1.0
	for i, r := range rates {
		sp := check.Params{}
		for k, v := range base {
			sp[k] = v
		}
		sp["rate"] = r
		res, err := run(ctx, env, sp)
		if err != nil {
			return nil, err
		}
		p95, er := res.Quantile(0.95), res.ErrorRate()
		steps = append(steps, map[string]any{"rate": r, "p95Ms": float64(p95.Microseconds()) / 1000,
			"errorRate": er, "throughputRps": res.Throughput})
		ev := map[string]any{"steps": steps, "maxP95": maxP95.String(), "maxErrorRate": maxErr}
		if p95 > maxP95 || er > maxErr {
			if i == 0 {
				return []verdict.Finding{{Status: verdict.Fail, Endpoint: res.URL, Evidence: ev,
					Message: fmt.Sprintf("the lowest step, %.0f req/s, already breaks the SLO (p95 %s, errors %.2f%%)", r, fmtDur(p95), er*100)}}, nil
			}
			return []verdict.Finding{{Status: verdict.Pass, Endpoint: res.URL, Evidence: ev,
				Message: fmt.Sprintf("capacity about %.0f req/s: %.0f req/s breaks the SLO (p95 %s, errors %.2f%%)", held, r, fmtDur(p95), er*100)}}, nil
		}
		held = r
		if i == len(rates)-1 {
			return []verdict.Finding{{Status: verdict.Unverified, Endpoint: res.URL, Evidence: ev, Hint: "higher steps",
				Message: fmt.Sprintf("every step held up to %.0f req/s: the limit is higher", r)}}, nil
		}
	}
	return nil, nil
}
