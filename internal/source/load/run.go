package load

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Options are what a run needs besides its Spec.
type Options struct {
	BaseURL string // scheme://host[:port][/prefix], no trailing slash needed
	TLS     *tls.Config
	Header  http.Header // added to every request (auth, when asked); keys canonical
	// Progress, when set, is called about every 200 ms with requests done and scheduled.
	Progress func(done, total int64)
}

// Result holds a run's figures. Latencies are in microseconds.
type Result struct {
	Spec      string        `json:"spec"`
	URL       string        `json:"url"`
	Scheduled int64         `json:"scheduled"`
	Sent      int64         `json:"sent"`
	Completed int64         `json:"completed"` // an HTTP answer came back
	Errors    int64         `json:"errors"`    // no answer, or status >= 400
	Unsent    int64         `json:"unsent"`    // scheduled but not sent before the deadline
	Statuses  map[int]int64 `json:"statuses"`
	// TransportErrors counts requests that got no HTTP answer, by first error.
	TransportErrors map[string]int64 `json:"transportErrors,omitempty"`
	Elapsed         time.Duration    `json:"-"`
	ElapsedSec      float64          `json:"elapsedSeconds"`
	Throughput      float64          `json:"throughputRps"` // answers per second

	// Latency is measured from each request's intended send time (corrected
	// for coordinated omission); Service from when it was actually sent.
	Latency *hdr.Histogram `json:"-"`
	Service *hdr.Histogram `json:"-"`
	// MaxLagUs is the worst delay between intended and actual send.
	MaxLagUs int64 `json:"maxSendLagUs"`
}

// ErrorRate is errors plus unsent over scheduled: a request the generator
// could not even send within the window counts against the service.
func (r *Result) ErrorRate() float64 {
	if r.Scheduled == 0 {
		return 0
	}
	return float64(r.Errors+r.Unsent) / float64(r.Scheduled)
}

// Quantile returns a latency quantile (0..1) from intended send time.
func (r *Result) Quantile(q float64) time.Duration {
	return time.Duration(r.Latency.ValueAtQuantile(q*100)) * time.Microsecond
}

// ServiceQuantile returns a quantile of time from actual send.
func (r *Result) ServiceQuantile(q float64) time.Duration {
	return time.Duration(r.Service.ValueAtQuantile(q*100)) * time.Microsecond
}

// Summary is the figures as plain values for evidence.
func (r *Result) Summary() map[string]any {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return map[string]any{
		"spec": r.Spec, "url": r.URL,
		"scheduled": r.Scheduled, "sent": r.Sent, "completed": r.Completed,
		"errors": r.Errors, "unsent": r.Unsent, "errorRate": round(r.ErrorRate(), 5),
		"statuses": r.Statuses, "transportErrors": r.TransportErrors,
		"elapsedSeconds": round(r.Elapsed.Seconds(), 3), "throughputRps": round(r.Throughput, 1),
		"p50Ms": ms(r.Quantile(0.5)), "p95Ms": ms(r.Quantile(0.95)), "p99Ms": ms(r.Quantile(0.99)),
		"maxMs":        ms(time.Duration(r.Latency.Max()) * time.Microsecond),
		"serviceP50Ms": ms(r.ServiceQuantile(0.5)), "serviceP99Ms": ms(r.ServiceQuantile(0.99)),
		"maxSendLagMs": float64(r.MaxLagUs) / 1000,
		"latencyFrom":  "intended send time (corrected for coordinated omission)",
	}
}

func round(f float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(f*p+0.5)) / p
}

func newHist() *hdr.Histogram { return hdr.New(1, int64(time.Hour/time.Microsecond), 3) }

type worker struct {
	lat, svc *hdr.Histogram
	statuses map[int]int64
	terrs    map[string]int64
	errors   int64
	done     int64
	maxLag   int64
}

// Run sends the spec's requests to opts.BaseURL and returns the figures. It
// stops at the spec's duration plus one request timeout, or when ctx ends.
func Run(ctx context.Context, sp Spec, opts Options) (*Result, error) {
	if err := sp.Validate(); err != nil {
		return nil, err
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	total := sp.Total()
	bu, err := url.Parse(base)
	if err != nil || (bu.Scheme != "http" && bu.Scheme != "https") || bu.Host == "" {
		return nil, fmt.Errorf("load target %q: want an http:// or https:// URL", base)
	}
	seq := sp.schedule()
	reqs := make([][]byte, len(seq))
	for i, op := range seq {
		reqs[i] = prepare(op.Method, bu.Host, strings.TrimRight(bu.Path, "/")+op.Path, opts.Header)
	}
	interval := float64(time.Second) / sp.Rate
	// Requests scheduled after the window closes are not sent; the stop
	// deadline leaves one timeout for the last ones to answer.
	window := sp.Duration
	ctx, cancel := context.WithTimeout(ctx, window+sp.Timeout)
	defer cancel()

	var next atomic.Int64
	var finished atomic.Int64
	workers := make([]*worker, sp.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	stopProgress := make(chan struct{})
	if opts.Progress != nil {
		go func() {
			tk := time.NewTicker(200 * time.Millisecond)
			defer tk.Stop()
			for {
				select {
				case <-tk.C:
					opts.Progress(finished.Load(), total)
				case <-stopProgress:
					return
				}
			}
		}()
	}
	for w := range workers {
		wk := &worker{lat: newHist(), svc: newHist(), statuses: map[int]int64{}, terrs: map[string]int64{}}
		workers[w] = wk
		wg.Add(1)
		go func() {
			defer wg.Done()
			cn := newConn(bu, opts.TLS, sp.Timeout)
			defer cn.close()
			timer := time.NewTimer(time.Hour)
			defer timer.Stop()
			for {
				n := next.Add(1) - 1
				if n >= total {
					return
				}
				offset := time.Duration(float64(n) * interval)
				if offset >= window {
					return
				}
				intended := start.Add(offset)
				if d := time.Until(intended); d > 0 {
					timer.Reset(d)
					select {
					case <-timer.C:
					case <-ctx.Done():
						return
					}
				}
				// A request still waiting for a free slot when the window
				// closes is not sent: it counts as unsent, and the run ends on
				// time however far behind the service fell.
				if ctx.Err() != nil || time.Since(start) > window {
					return
				}
				op := seq[n%int64(len(seq))]
				sent := time.Now()
				if lag := sent.Sub(intended).Microseconds(); lag > wk.maxLag {
					wk.maxLag = lag
				}
				status, err := cn.do(ctx, reqs[n%int64(len(reqs))], op.Method)
				end := time.Now()
				wk.done++
				finished.Add(1)
				_ = wk.lat.RecordValue(max(end.Sub(intended).Microseconds(), 1))
				_ = wk.svc.RecordValue(max(end.Sub(sent).Microseconds(), 1))
				if err != nil {
					wk.errors++
					wk.terrs[errKind(err)]++
					continue
				}
				wk.statuses[status]++
				if status >= 400 {
					wk.errors++
				}
			}
		}()
	}
	wg.Wait()
	close(stopProgress)
	elapsed := time.Since(start)
	res := &Result{Spec: sp.String(), URL: base, Scheduled: total, Statuses: map[int]int64{},
		TransportErrors: map[string]int64{}, Latency: newHist(), Service: newHist(), Elapsed: elapsed}
	for _, wk := range workers {
		res.Latency.Merge(wk.lat)
		res.Service.Merge(wk.svc)
		res.Sent += wk.done
		res.Errors += wk.errors
		res.MaxLagUs = max(res.MaxLagUs, wk.maxLag)
		for k, v := range wk.statuses {
			res.Statuses[k] += v
			res.Completed += v
		}
		for k, v := range wk.terrs {
			res.TransportErrors[k] += v
		}
	}
	res.Unsent = total - res.Sent
	res.ElapsedSec = elapsed.Seconds()
	if elapsed > 0 {
		res.Throughput = float64(res.Completed) / elapsed.Seconds()
	}
	if opts.Progress != nil {
		opts.Progress(res.Sent, total)
	}
	if res.Sent == 0 {
		return res, fmt.Errorf("load test sent no request")
	}
	return res, nil
}

// errKind shortens a transport error to a stable class for counting.
func errKind(err error) string {
	s := err.Error()
	for _, k := range []string{"connection refused", "connection reset", "timeout", "deadline exceeded", "EOF", "no such host", "tls"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
