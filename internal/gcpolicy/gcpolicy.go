// Package gcpolicy trades CPU for memory on large runs. Go's default GC
// lets the heap grow to twice what is live before collecting; golive's
// heap is mostly the evidence it loaded (100,000 Kubernetes objects are
// ~250 MB), kept to the end, so that headroom alone would double the
// run's memory. Small runs keep the default, which is faster; once the
// live heap passes a threshold the GC collects at 1.4x instead, which costs
// some CPU and keeps peak memory in proportion to the evidence.
package gcpolicy

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Policy says when a run is large and how its GC is set then.
type Policy struct {
	// Threshold is the live heap, in bytes, above which the run is large.
	Threshold uint64
	// Percent is the GC percent (GOGC) of a large run.
	Percent int
	// Getenv reads the environment: a GOGC or GOMEMLIMIT the user set
	// wins over the policy.
	Getenv func(string) string
	// Every is how often the live heap is read.
	Every time.Duration
}

// Default is golive's policy: 128 MB live makes a run large, GOGC=40.
func Default(getenv func(string) string) Policy {
	return Policy{Threshold: 128 << 20, Percent: 40, Getenv: getenv, Every: 20 * time.Millisecond}
}

// Start applies p until stop is called (stop leaves the GC as p set it).
func Start(p Policy) (stop func()) {
	if p.Getenv != nil && (p.Getenv("GOGC") != "" || p.Getenv("GOMEMLIMIT") != "") {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(p.Every)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > p.Threshold {
				debug.SetGCPercent(p.Percent)
				return
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
