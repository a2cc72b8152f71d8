package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive.dev/golive/internal/source/probe/probetest"
	"golive.dev/golive/internal/verdict"
)

// liveExceptions are automated live items of each seed pack that the good
// test setup cannot decide, with the reason.
var liveExceptions = map[string]map[string]string{}

func isLive(kind string) bool { return strings.HasPrefix(kind, "live:") }

// reportFormats are every report format, each written to a file.
var reportFormats = []string{"text", "json", "sarif", "junit", "markdown", "html"}

type liveRun struct {
	res   result
	rep   *verdict.Report
	files []string // every report file written
}

// runLive runs golive with the seed packs (adapted to the test services by
// testVars and testPack) and the given flags, writing every report format.
func runLive(t *testing.T, e *liveEnv, flags ...string) liveRun {
	t.Helper()
	dir := t.TempDir()
	args := []string{"check", filepath.Join(repoRoot(t), "examples", "ready-service")}
	for _, p := range seedPacks {
		file, _ := e.testPack(t, p)
		args = append(args, "-p", file)
	}
	args = append(args, varFlags()...)
	var files []string
	for _, f := range reportFormats {
		file := filepath.Join(dir, "report."+f)
		files = append(files, file)
		args = append(args, "-o", f+"="+file)
	}
	args = append(args, flags...)
	res := golive(t, args...)
	if res.code != 0 && res.code != 1 {
		t.Fatalf("golive %s: exit %d\n%s", strings.Join(flags, " "), res.code, res.stderr)
	}
	if keep := os.Getenv("GOLIVE_E2E_KEEP"); keep != "" {
		// For a person reading what the run decided: GOLIVE_E2E_KEEP=DIR keeps
		// each run's JSON report as DIR/<subtest>.json.
		b, _ := os.ReadFile(filepath.Join(dir, "report.json"))
		_ = os.WriteFile(filepath.Join(keep, filepath.Base(t.Name())+".json"), b, 0o644)
	}
	return liveRun{res: res, rep: readReport(t, filepath.Join(dir, "report.json")), files: files}
}

// TestLive runs every seed pack against real services on loopback: the good
// setup must decide every automated live item, the bad one must fail, and an
// unreachable one must leave them unverified.
func TestLive(t *testing.T) {
	e := startLive(t)
	inv := inventory(t)
	// http/authz reads the under-privileged token from the environment only.
	t.Setenv("GOLIVE_LOW_PRIVILEGE_TOKEN", probetest.LowToken)
	for _, p := range seedPacks {
		_, n := e.testPack(t, p)
		t.Logf("%s: %d parameters set by an override pack", p, n)
	}
	t.Logf("variables: %s", strings.Join(testVars, " "))

	t.Run("good", func(t *testing.T) {
		t.Parallel()
		run := runLive(t, e,
			"--target", e.svc.GoodHTTPS.URL, "--target-name", "api",
			"--target", e.svc.GoodRedirect.URL, "--target-name", "api-http",
			"--ca-file", e.svc.CA.PEMFile, "--token", probetest.Token, "--protected-path", "/api/protected",
			"--prometheus", e.prom.URL, "--database", e.goodDSN, "--cluster-dump", e.goodDump,
			// Five requests in flight at most against a 20ms route: the
			// capacity steps find a limit (about 250 req/s) as with a real
			// service, instead of holding every step on loopback.
			"--load", "rate=50/s,duration=2s,concurrency=5,path=/delay?d=20ms")
		for _, p := range run.rep.Packs {
			c := measure(t, inv, &verdict.Report{Packs: []verdict.PackResult{p}}, isLive, liveExceptions[p.Name])
			t.Logf("live coverage %s: %d/%d automated items decided (%d excepted, %d manual)",
				p.Name, c.decided, c.automated, len(liveExceptions[p.Name]), c.manual)
			for _, u := range c.undecided {
				t.Errorf("%s: undecided live item %s", p.Name, u)
			}
		}
		logByKind(t, inv, run.rep)
		logFailures(t, inv, run.rep)
		noSecrets(t, run, probetest.Token, probetest.LowToken, appPassword)
		exchangesMasked(t, run.rep)
		varsApplied(t, run.rep)
	})

	t.Run("bad", func(t *testing.T) {
		t.Parallel()
		run := runLive(t, e,
			"--target", e.svc.BadHTTP.URL, "--target", e.svc.BadHTTPS.URL,
			"--ca-file", e.svc.CA.PEMFile, "--token", probetest.Token, "--protected-path", "/api/protected",
			"--database", e.badDSN, "--cluster-dump", e.badDup)
		fails := logByKind(t, inv, run.rep)
		for kind, min := range map[string]int{"live:http": 20, "live:tls": 3, "live:db": 5, "live:k8s": 10} {
			if fails[kind] < min {
				t.Errorf("bad setup: %d failing %s items, want at least %d", fails[kind], kind, min)
			}
		}
		noSecrets(t, run, probetest.Token, probetest.LowToken, appPassword)
	})

	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		closed := fmt.Sprintf("127.0.0.1:%d", e.closedPort)
		run := runLive(t, e,
			"--target", "http://"+closed, "--target", "https://"+closed, "--token", probetest.Token,
			"--prometheus", "http://"+closed, "--database", "postgres://orders_app:"+appPassword+"@"+closed+"/orders",
			"--load", "rate=50/s,duration=1s")
		for _, p := range run.rep.Packs {
			for _, it := range p.Items {
				for _, f := range it.Findings {
					domain, _, _ := strings.Cut(f.Check, "/")
					switch domain {
					case "http", "tls", "prom", "db", "load":
						if f.Status != verdict.Unverified {
							t.Errorf("%s %s %s: %s against a closed port, want unverified: %s", p.Name, it.ID, f.Check, f.Status, f.Message)
						}
					}
				}
				if isLive(itemKind(t, inv, p.Name, it)) && allLive(it.Checks) && it.Status == verdict.Pass {
					t.Errorf("%s %s passes with every live source unreachable", p.Name, it.ID)
				}
			}
		}
		noSecrets(t, run, probetest.Token, probetest.LowToken, appPassword)
	})
}

// varItems pass on the good setup only when --var reached the seed packs'
// items through the extending test packs: each judges the test services
// under a name, port or route that a variable replaced.
var varItems = map[string][]string{
	"mpl-proxy": {"validation/hpa-active", "validation/pods-running-ready", "validation/health-endpoint", "validation/service-monitor-exists"},
	"eventcore": {"functional/missing-token-401", "functional/create-user-command", "validation/pods-ready", "validation/rollout-complete"},
}

func varsApplied(t *testing.T, rep *verdict.Report) {
	t.Helper()
	status := map[string]verdict.Status{}
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			status[p.Name+" "+it.ID] = it.Status
		}
	}
	for pack, items := range varItems {
		for _, id := range items {
			if got := status[pack+" "+id]; got != verdict.Pass {
				t.Errorf("%s %s: %q with %s, want pass", pack, id, got, strings.Join(testVars, " "))
			}
		}
	}
}

// logByKind logs item statuses per live kind and returns the failing counts.
func logByKind(t *testing.T, inv map[string]string, rep *verdict.Report) map[string]int {
	t.Helper()
	counts := map[string]map[verdict.Status]int{}
	fails := map[string]int{}
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			k := itemKind(t, inv, p.Name, it)
			if !isLive(k) || !it.Automated {
				continue
			}
			if counts[k] == nil {
				counts[k] = map[verdict.Status]int{}
			}
			counts[k][it.Status]++
			if it.Status == verdict.Fail {
				fails[k]++
			}
		}
	}
	for k, c := range counts {
		t.Logf("%s: %v", k, c)
	}
	return fails
}

// noSecrets greps every report file and the console output for secrets.
func noSecrets(t *testing.T, run liveRun, secrets ...string) {
	t.Helper()
	texts := map[string]string{"stdout": run.res.stdout, "stderr": run.res.stderr}
	for _, f := range run.files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Errorf("report %s not written: %v", filepath.Base(f), err)
			continue
		}
		texts[filepath.Base(f)] = string(b)
	}
	for name, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %.6s…", name, s)
			}
		}
	}
}

// exchangesMasked: HTTP findings carry the exchange (method, URL, status,
// headers), and an Authorization header sent is shown masked.
func exchangesMasked(t *testing.T, rep *verdict.Report) {
	t.Helper()
	withExchange, withAuth := 0, 0
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			for _, f := range it.Findings {
				if !strings.HasPrefix(f.Check, "http/") || f.Evidence == nil {
					continue
				}
				if f.Evidence["method"] == nil || f.Evidence["url"] == nil || f.Evidence["status"] == nil {
					continue
				}
				withExchange++
				hs, _ := f.Evidence["requestHeaders"].(map[string]any)
				for k, v := range hs {
					if strings.EqualFold(k, "Authorization") {
						withAuth++
						if s := fmt.Sprint(v); strings.Contains(s, probetest.Token[:12]) {
							t.Errorf("%s %s: Authorization header not masked: %s", it.ID, f.Check, s)
						}
					}
				}
			}
		}
	}
	if withExchange < 20 || withAuth == 0 {
		t.Errorf("HTTP findings with an exchange as evidence: %d (want >= 20), with a masked Authorization header: %d (want > 0)", withExchange, withAuth)
	}
}

// allLive reports whether every check of an item reads a live source.
func allLive(checks []string) bool {
	for _, c := range checks {
		switch domain, _, _ := strings.Cut(c, "/"); domain {
		case "http", "tls", "prom", "db", "load", "cluster":
		default:
			return false
		}
	}
	return len(checks) > 0
}

// logFailures lists the live items the good setup fails, with the first
// failing finding: each is a service fault the test services have on purpose
// or a pack threshold to review.
func logFailures(t *testing.T, inv map[string]string, rep *verdict.Report) {
	t.Helper()
	for _, p := range rep.Packs {
		for _, it := range p.Items {
			if !isLive(itemKind(t, inv, p.Name, it)) || it.Status != verdict.Fail {
				continue
			}
			for _, f := range it.Findings {
				if f.Status == verdict.Fail {
					t.Logf("good setup fails %s %s: %s %s", p.Name, it.ID, f.Check, firstLine(f.Message))
					break
				}
			}
		}
	}
}
