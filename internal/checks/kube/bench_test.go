package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

	"golive.dev/golive/internal/check"
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

// genSet writes n objects as 5-object apps (Deployment, Service, ConfigMap,
// PDB, HPA), 100 objects per file, a shape close to real service repos.
func genSet(b *testing.B, n int) string {
	dir := b.TempDir()
	var buf bytes.Buffer
	file := 0
	flush := func() {
		if buf.Len() == 0 {
			return
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%05d.yaml", file)), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		file++
	}
	for i := 0; i < n/5; i++ {
		ns := fmt.Sprintf("team-%d", i%50)
		fmt.Fprintf(&buf, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: %[2]s
  labels: {app.kubernetes.io/name: app-%[1]d, app.kubernetes.io/instance: app-%[1]d}
spec:
  replicas: %[3]d
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      labels: {app: app-%[1]d}
    spec:
      serviceAccountName: app-%[1]d
      containers:
        - name: app
          image: registry.example.com/app:%[1]d
          ports: [{name: http, containerPort: 8080}]
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /health, port: http}, periodSeconds: 10}
          securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
---
apiVersion: v1
kind: Service
metadata: {name: app-%[1]d, namespace: %[2]s}
spec:
  selector: {app: app-%[1]d}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-%[1]d, namespace: %[2]s}
data: {LOG_FORMAT: json, FEATURE: "on"}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: app-%[1]d, namespace: %[2]s}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: app-%[1]d}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-%[1]d, namespace: %[2]s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%[1]d}
  minReplicas: 2
  maxReplicas: 10
---
`, i, ns, 1+i%3)
		if (i+1)%20 == 0 {
			flush()
		}
	}
	flush()
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
	var peak uint64
	stop := samplePeaks()
	for i := 0; i < b.N; i++ {
		env := source.NewEnv(source.Inputs{Paths: []string{dir}})
		findings := 0
		for _, pc := range cs {
			fs, err := pc.c.Run(context.Background(), env, pc.p)
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
