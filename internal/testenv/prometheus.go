package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ScrapeJob is one scrape job of the test Prometheus.
type ScrapeJob struct {
	Job     string
	Targets []string // host:port
	Labels  map[string]string
}

// PromOptions configure a test Prometheus.
type PromOptions struct {
	Jobs []ScrapeJob
	// Rules is the content of one rule file (Prometheus rule-file YAML).
	Rules string
	// Interval is both scrape and evaluation interval (default 1s).
	Interval time.Duration
}

// Prometheus is a running prometheus process.
type Prometheus struct {
	URL string
	Dir string
	log *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// PrometheusBinary returns the path of the prometheus binary, or "".
func PrometheusBinary() string {
	return lookBinary("prometheus", "/usr/bin/prometheus")
}

// StartPrometheus starts a real Prometheus scraping the given jobs and waits
// until it answers. It is stopped when the test ends.
func StartPrometheus(t testing.TB, o PromOptions) *Prometheus {
	t.Helper()
	bin := PrometheusBinary()
	if bin == "" {
		missing(t, "prometheus binary", "apt-get install -y prometheus")
	}
	if o.Interval == 0 {
		o.Interval = time.Second
	}
	dir := t.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\n", o.Interval, o.Interval)
	if o.Rules != "" {
		if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(o.Rules), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg.WriteString("rule_files: [rules.yml]\n")
	}
	cfg.WriteString("scrape_configs:\n")
	for _, j := range o.Jobs {
		fmt.Fprintf(&cfg, "  - job_name: %q\n    scrape_timeout: %s\n    static_configs:\n      - targets: [", j.Job, o.Interval)
		for i, tg := range j.Targets {
			if i > 0 {
				cfg.WriteString(", ")
			}
			fmt.Fprintf(&cfg, "%q", tg)
		}
		cfg.WriteString("]\n")
		if len(j.Labels) > 0 {
			cfg.WriteString("        labels:\n")
			for k, v := range j.Labels {
				fmt.Fprintf(&cfg, "          %s: %q\n", k, v)
			}
		}
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	log := &lockedBuffer{}
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	p := &Prometheus{URL: "http://" + addr, Dir: dir, log: log}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("prometheus exited early:\n%s", log.String())
		default:
		}
		resp, err := http.Get(p.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 60s:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitFor polls cond until it is true or the timeout passes, then fails the
// test with what, and the server log.
func (p *Prometheus) WaitFor(t testing.TB, what string, timeout time.Duration, cond func(ctx context.Context) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ok := cond(ctx)
		cancel()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus: %s not reached after %s\n%s", what, timeout, p.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
