package repo

import (
	"bufio"
	"bytes"
	"path"
	"strings"
)

// ignoreRule is one line of a .gitignore file. We match gitignore ourselves
// because the semantics that matter here (last matching rule wins across
// nested files, negation re-including a path, directory-only rules) are not
// exposed by the small libraries available.
type ignoreRule struct {
	base     string   // directory of the .gitignore, relative to the root ("" for the root)
	segs     []string // pattern split on '/'
	negate   bool
	dirOnly  bool
	anchored bool // contains a slash before the end: matched from base, not at any depth
}

type ignoreSet struct {
	rules []ignoreRule
}

func parseIgnore(base string, data []byte) []ignoreRule {
	var out []ignoreRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		// Trailing spaces are ignored unless escaped.
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
			line = line[:len(line)-1]
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{base: base}
		if strings.HasPrefix(line, "!") {
			r.negate = true
			line = line[1:]
		} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		if strings.Contains(line, "/") {
			r.anchored = true
			line = strings.TrimPrefix(line, "/")
		}
		r.segs = strings.Split(line, "/")
		out = append(out, r)
	}
	return out
}

// match reports whether the rule matches rel (slash path relative to the
// scan root).
func (r *ignoreRule) match(rel string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if r.base != "" {
		if !strings.HasPrefix(rel, r.base+"/") {
			return false
		}
		rel = rel[len(r.base)+1:]
	}
	parts := strings.Split(rel, "/")
	if !r.anchored {
		// A pattern without a slash matches the name at any depth.
		return segMatch(r.segs[0], parts[len(parts)-1], false)
	}
	return matchSegs(r.segs, parts, false)
}

// ignored applies the rules in order; the last one that matches decides.
func (s *ignoreSet) ignored(rel string, isDir bool) bool {
	ign := false
	for i := range s.rules {
		r := &s.rules[i]
		if r.negate == ign && r.match(rel, isDir) {
			ign = !r.negate
		}
	}
	return ign
}

// segMatch matches one path segment against one pattern segment.
func segMatch(pattern, name string, fold bool) bool {
	if fold {
		pattern, name = strings.ToLower(pattern), strings.ToLower(name)
	}
	if !strings.ContainsAny(pattern, `*?[\`) {
		return pattern == name
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// matchSegs matches path segments against pattern segments where "**"
// stands for zero or more segments.
func matchSegs(pat, parts []string, fold bool) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			if len(rest) == 0 {
				return true
			}
			for i := 0; i <= len(parts); i++ {
				if matchSegs(rest, parts[i:], fold) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 || !segMatch(pat[0], parts[0], fold) {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}
