package probe

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
)

func TestDoMasksCachesAndBounds(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s3cr3t-session", HttpOnly: true})
		w.Header().Set("X-Api-Token", "leaky-value")
		w.Header().Set("Server", "test")
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	env := source.NewEnv(source.Inputs{Targets: []source.Target{{URL: srv.URL + "/base"}}, Token: "tok-123456789",
		Headers: []string{"X-Api-Key: key-987654321"}})
	c, err := From(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	tg := c.Targets()[0]
	if got := URLFor(tg, "/health?x=1", 9100, ""); !strings.HasSuffix(got, ":9100/base/health?x=1") {
		t.Errorf("URLFor = %s", got)
	}
	var first *Response
	for range 3 {
		r, err := c.Do(context.Background(), tg, Request{Path: "/h", Auth: true})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
		}
	}
	if hits.Load() != 1 {
		t.Errorf("identical GETs sent %d times, want 1", hits.Load())
	}
	b, _ := json.Marshal(first.Exchange)
	for _, secret := range []string{"tok-123456789", "key-987654321", "s3cr3t-session"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("secret %q in exchange %s", secret, b)
		}
	}
	// The headers stay listed, so a reader sees they were sent and received.
	if first.Exchange.Request["Authorization"] != mask.Redacted || first.Exchange.Response["Set-Cookie"] != mask.Redacted {
		t.Errorf("credential headers not listed masked: %s", b)
	}
	if _, err := c.Do(context.Background(), tg, Request{Path: "/h", NoCache: true}); err != nil || hits.Load() != 2 {
		t.Errorf("NoCache: %v, hits %d", err, hits.Load())
	}
}

func TestNoTargetAndBadInput(t *testing.T) {
	if _, err := New(&source.Inputs{}); err == nil {
		t.Fatal("no target accepted")
	} else if m, ok := source.AsMissing(err); !ok || m.Input != FlagTarget {
		t.Errorf("want Missing naming --target, got %v", err)
	}
	for _, in := range []source.Inputs{
		{Targets: []source.Target{{URL: "ftp://x"}}},
		{Targets: []source.Target{{URL: "http://x"}}, Headers: []string{"novalue"}},
		{Targets: []source.Target{{URL: "http://x"}}, CAFile: "/nonexistent/ca.pem"},
	} {
		if _, err := New(&in); err == nil {
			t.Errorf("%+v accepted", in)
		}
	}
}

func TestUnreachableIsTransport(t *testing.T) {
	c, err := New(&source.Inputs{Targets: []source.Target{{URL: "http://127.0.0.1:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), c.Targets()[0], Request{Path: "/"})
	if !IsTransport(err) {
		t.Errorf("want a transport error, got %v", err)
	}
}
