package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) initCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write a commented .golive.yaml from what is found in the repository",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			fi, err := os.Stat(root)
			if err != nil || !fi.IsDir() {
				return badInput(fmt.Errorf("init %s: not a folder", root))
			}
			path := filepath.Join(root, ConfigFile)
			if _, err := os.Stat(path); err == nil && !force {
				return badInput(fmt.Errorf("%s exists; pass --force to overwrite it", path))
			}
			found := survey(root)
			if err := os.WriteFile(path, []byte(a.renderInit(found)), 0o644); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			fmt.Fprintf(a.stdout, "wrote %s (%s)\n", path, found.summary())
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing .golive.yaml")
	return cmd
}

type surveyResult struct {
	charts, values, kustomize, dockerfiles, rules []string
}

func (s surveyResult) summary() string {
	return fmt.Sprintf("%d charts, %d values files, %d kustomizations, %d Dockerfiles, %d rule files",
		len(s.charts), len(s.values), len(s.kustomize), len(s.dockerfiles), len(s.rules))
}

// survey walks the repository for what golive can use, skipping the usual
// heavy folders. It is a best guess for a starting file, not evidence.
func survey(root string) surveyResult {
	var s surveyResult
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") && name != ".github" || name == "node_modules" || name == "vendor" || name == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		lower := strings.ToLower(name)
		switch {
		case name == "Chart.yaml":
			s.charts = append(s.charts, filepath.ToSlash(filepath.Dir(rel)))
		case strings.HasPrefix(lower, "values-") && (strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml")):
			s.values = append(s.values, rel)
		case name == "kustomization.yaml" || name == "kustomization.yml":
			s.kustomize = append(s.kustomize, filepath.ToSlash(filepath.Dir(rel)))
		case name == "Dockerfile" || name == "Containerfile" || strings.HasSuffix(lower, ".dockerfile"):
			s.dockerfiles = append(s.dockerfiles, rel)
		case strings.Contains(lower, "rules") && (strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml")):
			s.rules = append(s.rules, rel)
		}
		return nil
	})
	for _, l := range [][]string{s.charts, s.values, s.kustomize, s.dockerfiles, s.rules} {
		sort.Strings(l)
	}
	return s
}

func (a *app) renderInit(s surveyResult) string {
	var b strings.Builder
	b.WriteString("# golive settings for this repository. Flags override these; GOLIVE_* variables\n")
	b.WriteString("# fill what neither sets. Reference: docs/getting-started.md\n\n")
	b.WriteString("# Packs to run: built-in names or files. `golive packs list` shows the built-in ones:\n")
	b.WriteString("#   " + strings.Join(a.loader.BuiltinNames(), ", ") + "\n")
	b.WriteString("packs:\n  - default\n\n")
	b.WriteString("# Lowest priority whose fail or error fails the gate (critical, high, medium, low, none).\n")
	b.WriteString("failOn: critical\n")
	b.WriteString("# strict: true makes unverified and manual items fail the gate too (the go-live run).\n")
	b.WriteString("strict: false\n\n")
	b.WriteString("# Pack variables (golive packs show NAME lists them), e.g. the service's name and metrics port.\n")
	b.WriteString("# vars:\n#   service: my-service\n\n")
	b.WriteString("# Globs left out of the scan besides .gitignore (testdata, vendor, node_modules always are).\n")
	b.WriteString("# exclude: [\"examples/**\"]\n\n")
	fmt.Fprintf(&b, "# Found: %s.\n", s.summary())
	for _, c := range s.charts {
		fmt.Fprintf(&b, "#   chart: %s\n", c)
	}
	for _, k := range s.kustomize {
		fmt.Fprintf(&b, "#   kustomization: %s\n", k)
	}
	for _, d := range s.dockerfiles {
		fmt.Fprintf(&b, "#   Dockerfile: %s\n", d)
	}
	for _, r := range s.rules {
		fmt.Fprintf(&b, "#   rules?: %s\n", r)
	}
	b.WriteString("helm:\n  # Values files rendered with every chart found, in order (production values last).\n")
	if len(s.values) == 0 {
		b.WriteString("  values: []\n")
	} else {
		b.WriteString("  values:\n")
		for _, v := range s.values {
			prefix := "    # - "
			if strings.Contains(v, "prod") {
				prefix = "    - "
			}
			fmt.Fprintf(&b, "%s%s\n", prefix, v)
		}
	}
	b.WriteString("  # release: my-service\n  # kubeVersion: \"1.31.0\"\n")
	b.WriteString("# namespace: my-service\n\n")
	b.WriteString("# Scanner output that decides the image-vulnerability items (Trivy/Grype JSON, SARIF, SBOM).\n")
	b.WriteString("# scanReports: [trivy.json]\n\n")
	b.WriteString("# The running service, for live checks. Tokens come from GOLIVE_TOKEN, never from this file.\n")
	b.WriteString("# targets:\n#   - name: api\n#     url: https://api.example.com\n")
	b.WriteString("# prometheus: http://prometheus.monitoring:9090\n")
	b.WriteString("# database: set GOLIVE_DATABASE instead, so no password is committed\n")
	b.WriteString("# kubeconfig: ~/.kube/config\n# context: prod\n# clusterDump: cluster-dump/\n\n")
	b.WriteString("# Reports written on every run, FORMAT or FORMAT=FILE.\n")
	b.WriteString("output:\n  - text\n  # - sarif=golive.sarif\n  # - json=golive.json\n")
	return b.String()
}
