package verdict

import "time"

// SchemaVersion of the JSON report. Bump the major part on any breaking change.
const SchemaVersion = "1.0"

// Report is everything one run decided. Its JSON encoding is the contract
// documented in docs/report.schema.json; every other format is rendered from it.
type Report struct {
	SchemaVersion string       `json:"schemaVersion"`
	Tool          Tool         `json:"tool"`
	StartedAt     time.Time    `json:"startedAt"`
	DurationMs    int64        `json:"durationMs"`
	Inputs        Inputs       `json:"inputs"`
	Gate          Gate         `json:"gate"`
	Packs         []PackResult `json:"packs"`
	// Expired lists attestations and waivers that no longer count.
	Expired []Expired `json:"expired,omitempty"`
	// Problems lists bad input met while gathering evidence (a manifest that
	// does not parse, a chart that does not render), each at file:line.
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is bad input the run met and worked around.
type Problem struct {
	Source  string `json:"source,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Tool identifies the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Inputs records what the run looked at, secrets masked.
type Inputs struct {
	Paths      []string          `json:"paths"`
	Packs      []string          `json:"packs"`
	Targets    []string          `json:"targets,omitempty"`
	Prometheus string            `json:"prometheus,omitempty"`
	Database   string            `json:"database,omitempty"`
	Cluster    string            `json:"cluster,omitempty"`
	Baseline   string            `json:"baseline,omitempty"`
	Other      map[string]string `json:"other,omitempty"`
}

// Gate is the go/no-go decision.
type Gate struct {
	Passed  bool     `json:"passed"`
	FailOn  Priority `json:"failOn"`
	Strict  bool     `json:"strict"`
	Reasons []string `json:"reasons"`
}

// PackResult is one pack's verdicts.
type PackResult struct {
	Name       string           `json:"name"`
	Title      string           `json:"title"`
	Version    string           `json:"version,omitempty"`
	Score      float64          `json:"score"`
	Counts     map[Status]int   `json:"counts"`
	Categories []CategoryResult `json:"categories,omitempty"`
	Items      []ItemResult     `json:"items"`
}

// CategoryResult is the score of one category of a pack.
type CategoryResult struct {
	ID     string         `json:"id"`
	Title  string         `json:"title"`
	Score  float64        `json:"score"`
	Counts map[Status]int `json:"counts"`
}

// ItemResult is the verdict on one checklist item.
type ItemResult struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Category  string    `json:"category"`
	Priority  Priority  `json:"priority"`
	Refs      []string  `json:"refs"`
	Status    Status    `json:"status"`
	Automated bool      `json:"automated"`
	Checks    []string  `json:"checks"`
	Message   string    `json:"message"`
	Hint      string    `json:"hint,omitempty"`
	Findings  []Finding `json:"findings"`
	// Remediation is carried so reports can say how to fix a failure.
	Remediation string       `json:"remediation,omitempty"`
	Attestation *Attestation `json:"attestation,omitempty"`
	// Regression is set with --baseline: the item got worse than in the baseline.
	Regression bool `json:"regression,omitempty"`
}

// Attestation summarises the sign-off that made a manual item attested.
type Attestation struct {
	By       string `json:"by"`
	At       string `json:"at"`
	Expires  string `json:"expires"`
	Evidence string `json:"evidence"`
	SHA256   string `json:"sha256,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Expired names an attestation or waiver past its expiry.
type Expired struct {
	Kind    string `json:"kind"` // attestation or waiver
	Item    string `json:"item"`
	Object  string `json:"object,omitempty"`
	Expired string `json:"expired"`
	Source  string `json:"source"`
}
