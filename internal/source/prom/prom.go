// Package prom is the Prometheus evidence source: a client for the HTTP API of
// the server given with --prometheus, checked for reachability once per run.
package prom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
)

// Flag is the flag that provides this source.
const Flag = "--prometheus"

// Client queries one Prometheus server.
type Client struct {
	API v1.API
	// URL is the server address with any credentials masked, safe to print.
	URL string
	// Now is the evaluation time of instant queries, fixed per run so every
	// check sees the same moment.
	Now time.Time
	// Timeout bounds every single API call.
	Timeout time.Duration
}

// From returns the run's Prometheus client, connecting on first use.
func From(ctx context.Context, env *source.Env) (*Client, error) {
	return source.Load(ctx, env, "prometheus", load)
}

func load(ctx context.Context, in *source.Inputs) (*Client, error) {
	if strings.TrimSpace(in.Prometheus) == "" {
		return nil, source.NotGiven(Flag, "Prometheus URL")
	}
	c, err := New(in.Prometheus)
	if err != nil {
		return nil, err
	}
	c.Now = in.Now
	if err := c.Ping(ctx); err != nil {
		return nil, source.Unreachable(Flag, err)
	}
	return c, nil
}

// New builds a client for address without contacting it.
func New(address string) (*Client, error) {
	u, err := url.Parse(address)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s %q: want an http(s) URL like http://localhost:9090", Flag, mask.URL(address))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s %q: scheme must be http or https", Flag, mask.URL(address))
	}
	cl, err := api.NewClient(api.Config{Address: address})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", Flag, mask.URL(address), err)
	}
	return &Client{API: v1.NewAPI(cl), URL: mask.URL(address), Now: time.Now(), Timeout: 30 * time.Second}, nil
}

// Ping proves the server answers queries.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout(10*time.Second))
	defer cancel()
	if _, _, _, err := c.API.Query(ctx, "vector(1)", time.Time{}); err != nil {
		return fmt.Errorf("query %s: %w", c.URL, clean(err, c))
	}
	return nil
}

func (c *Client) timeout(def time.Duration) time.Duration {
	if c.Timeout > 0 && c.Timeout < def {
		return c.Timeout
	}
	if c.Timeout > 0 {
		return c.Timeout
	}
	return def
}

// clean removes the credentials an HTTP client error may echo from the URL.
func clean(err error, c *Client) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = strings.Replace(msg, ue.URL, mask.URL(ue.URL), 1)
	}
	return errors.New(msg)
}

// Sample is one series of an instant-query result.
type Sample struct {
	Labels map[string]string
	Value  float64
	Time   time.Time
}

// LabelString renders the labels as {a="b",...} in a stable order.
func (s Sample) LabelString() string {
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, s.Labels[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Result of an instant query, flattened to samples.
type Result struct {
	Expr     string
	Samples  []Sample
	Warnings []string
}

// Query runs an instant query at at (c.Now when zero). Scalars come back as
// one sample without labels.
func (c *Client) Query(ctx context.Context, expr string, at time.Time) (*Result, error) {
	if at.IsZero() {
		at = c.Now
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout(30*time.Second))
	defer cancel()
	v, warn, _, err := c.API.Query(ctx, expr, at)
	if err != nil {
		return nil, fmt.Errorf("query %q on %s: %w", expr, c.URL, clean(err, c))
	}
	r := &Result{Expr: expr, Warnings: []string(warn)}
	switch t := v.(type) {
	case model.Vector:
		for _, s := range t {
			r.Samples = append(r.Samples, Sample{Labels: labels(s.Metric), Value: float64(s.Value), Time: s.Timestamp.Time()})
		}
	case *model.Scalar:
		r.Samples = append(r.Samples, Sample{Labels: map[string]string{}, Value: float64(t.Value), Time: t.Timestamp.Time()})
	case model.Matrix:
		for _, ss := range t {
			if n := len(ss.Values); n > 0 {
				last := ss.Values[n-1]
				r.Samples = append(r.Samples, Sample{Labels: labels(ss.Metric), Value: float64(last.Value), Time: last.Timestamp.Time()})
			}
		}
	case *model.String:
		return nil, fmt.Errorf("query %q returned a string, want a number or vector", expr)
	}
	sort.Slice(r.Samples, func(i, j int) bool { return r.Samples[i].LabelString() < r.Samples[j].LabelString() })
	return r, nil
}

// Defined reports whether a query value is a real number (not NaN or Inf,
// which 0/0 and histogram_quantile over empty buckets produce).
func Defined(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func labels(m model.Metric) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}

// Targets returns the active scrape targets.
func (c *Client) Targets(ctx context.Context) ([]v1.ActiveTarget, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout(30*time.Second))
	defer cancel()
	r, err := c.API.Targets(ctx)
	if err != nil {
		return nil, fmt.Errorf("targets on %s: %w", c.URL, clean(err, c))
	}
	return r.Active, nil
}

// Rule is an alerting or recording rule as loaded by the server.
type Rule struct {
	Group     string
	File      string
	Name      string
	Type      string // "alerting" or "recording"
	Query     string
	Health    string
	LastError string
	Labels    map[string]string
	Alerts    []v1.Alert
}

// Rules returns every loaded rule, flattened out of its group.
func (c *Client) Rules(ctx context.Context) ([]Rule, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout(30*time.Second))
	defer cancel()
	r, err := c.API.Rules(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("rules on %s: %w", c.URL, clean(err, c))
	}
	var out []Rule
	for _, g := range r.Groups {
		for _, raw := range g.Rules {
			switch t := raw.(type) {
			case v1.AlertingRule:
				ru := Rule{Group: g.Name, File: g.File, Name: t.Name, Type: "alerting", Query: t.Query, Health: string(t.Health), LastError: t.LastError, Labels: labels(model.Metric(t.Labels))}
				for _, a := range t.Alerts {
					if a != nil {
						ru.Alerts = append(ru.Alerts, *a)
					}
				}
				out = append(out, ru)
			case v1.RecordingRule:
				out = append(out, Rule{Group: g.Name, File: g.File, Name: t.Name, Type: "recording", Query: t.Query, Health: string(t.Health), LastError: t.LastError, Labels: labels(model.Metric(t.Labels))})
			}
		}
	}
	return out, nil
}

// Alerts returns the pending and firing alerts.
func (c *Client) Alerts(ctx context.Context) ([]v1.Alert, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout(30*time.Second))
	defer cancel()
	r, err := c.API.Alerts(ctx)
	if err != nil {
		return nil, fmt.Errorf("alerts on %s: %w", c.URL, clean(err, c))
	}
	return r.Alerts, nil
}

// Alertmanagers returns the URLs of the active and dropped Alertmanagers.
func (c *Client) Alertmanagers(ctx context.Context) (active, dropped []string, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout(30*time.Second))
	defer cancel()
	r, err := c.API.AlertManagers(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("alertmanagers on %s: %w", c.URL, clean(err, c))
	}
	for _, a := range r.Active {
		active = append(active, mask.URL(a.URL))
	}
	for _, a := range r.Dropped {
		dropped = append(dropped, mask.URL(a.URL))
	}
	return active, dropped, nil
}

// Flags returns the server's command-line flags (e.g. retention).
func (c *Client) Flags(ctx context.Context) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout(30*time.Second))
	defer cancel()
	f, err := c.API.Flags(ctx)
	if err != nil {
		return nil, fmt.Errorf("flags on %s: %w", c.URL, clean(err, c))
	}
	return map[string]string(f), nil
}

// Selector builds a PromQL label-matcher list from a map of label to value.
// A value starting with "~" is a regex match, "!" a negative match and "!~"
// a negative regex. Keys are sorted so queries are stable.
func Selector(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := m[k]
		op := "="
		switch {
		case strings.HasPrefix(v, "!~"):
			op, v = "!~", v[2:]
		case strings.HasPrefix(v, "~"):
			op, v = "=~", v[1:]
		case strings.HasPrefix(v, "!"):
			op, v = "!=", v[1:]
		}
		parts = append(parts, fmt.Sprintf("%s%s%q", k, op, v))
	}
	return strings.Join(parts, ",")
}
