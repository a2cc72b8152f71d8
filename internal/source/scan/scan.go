// Package scan is the evidence source for scanner output: vulnerability
// reports (Trivy JSON, Grype JSON, SARIF, cargo audit JSON) and SBOMs
// (CycloneDX and SPDX JSON), given with --scan-report or found by name in
// the scanned paths.
package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/repo"
)

// Severities in descending order.
const (
	Critical = "CRITICAL"
	High     = "HIGH"
	Medium   = "MEDIUM"
	Low      = "LOW"
	Unknown  = "UNKNOWN"
)

// Vuln is one vulnerability a scanner reported.
type Vuln struct {
	ID        string
	Package   string
	Installed string
	Fixed     string // version that fixes it, "" when none
	Severity  string // one of the constants above
	Target    string // what was scanned (image layer, lock file)
	Published time.Time
}

// Fixable reports whether a fixed version exists.
func (v Vuln) Fixable() bool { return v.Fixed != "" }

// Report is one vulnerability report.
type Report struct {
	File     string
	Format   string // trivy, grype, sarif, cargo-audit
	Tool     string
	Artifact string // the image or directory scanned, when the report says
	Vulns    []Vuln
}

// SBOM is one software bill of materials.
type SBOM struct {
	File       string
	Format     string // cyclonedx, spdx
	Components int
}

// FileError is a report that could not be read.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }

// Set is every report and SBOM of a run.
type Set struct {
	Reports []*Report
	SBOMs   []*SBOM
	// Errors are reports the user named that could not be read; files found
	// by name that turn out to be something else are skipped quietly.
	Errors []*FileError
}

// From returns the scan reports of the run, loaded once: the reports named
// with --scan-report, wherever they are, and the report-looking files of the
// run's repository index.
func From(ctx context.Context, env *source.Env) (*Set, error) {
	return source.Load(ctx, env, "scanreport", func(ctx context.Context, in *source.Inputs) (*Set, error) {
		if len(in.Paths) == 0 && len(in.ScanReports) == 0 {
			return nil, source.NotGiven("--scan-report or a repository path", "scan reports")
		}
		var r *repo.Repo
		if len(in.Paths) > 0 {
			var err error
			if r, err = repo.From(ctx, env); err != nil {
				return nil, err
			}
		}
		return load(ctx, in.ScanReports, r)
	})
}

const maxFileSize = 256 << 20

// load reads the named reports, then the reports found in r (nil when no
// repository was given). A report is read once however it was reached.
func load(ctx context.Context, named []string, r *repo.Repo) (*Set, error) {
	set := &Set{}
	seen := map[string]bool{}
	read := func(p, abs string, given bool) {
		if seen[abs] {
			return
		}
		seen[abs] = true
		info, err := os.Stat(abs)
		if err == nil && info.Size() > maxFileSize {
			err = fmt.Errorf("%d bytes is larger than any report golive reads", info.Size())
		}
		var data []byte
		if err == nil {
			// Not repo.File.Content: SBOMs run far past its size bound.
			data, err = os.ReadFile(abs)
		}
		if err == nil {
			var rep *Report
			var sbom *SBOM
			rep, sbom, err = Parse(p, data)
			switch {
			case rep != nil:
				set.Reports = append(set.Reports, rep)
			case sbom != nil:
				set.SBOMs = append(set.SBOMs, sbom)
			}
		}
		if err != nil && given {
			set.Errors = append(set.Errors, &FileError{File: p, Err: err})
		}
	}
	for _, p := range named {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		read(p, abs, true)
	}
	if r == nil {
		return set, nil
	}
	for _, f := range selectFiles(r) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		read(f.OSPath(), f.Abs, false)
	}
	return set, nil
}

// ErrUnknownFormat is returned for JSON that is no report golive knows.
var ErrUnknownFormat = errors.New("not a Trivy, Grype, SARIF, cargo audit, CycloneDX or SPDX JSON document")

// Parse reads one report or SBOM, telling the format from its content.
func Parse(file string, data []byte) (*Report, *SBOM, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, nil, ErrUnknownFormat
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, nil, fmt.Errorf("read JSON: %w", err)
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	switch {
	case has("bomFormat"):
		b, err := parseCycloneDX(file, data)
		return nil, b, err
	case has("spdxVersion"):
		b, err := parseSPDX(file, data)
		return nil, b, err
	case has("runs") && (has("version") || has("$schema")):
		r, err := parseSARIF(file, data)
		return r, nil, err
	case has("SchemaVersion") || has("ArtifactName") || has("Results"):
		r, err := parseTrivy(file, data)
		return r, nil, err
	case has("matches"):
		r, err := parseGrype(file, data)
		return r, nil, err
	case has("vulnerabilities") && (has("database") || has("lockfile")):
		r, err := parseCargoAudit(file, data)
		return r, nil, err
	}
	return nil, nil, ErrUnknownFormat
}

// NormSeverity maps scanner spellings to the constants.
func NormSeverity(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "CRITICAL":
		return Critical
	case "HIGH", "IMPORTANT":
		return High
	case "MEDIUM", "MODERATE":
		return Medium
	case "LOW", "NEGLIGIBLE", "INFO":
		return Low
	}
	return Unknown
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func parseTrivy(file string, data []byte) (*Report, error) {
	var doc struct {
		ArtifactName string
		Results      []struct {
			Target          string
			Vulnerabilities []struct {
				VulnerabilityID  string
				PkgName          string
				InstalledVersion string
				FixedVersion     string
				Severity         string
				PublishedDate    string
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read Trivy report: %w", err)
	}
	r := &Report{File: file, Format: "trivy", Tool: "trivy", Artifact: doc.ArtifactName}
	for _, res := range doc.Results {
		for _, v := range res.Vulnerabilities {
			r.Vulns = append(r.Vulns, Vuln{ID: v.VulnerabilityID, Package: v.PkgName, Installed: v.InstalledVersion,
				Fixed: v.FixedVersion, Severity: NormSeverity(v.Severity), Target: res.Target, Published: parseTime(v.PublishedDate)})
		}
	}
	return r, nil
}

func parseGrype(file string, data []byte) (*Report, error) {
	var doc struct {
		Matches []struct {
			Vulnerability struct {
				ID       string `json:"id"`
				Severity string `json:"severity"`
				Fix      struct {
					Versions []string `json:"versions"`
					State    string   `json:"state"`
				} `json:"fix"`
			} `json:"vulnerability"`
			Artifact struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"artifact"`
		} `json:"matches"`
		Source struct {
			Target json.RawMessage `json:"target"`
		} `json:"source"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read Grype report: %w", err)
	}
	r := &Report{File: file, Format: "grype", Tool: "grype"}
	var tgt struct {
		UserInput string `json:"userInput"`
	}
	if json.Unmarshal(doc.Source.Target, &tgt) == nil {
		r.Artifact = tgt.UserInput
	} else {
		var s string
		if json.Unmarshal(doc.Source.Target, &s) == nil {
			r.Artifact = s
		}
	}
	for _, m := range doc.Matches {
		v := Vuln{ID: m.Vulnerability.ID, Package: m.Artifact.Name, Installed: m.Artifact.Version, Severity: NormSeverity(m.Vulnerability.Severity)}
		if m.Vulnerability.Fix.State == "fixed" && len(m.Vulnerability.Fix.Versions) > 0 {
			v.Fixed = strings.Join(m.Vulnerability.Fix.Versions, ", ")
		}
		r.Vulns = append(r.Vulns, v)
	}
	return r, nil
}

func parseCargoAudit(file string, data []byte) (*Report, error) {
	var doc struct {
		Vulnerabilities struct {
			List []struct {
				Advisory struct {
					ID      string `json:"id"`
					Package string `json:"package"`
					CVSS    string `json:"cvss"`
					Date    string `json:"date"`
				} `json:"advisory"`
				Versions struct {
					Patched []string `json:"patched"`
				} `json:"versions"`
				Package struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"package"`
			} `json:"list"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read cargo audit report: %w", err)
	}
	r := &Report{File: file, Format: "cargo-audit", Tool: "cargo-audit"}
	for _, v := range doc.Vulnerabilities.List {
		pub, _ := time.Parse("2006-01-02", v.Advisory.Date)
		r.Vulns = append(r.Vulns, Vuln{ID: v.Advisory.ID, Package: v.Package.Name, Installed: v.Package.Version,
			Fixed: strings.Join(v.Versions.Patched, ", "), Severity: Unknown, Target: "Cargo.lock", Published: pub})
	}
	return r, nil
}

// parseSARIF reads results; severity comes from security-severity (a CVSS
// score, as Trivy, Grype and GitHub write it), from tags, or from the level.
func parseSARIF(file string, data []byte) (r *Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("read SARIF: %v", p)
		}
	}()
	doc, err := sarif.FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("read SARIF: %w", err)
	}
	r = &Report{File: file, Format: "sarif"}
	for _, run := range doc.Runs {
		if run == nil {
			continue
		}
		rules := map[string]*sarif.ReportingDescriptor{}
		var list []*sarif.ReportingDescriptor
		if run.Tool.Driver != nil {
			if r.Tool == "" {
				r.Tool = run.Tool.Driver.Name
			}
			list = run.Tool.Driver.Rules
			for _, rd := range list {
				if rd != nil {
					rules[rd.ID] = rd
				}
			}
		}
		for _, res := range run.Results {
			if res == nil {
				continue
			}
			id := ""
			if res.RuleID != nil {
				id = *res.RuleID
			}
			rd := rules[id]
			if rd == nil && res.RuleIndex != nil && int(*res.RuleIndex) < len(list) {
				rd = list[*res.RuleIndex]
			}
			level := ""
			if res.Level != nil {
				level = *res.Level
			}
			v := Vuln{ID: id, Severity: sarifSeverity(rd, res.Properties, level)}
			if len(res.Locations) > 0 && res.Locations[0] != nil && res.Locations[0].PhysicalLocation != nil &&
				res.Locations[0].PhysicalLocation.ArtifactLocation != nil && res.Locations[0].PhysicalLocation.ArtifactLocation.URI != nil {
				v.Target = *res.Locations[0].PhysicalLocation.ArtifactLocation.URI
			}
			r.Vulns = append(r.Vulns, v)
		}
	}
	return r, nil
}

func sarifSeverity(rd *sarif.ReportingDescriptor, resProps sarif.Properties, level string) string {
	for _, props := range []sarif.Properties{resProps, rulesProps(rd)} {
		if s, ok := props["security-severity"]; ok {
			var score float64
			switch x := s.(type) {
			case string:
				score, _ = strconv.ParseFloat(x, 64)
			case float64:
				score = x
			}
			switch {
			case score >= 9:
				return Critical
			case score >= 7:
				return High
			case score >= 4:
				return Medium
			case score > 0:
				return Low
			}
		}
		if tags, ok := props["tags"].([]any); ok {
			for _, t := range tags {
				if s, ok := t.(string); ok {
					if sev := NormSeverity(s); sev != Unknown {
						return sev
					}
				}
			}
		}
	}
	// A level alone cannot tell critical from high: "error" stays unknown so
	// that a "no critical" check does not pass on it.
	switch level {
	case "warning":
		return Medium
	case "note", "none":
		return Low
	}
	return Unknown
}

func rulesProps(rd *sarif.ReportingDescriptor) sarif.Properties {
	if rd == nil {
		return nil
	}
	if len(rd.Properties) > 0 {
		return rd.Properties
	}
	return rd.PropertyBag.Properties
}

func parseCycloneDX(file string, data []byte) (*SBOM, error) {
	var doc struct {
		BOMFormat  string            `json:"bomFormat"`
		Components []json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read CycloneDX SBOM: %w", err)
	}
	if !strings.EqualFold(doc.BOMFormat, "CycloneDX") {
		return nil, fmt.Errorf("bomFormat %q is not CycloneDX", doc.BOMFormat)
	}
	return &SBOM{File: file, Format: "cyclonedx", Components: len(doc.Components)}, nil
}

func parseSPDX(file string, data []byte) (*SBOM, error) {
	var doc struct {
		Packages []json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read SPDX SBOM: %w", err)
	}
	return &SBOM{File: file, Format: "spdx", Components: len(doc.Packages)}, nil
}
