// Package report renders a verdict.Report in the formats golive offers: text
// for people at a terminal, json (the contract), sarif for code scanning, junit
// for CI test views, markdown for pull-request comments and a self-contained
// html page. Every writer works from a sanitized copy of the report, so
// evidence keys that look like credentials never reach any output unmasked.
package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golive.dev/golive/internal/verdict"
)

// Options tune how a report is rendered. The caller decides Color (from
// whether the output is a terminal and NO_COLOR); writers that have no use
// for an option ignore it.
type Options struct {
	// Color adds ANSI colours to the text format.
	Color bool
	// Verbose shows findings and full evidence for every item in the text
	// format, not only for the ones needing attention.
	Verbose bool
	// SARIFUnverified adds unverified items to SARIF output as notes, so a
	// code-scanning view shows what was not checked.
	SARIFUnverified bool
	// SARIFAnchor is the repository file that SARIF results with no file of
	// their own (an endpoint, a missing CI pipeline) point at, because GitHub
	// code scanning rejects a whole upload when one result has no
	// physicalLocation. Empty means DefaultSARIFAnchor.
	SARIFAnchor string
}

// DefaultSARIFAnchor is golive's own configuration file: the place a
// reviewer would go to change what a finding without a file is about.
const DefaultSARIFAnchor = ".golive.yaml"

// Formats lists the format names Write accepts, the default first.
var Formats = []string{"text", "json", "sarif", "junit", "markdown", "html"}

// aliases are accepted spellings that are not listed in Formats.
var aliases = map[string]string{"md": "markdown", "xml": "junit", "txt": "text"}

// Normalize returns the canonical name for a format name or alias, and false
// when the name is unknown.
func Normalize(format string) (string, bool) {
	f := strings.ToLower(strings.TrimSpace(format))
	if f == "" {
		return "text", true
	}
	if a, ok := aliases[f]; ok {
		return a, true
	}
	if slices.Contains(Formats, f) {
		return f, true
	}
	return "", false
}

// Extension is the usual file extension for a format, for callers that pick
// a file name.
func Extension(format string) string {
	switch f, _ := Normalize(format); f {
	case "json":
		return ".json"
	case "sarif":
		return ".sarif"
	case "junit":
		return ".xml"
	case "markdown":
		return ".md"
	case "html":
		return ".html"
	}
	return ".txt"
}

// Write renders r in format to w. The whole document is rendered before the
// first byte is written, so a rendering error never leaves half a file.
func Write(w io.Writer, format string, r *verdict.Report, opts Options) error {
	if r == nil {
		return fmt.Errorf("report: nothing to write (nil report)")
	}
	f, ok := Normalize(format)
	if !ok {
		return fmt.Errorf("report: unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	s := sanitize(r)
	var buf bytes.Buffer
	var err error
	switch f {
	case "text":
		err = writeText(&buf, s, opts)
	case "json":
		err = writeJSON(&buf, s)
	case "sarif":
		err = writeSARIF(&buf, s, opts)
	case "junit":
		err = writeJUnit(&buf, s)
	case "markdown":
		err = writeMarkdown(&buf, s)
	case "html":
		err = writeHTML(&buf, s)
	}
	if err != nil {
		return fmt.Errorf("report: render %s: %w", f, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write %s: %w", f, err)
	}
	return nil
}

// statusRank orders statuses as verdict.Statuses does: attention first.
func statusRank(s verdict.Status) int {
	if i := slices.Index(verdict.Statuses, s); i >= 0 {
		return i
	}
	return len(verdict.Statuses)
}

// sortItems orders items for reading: worst status first, then the highest
// priority, then by id so that output is stable.
func sortItems(items []verdict.ItemResult) []verdict.ItemResult {
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b verdict.ItemResult) int {
		if c := cmp.Compare(statusRank(a.Status), statusRank(b.Status)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Priority.Rank(), a.Priority.Rank()); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// category is one category of a pack with its items in reading order.
type category struct {
	ID, Title string
	Score     float64
	HasScore  bool
	Counts    map[verdict.Status]int
	Items     []verdict.ItemResult
	worst     int
}

// categories groups a pack's items by category. Categories keep the pack's
// order except that those holding a failure or error come first, so the eye
// lands on what blocks the go-live.
func categories(p verdict.PackResult) []category {
	var cats []*category
	index := map[string]*category{}
	for _, c := range p.Categories {
		if _, dup := index[c.ID]; dup {
			continue
		}
		cat := &category{ID: c.ID, Title: c.Title, Score: c.Score, HasScore: true, Counts: c.Counts}
		index[c.ID] = cat
		cats = append(cats, cat)
	}
	for _, it := range p.Items {
		cat, ok := index[it.Category]
		if !ok {
			cat = &category{ID: it.Category}
			index[it.Category] = cat
			cats = append(cats, cat)
		}
		cat.Items = append(cat.Items, it)
	}
	out := make([]category, 0, len(cats))
	for _, c := range cats {
		if len(c.Items) == 0 {
			continue
		}
		if c.Title == "" {
			c.Title = c.ID
		}
		if c.Title == "" {
			c.Title = "(no category)"
		}
		c.Items = sortItems(c.Items)
		c.worst = statusRank(c.Items[0].Status)
		if c.Counts == nil {
			c.Counts = countItems(c.Items)
		}
		out = append(out, *c)
	}
	slices.SortStableFunc(out, func(a, b category) int {
		return cmp.Compare(blocking(a.worst), blocking(b.worst))
	})
	return out
}

// blocking is 0 for a category whose worst item failed or errored, else 1.
func blocking(rank int) int {
	if rank <= statusRank(verdict.Error) {
		return 0
	}
	return 1
}

func countItems(items []verdict.ItemResult) map[verdict.Status]int {
	m := map[verdict.Status]int{}
	for _, it := range items {
		m[it.Status]++
	}
	return m
}

// totals sums the item counts of every pack. It counts items itself rather
// than trusting PackResult.Counts so that a report built by hand still adds up.
func totals(r *verdict.Report) map[verdict.Status]int {
	m := map[verdict.Status]int{}
	for _, p := range r.Packs {
		for _, it := range p.Items {
			m[it.Status]++
		}
	}
	return m
}

// packCounts prefers the engine's counts and falls back to counting.
func packCounts(p verdict.PackResult) map[verdict.Status]int {
	if len(p.Counts) > 0 {
		return p.Counts
	}
	return countItems(p.Items)
}

// countList renders counts as "2 fail, 1 error, ..." in status order,
// leaving out zeros.
func countList(m map[verdict.Status]int) string {
	var parts []string
	for _, s := range verdict.Statuses {
		if n := m[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "no items"
	}
	return strings.Join(parts, ", ")
}

// formatScore prints a 0-100 score with at most one decimal.
func formatScore(f float64) string {
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// location is where a finding points: file:line, else the object, else the
// endpoint; empty when it points nowhere.
func location(f verdict.Finding) string {
	var parts []string
	if f.File != "" {
		if f.Line > 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", f.File, f.Line))
		} else {
			parts = append(parts, f.File)
		}
	}
	if f.Object != "" {
		parts = append(parts, f.Object)
	}
	if f.Endpoint != "" {
		parts = append(parts, f.Endpoint)
	}
	return strings.Join(parts, " ")
}

// needsAttention is true for statuses whose findings a reader must see.
func needsAttention(s verdict.Status) bool {
	switch s {
	case verdict.Fail, verdict.Error, verdict.Unverified, verdict.Manual, verdict.Waived:
		return true
	}
	return false
}

// flagRE finds a flag in a hint, with its argument when the hint spells one
// in capitals ("--target URL", "--kubeconfig=FILE").
var flagRE = regexp.MustCompile(`(--[a-zA-Z][a-zA-Z0-9-]*)(?:[ =]([A-Z][A-Z_|]*)\b)?`)

// hintGroup is one thing to pass (a flag, or a free-text hint when the hint
// names no flag) and the unverified items it would decide.
type hintGroup struct {
	Flag  string   // "--target", or "" when Hints say what to do in words
	Usage string   // the flag with its argument as a hint spelt it: "--target URL"
	Hints []string // distinct hint texts, sorted
	Items []string // "pack/item" ids, sorted
}

// unverifiedHints gathers the hints of unverified items and groups them by
// the flag they name. An item whose hint names two flags appears under both.
func unverifiedHints(r *verdict.Report) []hintGroup {
	type acc struct {
		usage string
		hints map[string]bool
		items map[string]bool
	}
	groups := map[string]*acc{}
	add := func(key, usage, hint, item string) {
		g := groups[key]
		if g == nil {
			g = &acc{hints: map[string]bool{}, items: map[string]bool{}}
			groups[key] = g
		}
		if hint != "" {
			g.hints[hint] = true
		}
		// Prefer the spelling that shows the argument.
		if len(usage) > len(g.usage) {
			g.usage = usage
		}
		g.items[item] = true
	}
	for _, p := range r.Packs {
		for _, it := range p.Items {
			if it.Status != verdict.Unverified {
				continue
			}
			id := p.Name + "/" + it.ID
			var hints []string
			if it.Hint != "" {
				hints = append(hints, it.Hint)
			}
			for _, f := range it.Findings {
				if f.Status == verdict.Unverified && f.Hint != "" && !slices.Contains(hints, f.Hint) {
					hints = append(hints, f.Hint)
				}
			}
			if len(hints) == 0 {
				add("", "", "", id)
				continue
			}
			for _, h := range hints {
				flags := flagRE.FindAllStringSubmatch(h, -1)
				if len(flags) == 0 {
					add("", "", h, id)
				}
				for _, fl := range flags {
					add(fl[1], strings.TrimSpace(fl[0]), h, id)
				}
			}
		}
	}
	out := make([]hintGroup, 0, len(groups))
	for k, g := range groups {
		hg := hintGroup{Flag: k, Usage: g.usage}
		for h := range g.hints {
			hg.Hints = append(hg.Hints, h)
		}
		for i := range g.items {
			hg.Items = append(hg.Items, i)
		}
		slices.Sort(hg.Hints)
		slices.Sort(hg.Items)
		out = append(out, hg)
	}
	// Flags first, most items first, then by name; free-text hints last.
	slices.SortFunc(out, func(a, b hintGroup) int {
		if (a.Flag == "") != (b.Flag == "") {
			if a.Flag == "" {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(len(b.Items), len(a.Items)); c != 0 {
			return c
		}
		return cmp.Compare(a.Flag, b.Flag)
	})
	return out
}

// repoURI turns a finding's file into a repository-relative URI reference:
// forward slashes, relative to the scanned path when the file is absolute,
// percent-encoded where a URI needs it.
func repoURI(file string, roots []string) string {
	p := file
	if filepath.IsAbs(p) {
		for _, root := range roots {
			abs, err := filepath.Abs(root)
			if err != nil {
				continue
			}
			if rel, err := filepath.Rel(abs, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				p = rel
				break
			}
		}
	}
	p = filepath.ToSlash(p)
	p = strings.TrimPrefix(p, "./")
	u := url.URL{Path: p}
	return u.String()
}

// controlRE matches characters that would let text from evidence drive a
// terminal (escape sequences) or break a line-oriented format.
var controlRE = regexp.MustCompile(`[\x00-\x08\x0b-\x1f\x7f\x{80}-\x{9f}\x{2028}\x{2029}]`)

// clean makes one line of untrusted text safe to print: control characters
// become visible escapes and newlines become spaces.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "\t", " ")
	return controlRE.ReplaceAllStringFunc(s, func(c string) string {
		r := []rune(c)[0]
		return fmt.Sprintf(`\u%04x`, r)
	})
}
