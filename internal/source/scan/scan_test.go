package scan

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		format   string
		vulns    int
		sbom     string
		err      bool
	}{
		{"trivy", `{"SchemaVersion":2,"Results":[{"Target":"t","Vulnerabilities":[{"VulnerabilityID":"CVE-1","Severity":"CRITICAL"}]}]}`, "trivy", 1, "", false},
		{"trivy clean", `{"SchemaVersion":2,"ArtifactName":"x","Results":[]}`, "trivy", 0, "", false},
		{"grype", `{"matches":[{"vulnerability":{"id":"CVE-1","severity":"Negligible"},"artifact":{"name":"a"}}],"source":{"target":"dir:."}}`, "grype", 1, "", false},
		{"sarif", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grype"}},"results":[{"ruleId":"x","level":"error","message":{"text":"m"}}]}]}`, "sarif", 1, "", false},
		{"cyclonedx", `{"bomFormat":"CycloneDX","components":[{}]}`, "", 0, "cyclonedx", false},
		{"spdx", `{"spdxVersion":"SPDX-2.3","packages":[{},{}]}`, "", 0, "spdx", false},
		{"unknown json", `{"a":1}`, "", 0, "", true},
		{"not json", `hello`, "", 0, "", true},
		{"broken json", `{"SchemaVersion":`, "", 0, "", true},
		{"wrong types", `{"SchemaVersion":2,"Results":"x"}`, "", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b, err := Parse("f.json", []byte(tt.in))
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if tt.format != "" && (r == nil || r.Format != tt.format || len(r.Vulns) != tt.vulns) {
				t.Errorf("report %+v, want %s with %d vulns", r, tt.format, tt.vulns)
			}
			if tt.sbom != "" && (b == nil || b.Format != tt.sbom) {
				t.Errorf("sbom %+v, want %s", b, tt.sbom)
			}
		})
	}
	_, _, err := Parse("f.json", []byte(`{"x":1}`))
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("want ErrUnknownFormat, got %v", err)
	}
	r, _, _ := Parse("f.json", []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"x","level":"error","message":{"text":"m"}}]}]}`))
	if r.Vulns[0].Severity != Unknown {
		t.Errorf("a bare error level must stay unknown, got %s", r.Vulns[0].Severity)
	}
}

func TestIsReportName(t *testing.T) {
	for n, want := range map[string]bool{"trivy.json": true, "trivy-image.json": true, "grype.json": true, "x.sarif": true,
		"results.sarif.json": true, "sbom.cdx.json": true, "app.spdx.json": true, "bom.json": true, "package.json": false, "trivy.yaml": false} {
		if IsReportName(n) != want {
			t.Errorf("IsReportName(%s) = %v", n, !want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"SchemaVersion":2,"Results":[{"Target":"t","Vulnerabilities":[{"VulnerabilityID":"CVE-1","Severity":"HIGH","PublishedDate":"2024-01-01T00:00:00Z"}]}]}`))
	f.Add([]byte(`{"matches":[{"vulnerability":{"id":"a","fix":{"versions":["1"],"state":"fixed"}}}],"source":{"target":{"userInput":"x"}}}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"x","properties":{"security-severity":"9.1"}}]}},"results":[{"ruleId":"x","ruleIndex":0}]}]}`))
	f.Add([]byte(`{"database":{},"vulnerabilities":{"list":[{"advisory":{"id":"R"}}]}}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","components":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = Parse("fuzz.json", data)
	})
}
