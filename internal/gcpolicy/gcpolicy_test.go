package gcpolicy

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads the current GC percent.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestStart(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	keep := make([][]byte, 0, 16)
	for i := 0; i < 16; i++ {
		keep = append(keep, make([]byte, 1<<20))
	}
	runtime.GC() // the live heap is now over 16 MB
	for _, tc := range []struct {
		name      string
		threshold uint64
		env       map[string]string
		want      int
	}{
		{"small run keeps the default", 1 << 40, nil, 100},
		{"large run", 4 << 20, nil, 37},
		{"GOGC set by the user", 4 << 20, map[string]string{"GOGC": "100"}, 100},
		{"GOMEMLIMIT set by the user", 4 << 20, map[string]string{"GOMEMLIMIT": "1GiB"}, 100},
	} {
		debug.SetGCPercent(100)
		stop := Start(Policy{Threshold: tc.threshold, Percent: 37, Every: time.Millisecond,
			Getenv: func(k string) string { return tc.env[k] }})
		deadline := time.Now().Add(2 * time.Second)
		for gcPercent() != tc.want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // a wrong change would show by now
		stop()
		if got := gcPercent(); got != tc.want {
			t.Errorf("%s: GC percent %d, want %d", tc.name, got, tc.want)
		}
	}
	runtime.KeepAlive(keep)
}
