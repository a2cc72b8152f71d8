package report

import (
	"bytes"
	_ "embed"
	"html/template"
	"slices"
	"time"

	"golive.dev/golive/internal/verdict"
)

// The page is one file with its CSS and script inline and a Content Security
// Policy that forbids loading anything, so it can be attached to a CI run or
// mailed and opened offline, and injected markup could fetch nothing.
//
//go:embed report.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("report").Parse(htmlSource))

type htmlView struct {
	Tool, Version, Started, Took string
	Passed                       bool
	Mode                         string
	Reasons                      []string
	Totals                       []htmlCount
	Packs                        []htmlPack
	Statuses                     []string
	Priorities                   []string
	Categories                   []htmlOption
	Hints                        []hintGroup
	Expired                      []verdict.Expired
	Problems                     []string
}

type htmlCount struct {
	Status string
	N      int
}

type htmlOption struct{ Value, Label string }

type htmlPack struct {
	Name, Title, Version, Score string
	CountMap                    map[string]int
	Items                       []htmlItem
}

type htmlItem struct {
	Pack, ID, Title, Category, CategoryTitle, Priority, Status string
	Message, Hint, Remediation                                 string
	Regression, Automated                                      bool
	Refs, Checks                                               []string
	Attestation                                                *verdict.Attestation
	Findings                                                   []htmlFinding
	Open                                                       bool
}

type htmlFinding struct {
	Status, Where, Message, Check, Hint, Evidence string
	Waiver                                        *verdict.WaiverRef
}

func counts(m map[verdict.Status]int) []htmlCount {
	var out []htmlCount
	for _, s := range verdict.Statuses {
		if m[s] > 0 {
			out = append(out, htmlCount{string(s), m[s]})
		}
	}
	return out
}

func writeHTML(buf *bytes.Buffer, r *verdict.Report) error {
	v := htmlView{
		Tool:    nonEmpty(r.Tool.Name, "golive"),
		Version: r.Tool.Version,
		Took:    (time.Duration(r.DurationMs) * time.Millisecond).String(),
		Passed:  r.Gate.Passed,
		Mode:    "fail-on " + string(r.Gate.FailOn),
		Reasons: r.Gate.Reasons,
		Totals:  counts(totals(r)),
		Hints:   unverifiedHints(r),
		Expired: r.Expired,
	}
	if r.Gate.Strict {
		v.Mode += ", strict"
	}
	if !r.StartedAt.IsZero() {
		v.Started = r.StartedAt.UTC().Format(time.RFC3339)
	}
	for _, s := range verdict.Statuses {
		v.Statuses = append(v.Statuses, string(s))
	}
	for _, p := range verdict.Priorities {
		v.Priorities = append(v.Priorities, string(p))
	}
	for _, pr := range r.Problems {
		v.Problems = append(v.Problems, problemLine(pr))
	}
	seenCat := map[string]bool{}
	for _, p := range r.Packs {
		hp := htmlPack{Name: p.Name, Title: p.Title, Version: p.Version, Score: formatScore(p.Score), CountMap: map[string]int{}}
		for s, n := range packCounts(p) {
			hp.CountMap[string(s)] = n
		}
		for _, c := range categories(p) {
			if !seenCat[c.ID] {
				seenCat[c.ID] = true
				v.Categories = append(v.Categories, htmlOption{c.ID, c.Title})
			}
			for _, it := range c.Items {
				hp.Items = append(hp.Items, htmlItemOf(p.Name, c.Title, it))
			}
		}
		v.Packs = append(v.Packs, hp)
	}
	slices.SortFunc(v.Categories, func(a, b htmlOption) int {
		if a.Label < b.Label {
			return -1
		}
		if a.Label > b.Label {
			return 1
		}
		return 0
	})
	return htmlTmpl.Execute(buf, v)
}

func htmlItemOf(pack, catTitle string, it verdict.ItemResult) htmlItem {
	hi := htmlItem{
		Pack: pack, ID: it.ID, Title: nonEmpty(it.Title, it.ID), Category: it.Category, CategoryTitle: catTitle,
		Priority: string(it.Priority), Status: string(it.Status), Message: it.Message, Hint: it.Hint,
		Remediation: it.Remediation, Regression: it.Regression, Automated: it.Automated,
		Refs: it.Refs, Checks: it.Checks, Attestation: it.Attestation,
		Open: it.Status == verdict.Fail || it.Status == verdict.Error,
	}
	for _, f := range it.Findings {
		hf := htmlFinding{Status: string(f.Status), Where: location(f), Message: f.Message, Check: f.Check, Hint: f.Hint, Waiver: f.Waiver}
		if len(f.Evidence) > 0 {
			hf.Evidence = evidenceJSON(f.Evidence, "  ")
		}
		hi.Findings = append(hi.Findings, hf)
	}
	return hi
}
