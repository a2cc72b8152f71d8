package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golive.dev/golive/internal/source"
)

// TestLoadTestsRunOneAtATime: checks asking for different loads at once get
// them one after the other, so no test measures another's traffic.
func TestLoadTestsRunOneAtATime(t *testing.T) {
	var mu sync.Mutex
	first, last := map[string]time.Time{}, map[string]time.Time{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := time.Now()
		if _, ok := first[r.URL.Path]; !ok {
			first[r.URL.Path] = now
		}
		last[r.URL.Path] = now
		mu.Unlock()
	}))
	defer srv.Close()
	env := source.NewEnv(source.Inputs{Targets: []source.Target{{URL: srv.URL}}, Load: "rate=40/s,duration=500ms"})
	var wg sync.WaitGroup
	for _, path := range []string{"/a", "/b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ops, err := ParseMix("GET " + path + " 1")
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := From(context.Background(), env, Overrides{Mix: ops}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	a0, a1, b0, b1 := first["/a"], last["/a"], first["/b"], last["/b"]
	if a0.IsZero() || b0.IsZero() {
		t.Fatalf("a load test sent nothing: %v %v", first, last)
	}
	if a0.Before(b1) && b0.Before(a1) {
		t.Errorf("load tests overlapped: /a %s..%s, /b %s..%s", a0.Format(time.StampMicro), a1.Format(time.StampMicro), b0.Format(time.StampMicro), b1.Format(time.StampMicro))
	}
}
