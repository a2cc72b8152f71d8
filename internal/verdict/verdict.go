// Package verdict holds the vocabulary shared by checks, the engine and the
// report writers: statuses, priorities, findings and the report document whose
// JSON form is a published contract (docs/report.schema.json).
package verdict

import (
	"fmt"
	"strings"
)

// Status is the outcome of a check, an item or a finding.
type Status string

const (
	Pass       Status = "pass"
	Fail       Status = "fail"
	Unverified Status = "unverified" // an input the check needs was not given or not reachable
	Manual     Status = "manual"     // a person must attest; no valid attestation exists
	Attested   Status = "attested"   // manual, with a valid attestation
	Waived     Status = "waived"     // failed, with a valid waiver for every failing object
	NA         Status = "na"         // nothing the check applies to exists
	Error      Status = "error"      // the check itself could not run
)

// Statuses lists every status in report order: the ones needing attention first.
var Statuses = []Status{Fail, Error, Unverified, Manual, Waived, Attested, Pass, NA}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// severity orders statuses when findings of one check or checks of one item
// are combined: the worst wins. Pass beats NA so that an item with one
// applicable passing check and one non-applicable check passes.
func (s Status) severity() int {
	switch s {
	case Fail:
		return 6
	case Error:
		return 5
	case Unverified:
		return 4
	case Manual:
		return 3
	case Pass, Attested, Waived:
		return 2
	case NA:
		return 1
	}
	return 0
}

// Combine returns the status of a group from its members' statuses. An empty
// group is unverified: nothing was judged, so nothing passes.
func Combine(statuses ...Status) Status {
	if len(statuses) == 0 {
		return Unverified
	}
	worst := statuses[0]
	for _, s := range statuses[1:] {
		if s.severity() > worst.severity() {
			worst = s
		}
	}
	return worst
}

// Priority of a pack item. Higher priorities gate first.
type Priority string

const (
	Critical Priority = "critical"
	High     Priority = "high"
	Medium   Priority = "medium"
	Low      Priority = "low"
)

// Priorities in descending order.
var Priorities = []Priority{Critical, High, Medium, Low}

// Rank is 4 for critical down to 1 for low, 0 for an unknown priority.
func (p Priority) Rank() int {
	switch p {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// ParseFailOn reads a --fail-on value: a priority or "none" (rank 5: nothing gates).
func ParseFailOn(s string) (Priority, error) {
	v := Priority(strings.ToLower(strings.TrimSpace(s)))
	if v == "none" || v.Rank() > 0 {
		return v, nil
	}
	return "", fmt.Errorf("--fail-on %q: want one of critical, high, medium, low, none", s)
}

// AtOrAbove reports whether p gates under the threshold failOn.
func (p Priority) AtOrAbove(failOn Priority) bool {
	if failOn == "none" {
		return false
	}
	return p.Rank() >= failOn.Rank()
}

// Finding is one piece of evidence behind a verdict: what was looked at, where,
// and what was found against what was expected.
type Finding struct {
	Check    string         `json:"check"`
	Status   Status         `json:"status"`
	Message  string         `json:"message"`
	Object   string         `json:"object,omitempty"`   // Kind/namespace/name
	Endpoint string         `json:"endpoint,omitempty"` // URL or address probed
	File     string         `json:"file,omitempty"`
	Line     int            `json:"line,omitempty"`
	Evidence map[string]any `json:"evidence,omitempty"`
	// Hint names what would decide an unverified finding (a flag, a file).
	Hint string `json:"hint,omitempty"`
	// Waiver is set when a waiver turned this failing finding into waived.
	Waiver *WaiverRef `json:"waiver,omitempty"`
}

// WaiverRef records which waiver excused a finding.
type WaiverRef struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Source  string `json:"source"` // file or annotation it came from
}
