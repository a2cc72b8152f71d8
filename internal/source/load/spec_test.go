package load

import (
	"strings"
	"testing"
	"time"
)

func TestParseSpec(t *testing.T) {
	cases := []struct {
		in      string
		rate    float64
		dur     time.Duration
		total   int64
		mix     int
		wantErr string
	}{
		{in: "rate=200/s,duration=30s,concurrency=50", rate: 200, dur: 30 * time.Second, total: 6000, mix: 1},
		{in: "rate=12000/m, duration=1m, path=/api", rate: 200, dur: time.Minute, total: 12000, mix: 1},
		{in: "rate=10,duration=10s,requests=5", rate: 10, dur: 10 * time.Second, total: 5, mix: 1},
		{in: "rate=10/s,duration=1s,mix=GET /a 3|POST /b", rate: 10, dur: time.Second, total: 10, mix: 2},
		{in: "", wantErr: "empty"},
		{in: "rate=10/s", wantErr: "required"},
		{in: "rate=0/s,duration=1s", wantErr: "rate"},
		{in: "rate=10/s,duration=1h", wantErr: "duration"},
		{in: "rate=10/s,duration=1s,foo=1", wantErr: "unknown key"},
		{in: "rate=10/s,duration=1s,rate=2", wantErr: "twice"},
		{in: "rate=10/x,duration=1s", wantErr: "unit"},
		{in: "rate=10/s,duration=1s,mix=GET", wantErr: "METHOD"},
		{in: "rate=10/s,duration=1s,path=x", wantErr: "start with /"},
		{in: "rate=10/s,duration=1s,method=BREW", wantErr: "not an HTTP method"},
		{in: "rate=100000/s,duration=10m", wantErr: "cap"},
		{in: "rate=10/s,duration=1s,concurrency=0", wantErr: "concurrency"},
	}
	for _, c := range cases {
		sp, err := ParseSpec(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if sp.Rate != c.rate || sp.Duration != c.dur || sp.Total() != c.total || len(sp.Mix) != c.mix {
			t.Errorf("%q: got %+v total %d", c.in, sp, sp.Total())
		}
		// The canonical form parses back to the same spec.
		back, err := ParseSpec(sp.String())
		if err != nil || back.String() != sp.String() {
			t.Errorf("%q: round trip %q: %v", c.in, sp.String(), err)
		}
	}
}

func TestScheduleFollowsWeights(t *testing.T) {
	sp, err := ParseSpec("rate=10/s,duration=1s,mix=GET /a 3|POST /b 1")
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, op := range sp.schedule() {
		n[op.Path]++
	}
	if n["/a"] != 3 || n["/b"] != 1 {
		t.Errorf("schedule %v", n)
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"rate=200/s,duration=30s,concurrency=50", "rate=1/m,duration=1m,mix=GET /a 3|POST /b 1",
		"rate=,duration=", "mix=| |", "rate=1e308/s,duration=1s", "rate=NaN,duration=1s", "requests=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpec(s)
		if err != nil {
			return
		}
		if sp.Validate() != nil || sp.Total() < 1 || sp.Total() > MaxRequests {
			t.Fatalf("accepted out-of-bounds spec %q: %+v", s, sp)
		}
		if _, err := ParseSpec(sp.String()); err != nil {
			t.Fatalf("canonical form of %q does not parse: %v", s, err)
		}
	})
}
