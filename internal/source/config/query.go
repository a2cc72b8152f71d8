package config

import (
	"fmt"
	"strconv"
	"strings"
)

// maxNodes bounds the expanded size of a document: YAML aliases share
// nodes, so a small file could otherwise stand for an enormous tree.
const maxNodes = 1_000_000

// countNodes counts nodes as a reader would see them, stopping at limit.
func countNodes(n *Node, limit int) int {
	count := 0
	var walk func(*Node)
	walk = func(n *Node) {
		if count > limit || n == nil {
			return
		}
		count++
		for _, k := range n.Keys {
			walk(n.Fields[k])
		}
		for _, it := range n.Items {
			walk(it)
		}
	}
	walk(n)
	return count
}

// segKind is the kind of one step of a path.
type segKind int

const (
	segKey      segKind = iota // a key, may hold * and ? wildcards, compared case-insensitively
	segIndex                   // [n]
	segAnyIndex                // [*]
	segDeep                    // ** : any number of levels, including none
)

type seg struct {
	kind  segKind
	key   string
	index int
}

// Path is a compiled query such as `log.level`, `servers[0].url`,
// `ingress.hosts[*].host`, `**.logLevel` or `annotations."a.b/c"`.
type Path struct {
	src  string
	segs []seg
}

func (p *Path) String() string { return p.src }

// CompilePath parses a query path.
func CompilePath(s string) (*Path, error) {
	p := &Path{src: s}
	i := 0
	expectKey := true
	for i < len(s) {
		c := s[i]
		switch {
		case c == '.':
			if expectKey {
				return nil, fmt.Errorf("path %q: empty key at offset %d", s, i)
			}
			expectKey = true
			i++
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed '['", s)
			}
			inner := strings.TrimSpace(s[i+1 : i+end])
			switch {
			case inner == "*":
				p.segs = append(p.segs, seg{kind: segAnyIndex})
			case len(inner) >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[len(inner)-1] == inner[0]:
				p.segs = append(p.segs, seg{kind: segKey, key: inner[1 : len(inner)-1]})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("path %q: bad index [%s]", s, inner)
				}
				p.segs = append(p.segs, seg{kind: segIndex, index: n})
			}
			i += end + 1
			expectKey = false
		case c == '"' || c == '\'':
			if !expectKey {
				return nil, fmt.Errorf("path %q: missing '.' before quoted key", s)
			}
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed quote", s)
			}
			p.segs = append(p.segs, seg{kind: segKey, key: s[i+1 : i+1+end]})
			i += end + 2
			expectKey = false
		default:
			if !expectKey {
				return nil, fmt.Errorf("path %q: missing '.' at offset %d", s, i)
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			k := s[i:j]
			if k == "**" {
				p.segs = append(p.segs, seg{kind: segDeep})
			} else {
				p.segs = append(p.segs, seg{kind: segKey, key: k})
			}
			i = j
			expectKey = false
		}
	}
	if len(p.segs) == 0 {
		return nil, fmt.Errorf("path %q is empty", s)
	}
	if expectKey {
		return nil, fmt.Errorf("path %q ends with '.'", s)
	}
	return p, nil
}

// MustPath compiles a path known at build time.
func MustPath(s string) *Path {
	p, err := CompilePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Hit is one node a query reached, with the concrete path to it.
type Hit struct {
	Path string // e.g. servers[1].url
	Node *Node
}

// maxHits bounds results of wildcard queries.
const maxHits = 10000

// Find returns every node of root matching p, in document order.
func (p *Path) Find(root *Node) []Hit {
	var out []Hit
	seen := map[string]bool{}
	var walk func(n *Node, segs []seg, at string, depth int)
	walk = func(n *Node, segs []seg, at string, depth int) {
		if n == nil || len(out) >= maxHits || depth > maxDepth {
			return
		}
		if len(segs) == 0 {
			if !seen[at] {
				seen[at] = true
				out = append(out, Hit{Path: at, Node: n})
			}
			return
		}
		s := segs[0]
		switch s.kind {
		case segDeep:
			walk(n, segs[1:], at, depth+1)
			for _, k := range n.Keys {
				walk(n.Fields[k], segs, joinKey(at, k), depth+1)
			}
			for i, it := range n.Items {
				walk(it, segs, fmt.Sprintf("%s[%d]", at, i), depth+1)
			}
		case segKey:
			if n.Kind != Map {
				return
			}
			if v, ok := n.Fields[s.key]; ok {
				walk(v, segs[1:], joinKey(at, s.key), depth+1)
				if !hasWild(s.key) {
					return
				}
			}
			for _, k := range n.Keys {
				if k != s.key && keyMatch(s.key, k) {
					walk(n.Fields[k], segs[1:], joinKey(at, k), depth+1)
				}
			}
		case segIndex:
			if n.Kind == List && s.index < len(n.Items) {
				walk(n.Items[s.index], segs[1:], fmt.Sprintf("%s[%d]", at, s.index), depth+1)
			}
		case segAnyIndex:
			if n.Kind == List {
				for i, it := range n.Items {
					walk(it, segs[1:], fmt.Sprintf("%s[%d]", at, i), depth+1)
				}
			}
		}
	}
	walk(root, p.segs, "", 0)
	return out
}

func hasWild(k string) bool { return strings.ContainsAny(k, "*?") }

// keyMatch compares a key pattern with a key: case-insensitively, with * and
// ? wildcards, so `logLevel` finds `loglevel` and `log*level` finds `log_level`.
func keyMatch(pattern, key string) bool {
	return wildMatch(strings.ToLower(pattern), strings.ToLower(key))
}

func wildMatch(p, s string) bool {
	// Iterative glob with backtracking on the last '*'.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func joinKey(at, k string) string {
	if strings.ContainsAny(k, ".[]\"' ") {
		k = `"` + k + `"`
	}
	if at == "" {
		return k
	}
	return at + "." + k
}
