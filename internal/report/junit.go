package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"golive.dev/golive/internal/verdict"
)

type junitSuites struct {
	XMLName   xml.Name     `xml:"testsuites"`
	Name      string       `xml:"name,attr"`
	Tests     int          `xml:"tests,attr"`
	Failures  int          `xml:"failures,attr"`
	Errors    int          `xml:"errors,attr"`
	Skipped   int          `xml:"skipped,attr"`
	Time      string       `xml:"time,attr"`
	Timestamp string       `xml:"timestamp,attr,omitempty"`
	Suites    []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

// junitText is element content written as CDATA so multi-line findings stay
// readable in the file.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit writes one testsuite per category of each pack and one testcase
// per item, the shape CI systems draw as a test tree. Items carry no timing
// of their own, so testcases have time 0 and the run's duration goes on the
// root.
func writeJUnit(buf *bytes.Buffer, r *verdict.Report) error {
	ts := ""
	if !r.StartedAt.IsZero() {
		ts = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	root := junitSuites{
		Name:      nonEmpty(r.Tool.Name, "golive"),
		Time:      seconds(r.DurationMs),
		Timestamp: ts,
	}
	for _, p := range r.Packs {
		for _, c := range categories(p) {
			s := junitSuite{
				Name:      p.Name + " / " + c.Title,
				Time:      "0.000",
				Timestamp: ts,
				Properties: []junitProperty{
					{Name: "pack", Value: p.Name},
					{Name: "category", Value: c.ID},
				},
			}
			if c.HasScore {
				s.Properties = append(s.Properties, junitProperty{Name: "score", Value: formatScore(c.Score)})
			}
			for _, it := range c.Items {
				jc := junitItem(p.Name, it)
				s.Tests++
				switch {
				case jc.Failure != nil:
					s.Failures++
				case jc.Error != nil:
					s.Errors++
				case jc.Skipped != nil:
					s.Skipped++
				}
				s.Cases = append(s.Cases, jc)
			}
			root.Tests += s.Tests
			root.Failures += s.Failures
			root.Errors += s.Errors
			root.Skipped += s.Skipped
			root.Suites = append(root.Suites, s)
		}
	}
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}

func seconds(ms int64) string {
	return fmt.Sprintf("%.3f", (time.Duration(ms) * time.Millisecond).Seconds())
}

func junitItem(pack string, it verdict.ItemResult) junitCase {
	jc := junitCase{
		Name:      it.ID,
		Classname: pack + "." + nonEmpty(it.Category, "uncategorized"),
		Time:      "0.000",
	}
	head := fmt.Sprintf("[%s] %s", it.Priority, nonEmpty(it.Title, it.ID))
	if it.Message != "" {
		head += ": " + it.Message
	}
	switch it.Status {
	case verdict.Fail:
		jc.Failure = &junitProblem{Message: head, Type: string(it.Priority), Body: xmlSafe(junitBody(it))}
	case verdict.Error:
		jc.Error = &junitProblem{Message: head, Type: string(it.Priority), Body: xmlSafe(junitBody(it))}
	case verdict.Unverified:
		reason := "unverified: " + nonEmpty(it.Message, "an input it needs was not given")
		if it.Hint != "" {
			reason += " (to verify: " + it.Hint + ")"
		}
		jc.Skipped = &junitSkipped{Message: reason}
	case verdict.Manual:
		jc.Skipped = &junitSkipped{Message: "manual: " + nonEmpty(it.Message, "needs an attestation (golive attest "+it.ID+")")}
	case verdict.NA:
		jc.Skipped = &junitSkipped{Message: "not applicable: " + nonEmpty(it.Message, "nothing it applies to exists")}
	case verdict.Waived:
		jc.SystemOut = &junitText{xmlSafe("waived: " + nonEmpty(it.Message, "failure excused by a waiver") + "\n" + junitBody(it))}
	case verdict.Attested:
		if a := it.Attestation; a != nil {
			jc.SystemOut = &junitText{xmlSafe(fmt.Sprintf("attested by %s on %s, expires %s: %s\n", a.By, a.At, a.Expires, a.Evidence))}
		}
	}
	return jc
}

// junitBody lists an item's findings, one per line with its location and
// evidence, for the body of a failure.
func junitBody(it verdict.ItemResult) string {
	var b strings.Builder
	for _, f := range it.Findings {
		if f.Status == verdict.Pass || f.Status == verdict.NA {
			continue
		}
		fmt.Fprintf(&b, "[%s] ", f.Status)
		if w := location(f); w != "" {
			b.WriteString(w + ": ")
		}
		b.WriteString(f.Message)
		b.WriteByte('\n')
		if f.Waiver != nil {
			fmt.Fprintf(&b, "    waived until %s: %s (%s)\n", f.Waiver.Expires, f.Waiver.Reason, f.Waiver.Source)
		}
		if len(f.Evidence) > 0 {
			b.WriteString("    evidence: " + evidenceJSON(f.Evidence, "") + "\n")
		}
	}
	if it.Remediation != "" && it.Status != verdict.Unverified {
		b.WriteString("fix: " + it.Remediation + "\n")
	}
	return b.String()
}

// xmlSafe replaces characters XML 1.0 cannot hold, even escaped, with
// U+FFFD. encoding/xml does this for attributes and text but not for CDATA.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
