package secrets

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Scanning a whole file with every gitleaks rule whose keyword appears in it
// is what makes secret scanning slow: the generic-api-key rule's keywords
// (key, secret, token, password, ...) are in nearly every configuration
// file, and its pattern costs Go's regexp engine about 2 MB/s. A match of a
// rule must contain one of its keywords, and gitleaks' rules match at most a
// few lines, so only the lines around each keyword need the pattern: a
// window from `before` lines above a keyword's line to `after` lines below.
// ruleWindow works those bounds out from the pattern itself, and declines
// (whole-file scan, as gitleaks does) for any rule it cannot bound.

// reach bounds where a match can lie around a keyword found at offset p on
// line L, in lines and in bytes (-1: no bound of that kind). The match
// starts no earlier than max(L-backLines, line(p-backBytes)) and ends no
// later than min(L+fwdLines, line(p+fwdBytes)+fwdLinesAfter): the bytes
// bound covers the start of the pattern, fwdLinesAfter the line breaks of
// the unbounded rest (a secret of any length, then a line break).
type reach struct {
	backLines, backBytes              int
	fwdLines, fwdBytes, fwdLinesAfter int
}

// maxReachLines caps the lines a window may take on each side of its keyword.
const maxReachLines = 32

// ruleReach works out the reach of a pattern whose every match holds one of
// keywords (all ASCII, lower case) at a known place in the pattern.
func ruleReach(pattern string, keywords []string) (reach, bool) {
	if len(keywords) == 0 {
		return reach{}, false
	}
	for _, k := range keywords {
		if k == "" || !isASCII(k) {
			return reach{}, false
		}
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil || hasBeginText(re) {
		// A window starts at a line start, where ^ would match in the window
		// but not in the whole file.
		return reach{}, false
	}
	seq := flatten(re, nil)
	for i, atom := range seq {
		if !holdsKeyword(atom, keywords) {
			continue
		}
		// back: the part before the keyword's atom, and the atom itself (the
		// keyword may sit at its end).
		r := reach{backLines: sumLines(seq[:i+1]), backBytes: sumBytes(seq[:i+1])}
		r.fwdLines = sumLines(seq[i:])
		r.fwdBytes, r.fwdLinesAfter = -1, -1
		head := i
		for head < len(seq) && maxBytes(seq[head]) >= 0 {
			head++
		}
		if head > i {
			r.fwdBytes, r.fwdLinesAfter = sumBytes(seq[i:head]), sumLines(seq[head:])
		}
		if endsOnBreak(seq[len(seq)-1]) {
			// A line break that can only be the match's last character
			// ends the line the window already holds whole.
			r.fwdLines, r.fwdLinesAfter = max(r.fwdLines-1, min(r.fwdLines, 0)), max(r.fwdLinesAfter-1, min(r.fwdLinesAfter, 0))
		}
		backOK := r.backLines >= 0 && r.backLines <= maxReachLines || r.backBytes >= 0
		fwdOK := r.fwdLines >= 0 && r.fwdLines <= maxReachLines || r.fwdBytes >= 0 && r.fwdLinesAfter >= 0 && r.fwdLinesAfter <= maxReachLines
		if !backOK || !fwdOK {
			return reach{}, false
		}
		return r, true
	}
	return reach{}, false
}

// endsOnBreak reports whether re, the last part of a pattern, matches a
// line break only as a single character: the match then ends right after
// it, with nothing of the next line.
func endsOnBreak(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar:
		return true
	case syntax.OpCapture:
		return endsOnBreak(re.Sub[0])
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if n, ok := newlines(s); !ok || n > 0 && !endsOnBreak(s) {
				return false
			}
		}
		return true
	}
	return false
}

func hasBeginText(re *syntax.Regexp) bool {
	return hasOp(re, syntax.OpBeginText, syntax.OpBeginLine)
}

// hasOp reports whether re holds a node of one of ops.
func hasOp(re *syntax.Regexp, ops ...syntax.Op) bool {
	if slices.Contains(ops, re.Op) {
		return true
	}
	for _, s := range re.Sub {
		if hasOp(s, ops...) {
			return true
		}
	}
	return false
}

// sumLines is the most line breaks the parts can hold together, -1 unbounded.
func sumLines(parts []*syntax.Regexp) int {
	n := 0
	for _, p := range parts {
		c, ok := newlines(p)
		if !ok {
			return -1
		}
		n += c
	}
	return n
}

// sumBytes is the longest the parts can match together, -1 unbounded.
func sumBytes(parts []*syntax.Regexp) int {
	n := 0
	for _, p := range parts {
		c := maxBytes(p)
		if c < 0 {
			return -1
		}
		n += c
	}
	return n
}

// maxBytes is the longest match of re in bytes, -1 unbounded.
func maxBytes(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				n += foldedLen(r)
			} else {
				n += utf8.RuneLen(r)
			}
		}
		return n
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0
		}
		return max(utf8.RuneLen(re.Rune[len(re.Rune)-1]), 1)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpEmptyMatch, syntax.OpNoMatch,
		syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0
	case syntax.OpCapture, syntax.OpQuest:
		return maxBytes(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		if maxBytes(re.Sub[0]) == 0 {
			return 0
		}
		return -1
	case syntax.OpRepeat:
		c := maxBytes(re.Sub[0])
		if c < 0 || re.Max < 0 && c > 0 {
			return -1
		}
		return c * max(re.Max, 0)
	case syntax.OpConcat:
		return sumBytes(re.Sub)
	case syntax.OpAlternate:
		n := 0
		for _, s := range re.Sub {
			c := maxBytes(s)
			if c < 0 {
				return -1
			}
			n = max(n, c)
		}
		return n
	}
	return -1
}

// foldedLen is the longest UTF-8 form among the runes r matches case-blind
// (k also matches the 3-byte Kelvin sign).
func foldedLen(r rune) int {
	n := utf8.RuneLen(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		n = max(n, utf8.RuneLen(f))
	}
	return n
}

// holdsKeyword reports whether every match of re contains one of keywords:
// re has few enough matches to list and each holds one, or every match is
// made of a part that does (a sequence, a repetition at least once), or
// every branch of an alternation does.
func holdsKeyword(re *syntax.Regexp, keywords []string) bool {
	if words, ok := expand(re, 64); ok {
		return allContainKeyword(words, keywords)
	}
	switch re.Op {
	case syntax.OpCapture:
		return holdsKeyword(re.Sub[0], keywords)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if holdsKeyword(s, keywords) {
				return true
			}
		}
	case syntax.OpPlus:
		return holdsKeyword(re.Sub[0], keywords)
	case syntax.OpRepeat:
		return re.Min >= 1 && holdsKeyword(re.Sub[0], keywords)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !holdsKeyword(s, keywords) {
				return false
			}
		}
		return len(re.Sub) > 0
	}
	return false
}

// flatten lists the parts of a pattern that follow each other, looking
// through nested concatenations and capture groups.
func flatten(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, s := range re.Sub {
			out = flatten(s, out)
		}
		return out
	case syntax.OpCapture:
		return flatten(re.Sub[0], out)
	}
	return append(out, re)
}

// newlines is the most line breaks a match of re can hold; finite is false
// when there is no bound.
func newlines(re *syntax.Regexp) (n int, finite bool) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == '\n' {
				n++
			}
		}
		return n, true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return 1, true
			}
		}
		return 0, true
	case syntax.OpAnyChar:
		return 1, true
	case syntax.OpAnyCharNotNL, syntax.OpEmptyMatch, syntax.OpNoMatch,
		syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, true
	case syntax.OpCapture, syntax.OpQuest:
		return newlines(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		c, ok := newlines(re.Sub[0])
		return 0, ok && c == 0
	case syntax.OpRepeat:
		c, ok := newlines(re.Sub[0])
		if !ok || c > 0 && re.Max < 0 {
			return 0, false
		}
		if c == 0 {
			return 0, true
		}
		return c * re.Max, true
	case syntax.OpConcat, syntax.OpAlternate:
		for _, s := range re.Sub {
			c, ok := newlines(s)
			if !ok {
				return 0, false
			}
			if re.Op == syntax.OpConcat {
				n += c
			} else {
				n = max(n, c)
			}
		}
		return n, true
	}
	return 0, false
}

// expand lists every string re matches, lower-cased, when there are at most
// limit of them.
func expand(re *syntax.Regexp, limit int) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == limit {
					return nil, false
				}
				out = append(out, strings.ToLower(string(r)))
			}
		}
		return dedupe(out), true
	case syntax.OpCapture:
		return expand(re.Sub[0], limit)
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0], limit-1)
		return append(sub, ""), ok
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			sub, ok := expand(s, limit-len(out))
			if !ok {
				return nil, false
			}
			out = append(out, sub...)
		}
		return dedupe(out), true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			sub, ok := expand(s, limit)
			if !ok || len(out)*len(sub) > limit {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(sub))
			for _, a := range out {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return dedupe(out), true
	}
	return nil, false
}

func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func allContainKeyword(words, keywords []string) bool {
	for _, w := range words {
		found := false
		for _, k := range keywords {
			if strings.Contains(w, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(words) > 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases the ASCII letters of data into buf, keeping every
// byte where it was. It reports false when data holds one of the two runes
// that Unicode lower-cases into ASCII letters (U+0130 İ and U+212A Kelvin),
// where gitleaks' own keyword test could see a keyword this copy does not.
func lowerASCII(buf, data []byte) ([]byte, bool) {
	buf = append(buf[:0], data...)
	for i, c := range buf {
		switch {
		case 'A' <= c && c <= 'Z':
			buf[i] = c + 'a' - 'A'
		case c == 0xC4 && i+1 < len(buf) && buf[i+1] == 0xB0,
			c == 0xE2 && i+2 < len(buf) && buf[i+1] == 0x84 && buf[i+2] == 0xAA:
			return buf, false
		}
	}
	return buf, true
}

// span is a range of lines [from, to], 0-based.
type span struct{ from, to int }

// windows returns the merged line ranges where a match can lie around each
// keyword found at the offsets in hits (ascending) in a file of size bytes,
// given the offsets where its lines start. Ranges closer than gap lines are
// joined.
func windows(hits []int, size int, lineStarts []int, r reach, gap int) []span {
	last := len(lineStarts) - 1
	var out []span
	for _, p := range hits {
		l := lineAt(lineStarts, p)
		from, to := 0, last
		if r.backLines >= 0 {
			from = max(from, l-r.backLines)
		}
		if r.backBytes >= 0 {
			from = max(from, lineAt(lineStarts, max(0, p-r.backBytes)))
		}
		if r.fwdLines >= 0 {
			to = min(to, l+r.fwdLines)
		}
		if r.fwdBytes >= 0 && r.fwdLinesAfter >= 0 {
			to = min(to, lineAt(lineStarts, min(size-1, p+r.fwdBytes))+r.fwdLinesAfter)
		}
		s := span{from, max(from, to)}
		if n := len(out); n > 0 && s.from <= out[n-1].to+gap+1 {
			out[n-1].to = max(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// lineStarts lists the offset of each line's first byte.
func lineStarts(data []byte) []int {
	out := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			out = append(out, i+1)
		}
	}
	return out
}

// lineAt is the 0-based line holding offset off.
func lineAt(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// existence returns a pattern that matches some text exactly when pattern
// does, cheaper to run when it can be had: the part from the keyword on,
// when everything before the keyword may match nothing (a match of the
// rest is then a match of the whole). Go's regexp pays for every copy a
// bounded repetition makes, and generic-api-key starts with fifty. It
// returns "" when the whole pattern is needed.
func existence(pattern string, keywords []string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	seq := flatten(re, nil)
	for i, atom := range seq {
		if !holdsKeyword(atom, keywords) {
			continue
		}
		if i == 0 {
			return ""
		}
		for _, p := range seq[:i] {
			if !mayBeEmpty(p) {
				return ""
			}
		}
		return (&syntax.Regexp{Op: syntax.OpConcat, Sub: seq[i:], Flags: re.Flags}).String()
	}
	return ""
}

// mayBeEmpty reports whether re matches the empty string wherever it is
// tried (assertions such as \b do not: they test their place).
func mayBeEmpty(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpRepeat:
		return re.Min == 0
	case syntax.OpCapture:
		return mayBeEmpty(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !mayBeEmpty(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if mayBeEmpty(s) {
				return true
			}
		}
	}
	return false
}

// A rule no window can bound is scanned over the whole file, as gitleaks
// does, whenever one of its keywords is anywhere in it: kubernetes-secret-
// yaml's pattern (two `(?s:.){0,200}` spans) runs over every manifest that
// says "secret", though few hold a Secret. A gate spares most of those
// scans: a run of cheap parts of the pattern that every match contains,
// beginning with a literal (its anchor), on few lines. The gate is tried
// only on the lines around each place the anchor appears; where it matches
// nowhere, the rule cannot match.

// fileGate is a rule's gate: the pattern, the anchors that start each of
// its branches (lower case) and how many lines a gate match can span.
type fileGate struct {
	pattern string
	anchors []string
	lines   int
}

// gateOf works out a gate for pattern; ok is false when there is none.
func gateOf(pattern string) (g fileGate, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return fileGate{}, false
	}
	runs := gateRuns(re)
	if len(runs) == 0 {
		return fileGate{}, false
	}
	branches := make([]*syntax.Regexp, len(runs))
	for i, run := range runs {
		lit := -1
		for j, p := range run {
			if p.Op == syntax.OpLiteral {
				lit = j
				break
			}
			if p.Op != syntax.OpWordBoundary && p.Op != syntax.OpNoWordBoundary {
				return fileGate{}, false // the anchor must start the gate
			}
		}
		if lit < 0 || len(run[lit].Rune) < 3 || !isASCII(string(run[lit].Rune)) {
			return fileGate{}, false
		}
		n := sumLines(run)
		if n < 0 || n > maxReachLines {
			return fileGate{}, false
		}
		g.lines = max(g.lines, n)
		g.anchors = append(g.anchors, strings.ToLower(string(run[lit].Rune)))
		branches[i] = &syntax.Regexp{Op: syntax.OpConcat, Sub: run, Flags: re.Flags}
	}
	gate := branches[0]
	if len(branches) > 1 {
		gate = &syntax.Regexp{Op: syntax.OpAlternate, Sub: branches, Flags: re.Flags}
	}
	if hasOp(gate, syntax.OpBeginText, syntax.OpBeginLine, syntax.OpEndText, syntax.OpEndLine) {
		return fileGate{}, false // text edges differ between a line and the file
	}
	g.pattern = gate.String()
	slices.Sort(g.anchors)
	g.anchors = slices.Compact(g.anchors)
	return g, true
}

// gateRuns returns, for each branch of re, the run of cheap parts with the
// most literal text: every match of the branch holds a match of its run.
func gateRuns(re *syntax.Regexp) [][]*syntax.Regexp {
	switch re.Op {
	case syntax.OpCapture:
		return gateRuns(re.Sub[0])
	case syntax.OpAlternate:
		var out [][]*syntax.Regexp
		for _, s := range re.Sub {
			r := gateRuns(s)
			if len(r) == 0 {
				return nil
			}
			out = append(out, r...)
		}
		return out
	case syntax.OpConcat:
		seq := flatten(re, nil)
		var best []*syntax.Regexp
		bestLit := 0
		for i := 0; i < len(seq); {
			if !cheap(seq[i]) {
				i++
				continue
			}
			j, lit := i, 0
			for j < len(seq) && cheap(seq[j]) {
				if seq[j].Op == syntax.OpLiteral {
					lit += len(seq[j].Rune)
				}
				j++
			}
			if lit > bestLit {
				best, bestLit = seq[i:j], lit
			}
			i = j
		}
		if bestLit < 3 {
			return nil
		}
		return [][]*syntax.Regexp{best}
	}
	return nil
}

// cheap reports whether re adds at most a few states to Go's regexp
// machine: a literal, a class, an assertion, a class repeated a little.
func cheap(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass, syntax.OpAnyCharNotNL,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		return re.Sub[0].Op == syntax.OpCharClass || re.Sub[0].Op == syntax.OpLiteral && len(re.Sub[0].Rune) == 1
	}
	return false
}

// gateOpen reports whether g matches near some anchor in the file (lower is
// its ASCII-lower-cased copy, starts where its lines start).
func gateOpen(gate *regexp.Regexp, g fileGate, raw string, lower []byte, starts []int) bool {
	for _, a := range g.anchors {
		for off := 0; ; {
			i := bytes.Index(lower[off:], []byte(a))
			if i < 0 {
				break
			}
			p := off + i
			l := lineAt(starts, p)
			from, to := max(0, l-g.lines), min(len(starts)-1, l+g.lines)
			end := len(raw)
			if to+1 < len(starts) {
				end = starts[to+1]
			}
			if gate.MatchString(raw[starts[from]:end]) {
				return true
			}
			off = p + 1
		}
	}
	return false
}
