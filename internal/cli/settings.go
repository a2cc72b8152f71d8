package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/yamlerr"
)

// ConfigFile is the repository's golive settings file.
const ConfigFile = ".golive.yaml"

// Settings are every option of `golive check`. They come from flags, then
// .golive.yaml, then GOLIVE_* environment variables: the first that sets a
// value wins.
type Settings struct {
	Packs   []string `yaml:"packs"`
	Paths   []string `yaml:"paths"`
	Exclude []string `yaml:"exclude"`
	// Vars set pack variables: name -> value (read as YAML).
	Vars        map[string]string `yaml:"vars"`
	FailOn      string            `yaml:"failOn"`
	Strict      bool              `yaml:"strict"`
	Output      []string          `yaml:"output"`
	Baseline    string            `yaml:"baseline"`
	ScanReports []string          `yaml:"scanReports"`

	Helm struct {
		Values      []string `yaml:"values"`
		Set         []string `yaml:"set"`
		Release     string   `yaml:"release"`
		Namespace   string   `yaml:"namespace"`
		KubeVersion string   `yaml:"kubeVersion"`
	} `yaml:"helm"`

	Targets []struct {
		Name string `yaml:"name"`
		URL  string `yaml:"url"`
	} `yaml:"targets"`
	Headers       []string `yaml:"headers"`
	CAFile        string   `yaml:"caFile"`
	ProtectedPath string   `yaml:"protectedPath"`
	Load          string   `yaml:"load"`
	Prometheus    string   `yaml:"prometheus"`
	Database      string   `yaml:"database"`
	Kubeconfig    string   `yaml:"kubeconfig"`
	Context       string   `yaml:"context"`
	Namespace     string   `yaml:"namespace"`
	ClusterDump   string   `yaml:"clusterDump"`

	ForbidInRepoWaivers bool   `yaml:"forbidInRepoWaivers"`
	Concurrency         int    `yaml:"concurrency"`
	Timeout             string `yaml:"timeout"`

	// Token is never read from .golive.yaml: a committed file is no place for it.
	Token string `yaml:"-"`
}

// readConfigFile reads .golive.yaml strictly; a missing file is no error.
func readConfigFile(path string) (*Settings, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Settings{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	s := &Settings{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil && !errors.Is(err, io.EOF) {
		return nil, true, yamlerr.Wrap(path, err)
	}
	s.rebase(filepath.Dir(path))
	return s, true, nil
}

// rebase makes the file paths of a settings file relative to the folder the
// file is in, so a repository's .golive.yaml means the same from anywhere.
func (s *Settings) rebase(dir string) {
	if dir == "" || dir == "." {
		return
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
			return p
		}
		return filepath.Join(dir, p)
	}
	all := func(ps []string) {
		for i := range ps {
			ps[i] = abs(ps[i])
		}
	}
	all(s.Paths)
	all(s.Helm.Values)
	all(s.ScanReports)
	s.Baseline = abs(s.Baseline)
	s.ClusterDump = abs(s.ClusterDump)
	s.CAFile = abs(s.CAFile)
	for i, o := range s.Output {
		if f, file, ok := strings.Cut(o, "="); ok && file != "-" {
			s.Output[i] = f + "=" + abs(file)
		}
	}
	for i, p := range s.Packs {
		if strings.ContainsAny(p, `/\`) || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
			s.Packs[i] = abs(p)
		}
	}
}

// envSettings reads GOLIVE_* variables. Lists are comma-separated.
func envSettings(getenv func(string) string) (*Settings, error) {
	s := &Settings{}
	list := func(k string) []string {
		v := getenv(k)
		if v == "" {
			return nil
		}
		var out []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	s.Packs = list("GOLIVE_PACK")
	s.Exclude = list("GOLIVE_EXCLUDE")
	s.FailOn = getenv("GOLIVE_FAIL_ON")
	if v := getenv("GOLIVE_STRICT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("GOLIVE_STRICT=%q: want true or false", v)
		}
		s.Strict = b
	}
	s.Output = list("GOLIVE_OUTPUT")
	s.Baseline = getenv("GOLIVE_BASELINE")
	s.ScanReports = list("GOLIVE_SCAN_REPORT")
	s.Helm.Values = list("GOLIVE_VALUES")
	for _, u := range list("GOLIVE_TARGET") {
		s.Targets = append(s.Targets, struct {
			Name string `yaml:"name"`
			URL  string `yaml:"url"`
		}{URL: u})
	}
	s.Token = getenv("GOLIVE_TOKEN")
	s.CAFile = getenv("GOLIVE_CA_FILE")
	s.Prometheus = getenv("GOLIVE_PROMETHEUS")
	s.Database = getenv("GOLIVE_DATABASE")
	s.Kubeconfig = getenv("GOLIVE_KUBECONFIG")
	s.Context = getenv("GOLIVE_CONTEXT")
	s.ClusterDump = getenv("GOLIVE_CLUSTER_DUMP")
	s.Load = getenv("GOLIVE_LOAD")
	return s, nil
}

// overlay fills every unset field of dst from src.
func overlay(dst, src *Settings) {
	strs := func(d *[]string, s []string) {
		if len(*d) == 0 {
			*d = s
		}
	}
	str := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	strs(&dst.Packs, src.Packs)
	strs(&dst.Paths, src.Paths)
	strs(&dst.Exclude, src.Exclude)
	for k, v := range src.Vars {
		if dst.Vars == nil {
			dst.Vars = map[string]string{}
		}
		if _, set := dst.Vars[k]; !set {
			dst.Vars[k] = v
		}
	}
	str(&dst.FailOn, src.FailOn)
	dst.Strict = dst.Strict || src.Strict
	strs(&dst.Output, src.Output)
	str(&dst.Baseline, src.Baseline)
	strs(&dst.ScanReports, src.ScanReports)
	strs(&dst.Helm.Values, src.Helm.Values)
	strs(&dst.Helm.Set, src.Helm.Set)
	str(&dst.Helm.Release, src.Helm.Release)
	str(&dst.Helm.Namespace, src.Helm.Namespace)
	str(&dst.Helm.KubeVersion, src.Helm.KubeVersion)
	if len(dst.Targets) == 0 {
		dst.Targets = src.Targets
	}
	strs(&dst.Headers, src.Headers)
	str(&dst.CAFile, src.CAFile)
	str(&dst.ProtectedPath, src.ProtectedPath)
	str(&dst.Load, src.Load)
	str(&dst.Prometheus, src.Prometheus)
	str(&dst.Database, src.Database)
	str(&dst.Kubeconfig, src.Kubeconfig)
	str(&dst.Context, src.Context)
	str(&dst.Namespace, src.Namespace)
	str(&dst.ClusterDump, src.ClusterDump)
	str(&dst.Token, src.Token)
	str(&dst.Timeout, src.Timeout)
	dst.ForbidInRepoWaivers = dst.ForbidInRepoWaivers || src.ForbidInRepoWaivers
	if dst.Concurrency == 0 {
		dst.Concurrency = src.Concurrency
	}
}

// configPath finds .golive.yaml: --config, else in the first scanned path.
func configPath(explicit string, paths []string) string {
	if explicit != "" {
		return explicit
	}
	root := "."
	if len(paths) > 0 {
		root = paths[0]
		if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
			root = filepath.Dir(root)
		}
	}
	return filepath.Join(root, ConfigFile)
}
