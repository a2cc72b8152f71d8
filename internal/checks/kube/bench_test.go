package kube

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/bench/kubeset"
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/gcpolicy"
	"golive.dev/golive/internal/source"
	ks "golive.dev/golive/internal/source/kube"
)

// benchObjects is the size of the generated set: 10,000 by default,
// GOLIVE_BENCH_OBJECTS=100000 for the large run.
func benchObjects() int {
	if n, err := strconv.Atoi(os.Getenv("GOLIVE_BENCH_OBJECTS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// genSet writes the generated set of n objects (see bench/kubeset).
func genSet(b *testing.B, n int) string {
	dir := b.TempDir()
	if _, err := kubeset.Write(dir, n); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkDecodeYAMLv3 is the baseline: only decoding the same files with yaml.v3.
func BenchmarkDecodeYAMLv3(b *testing.B) {
	dir := genSet(b, benchObjects())
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			dec := yaml.NewDecoder(bytes.NewReader(data))
			for {
				var v any
				if err := dec.Decode(&v); err != nil {
					if errors.Is(err, io.EOF) {
						break
					}
					b.Fatal(err)
				}
				if v != nil {
					n++
				}
			}
		}
		if n != benchObjects()/5*5 {
			b.Fatalf("decoded %d", n)
		}
	}
}

// BenchmarkLoad measures discovery, decoding into typed objects and indexing.
func BenchmarkLoad(b *testing.B) {
	dir := genSet(b, benchObjects())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := ks.Load(context.Background(), &source.Inputs{Paths: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Objects) != benchObjects()/5*5 {
			b.Fatalf("loaded %d", len(s.Objects))
		}
	}
}

// BenchmarkLoadAndCheck is the whole static Kubernetes pass: load once, then
// every registered check with the parameters the fixtures use.
func BenchmarkLoadAndCheck(b *testing.B) {
	dir := genSet(b, benchObjects())
	r := check.NewRegistry()
	Register(r)
	type prepared struct {
		c *check.Check
		p check.Params
	}
	var cs []prepared
	for _, c := range r.All() {
		raw := shared[c.ID]
		if c.ID == "k8s/env-required" {
			raw = map[string]any{"names": []any{"LOG_LEVEL"}}
		}
		p, err := c.Resolve(raw)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, prepared{c, p})
	}
	b.ResetTimer()
	// The GC policy the golive command runs with.
	defer gcpolicy.Start(gcpolicy.Default(os.Getenv))()
	var peak uint64
	stop := samplePeaks()
	// The budget `golive check` runs checks under (--max-findings 500):
	// findings past it are counted, not built.
	ctx := check.WithBudget(context.Background(), check.Budget{Max: 500})
	for i := 0; i < b.N; i++ {
		env := source.NewEnv(source.Inputs{Paths: []string{dir}})
		findings := 0
		for _, pc := range cs {
			fs, err := pc.c.Run(ctx, env, pc.p)
			if err != nil {
				b.Fatalf("%s: %v", pc.c.ID, err)
			}
			findings += len(fs)
		}
		if f := os.Getenv("GOLIVE_BENCH_HEAPPROFILE"); f != "" && i == 0 {
			writeHeapProfile(b, f, env)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak {
			peak = ms.HeapInuse
		}
		b.ReportMetric(float64(findings), "findings")
	}
	live, mapped := stop()
	b.ReportMetric(float64(peak)/(1<<20), "MB-heap")
	b.ReportMetric(float64(live)/(1<<20), "MB-peak-live")
	b.ReportMetric(float64(mapped)/(1<<20), "MB-peak-mapped")
	b.ReportMetric(float64(len(cs)), "checks")
}

// samplePeaks polls the runtime until stopped and returns the largest live
// heap (as marked by the last GC) and the largest memory mapped and not
// returned to the OS (what the process's resident size follows).
func samplePeaks() (stop func() (live, mapped uint64)) {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	var live, mapped uint64
	read := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64(); v > live {
			live = v
		}
		if v := samples[1].Value.Uint64() - samples[2].Value.Uint64(); v > mapped {
			mapped = v
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-finished
		return live, mapped
	}
}

// writeHeapProfile records what the loaded set and its indexes keep alive
// (env must stay reachable until the profile is written).
func writeHeapProfile(b *testing.B, file string, env *source.Env) {
	runtime.GC()
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
	runtime.KeepAlive(env)
}
