// Package config parses the configuration files of a repository (YAML with
// several documents, JSON, TOML, .env, INI) into one tree shape that keeps
// the line of every key, and answers typed path queries over it such as
// `log.level`, `autoscaling.minReplicas` or `servers[*].url`.
package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golive.dev/golive/internal/mask"
)

// Kind is the type of a node.
type Kind int

const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	Map
	List
)

func (k Kind) String() string {
	return [...]string{"null", "bool", "int", "float", "string", "map", "list"}[k]
}

// Node is one value of a parsed file. Scalars hold Value (nil, bool, int64,
// float64 or string); maps keep their keys in file order.
type Node struct {
	Kind   Kind
	Value  any
	Keys   []string
	Fields map[string]*Node
	Items  []*Node
	Line   int // line of the key (or list item) that holds this value; 0 when unknown
}

func newMap(line int) *Node { return &Node{Kind: Map, Fields: map[string]*Node{}, Line: line} }

// set adds or replaces a field, keeping first-seen order.
func (n *Node) set(key string, v *Node) {
	if _, ok := n.Fields[key]; !ok {
		n.Keys = append(n.Keys, key)
	}
	n.Fields[key] = v
}

func scalar(v any, line int) *Node {
	switch x := v.(type) {
	case nil:
		return &Node{Kind: Null, Line: line}
	case bool:
		return &Node{Kind: Bool, Value: x, Line: line}
	case int:
		return &Node{Kind: Int, Value: int64(x), Line: line}
	case int64:
		return &Node{Kind: Int, Value: x, Line: line}
	case uint64:
		if x > 1<<63-1 {
			return &Node{Kind: Float, Value: float64(x), Line: line}
		}
		return &Node{Kind: Int, Value: int64(x), Line: line}
	case float64:
		return &Node{Kind: Float, Value: x, Line: line}
	case string:
		return &Node{Kind: String, Value: x, Line: line}
	}
	return &Node{Kind: String, Value: fmt.Sprint(v), Line: line}
}

// Interface converts the node to plain Go values (map[string]any, []any,
// scalars) for CEL and JSON.
func (n *Node) Interface() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Map:
		m := make(map[string]any, len(n.Keys))
		for _, k := range n.Keys {
			m[k] = n.Fields[k].Interface()
		}
		return m
	case List:
		l := make([]any, len(n.Items))
		for i, it := range n.Items {
			l[i] = it.Interface()
		}
		return l
	}
	return n.Value
}

// String renders a scalar as text; maps and lists render as a short summary.
func (n *Node) String() string {
	if n == nil {
		return "<nil>"
	}
	switch n.Kind {
	case Null:
		return "null"
	case String:
		return n.Value.(string)
	case Float:
		return strconv.FormatFloat(n.Value.(float64), 'g', -1, 64)
	case Map:
		return fmt.Sprintf("{%s}", strings.Join(n.Keys, ", "))
	case List:
		parts := make([]string, len(n.Items))
		for i, it := range n.Items {
			parts[i] = it.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(n.Value)
}

// Number returns the value as a float when it is numeric or a string that
// reads as one (values from .env and INI files are strings).
func (n *Node) Number() (float64, bool) {
	if n == nil {
		return 0, false
	}
	switch n.Kind {
	case Int:
		return float64(n.Value.(int64)), true
	case Float:
		return n.Value.(float64), true
	case String:
		f, err := strconv.ParseFloat(strings.TrimSpace(n.Value.(string)), 64)
		return f, err == nil
	}
	return 0, false
}

// Truthy reports whether the value means "enabled": true, yes, on, 1, enabled.
func (n *Node) Truthy() (val, ok bool) {
	if n == nil {
		return false, false
	}
	switch n.Kind {
	case Bool:
		return n.Value.(bool), true
	case Int:
		return n.Value.(int64) != 0, true
	case String:
		switch strings.ToLower(strings.TrimSpace(n.Value.(string))) {
		case "true", "yes", "on", "1", "enabled", "enable", "y":
			return true, true
		case "false", "no", "off", "0", "disabled", "disable", "n", "":
			return false, true
		}
	case Null:
		return false, true
	}
	return false, false
}

// Display renders a value for evidence: values under secret-like keys are
// masked, lists included (their items are the secrets), and credentials in
// URLs are blanked. Maps render as their keys only and stay readable.
func Display(path string, n *Node) string {
	if n == nil {
		return ""
	}
	if mask.IsSecret(path) && n.Kind != Map && n.Kind != Bool && n.Kind != Null {
		if n.Kind == List && len(n.Items) == 0 {
			return n.String()
		}
		return mask.Value(n.String())
	}
	s := mask.Text(n.String())
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// SortedKeys returns the map keys sorted, for deterministic output.
func (n *Node) SortedKeys() []string {
	out := append([]string(nil), n.Keys...)
	sort.Strings(out)
	return out
}
