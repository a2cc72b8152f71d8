package load

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
)

// FlagLoad is the flag that allows and shapes a load test.
const FlagLoad = "--load"

// Overrides are what a pack item may change in the user's --load spec: a
// check for "2x peak" multiplies the rate, a scenario names its mix.
type Overrides struct {
	Rate        float64       // 0 keeps the spec's rate
	Multiplier  float64       // 0 or 1 keeps the rate
	Duration    time.Duration // 0 keeps
	Concurrency int
	Mix         []Op
	Auth        bool // send --token and --header with every request
}

// UserSpec parses --load. Without it the load items are unverified: golive
// never load-tests a service unless asked to.
func UserSpec(in *source.Inputs) (Spec, error) {
	if in.Load == "" {
		return Spec{}, source.NotGiven(FlagLoad, "load test spec (e.g. rate=200/s,duration=30s)")
	}
	sp, err := ParseSpec(in.Load)
	if err != nil {
		return Spec{}, fmt.Errorf("%s: %w", FlagLoad, err)
	}
	return sp, nil
}

// Effective applies a check's overrides to the user's spec.
func Effective(in *source.Inputs, o Overrides) (Spec, error) {
	sp, err := UserSpec(in)
	if err != nil {
		return sp, err
	}
	if o.Rate > 0 {
		sp.Rate = o.Rate
	}
	if o.Multiplier > 0 {
		sp.Rate *= o.Multiplier
	}
	if o.Duration > 0 {
		sp.Duration = o.Duration
	}
	if o.Concurrency > 0 {
		sp.Concurrency = o.Concurrency
	}
	if len(o.Mix) > 0 {
		sp.Mix = o.Mix
	}
	if err := sp.Validate(); err != nil {
		return sp, fmt.Errorf("load test after the pack's parameters: %w", err)
	}
	return sp, nil
}

// From runs the load test described by the user's spec and the overrides,
// once per distinct spec in a run, and returns its figures.
func From(ctx context.Context, env *source.Env, o Overrides) (*Result, error) {
	sp, err := Effective(&env.Inputs, o)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("load:%s:auth=%t", sp, o.Auth)
	return source.Load(ctx, env, key, func(ctx context.Context, in *source.Inputs) (*Result, error) {
		// One load test at a time per run: checks run concurrently, and two
		// tests at once would each measure the other's traffic.
		turn, _ := source.Load(ctx, env, "load:turn", func(context.Context, *source.Inputs) (chan struct{}, error) {
			return make(chan struct{}, 1), nil
		})
		select {
		case turn <- struct{}{}:
			defer func() { <-turn }()
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for another load test to finish: %w", ctx.Err())
		}
		pc, err := probe.From(ctx, env)
		if err != nil {
			return nil, err
		}
		t, err := pick(pc, sp.Target)
		if err != nil {
			return nil, err
		}
		base := probe.URLFor(t, "", 0, "")
		h := http.Header{"User-Agent": {"golive-load"}}
		if o.Auth {
			if !pc.HasToken() {
				return nil, source.NotGiven(probe.FlagToken, "token for the load test's authenticated requests")
			}
			h = pc.AuthHeader(h)
		}
		// Check the target answers before sending thousands of requests.
		if _, err := pc.Do(ctx, t, probe.Request{Method: http.MethodGet, Path: sp.Mix[0].Path, Header: h, NoCache: true}); err != nil {
			if probe.IsTransport(err) {
				return nil, source.Unreachable(probe.FlagTarget, err)
			}
			return nil, err
		}
		probe.Notify(ctx, fmt.Sprintf("golive load test: up to %d requests to %s (%s), bounded to %s",
			sp.Total(), base, sp, sp.Duration+sp.Timeout))
		progress, _ := ctx.Value(progressKey{}).(func(done, total int64))
		return Run(ctx, sp, Options{BaseURL: base, TLS: pc.TLSConfig(), Header: h, Progress: progress})
	})
}

func pick(pc *probe.Client, name string) (probe.Target, error) {
	ts := pc.Targets()
	if name == "" {
		return ts[0], nil
	}
	for _, t := range ts {
		if t.Name == name {
			return t, nil
		}
	}
	return probe.Target{}, source.NotGiven(probe.FlagTarget, fmt.Sprintf("target named %q", name))
}

type progressKey struct{}

// WithProgress returns a context whose load tests report progress to fn
// (the CLI draws a bar on a terminal).
func WithProgress(ctx context.Context, fn func(done, total int64)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}
