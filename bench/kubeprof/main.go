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
	"runtime/pprof"

	"golive.dev/golive/internal/cli"
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
	code := cli.Main(context.Background(), "bench", os.Args[1:], os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
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
