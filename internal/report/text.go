package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"golive.dev/golive/internal/verdict"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiMag    = "\x1b[35m"
	ansiCyan   = "\x1b[36m"
)

var statusColor = map[verdict.Status]string{
	verdict.Fail:       ansiBold + ansiRed,
	verdict.Error:      ansiBold + ansiMag,
	verdict.Unverified: ansiYellow,
	verdict.Manual:     ansiCyan,
	verdict.Waived:     ansiBlue,
	verdict.Attested:   ansiGreen,
	verdict.Pass:       ansiGreen,
	verdict.NA:         ansiDim,
}

// inlineEvidenceMax bounds one line of evidence in the non-verbose view; the
// full evidence is one -v away.
const inlineEvidenceMax = 160

type textWriter struct {
	buf  *bytes.Buffer
	opts Options
}

func (t *textWriter) paint(code, s string) string {
	if !t.opts.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) line(indent int, format string, args ...any) {
	t.buf.WriteString(strings.Repeat(" ", indent))
	fmt.Fprintf(t.buf, format, args...)
	t.buf.WriteByte('\n')
}

func writeText(buf *bytes.Buffer, r *verdict.Report, opts Options) error {
	t := &textWriter{buf: buf, opts: opts}
	nItems := 0
	for _, p := range r.Packs {
		nItems += len(p.Items)
	}
	t.line(0, "%s %s · %d pack(s) · %d item(s) · started %s · took %s",
		t.paint(ansiBold, clean(r.Tool.Name)), clean(r.Tool.Version), len(r.Packs), nItems,
		r.StartedAt.UTC().Format(time.RFC3339), (time.Duration(r.DurationMs) * time.Millisecond).String())
	if len(r.Inputs.Paths) > 0 {
		t.line(0, "paths: %s", clean(strings.Join(r.Inputs.Paths, ", ")))
	}

	for _, p := range r.Packs {
		t.buf.WriteByte('\n')
		title := clean(p.Name)
		if p.Title != "" {
			title += " — " + clean(p.Title)
		}
		if p.Version != "" {
			title += " (" + clean(p.Version) + ")"
		}
		t.line(0, "%s  score %s  [%s]", t.paint(ansiBold, title), formatScore(p.Score), countList(packCounts(p)))
		for _, c := range categories(p) {
			score := ""
			if c.HasScore {
				score = "  score " + formatScore(c.Score)
			}
			t.line(2, "%s%s  [%s]", t.paint(ansiBold, clean(c.Title)), score, countList(c.Counts))
			for _, it := range c.Items {
				t.item(it)
			}
		}
	}

	if len(r.Expired) > 0 {
		t.buf.WriteByte('\n')
		t.line(0, "%s", t.paint(ansiBold, "Expired attestations and waivers (no longer counted):"))
		for _, e := range r.Expired {
			obj := ""
			if e.Object != "" {
				obj = " " + clean(e.Object)
			}
			t.line(2, "%-11s %s%s  expired %s  (%s)", clean(e.Kind), clean(e.Item), obj, clean(e.Expired), clean(e.Source))
		}
	}

	if len(r.Problems) > 0 {
		t.buf.WriteByte('\n')
		t.line(0, "%s", t.paint(ansiBold, "Input that could not be read (worked around):"))
		for _, pr := range r.Problems {
			t.line(2, "%s", problemLine(pr))
		}
	}

	if groups := unverifiedHints(r); len(groups) > 0 {
		t.buf.WriteByte('\n')
		t.line(0, "%s", t.paint(ansiBold, fmt.Sprintf("To verify the %d unverified item(s), pass:", totals(r)[verdict.Unverified])))
		width := 0
		for _, g := range groups {
			width = max(width, len([]rune(clean(g.Usage))))
		}
		for _, g := range groups {
			switch {
			case g.Flag != "":
				u := clean(g.Usage)
				pad := strings.Repeat(" ", width-len([]rune(u)))
				t.line(2, "%s%s  for %s", t.paint(ansiYellow, u), pad, clean(strings.Join(g.Items, ", ")))
			case len(g.Hints) > 0:
				t.line(2, "%s  for %s", clean(strings.Join(g.Hints, "; ")), clean(strings.Join(g.Items, ", ")))
			default:
				t.line(2, "(no hint given)  for %s", clean(strings.Join(g.Items, ", ")))
			}
		}
	}

	t.buf.WriteByte('\n')
	var scores []string
	for _, p := range r.Packs {
		scores = append(scores, clean(p.Name)+" "+formatScore(p.Score))
	}
	t.line(0, "Summary: %s · score %s", countList(totals(r)), strings.Join(scores, ", "))
	t.gate(r.Gate)
	return nil
}

func (t *textWriter) gate(g verdict.Gate) {
	mode := "fail-on " + string(g.FailOn)
	if g.Strict {
		mode += ", strict"
	}
	if g.Passed {
		t.line(0, "Gate %s (%s)", t.paint(ansiBold+ansiGreen, "PASSED"), clean(mode))
	} else {
		t.line(0, "Gate %s (%s)", t.paint(ansiBold+ansiRed, "FAILED"), clean(mode))
	}
	for _, reason := range g.Reasons {
		t.line(2, "- %s", clean(reason))
	}
}

func (t *textWriter) item(it verdict.ItemResult) {
	label := fmt.Sprintf("%-10s", strings.ToUpper(string(it.Status)))
	reg := ""
	if it.Regression {
		reg = " " + t.paint(ansiBold+ansiRed, "(regression)")
	}
	t.line(4, "%s %-8s %s  %s%s", t.paint(statusColor[it.Status], label), it.Priority, clean(it.ID), clean(it.Title), reg)
	const ind = 6
	full := t.opts.Verbose || needsAttention(it.Status)
	if !full {
		return
	}
	if it.Message != "" {
		t.line(ind, "%s", clean(it.Message))
	}
	if it.Attestation != nil {
		a := it.Attestation
		t.line(ind, "attested by %s on %s, expires %s: %s", clean(a.By), clean(a.At), clean(a.Expires), clean(a.Evidence))
	}
	hidden := 0
	for _, f := range it.Findings {
		if !t.opts.Verbose && !needsAttention(f.Status) {
			hidden++
			continue
		}
		t.finding(ind, f, it.Hint)
	}
	if hidden > 0 {
		t.line(ind, "%s", t.paint(ansiDim, fmt.Sprintf("(+%d finding(s) that passed or do not apply; -v shows them)", hidden)))
	}
	if it.Hint != "" && it.Status == verdict.Unverified {
		t.line(ind, "to verify: %s", clean(it.Hint))
	}
	if it.Status == verdict.Manual {
		t.line(ind, "to attest: golive attest %s --by NAME --evidence URL|FILE", clean(it.ID))
	}
	if it.Remediation != "" && (it.Status == verdict.Fail || it.Status == verdict.Error || it.Status == verdict.Waived) {
		t.line(ind, "fix: %s", clean(it.Remediation))
	}
	if t.opts.Verbose {
		if len(it.Checks) > 0 {
			t.line(ind, "checks: %s", clean(strings.Join(it.Checks, ", ")))
		}
		if len(it.Refs) > 0 {
			t.line(ind, "refs: %s", clean(strings.Join(it.Refs, ", ")))
		}
	}
}

func (t *textWriter) finding(ind int, f verdict.Finding, itemHint string) {
	where := location(f)
	if where != "" {
		where = t.paint(ansiBold, clean(where)) + ": "
	}
	t.line(ind, "- %s %s%s", t.paint(statusColor[f.Status], "["+string(f.Status)+"]"), where, clean(f.Message))
	sub := ind + 4
	if f.Check != "" && t.opts.Verbose {
		t.line(sub, "check: %s", clean(f.Check))
	}
	if f.Hint != "" && f.Status == verdict.Unverified && f.Hint != itemHint {
		t.line(sub, "to verify: %s", clean(f.Hint))
	}
	if f.Waiver != nil {
		t.line(sub, "waived until %s: %s (%s)", clean(f.Waiver.Expires), clean(f.Waiver.Reason), clean(f.Waiver.Source))
	}
	if len(f.Evidence) == 0 {
		return
	}
	if t.opts.Verbose {
		t.line(sub, "evidence:")
		for _, l := range strings.Split(evidenceJSON(f.Evidence, "  "), "\n") {
			t.line(sub+2, "%s", clean(l))
		}
		return
	}
	var parts []string
	for _, k := range evidenceKeys(f.Evidence) {
		parts = append(parts, k+"="+evidenceJSON(f.Evidence[k], ""))
	}
	s := clean(strings.Join(parts, " "))
	if r := []rune(s); len(r) > inlineEvidenceMax {
		s = string(r[:inlineEvidenceMax]) + "…"
	}
	t.line(sub, "evidence: %s", s)
}

func problemLine(p verdict.Problem) string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(clean(p.File))
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Source != "" {
		b.WriteString(clean(p.Source) + ": ")
	}
	b.WriteString(clean(p.Message))
	return b.String()
}
