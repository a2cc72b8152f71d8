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
	alts [][]string
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
	for _, a := range alts {
		segs := strings.Split(strings.ToLower(a), "/")
		for _, s := range segs {
			if s == "**" {
				continue
			}
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("glob %q: bad segment %q: %w", pattern, s, err)
			}
		}
		g.alts = append(g.alts, segs)
	}
	return g, nil
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
	for _, a := range g.alts {
		// The last segment of a pattern that does not end in ** must match
		// the file name: a cheap test that rejects most files at once.
		if last := a[len(a)-1]; last != "**" && len(parts) > 0 && !segMatch(last, parts[len(parts)-1], false) {
			continue
		}
		if matchSegs(a, parts, false) {
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
