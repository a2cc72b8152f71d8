package repo

import (
	"bytes"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pattern is a regular expression searched in file contents, compiled with a
// literal prefilter: sets of lower-case ASCII strings such that every match
// contains, ignoring ASCII case, one string of each set. Content patterns
// are mostly case-insensitive alternations run over thousands of files that
// hold none of their words; a byte scan proves that at a small fraction of
// the cost of Go's case-folding NFA, which is where content checks spent
// their time. A file that holds the literals is searched by the regexp as
// before, so results are the regexp's own.
type Pattern struct {
	re *regexp.Regexp
	// need are conjoined, most selective first. Empty: every file is
	// searched by the regexp.
	need [][]literal
	// exotic are the UTF-8 forms of the non-ASCII runes that case-fold to
	// ASCII letters the literals were derived from (the Kelvin sign for k,
	// the long s for s). The literals stand for those letters only, so a
	// file that holds one of these runes is searched by the regexp alone.
	exotic [][]byte
}

// literal is one prefilter string with the position of the byte its search
// looks for first.
type literal struct {
	s      []byte // lower-case ASCII
	anchor int
}

const (
	// maxSet bounds the strings of one set: each costs a scan of the file,
	// and cross products of alternatives grow fast.
	maxSet = 32
	// maxNeed bounds the conjoined sets kept: the most selective decide
	// almost every file.
	maxNeed = 3
	// maxLiteral bounds the length of a string built from a run of exact
	// parts: longer is not more selective in practice, and a long literal
	// multiplied out rune by rune would cost quadratic time.
	maxLiteral = 64
	// minLiteral is the shortest string worth a scan: single bytes are in
	// nearly every file.
	minLiteral = 2
	// maxClass bounds the runes of a character class spelled out as
	// alternatives, and maxClassLits the distinct strings it may give.
	maxClass     = 16
	maxClassLits = 4
)

// CompilePattern compiles expr (RE2 syntax, as regexp.Compile) and derives
// its prefilter. The error is regexp.Compile's.
func CompilePattern(expr string) (*Pattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	p := &Pattern{re: re}
	// regexp.Compile parsed expr with the same flags, so this cannot fail;
	// if it ever did, searching without a prefilter is still right.
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return p, nil
	}
	a := analyzer{exotic: map[rune]bool{}}
	f := a.walk(tree.Simplify())
	for _, set := range f.need {
		if len(p.need) == maxNeed {
			break
		}
		if len(set) > maxSet || minLen(set) < minLiteral {
			continue
		}
		lits := make([]literal, len(set))
		for i, s := range set {
			lits[i] = literal{s: []byte(s), anchor: rarest(s)}
		}
		p.need = append(p.need, lits)
	}
	if len(p.need) > 0 {
		for _, r := range slices.Sorted(maps.Keys(a.exotic)) {
			p.exotic = append(p.exotic, utf8.AppendRune(nil, r))
		}
	}
	return p, nil
}

// MustCompilePattern is CompilePattern for built-in patterns: an error is a
// bug, so it panics.
func MustCompilePattern(expr string) *Pattern {
	p, err := CompilePattern(expr)
	if err != nil {
		panic(err)
	}
	return p
}

// Regexp returns the compiled regular expression.
func (p *Pattern) Regexp() *regexp.Regexp { return p.re }

// String returns the source text of the pattern.
func (p *Pattern) String() string { return p.re.String() }

// Match reports whether b contains a match, as regexp.Regexp.Match.
func (p *Pattern) Match(b []byte) bool {
	return p.mayMatch(b) && p.re.Match(b)
}

// FindIndex locates the leftmost match in b, as regexp.Regexp.FindIndex.
func (p *Pattern) FindIndex(b []byte) []int {
	if !p.mayMatch(b) {
		return nil
	}
	return p.re.FindIndex(b)
}

// mayMatch is false only when the regexp cannot match b.
func (p *Pattern) mayMatch(b []byte) bool {
	for _, set := range p.need {
		if !containsAny(b, set) {
			// The literals hold only if no exotic rune stood in for
			// one of their letters; checked last as it rarely decides.
			for _, x := range p.exotic {
				if bytes.Contains(b, x) {
					return true
				}
			}
			return false
		}
	}
	return true
}

func containsAny(b []byte, set []literal) bool {
	for _, l := range set {
		if l.in(b) {
			return true
		}
	}
	return false
}

// in reports whether b contains l ignoring ASCII case, without a lowered
// copy of b: it visits the occurrences of the anchor byte in either case
// (bytes.IndexByte is vectorised) and compares the window around each.
func (l literal) in(b []byte) bool {
	n := len(l.s)
	if len(b) < n {
		return false
	}
	k := l.anchor
	lo := l.s[k]
	up := upper(lo)
	// win[i] is the anchor byte of the window starting at b[i].
	win := b[k : len(b)-n+k+1]
	nextLo, nextUp := -1, -1
	if up == lo {
		nextUp = len(win) // one case only: the upper search never runs
	}
	for i := 0; i < len(win); {
		// Each case's next position is kept until passed, so a common
		// byte in one case does not make the other be searched again.
		if nextLo < i {
			nextLo = indexFrom(win, i, lo)
		}
		if nextUp < i {
			nextUp = indexFrom(win, i, up)
		}
		j := min(nextLo, nextUp)
		if j == len(win) {
			return false
		}
		if equalLower(b[j:j+n], l.s) {
			return true
		}
		i = j + 1
	}
	return false
}

// indexFrom is the position of c in b at or after i, len(b) if none.
func indexFrom(b []byte, i int, c byte) int {
	j := bytes.IndexByte(b[i:], c)
	if j < 0 {
		return len(b)
	}
	return i + j
}

// equalLower reports whether b, ASCII-lowered, equals lower (already
// lower-case, same length). It is not bytes.EqualFold: that one folds
// non-ASCII runes too, which the literals do not stand for.
func equalLower(b, lower []byte) bool {
	for i, c := range b {
		if lowerByte(c) != lower[i] {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// commonBytes ranks bytes from most to least frequent in the text golive
// reads (YAML, Go, Markdown and JSON of this repository, letters folded);
// bytes not listed are rarer still. Searching for a literal's rarest byte
// visits the fewest candidate windows.
const commonBytes = " etrisanoc\tl\ndp\"u.m,hgf:vy()-kb/|{}=w`0[x]*1_jq2&\\%!>43;5+8#"

func rarest(s string) int {
	best, bestRank := 0, -1
	for i := 0; i < len(s); i++ {
		r := strings.IndexByte(commonBytes, s[i])
		if r < 0 {
			r = len(commonBytes)
		}
		if r > bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

// analyzer derives the literals of a parsed regexp. Its facts are about
// matches made of runes other than exotic ones, which Pattern.mayMatch
// checks before trusting them.
type analyzer struct {
	exotic map[rune]bool
}

// facts is what the analysis knows of the strings a sub-expression matches,
// ASCII-lowered.
type facts struct {
	// exact, when exactOK, lists every string it can match.
	exact   []string
	exactOK bool
	// need are conjoined sets: every match contains a string of each. None
	// holds "" (it says nothing); ordered most selective first.
	need [][]string
}

func exactly(set []string) facts {
	f := facts{exact: set, exactOK: true}
	f.need = addNeed(nil, set)
	return f
}

func (a *analyzer) walk(re *syntax.Regexp) facts {
	switch re.Op {
	case syntax.OpLiteral:
		parts := make([]facts, len(re.Rune))
		for i, r := range re.Rune {
			parts[i] = a.literalRune(r, re.Flags&syntax.FoldCase != 0)
		}
		return concat(parts)
	case syntax.OpCharClass:
		return a.class(re.Rune)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// Assertions consume nothing.
		return exactly([]string{""})
	case syntax.OpCapture:
		return a.walk(re.Sub[0])
	case syntax.OpConcat:
		parts := make([]facts, len(re.Sub))
		for i, s := range re.Sub {
			parts[i] = a.walk(s)
		}
		return concat(parts)
	case syntax.OpAlternate:
		parts := make([]facts, len(re.Sub))
		for i, s := range re.Sub {
			parts[i] = a.walk(s)
		}
		return alternate(parts)
	case syntax.OpQuest:
		f := a.walk(re.Sub[0])
		if !f.exactOK || len(f.exact)+1 > maxSet {
			return facts{}
		}
		return exactly(union(f.exact, []string{""}))
	case syntax.OpPlus:
		// One or more copies: each match holds a copy.
		return facts{need: a.walk(re.Sub[0]).need}
	case syntax.OpRepeat:
		// Simplify rewrites repeats; kept for safety should it not.
		if re.Min == 1 && re.Max == 1 {
			return a.walk(re.Sub[0])
		}
		if re.Min >= 1 {
			return facts{need: a.walk(re.Sub[0]).need}
		}
		return facts{}
	default:
		// OpStar, OpAnyChar, OpAnyCharNotNL, OpNoMatch and anything newer
		// say nothing, the safe answer to what may match the empty string
		// or any character.
		return facts{}
	}
}

// literalRune gives the strings one rune of a literal matches. Case-folded,
// it matches its whole fold orbit: the ASCII members stand for it, the
// others are noted as exotic. A rune with no ASCII form says nothing.
func (a *analyzer) literalRune(r rune, fold bool) facts {
	if !fold {
		if r < utf8.RuneSelf {
			return exactly([]string{string(lowerByte(byte(r)))})
		}
		return facts{}
	}
	var ascii []string
	var other []rune
	for f := r; ; {
		if f < utf8.RuneSelf {
			ascii = append(ascii, string(lowerByte(byte(f))))
		} else {
			other = append(other, f)
		}
		if f = unicode.SimpleFold(f); f == r {
			break
		}
	}
	if len(ascii) == 0 {
		return facts{}
	}
	for _, o := range other {
		a.exotic[o] = true
	}
	return exactly(union(ascii, nil))
}

// class spells out a small character class as alternatives. Non-ASCII
// members are allowed only when they fold to an ASCII letter (the parser
// adds the Kelvin sign to (?i)[k]); they are noted as exotic.
func (a *analyzer) class(ranges []rune) facts {
	n := 0
	for i := 0; i < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxClass {
			return facts{}
		}
	}
	var ascii []string
	var other []rune
	for i := 0; i < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if r < utf8.RuneSelf {
				ascii = append(ascii, string(lowerByte(byte(r))))
				continue
			}
			if !foldsToASCII(r) {
				return facts{}
			}
			other = append(other, r)
		}
	}
	ascii = union(ascii, nil)
	if len(ascii) == 0 || len(ascii) > maxClassLits {
		return facts{}
	}
	for _, o := range other {
		a.exotic[o] = true
	}
	return exactly(ascii)
}

func foldsToASCII(r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return true
		}
	}
	return false
}

// concat joins the facts of consecutive parts. Runs of exact parts are
// multiplied out into longer strings (log + {_level, level}); each run that
// stops, and the needs of every inexact part, become conjoined needs.
func concat(parts []facts) facts {
	var need [][]string
	run := []string{""}
	allExact := true
	for _, p := range parts {
		if p.exactOK {
			if len(run)*len(p.exact) <= maxSet && minLen(run) < maxLiteral {
				run = cross(run, p.exact)
				continue
			}
			allExact = false
			need = addNeed(need, run)
			run = p.exact
			continue
		}
		allExact = false
		need = addNeed(need, run)
		for _, s := range p.need {
			need = addNeed(need, s)
		}
		run = []string{""}
	}
	if allExact {
		return exactly(run)
	}
	return facts{need: addNeed(need, run)}
}

// alternate unions the parts: exact strings while they fit, else the most
// selective need of each part. One part with no need (it may match anything,
// or the empty string) leaves none.
func alternate(parts []facts) facts {
	var all []string
	allExact := true
	for _, p := range parts {
		if !p.exactOK {
			allExact = false
			break
		}
		all = append(all, p.exact...)
	}
	if allExact {
		if all = union(all, nil); len(all) <= maxSet {
			return exactly(all)
		}
	}
	var set []string
	for _, p := range parts {
		if len(p.need) == 0 {
			return facts{}
		}
		set = append(set, p.need[0]...)
	}
	// Pruning is quadratic: give up first on sets that cannot fit.
	if set = union(set, nil); len(set) > 4*maxSet {
		return facts{}
	}
	if set = prune(set); len(set) > maxSet {
		return facts{}
	}
	return facts{need: [][]string{set}}
}

// addNeed adds set to need, most selective first, unless it says nothing.
func addNeed(need [][]string, set []string) [][]string {
	if len(set) == 0 || slices.Contains(set, "") {
		return need
	}
	set = prune(set)
	if len(set) > maxSet || slices.ContainsFunc(need, func(n []string) bool { return slices.Equal(n, set) }) {
		return need
	}
	i, _ := slices.BinarySearchFunc(need, set, func(a, b []string) int {
		// Longer shortest string first, then fewer strings.
		if d := minLen(b) - minLen(a); d != 0 {
			return d
		}
		return len(a) - len(b)
	})
	need = slices.Insert(need, i, set)
	return need[:min(len(need), maxNeed)]
}

// prune drops duplicates and strings holding another string of the set:
// finding the shorter one already says yes.
func prune(set []string) []string {
	set = union(set, nil)
	out := set[:0:0]
	for _, s := range set {
		redundant := false
		for _, t := range set {
			if t != s && strings.Contains(s, t) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, s)
		}
	}
	return out
}

// union returns the sorted distinct strings of a and b.
func union(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func cross(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return union(out, nil)
}

func minLen(set []string) int {
	if len(set) == 0 {
		return 0
	}
	m := len(set[0])
	for _, s := range set[1:] {
		m = min(m, len(s))
	}
	return m
}
