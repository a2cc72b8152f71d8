package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"golive.dev/golive/internal/attest"
	"golive.dev/golive/internal/engine"
	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/pack"
	"golive.dev/golive/internal/report"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/load"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

type checkFlags struct {
	s           Settings
	vars        []string
	configFile  string
	targets     []string
	targetNames []string
	noColor     bool
	maxFindings int
	verbose     bool
}

func (a *app) checkCommand() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Gather evidence and give every pack item a verdict; the exit code is the gate",
		Long: `check scans the given paths (default ".") and any live sources you point it at,
runs the packs' checks and writes the verdicts.

Settings come from flags, then .golive.yaml (in the first path, or --config),
then GOLIVE_* environment variables. Exit codes: 0 gate passed, 1 gate
failed, 2 bad input or usage.`,
		Example: `  golive check .
  golive check --pack mpl-proxy --values values-prod.yaml -o text -o sarif=golive.sarif
  golive check --strict --target https://api.example.com --prometheus http://prom:9090`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.vars, "var", nil, "set a pack variable NAME=VALUE, e.g. --var service=orders-api (repeatable; golive packs show lists a pack's variables)")
	fl.StringArrayVar(&f.s.Exclude, "exclude", nil, "glob of files or folders to leave out, relative to each path (repeatable; testdata, vendor and node_modules always are)")
	fl.StringArrayVarP(&f.s.Packs, "pack", "p", nil, "pack to run: a built-in name or a file (repeatable; default: default)")
	fl.StringArrayVarP(&f.s.Output, "output", "o", nil, "report FORMAT or FORMAT=FILE (repeatable): "+strings.Join(report.Formats, ", "))
	fl.StringVar(&f.s.FailOn, "fail-on", "", "lowest priority whose fail or error fails the gate: critical, high, medium, low, none (default critical)")
	fl.BoolVar(&f.s.Strict, "strict", false, "the go-live run: unverified and manual items at --fail-on also fail the gate")
	fl.StringVar(&f.s.Baseline, "baseline", "", "an earlier JSON report: gate only on regressions against it")
	fl.StringVar(&f.configFile, "config", "", "settings file (default: .golive.yaml in the first path)")
	fl.StringArrayVarP(&f.s.Helm.Values, "values", "f", nil, "Helm values file for charts (repeatable)")
	fl.StringArrayVar(&f.s.Helm.Set, "set", nil, "Helm value k=v (repeatable)")
	fl.StringVar(&f.s.Helm.Release, "release", "", "Helm release name (default: the chart name)")
	fl.StringVar(&f.s.Namespace, "namespace", "", "namespace to render charts into and to look at in a cluster")
	fl.StringVar(&f.s.Helm.KubeVersion, "kube-version", "", "Kubernetes version charts are rendered for")
	fl.StringArrayVar(&f.s.ScanReports, "scan-report", nil, "Trivy/Grype JSON, SARIF or SBOM file (repeatable)")
	fl.StringArrayVar(&f.targets, "target", nil, "URL of the running service (repeatable)")
	fl.StringArrayVar(&f.targetNames, "target-name", nil, "name of the matching --target (repeatable)")
	fl.StringVar(&f.s.Token, "token", "", "bearer token for authenticated calls (or GOLIVE_TOKEN); never printed")
	fl.StringArrayVar(&f.s.Headers, "header", nil, `extra request header "Name: value" (repeatable); values never printed`)
	fl.StringVar(&f.s.CAFile, "ca-file", "", "CA bundle to verify the target's certificate")
	fl.StringVar(&f.s.ProtectedPath, "protected-path", "", "a route that must refuse unauthenticated calls")
	fl.StringVar(&f.s.Load, "load", "", "run a load test: rate=200/s,duration=30s[,concurrency=N]")
	fl.StringVar(&f.s.Prometheus, "prometheus", "", "URL of the Prometheus server that scrapes the service")
	fl.StringVar(&f.s.Database, "database", "", "database DSN, e.g. postgres://user@host/db (or GOLIVE_DATABASE)")
	fl.StringVar(&f.s.Kubeconfig, "kubeconfig", "", "kubeconfig of the live cluster")
	fl.StringVar(&f.s.Context, "context", "", "kubeconfig context")
	fl.StringVar(&f.s.ClusterDump, "cluster-dump", "", "file or folder of kubectl get -o yaml output, for offline review")
	fl.BoolVar(&f.s.ForbidInRepoWaivers, "forbid-in-repo-waivers", false, "ignore waiver annotations on objects (waivers only from .golive/waivers.yaml)")
	fl.IntVar(&f.s.Concurrency, "concurrency", 0, "checks run at once (default 4 per CPU)")
	fl.StringVar(&f.s.Timeout, "timeout", "", "time limit of one check (default 2m)")
	fl.IntVar(&f.maxFindings, "max-findings", 500, "findings kept per item in reports, failures first (0: all); verdicts always use every finding")
	fl.BoolVar(&f.noColor, "no-color", false, "no colours in text output (also NO_COLOR)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "text output shows findings of every item")
	return cmd
}

func (a *app) resolveSettings(f *checkFlags, args []string) (*Settings, error) {
	s := f.s
	s.Paths = args
	for _, kv := range f.vars {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("--var %q: want NAME=VALUE", kv)
		}
		if s.Vars == nil {
			s.Vars = map[string]string{}
		}
		s.Vars[strings.TrimSpace(name)] = val
	}
	for i, u := range f.targets {
		t := struct {
			Name string `yaml:"name"`
			URL  string `yaml:"url"`
		}{URL: u}
		if i < len(f.targetNames) {
			t.Name = f.targetNames[i]
		}
		s.Targets = append(s.Targets, t)
	}
	if len(f.targetNames) > len(f.targets) {
		return nil, fmt.Errorf("--target-name given %d times but --target %d times", len(f.targetNames), len(f.targets))
	}
	path := configPath(f.configFile, s.Paths)
	cfg, found, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	if !found && f.configFile != "" {
		return nil, fmt.Errorf("--config %s: no such file", f.configFile)
	}
	overlay(&s, cfg)
	env, err := envSettings(a.getenv)
	if err != nil {
		return nil, err
	}
	overlay(&s, env)
	if len(s.Paths) == 0 {
		s.Paths = []string{"."}
	}
	if len(s.Packs) == 0 {
		s.Packs = []string{"default"}
	}
	if len(s.Output) == 0 {
		s.Output = []string{"text"}
	}
	if s.FailOn == "" {
		s.FailOn = string(verdict.Critical)
	}
	return &s, nil
}

type output struct {
	format string
	file   string
}

func parseOutputs(specs []string) ([]output, error) {
	var outs []output
	stdout := 0
	for _, spec := range specs {
		format, file, _ := strings.Cut(spec, "=")
		name, ok := report.Normalize(format)
		if !ok {
			return nil, fmt.Errorf("-o %s: unknown format %q (want %s)", spec, format, strings.Join(report.Formats, ", "))
		}
		if file == "" || file == "-" {
			stdout++
			file = ""
		}
		outs = append(outs, output{format: name, file: file})
	}
	if stdout > 1 {
		return nil, errors.New("-o: more than one format written to standard output; give FORMAT=FILE for the others")
	}
	// Reports written only to files still leave the person at the terminal
	// the text summary.
	if stdout == 0 {
		outs = append(outs, output{format: "text"})
	}
	return outs, nil
}

func (a *app) runCheck(cmd *cobra.Command, f *checkFlags, args []string) error {
	s, err := a.resolveSettings(f, args)
	if err != nil {
		return badInput(err)
	}
	failOn, err := verdict.ParseFailOn(s.FailOn)
	if err != nil {
		return badInput(err)
	}
	outs, err := parseOutputs(s.Output)
	if err != nil {
		return badInput(err)
	}
	timeout := time.Duration(0)
	if s.Timeout != "" {
		if timeout, err = time.ParseDuration(s.Timeout); err != nil || timeout <= 0 {
			return badInput(fmt.Errorf("--timeout %q: want a duration such as 90s or 5m", s.Timeout))
		}
	}
	for _, p := range s.Paths {
		if _, err := os.Stat(p); err != nil {
			return badInput(fmt.Errorf("path %s: %w", p, err))
		}
	}
	loader := *a.loader
	loader.Vars = s.Vars
	var packs []*pack.Pack
	declared := map[string]bool{}
	for _, ref := range s.Packs {
		p, err := loader.Load(ref)
		if err != nil {
			return badInput(err)
		}
		packs = append(packs, p)
		for name := range p.Vars {
			declared[name] = true
		}
	}
	for name := range s.Vars {
		if !declared[name] {
			return badInput(fmt.Errorf("--var %s: no pack of this run declares it (golive packs show NAME lists a pack's variables)", name))
		}
	}
	root := s.Paths[0]
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		root = filepath.Dir(root)
	}
	store, err := attest.Load(root)
	if err != nil {
		return badInput(err)
	}
	var baseline *verdict.Report
	if s.Baseline != "" {
		if baseline, err = readBaseline(s.Baseline); err != nil {
			return badInput(err)
		}
	}
	in := source.Inputs{
		Baseline: s.Baseline, Paths: s.Paths, Exclude: s.Exclude, HelmValues: s.Helm.Values, HelmSet: s.Helm.Set, Release: s.Helm.Release,
		Namespace: s.Namespace, KubeVersion: s.Helm.KubeVersion, ScanReports: s.ScanReports,
		Token: s.Token, Headers: s.Headers, CAFile: s.CAFile, ProtectedPath: s.ProtectedPath, Load: s.Load,
		Prometheus: s.Prometheus, Database: s.Database, Kubeconfig: s.Kubeconfig, KubeContext: s.Context,
		KubeNS: s.Namespace, ClusterDump: s.ClusterDump, ForbidInRepoWaivers: s.ForbidInRepoWaivers,
		Now: time.Now(),
	}
	for _, t := range s.Targets {
		if _, err := url.ParseRequestURI(t.URL); err != nil || !strings.HasPrefix(t.URL, "http") {
			return badInput(fmt.Errorf("--target %q: want an http:// or https:// URL", t.URL))
		}
		in.Targets = append(in.Targets, source.Target{Name: t.Name, URL: t.URL})
	}
	env := source.NewEnv(in)
	// Probes that send bursts or load announce themselves before sending.
	ctx := probe.WithNotify(cmd.Context(), func(msg string) { fmt.Fprintln(a.stderr, msg) })
	if isTerminal(a.stderr) {
		ctx = load.WithProgress(ctx, progressBar(a.stderr))
	}
	rep := engine.Run(ctx, engine.Options{
		Registry: a.registry, Packs: packs, Env: env, Store: store,
		ExtraWaivers: annotationWaivers(s.ForbidInRepoWaivers),
		FailOn:       failOn, Strict: s.Strict, Baseline: baseline,
		Concurrency: s.Concurrency, CheckTimeout: timeout, ToolVersion: a.version, MaxFindings: f.maxFindings,
		Inputs: reportInputs(s),
	})

	color := !f.noColor && a.getenv("NO_COLOR") == "" && isTerminal(a.stdout)
	// Reports are rendered side by side (a large run's text and JSON each
	// take a while), then written in the order given.
	rendered := make([]bytes.Buffer, len(outs))
	renderErrs := make([]error, len(outs))
	var wg sync.WaitGroup
	for i, o := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := report.Options{Color: color && o.file == "", Verbose: f.verbose}
			renderErrs[i] = report.Write(&rendered[i], o.format, rep, opts)
		}()
	}
	wg.Wait()
	var writeErrs []error
	for i, o := range outs {
		switch {
		case renderErrs[i] != nil && o.file != "":
			writeErrs = append(writeErrs, fmt.Errorf("-o %s=%s: %w", o.format, o.file, renderErrs[i]))
		case renderErrs[i] != nil:
			writeErrs = append(writeErrs, renderErrs[i])
		case o.file == "":
			if _, err := a.stdout.Write(rendered[i].Bytes()); err != nil {
				writeErrs = append(writeErrs, fmt.Errorf("report: write %s: %w", o.format, err))
			}
		default:
			if err := writeReportFile(o.file, o.format, rendered[i].Bytes()); err != nil {
				writeErrs = append(writeErrs, err)
			}
		}
	}
	if len(writeErrs) > 0 {
		return badInput(errors.Join(writeErrs...))
	}
	for _, p := range env.Problems() {
		if p.Named {
			return badInput(fmt.Errorf("bad input: %s", p))
		}
	}
	if !rep.Gate.Passed {
		return &exitError{code: ExitGateFail, err: errors.New("gate failed")}
	}
	return nil
}

// writeReportFile writes a rendered report to path: in place for a device
// or pipe, through a temporary file renamed over path otherwise, so that a
// reader never sees half a report.
func writeReportFile(path, format string, data []byte) error {
	// A device or pipe (/dev/null, /dev/stdout, a FIFO) is written in place:
	// renaming a temporary file over it would replace the device.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("-o %s=%s: %w", format, path, err)
		}
		_, werr := fh.Write(data)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("-o %s=%s: %w", format, path, werr)
		}
		return nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("-o %s=%s: %w", format, path, err)
		}
	}
	tmp := path + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("-o %s=%s: %w", format, path, err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		os.Remove(tmp)
		return fmt.Errorf("-o %s=%s: %w", format, path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("-o %s=%s: %w", format, path, err)
	}
	return os.Rename(tmp, path)
}

func readBaseline(path string) (*verdict.Report, error) {
	r, err := verdict.ReadReport(path)
	if err != nil {
		return nil, fmt.Errorf("--baseline %w", err)
	}
	return r, nil
}

// reportInputs records what the run looked at, with credentials masked.
func reportInputs(s *Settings) verdict.Inputs {
	in := verdict.Inputs{Paths: s.Paths, Packs: s.Packs, Prometheus: mask.URL(s.Prometheus),
		Database: mask.URL(s.Database), Baseline: s.Baseline}
	for _, t := range s.Targets {
		in.Targets = append(in.Targets, mask.URL(t.URL))
	}
	switch {
	case s.ClusterDump != "":
		in.Cluster = "dump:" + s.ClusterDump
	case s.Kubeconfig != "" || s.Context != "":
		in.Cluster = strings.Trim(s.Kubeconfig+" "+s.Context, " ")
	}
	other := map[string]string{}
	if len(s.Helm.Values) > 0 {
		other["values"] = strings.Join(s.Helm.Values, ",")
	}
	if len(s.ScanReports) > 0 {
		other["scanReports"] = strings.Join(s.ScanReports, ",")
	}
	if s.Load != "" {
		other["load"] = s.Load
	}
	if s.Token != "" {
		other["token"] = mask.Value(s.Token)
	}
	if len(other) > 0 {
		in.Other = other
	}
	return in
}

// progressBar draws a load test's progress on a terminal, at most ten times a
// second, and ends the line when the test is done.
func progressBar(w io.Writer) func(done, total int64) {
	var mu sync.Mutex
	var last time.Time
	return func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if total <= 0 || (done < total && time.Since(last) < 100*time.Millisecond) {
			return
		}
		last = time.Now()
		const width = 30
		filled := int(width * done / total)
		fmt.Fprintf(w, "\rload test [%s%s] %d/%d requests", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
