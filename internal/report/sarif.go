package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"golive.dev/golive/internal/verdict"
)

// sarifLevel maps an item's priority to a SARIF level: what blocks a
// go-live is an error, the middle is a warning, the rest a note.
func sarifLevel(p verdict.Priority) string {
	switch p {
	case verdict.Critical, verdict.High:
		return "error"
	case verdict.Medium:
		return "warning"
	}
	return "note"
}

// ruleID names an item's rule. The pack is part of it because two packs may
// hold an item with the same id and a different priority, and SARIF
// consumers track alerts by rule.
func ruleID(pack string, item verdict.ItemResult) string {
	return pack + "/" + item.ID
}

// writeSARIF writes SARIF 2.1.0: one run, one rule per item, one result per
// failing or erroring finding. Every optional field is left out rather than
// written empty, because some consumers reject "" and [] where the schema
// expects content.
func writeSARIF(buf *bytes.Buffer, r *verdict.Report, opts Options) error {
	doc, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return err
	}
	name := r.Tool.Name
	if name == "" {
		name = "golive"
	}
	driver := sarif.NewDriver(name)
	if r.Tool.Version != "" {
		driver.WithVersion(r.Tool.Version)
	}
	run := sarif.NewRun(*sarif.NewTool(driver))
	anchor := opts.SARIFAnchor
	if anchor == "" {
		anchor = DefaultSARIFAnchor
	}

	for _, p := range r.Packs {
		for _, it := range p.Items {
			run.Tool.Driver.AddRule(sarifRule(p, it))
		}
	}
	for _, p := range r.Packs {
		for _, it := range p.Items {
			for _, res := range sarifResults(p, it, r.Inputs.Paths, anchor, opts.SARIFUnverified) {
				run.AddResult(res)
			}
		}
	}

	inv := sarif.NewInvocation().WithExecutionSuccess(true)
	if !r.StartedAt.IsZero() {
		start := r.StartedAt.UTC()
		end := start.Add(time.Duration(r.DurationMs) * time.Millisecond)
		inv.WithStartTimeUTC(start).WithEndTimeUTC(end)
	}
	for _, pr := range r.Problems {
		n := sarif.NewNotification()
		n.Level = "warning"
		n.Message = sarif.NewTextMessage(nonEmpty(pr.Message, "unreadable input"))
		if pr.File != "" {
			n.Locations = []*sarif.Location{sarifLocation(pr.File, pr.Line, "", "", r.Inputs.Paths)}
		}
		if pr.Source != "" {
			n.Properties = sarif.Properties{"source": pr.Source}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.AddInvocations(inv)

	run.Properties = sarifRunProperties(r)
	doc.AddRun(run)
	// Rules is written even when empty; a run with no items is still valid.
	return doc.PrettyWrite(buf)
}

func nonEmpty(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

func sarifRule(p verdict.PackResult, it verdict.ItemResult) *sarif.ReportingDescriptor {
	rule := sarif.NewRule(ruleID(p.Name, it)).
		WithName(it.ID).
		WithShortDescription(sarif.NewMultiformatMessageString(nonEmpty(it.Title, it.ID)))
	if it.Remediation != "" {
		rule.WithHelp(sarif.NewMultiformatMessageString(it.Remediation))
	}
	rule.WithDefaultConfiguration(&sarif.ReportingConfiguration{Level: sarifLevel(it.Priority)})
	props := sarif.Properties{"pack": p.Name, "automated": it.Automated}
	if it.Priority != "" {
		props["priority"] = string(it.Priority)
	}
	if it.Category != "" {
		props["category"] = it.Category
	}
	if len(it.Refs) > 0 {
		props["refs"] = it.Refs
	}
	var tags []string
	for _, t := range []string{"golive", it.Category, string(it.Priority)} {
		if t != "" {
			tags = append(tags, t)
		}
	}
	props["tags"] = tags
	rule.Properties = props
	return rule
}

// sarifResults returns the results of one item: a result per finding that
// failed or errored, or one for the item when no finding says where.
func sarifResults(p verdict.PackResult, it verdict.ItemResult, roots []string, anchor string, unverified bool) []*sarif.Result {
	rid := ruleID(p.Name, it)
	var out []*sarif.Result
	switch it.Status {
	case verdict.Fail, verdict.Error:
		for _, f := range it.Findings {
			if f.Status != verdict.Fail && f.Status != verdict.Error {
				continue
			}
			out = append(out, sarifResult(rid, it, f, sarifLevel(it.Priority), roots, anchor))
		}
		if len(out) == 0 {
			out = append(out, sarifResult(rid, it, verdict.Finding{Status: it.Status, Message: it.Message}, sarifLevel(it.Priority), roots, anchor))
		}
	case verdict.Unverified:
		if !unverified {
			return nil
		}
		msg := it.Message
		if it.Hint != "" {
			msg = strings.TrimSpace(msg + " (to verify: " + it.Hint + ")")
		}
		out = append(out, sarifResult(rid, it, verdict.Finding{Status: it.Status, Message: msg}, "note", roots, anchor))
	}
	return out
}

func sarifResult(rid string, it verdict.ItemResult, f verdict.Finding, level string, roots []string, anchor string) *sarif.Result {
	msg := nonEmpty(f.Message, nonEmpty(it.Message, nonEmpty(it.Title, it.ID)))
	if f.File == "" {
		// Without a file the object or endpoint is the only "where"; keep it
		// in the message as viewers show messages, not logical locations.
		if w := location(f); w != "" && !strings.Contains(msg, w) {
			msg = w + ": " + msg
		}
	}
	switch f.Status {
	case verdict.Error:
		msg = "check could not run: " + msg
	case verdict.Unverified:
		msg = "not verified: " + msg
	}
	res := sarif.NewRuleResult(rid).WithLevel(level).WithMessage(sarif.NewTextMessage(msg))
	file, line := f.File, f.Line
	if file == "" {
		file, line = anchor, 0
	}
	res.AddLocation(sarifLocation(file, line, f.Object, f.Endpoint, roots))
	props := sarif.Properties{"status": string(f.Status), "priority": string(it.Priority)}
	if f.Check != "" {
		props["check"] = f.Check
	}
	if len(f.Evidence) > 0 {
		props["evidence"] = f.Evidence
	}
	if it.Regression {
		props["regression"] = true
	}
	res.Properties = props
	// A fingerprint that ignores the line keeps an alert the same alert when
	// the file around it moves.
	h := sha256.Sum256([]byte(strings.Join([]string{rid, f.Check, f.File, f.Object, f.Endpoint}, "\x00")))
	res.PartialFingerprints = map[string]any{"goliveFinding/v1": hex.EncodeToString(h[:8])}
	return res
}

// sarifLocation is nil when there is nothing to point at.
func sarifLocation(file string, line int, object, endpoint string, roots []string) *sarif.Location {
	loc := sarif.NewLocation()
	empty := true
	if file != "" {
		pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(repoURI(file, roots)))
		if line > 0 {
			pl.WithRegion(sarif.NewRegion().WithStartLine(line))
		}
		loc.WithPhysicalLocation(pl)
		empty = false
	}
	if object != "" {
		loc.AddLogicalLocations(sarif.NewLogicalLocation().WithFullyQualifiedName(object).WithKind("resource"))
		empty = false
	}
	if endpoint != "" {
		loc.AddLogicalLocations(sarif.NewLogicalLocation().WithFullyQualifiedName(endpoint).WithKind("endpoint"))
		empty = false
	}
	if empty {
		return nil
	}
	return loc
}

func sarifRunProperties(r *verdict.Report) sarif.Properties {
	gate := map[string]any{"passed": r.Gate.Passed, "strict": r.Gate.Strict}
	if r.Gate.FailOn != "" {
		gate["failOn"] = string(r.Gate.FailOn)
	}
	if len(r.Gate.Reasons) > 0 {
		gate["reasons"] = r.Gate.Reasons
	}
	props := sarif.Properties{"gate": gate}
	var packs []map[string]any
	for _, p := range r.Packs {
		pm := map[string]any{"name": p.Name, "score": p.Score}
		if c := packCounts(p); len(c) > 0 {
			pm["counts"] = c
		}
		packs = append(packs, pm)
	}
	if len(packs) > 0 {
		props["packs"] = packs
	}
	return props
}
