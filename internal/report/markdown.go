package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golive.dev/golive/internal/verdict"
)

// mdMaxFailures bounds the failure section: a PR comment has a size limit
// (65536 characters on GitHub) and a reader stops long before.
const mdMaxFailures = 50

// mdMaxFindings and mdMaxEvidence keep one noisy item (hundreds of objects,
// a whole response body) from crowding out the others.
const (
	mdMaxFindings = 10
	mdMaxEvidence = 2000
)

// mdSpecial are characters that start Markdown or HTML syntax anywhere in a
// line. GFM treats a backslash before ASCII punctuation as a literal, so
// escaping is safe; only these are escaped to keep the raw comment readable.
// Parentheses and "!" need no escape once "[" and "]" are escaped.
const mdSpecial = "\\`*_[]<>|~&"

// mdText escapes untrusted text for inline use, in a table cell or not.
// Newlines become spaces because one would end a table row or a list item.
// A leading character that would open a block (heading, list, quote,
// ordered list) is escaped too, since the text may start a line.
func mdText(s string) string {
	s = clean(s)
	var b strings.Builder
	for i, r := range s {
		if r < 128 && strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		} else if i == 0 && strings.ContainsRune("#+-=", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	// "1. text" or "1) text" at the start would become an ordered list.
	if m := mdOrderedRE.FindStringIndex(out); m != nil {
		out = out[:m[1]-1] + "\\" + out[m[1]-1:]
	}
	return out
}

var mdOrderedRE = regexp.MustCompile(`^[0-9]{1,9}[.)]`)

// mdCode wraps s in a code span that survives backticks inside it. In a
// table the pipe still ends a cell inside a code span, so it is escaped
// there (GFM removes that backslash).
func mdCode(s string, inTable bool) string {
	s = clean(s)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.TrimSpace(s) == "" {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

func longestRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// mdFence returns a code fence longer than any backtick run in body.
func mdFence(body string) string {
	return strings.Repeat("`", max(3, longestRun(body, '`')+1))
}

var mdStatusMark = map[verdict.Status]string{
	verdict.Fail:       "❌",
	verdict.Error:      "⚠️",
	verdict.Unverified: "❔",
	verdict.Manual:     "✋",
	verdict.Waived:     "🏳️",
	verdict.Attested:   "✍️",
	verdict.Pass:       "✅",
	verdict.NA:         "➖",
}

func writeMarkdown(buf *bytes.Buffer, r *verdict.Report) error {
	w := func(format string, args ...any) { fmt.Fprintf(buf, format, args...) }
	mode := "fail-on " + string(r.Gate.FailOn)
	if r.Gate.Strict {
		mode += ", strict"
	}
	if r.Gate.Passed {
		w("## ✅ %s go-live gate PASSED (%s)\n\n", mdText(nonEmpty(r.Tool.Name, "golive")), mdText(mode))
	} else {
		w("## ❌ %s go-live gate FAILED (%s)\n\n", mdText(nonEmpty(r.Tool.Name, "golive")), mdText(mode))
	}
	for _, reason := range r.Gate.Reasons {
		w("- %s\n", mdText(reason))
	}
	if len(r.Gate.Reasons) > 0 {
		w("\n")
	}

	// Summary table: one row per pack, one column per status.
	w("| Pack | Score |")
	for _, s := range verdict.Statuses {
		w(" %s %s |", mdStatusMark[s], s)
	}
	w("\n|:--|--:|")
	for range verdict.Statuses {
		w("--:|")
	}
	w("\n")
	for _, p := range r.Packs {
		name := mdCode(p.Name, true)
		if p.Title != "" {
			name += " " + mdText(p.Title)
		}
		w("| %s | %s |", name, formatScore(p.Score))
		c := packCounts(p)
		for _, s := range verdict.Statuses {
			w(" %d |", c[s])
		}
		w("\n")
	}
	w("\n")

	// Failures (fail and error), worst priority first.
	type failing struct {
		pack string
		it   verdict.ItemResult
	}
	var fails []failing
	for _, p := range r.Packs {
		for _, it := range sortItems(p.Items) {
			if it.Status == verdict.Fail || it.Status == verdict.Error {
				fails = append(fails, failing{p.Name, it})
			}
		}
	}
	if len(fails) > 0 {
		w("### Failures (%d)\n\n", len(fails))
		for i, f := range fails {
			if i == mdMaxFailures {
				w("…and %d more; see the full report.\n\n", len(fails)-mdMaxFailures)
				break
			}
			mdItem(buf, f.pack, f.it)
		}
	}

	t := totals(r)
	if t[verdict.Unverified] > 0 || t[verdict.Manual] > 0 {
		w("### Not verified\n\n")
		w("%d item(s) unverified (an input was not given or not reachable), %d manual (need an attestation: `golive attest ITEM`).\n\n",
			t[verdict.Unverified], t[verdict.Manual])
		if groups := unverifiedHints(r); len(groups) > 0 {
			w("| To verify, pass | Items |\n|:--|:--|\n")
			for _, g := range groups {
				pass := "(no hint given)"
				switch {
				case g.Flag != "":
					pass = mdCode(g.Usage, true)
				case len(g.Hints) > 0:
					pass = mdText(strings.Join(g.Hints, "; "))
				}
				var ids []string
				for _, id := range g.Items {
					ids = append(ids, mdCode(id, true))
				}
				w("| %s | %s |\n", pass, strings.Join(ids, ", "))
			}
			w("\n")
		}
	}

	if len(r.Expired) > 0 {
		w("### Expired attestations and waivers (%d)\n\n", len(r.Expired))
		for _, e := range r.Expired {
			obj := ""
			if e.Object != "" {
				obj = " " + mdCode(e.Object, false)
			}
			w("- %s %s%s expired %s (%s)\n", mdText(e.Kind), mdCode(e.Item, false), obj, mdText(e.Expired), mdCode(e.Source, false))
		}
		w("\n")
	}
	if len(r.Problems) > 0 {
		w("### Input that could not be read (%d)\n\n", len(r.Problems))
		for _, pr := range r.Problems {
			w("- %s\n", mdText(problemLine(pr)))
		}
		w("\n")
	}

	started := ""
	if !r.StartedAt.IsZero() {
		started = " · started " + r.StartedAt.UTC().Format(time.RFC3339)
	}
	w("<sub>%s %s%s · took %s</sub>\n", mdText(nonEmpty(r.Tool.Name, "golive")), mdText(r.Tool.Version), started,
		(time.Duration(r.DurationMs) * time.Millisecond).String())
	return nil
}

func mdItem(buf *bytes.Buffer, pack string, it verdict.ItemResult) {
	w := func(format string, args ...any) { fmt.Fprintf(buf, format, args...) }
	reg := ""
	if it.Regression {
		reg = " · **regression**"
	}
	w("#### %s %s %s (%s)%s\n\n", mdStatusMark[it.Status], mdCode(pack+"/"+it.ID, false), mdText(nonEmpty(it.Title, it.ID)), mdText(string(it.Priority)), reg)
	if it.Message != "" {
		w("%s\n\n", mdText(it.Message))
	}
	listed, more := 0, 0
	for _, f := range it.Findings {
		if f.Status != verdict.Fail && f.Status != verdict.Error {
			continue
		}
		if listed == mdMaxFindings {
			more++
			continue
		}
		listed++
		where := ""
		if l := location(f); l != "" {
			where = mdCode(l, false) + ": "
		}
		w("- %s%s\n", where, mdText(f.Message))
		if len(f.Evidence) > 0 {
			body := evidenceJSON(f.Evidence, "  ")
			if len(body) > mdMaxEvidence {
				cut := strings.LastIndexByte(body[:mdMaxEvidence], '\n')
				if cut <= 0 {
					cut = mdMaxEvidence
				}
				body = body[:cut] + "\n… (cut; the JSON report has all of it)"
			}
			fence := mdFence(body)
			w("  <details><summary>evidence</summary>\n\n  %sjson\n", fence)
			for _, l := range strings.Split(body, "\n") {
				w("  %s\n", l)
			}
			w("  %s\n\n  </details>\n", fence)
		}
	}
	if more > 0 {
		w("- …and %d more finding(s); the JSON report lists them all\n", more)
	}
	if listed > 0 {
		w("\n")
	}
	if it.Remediation != "" {
		w("**Fix:** %s\n\n", mdText(it.Remediation))
	}
}
