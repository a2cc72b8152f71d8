package secrets

import (
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	glregexp "github.com/zricethezav/gitleaks/v8/regexp"
	"github.com/zricethezav/gitleaks/v8/report"

	"golive.dev/golive/internal/source/repo"
)

// hit is what the rest of the package needs from a gitleaks finding. This
// file is the only one that touches gitleaks: its API moves between
// releases, so it stays behind this small adapter.
type hit struct {
	Rule, Description string
	Line              int // 1-based
	Secret            string
}

// scanner is safe for concurrent use: gitleaks scans files concurrently with
// one Detector itself.
//
// The default rules are split (see window.go): whole holds the rules that see
// every file in full, each group the rules that only need the lines around
// their keywords, with the same reach above and below.
type scanner struct {
	whole  *detect.Detector
	groups []windowGroup
	// gated are whole-file rules with a gate (see gateOf), each with its own
	// detector, run only on the files where the gate opens.
	gated []gatedRule
	// keywords finds the windowed rules' keywords in one pass; groupsOf
	// maps each keyword (by its index in the trie) to the groups using it.
	keywords *ahocorasick.Trie
	groupsOf [][]int
}

type gatedRule struct {
	d        *detect.Detector
	gate     fileGate
	re       *regexp.Regexp
	keywords [][]byte
}

type windowGroup struct {
	d     *detect.Detector
	reach reach
	// patterns are the group's rules' own patterns, or a cheaper one that
	// matches the same texts (see existence): a window none of them matches
	// cannot give a finding (golive does not ask gitleaks to decode
	// encoded text), and testing that costs less than gitleaks' set-up
	// for a call.
	patterns []*glregexp.Regexp
}

// mayFind reports whether some rule of g matches text.
func (g windowGroup) mayFind(text string) bool {
	for _, p := range g.patterns {
		if p.MatchString(text) {
			return true
		}
	}
	return false
}

// windowGap joins windows fewer than this many lines apart.
const windowGap = 0

func newScanner() (*scanner, error) {
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return nil, fmt.Errorf("gitleaks default config: %w", err)
	}
	s := &scanner{}
	wholeRules := map[string]config.Rule{}
	grouped := map[reach]map[string]config.Rule{}
	for id, r := range d.Config.Rules {
		var k reach
		ok := false
		if r.Regex != nil && r.Path == nil {
			k, ok = ruleReach(r.Regex.String(), lowered(r.Keywords))
		}
		if !ok {
			if g, gated := gateFor(r); gated {
				g.d = withRules(d.Config, map[string]config.Rule{id: r})
				s.gated = append(s.gated, g)
				continue
			}
			wholeRules[id] = r
			continue
		}
		if grouped[k] == nil {
			grouped[k] = map[string]config.Rule{}
		}
		grouped[k][id] = r
	}
	s.whole = withRules(d.Config, wholeRules)
	keywordIndex := map[string]int{}
	var keywords []string
	for k, rules := range grouped {
		g := len(s.groups)
		s.groups = append(s.groups, windowGroup{d: withRules(d.Config, rules), reach: k})
		for _, r := range rules {
			p := r.Regex
			if e := existence(r.Regex.String(), lowered(r.Keywords)); e != "" {
				if _, err := regexp.Compile(e); err == nil {
					// gitleaks' regexp package only has MustCompile
					p = glregexp.MustCompile(e)
				}
			}
			s.groups[g].patterns = append(s.groups[g].patterns, p)
			for _, kw := range lowered(r.Keywords) {
				i, ok := keywordIndex[kw]
				if !ok {
					i = len(keywords)
					keywordIndex[kw] = i
					keywords = append(keywords, kw)
					s.groupsOf = append(s.groupsOf, nil)
				}
				if !slices.Contains(s.groupsOf[i], g) {
					s.groupsOf[i] = append(s.groupsOf[i], g)
				}
			}
		}
	}
	s.keywords = ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	return s, nil
}

// withRules is a detector over cfg with only rules (and their keywords).
func withRules(cfg config.Config, rules map[string]config.Rule) *detect.Detector {
	cfg.Rules = rules
	cfg.Keywords = map[string]struct{}{}
	cfg.OrderedRules = nil
	for id, r := range rules {
		cfg.OrderedRules = append(cfg.OrderedRules, id)
		for _, k := range r.Keywords {
			cfg.Keywords[strings.ToLower(k)] = struct{}{}
		}
	}
	slices.Sort(cfg.OrderedRules)
	return detect.NewDetector(cfg)
}

func lowered(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// worker scans files one after the other, reusing its buffers.
type worker struct {
	sc    *scanner
	read  repo.Searcher
	lower []byte
}

func (s *scanner) scan(path string, data []byte) ([]hit, error) {
	return (&worker{sc: s}).scan(path, data)
}

func (w *worker) scan(path string, data []byte) (hits []hit, err error) {
	s := w.sc
	defer func() {
		if p := recover(); p != nil {
			hits, err = nil, fmt.Errorf("gitleaks panicked on %s: %v", path, p)
		}
	}()
	path = filepath.ToSlash(path)
	raw := string(data)
	lower, windowed := lowerASCII(w.lower, data)
	w.lower = lower
	if !windowed {
		// gitleaks' keyword test could see a keyword the windows would not:
		// every rule sees the whole file, as gitleaks scans it.
		return toHits(dropShadowedGeneric(append(detectIn(s.whole, path, raw, 0),
			s.allGroups(path, raw)...))), nil
	}
	found := detectIn(s.whole, path, raw, 0)
	starts := lineStarts(data)
	// ſ (long s) folds to s: an ASCII anchor search could miss a gate match.
	longS := bytes.Contains(data, []byte("\u017f"))
	for _, g := range s.gated {
		if g.mayFind(lower, raw, starts, longS) {
			found = append(found, detectIn(g.d, path, raw, 0)...)
		}
	}
	at := make([][]int, len(s.groups)) // keyword offsets per group
	for _, m := range s.keywords.Match(lower) {
		for _, g := range s.groupsOf[m.Pattern()] {
			at[g] = append(at[g], int(m.Pos()))
		}
	}
	for gi, g := range s.groups {
		if len(at[gi]) == 0 {
			continue
		}
		// Matches arrive by end offset; a keyword inside a longer one can
		// come later with an earlier start.
		slices.Sort(at[gi])
		for _, w := range windows(at[gi], len(data), starts, g.reach, windowGap) {
			end := len(raw)
			if w.to+1 < len(starts) {
				end = starts[w.to+1]
			}
			if text := raw[starts[w.from]:end]; g.mayFind(text) {
				found = append(found, detectIn(g.d, path, text, w.from)...)
			}
		}
	}
	return toHits(dropShadowedGeneric(found)), nil
}

// gateFor makes a gated rule of r when r's pattern has a gate.
func gateFor(r config.Rule) (gatedRule, bool) {
	// A rule limited to some paths keeps that limit: its detector checks it.
	if r.Regex == nil || len(r.Keywords) == 0 {
		return gatedRule{}, false
	}
	g, ok := gateOf(r.Regex.String())
	if !ok {
		return gatedRule{}, false
	}
	re, err := regexp.Compile(g.pattern)
	if err != nil {
		return gatedRule{}, false
	}
	gr := gatedRule{gate: g, re: re}
	for _, k := range lowered(r.Keywords) {
		gr.keywords = append(gr.keywords, []byte(k))
	}
	return gr, true
}

// mayFind reports whether the rule could match in the file: one of its
// keywords is there (gitleaks' own test) and its gate opens.
func (g gatedRule) mayFind(lower []byte, raw string, starts []int, longS bool) bool {
	for _, k := range g.keywords {
		if bytes.Contains(lower, k) {
			return longS || gateOpen(g.re, g.gate, raw, lower, starts)
		}
	}
	return false
}

// allGroups runs the windowed and gated rules over the whole file.
func (s *scanner) allGroups(path, raw string) []report.Finding {
	var out []report.Finding
	for _, g := range s.gated {
		out = append(out, detectIn(g.d, path, raw, 0)...)
	}
	for _, g := range s.groups {
		out = append(out, detectIn(g.d, path, raw, 0)...)
	}
	return out
}

// detectIn runs d over text that starts at 0-based line startLine of path.
func detectIn(d *detect.Detector, path, text string, startLine int) []report.Finding {
	//lint:ignore SA1019 gitleaks v8 has no other way to scan one file's content; sources.Fragment arrives with v9.
	return d.Detect(detect.Fragment{Raw: text, FilePath: path, StartLine: startLine})
}

// dropShadowedGeneric applies gitleaks' own precedence across the split
// detectors: a generic rule's finding gives way to a specific rule's finding
// on the same line that covers its secret.
func dropShadowedGeneric(fs []report.Finding) []report.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		shadowed := false
		if isGeneric(f.RuleID) {
			for _, g := range fs {
				if g.StartLine == f.StartLine && !isGeneric(g.RuleID) && strings.Contains(g.Secret, f.Secret) {
					shadowed = true
					break
				}
			}
		}
		if !shadowed {
			out = append(out, f)
		}
	}
	// Findings arrive per detector and window, and groups come from a map:
	// order them fully so that a report does not change between runs.
	slices.SortFunc(out, func(a, b report.Finding) int {
		return cmp.Or(a.StartLine-b.StartLine, strings.Compare(a.RuleID, b.RuleID),
			a.StartColumn-b.StartColumn, strings.Compare(a.Secret, b.Secret))
	})
	return out
}

func isGeneric(rule string) bool { return strings.Contains(strings.ToLower(rule), "generic") }

func toHits(fs []report.Finding) []hit {
	var hits []hit
	for _, f := range fs {
		// gitleaks counts lines from 0.
		hits = append(hits, hit{Rule: f.RuleID, Description: f.Description, Line: f.StartLine + 1, Secret: f.Secret})
	}
	return hits
}
