// Command kubeprof runs the golive CLI in-process with CPU and heap
// profiles, to see where a whole `golive check` spends its time:
//
//	CPUPROFILE=cpu.prof MEMPROFILE=mem.prof go run ./bench/kubeprof check --pack default DIR
//	go tool pprof -top -cum cpu.prof
package main

import (
	"context"
	"log"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"golive.dev/golive/internal/cli"
	"golive.dev/golive/internal/gcpolicy"
)

func main() {
	if f := os.Getenv("CPUPROFILE"); f != "" {
		w, err := os.Create(f)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(w); err != nil {
			log.Fatal(err)
		}
	}
	// HEAPAT=8s MIDPROFILE=mid.prof writes a heap profile while the run is
	// in progress, to see what is live at the peak rather than at the end.
	if at, f := os.Getenv("HEAPAT"), os.Getenv("MIDPROFILE"); at != "" && f != "" {
		d, err := time.ParseDuration(at)
		if err != nil {
			log.Fatal(err)
		}
		time.AfterFunc(d, func() {
			w, err := os.Create(f)
			if err != nil {
				log.Print(err)
				return
			}
			defer w.Close()
			if err := pprof.WriteHeapProfile(w); err != nil {
				log.Print(err)
			}
		})
	}
	// PEAKPROFILE=peak.prof writes a heap profile each time the live heap
	// (as marked by the last GC) reaches a new high, so the file ends up
	// showing what was live at the run's peak.
	stopPeak := func() {}
	if f := os.Getenv("PEAKPROFILE"); f != "" {
		stopPeak = profilePeaks(f)
	}
	// As cmd/golive runs.
	stopGC := gcpolicy.Start(gcpolicy.Default(os.Getenv))
	code := cli.Main(context.Background(), "bench", os.Args[1:], os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	stopPeak()
	stopGC()
	if f := os.Getenv("MEMPROFILE"); f != "" {
		w, err := os.Create(f)
		if err != nil {
			log.Fatal(err)
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(w); err != nil {
			log.Fatal(err)
		}
		w.Close()
	}
	os.Exit(code)
}

func profilePeaks(file string) (stop func()) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var peak uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if live := sample[0].Value.Uint64(); live > peak+peak/20 {
				peak = live
				w, err := os.Create(file)
				if err != nil {
					log.Print(err)
					return
				}
				if err := pprof.WriteHeapProfile(w); err != nil {
					log.Print(err)
				}
				w.Close()
			}
		}
	}()
	return func() { close(done); <-finished }
}
