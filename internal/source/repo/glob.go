package repo

import (
	"fmt"
	"path"
	"strings"
)

// Glob is a compiled, case-insensitive path pattern matched against slash
// paths relative to a scan root. "*", "?" and "[...]" work within one path
// segment, "**" spans any number of segments (including none) and "{a,b}"
// gives alternatives. "README*" matches only at the root; "**/README*"
// matches at any depth.
type Glob struct {
	src  string
	alts [][]seg
	// lasts are the distinct last segments of the alternatives and last[i]
	// the index of alternative i's (-1 for "**"). Brace expansion makes many
	// alternatives that end alike ("{,docs/,ops/}*runbook*"), and testing a
	// file name once per distinct ending is most of what matching costs.
	lasts []seg
	last  []int
}

// CompileGlob checks and compiles a pattern.
func CompileGlob(pattern string) (*Glob, error) {
	p := strings.TrimPrefix(strings.TrimSpace(pattern), "./")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil, fmt.Errorf("empty glob")
	}
	g := &Glob{src: pattern}
	alts, err := expandBraces(p)
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	lastIdx := map[string]int{}
	for _, a := range alts {
		var segs []seg
		for _, s := range strings.Split(strings.ToLower(a), "/") {
			if s != "**" {
				if _, err := path.Match(s, ""); err != nil {
					return nil, fmt.Errorf("glob %q: bad segment %q: %w", pattern, s, err)
				}
			}
			segs = append(segs, compileSeg(s))
		}
		g.alts = append(g.alts, segs)
		end := segs[len(segs)-1]
		if end.kind == segDeep {
			g.last = append(g.last, -1)
			continue
		}
		i, ok := lastIdx[end.pat]
		if !ok {
			i = len(g.lasts)
			lastIdx[end.pat] = i
			g.lasts = append(g.lasts, end)
		}
		g.last = append(g.last, i)
	}
	return g, nil
}

// seg is one compiled pattern segment. The shapes globs are made of
// (literal, prefix*, *suffix, *infix*) are matched with string functions;
// only the rest goes through path.Match.
type seg struct {
	kind uint8
	lit  string   // the literal part, for the string-function shapes
	bits []string // segStars: the literals between the stars
	pat  string   // the segment as written (lower case)
}

const (
	segLiteral uint8 = iota
	segAny           // "*"
	segPrefix        // "lit*"
	segSuffix        // "*lit"
	segInfix         // "*lit*"
	segStars         // literals and stars only: "*lit*.ext", "a*b*c"
	segPattern       // anything else: path.Match
	segDeep          // "**"
)

func compileSeg(p string) seg {
	s := seg{kind: segPattern, pat: p}
	plain := func(x string) bool { return !strings.ContainsAny(x, `*?[\`) }
	switch {
	case p == "**":
		s.kind = segDeep
	case plain(p):
		s.kind, s.lit = segLiteral, p
	case p == "*":
		s.kind = segAny
	case len(p) >= 3 && p[0] == '*' && p[len(p)-1] == '*' && plain(p[1:len(p)-1]):
		s.kind, s.lit = segInfix, p[1:len(p)-1]
	case p[0] == '*' && plain(p[1:]):
		s.kind, s.lit = segSuffix, p[1:]
	case p[len(p)-1] == '*' && plain(p[:len(p)-1]):
		s.kind, s.lit = segPrefix, p[:len(p)-1]
	case !strings.ContainsAny(p, `?[\`):
		s.kind, s.bits = segStars, strings.Split(p, "*")
	}
	return s
}

// matchStars matches a pattern of literals joined by stars: the first
// literal starts the name, the last ends it, and the ones between occur in
// order in what is left; taking each at its leftmost place never loses a
// match.
func matchStars(bits []string, name string) bool {
	first, last := bits[0], bits[len(bits)-1]
	if len(name) < len(first)+len(last) || !strings.HasPrefix(name, first) || !strings.HasSuffix(name, last) {
		return false
	}
	mid := name[len(first) : len(name)-len(last)]
	for _, b := range bits[1 : len(bits)-1] {
		i := strings.Index(mid, b)
		if i < 0 {
			return false
		}
		mid = mid[i+len(b):]
	}
	return true
}

// match matches one lower-cased path segment, as path.Match would.
func (s *seg) match(name string) bool {
	switch s.kind {
	case segLiteral:
		return name == s.lit
	case segAny:
		return true
	case segPrefix:
		return strings.HasPrefix(name, s.lit)
	case segSuffix:
		return strings.HasSuffix(name, s.lit)
	case segInfix:
		return strings.Contains(name, s.lit)
	case segStars:
		return matchStars(s.bits, name)
	case segDeep:
		return true
	}
	ok, err := path.Match(s.pat, name)
	return err == nil && ok
}

// matchCompiled matches path segments against compiled pattern segments
// where "**" stands for zero or more segments.
func matchCompiled(pat []seg, parts []string) bool {
	for len(pat) > 0 {
		if pat[0].kind == segDeep {
			rest := pat[1:]
			if len(rest) == 0 {
				return true
			}
			for i := 0; i <= len(parts); i++ {
				if matchCompiled(rest, parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 || !pat[0].match(parts[0]) {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}

// MustGlob compiles a pattern known at build time.
func MustGlob(pattern string) *Glob {
	g, err := CompileGlob(pattern)
	if err != nil {
		panic(err)
	}
	return g
}

func (g *Glob) String() string { return g.src }

// Match reports whether the slash path rel matches.
func (g *Glob) Match(rel string) bool {
	return g.matchParts(strings.Split(strings.ToLower(rel), "/"))
}

func (g *Glob) matchParts(parts []string) bool {
	if len(parts) == 0 {
		return false
	}
	name := parts[len(parts)-1]
	// The last segment of a pattern that does not end in ** must match the
	// file name: a cheap test that rejects most files at once, made once
	// per distinct ending (memoized in two bit sets for up to 64 endings).
	var tried, passed uint64
	for i, a := range g.alts {
		if li := g.last[i]; li >= 0 {
			if li < 64 {
				bit := uint64(1) << li
				if tried&bit == 0 {
					tried |= bit
					if g.lasts[li].match(name) {
						passed |= bit
					}
				}
				if passed&bit == 0 {
					continue
				}
			} else if !g.lasts[li].match(name) {
				continue
			}
		}
		if matchCompiled(a, parts) {
			return true
		}
	}
	return false
}

// expandBraces turns "a{b,c}d" into ["abd","acd"], nesting allowed.
func expandBraces(p string) ([]string, error) {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		if strings.IndexByte(p, '}') >= 0 {
			return nil, fmt.Errorf("unmatched '}'")
		}
		return []string{p}, nil
	}
	depth, end := 0, -1
	var cuts []int
	for i := open; i < len(p) && end < 0; i++ {
		switch p[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				end = i
			}
		case ',':
			if depth == 1 {
				cuts = append(cuts, i)
			}
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("unmatched '{'")
	}
	var opts []string
	start := open + 1
	for _, c := range cuts {
		opts = append(opts, p[start:c])
		start = c + 1
	}
	opts = append(opts, p[start:end])
	var out []string
	for _, o := range opts {
		rest, err := expandBraces(p[:open] + o + p[end+1:])
		if err != nil {
			return nil, err
		}
		out = append(out, rest...)
		if len(out) > 256 {
			return nil, fmt.Errorf("too many brace alternatives")
		}
	}
	return out, nil
}
