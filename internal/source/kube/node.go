package kube

import "strconv"

// NodeKind is the JSON type of a Node.
type NodeKind uint8

const (
	NullNode NodeKind = iota
	StringNode
	IntNode
	FloatNode
	BoolNode
	MapNode
	ListNode
)

// Node is a read-only view of one value in an object, read straight from the
// object's compact tree. Walking a Node allocates nothing, where Map builds
// the whole object as Go maps: expressions over every object of a large set
// (the `objects` CEL variable) read a field or two of each.
type Node struct {
	t *tree
	i int
}

// Root is the object itself as a Node (a NullNode when it has no data).
func (o *Object) Root() Node {
	if o.data == nil {
		return Node{}
	}
	return Node{t: o.data, i: o.root}
}

// Kind is the node's type.
func (n Node) Kind() NodeKind {
	if n.t == nil {
		return NullNode
	}
	switch n.t.kind(n.i) {
	case kStr:
		return StringNode
	case kInt:
		return IntNode
	case kFloat:
		return FloatNode
	case kBool:
		return BoolNode
	case kMap:
		return MapNode
	case kSeq:
		return ListNode
	}
	return NullNode
}

// String is a StringNode's text ("" for other kinds).
func (n Node) String() string {
	if n.Kind() != StringNode {
		return ""
	}
	return n.t.text(n.i)
}

// Int is an IntNode's value (0 for other kinds).
func (n Node) Int() int64 {
	if n.Kind() != IntNode {
		return 0
	}
	v, _ := strconv.ParseInt(n.t.text(n.i), 10, 64)
	return v
}

// Float is a FloatNode's value (0 for other kinds).
func (n Node) Float() float64 {
	if n.Kind() != FloatNode {
		return 0
	}
	v, _ := strconv.ParseFloat(n.t.text(n.i), 64)
	return v
}

// Bool is a BoolNode's value (false for other kinds).
func (n Node) Bool() bool {
	return n.Kind() == BoolNode && n.t.text(n.i) == "true"
}

// Field returns the value under key of a MapNode.
func (n Node) Field(key string) (Node, bool) {
	if n.t == nil {
		return Node{}, false
	}
	j := n.t.child(n.i, key)
	if j < 0 {
		return Node{}, false
	}
	return Node{t: n.t, i: j}, true
}

// Len is the number of entries of a MapNode or items of a ListNode.
func (n Node) Len() int {
	if k := n.Kind(); k != MapNode && k != ListNode {
		return 0
	}
	return n.t.entries(n.i)
}

// Index returns item k of a ListNode; it walks the k items before it.
func (n Node) Index(k int) (Node, bool) {
	if n.t == nil {
		return Node{}, false
	}
	j := n.t.item(n.i, k)
	if j < 0 {
		return Node{}, false
	}
	return Node{t: n.t, i: j}, true
}

// Fields calls fn for each entry of a MapNode in document order until fn
// returns false.
func (n Node) Fields(fn func(key string, v Node) bool) {
	if n.Kind() != MapNode {
		return
	}
	for j, end := n.i+1, n.t.end(n.i); j < end; j = n.t.end(j + 1) {
		if !fn(n.t.text(j), Node{t: n.t, i: j + 1}) {
			return
		}
	}
}

// Items calls fn for each item of a ListNode in order until fn returns false.
func (n Node) Items(fn func(v Node) bool) {
	if n.Kind() != ListNode {
		return
	}
	for j, end := n.i+1, n.t.end(n.i); j < end; j = n.t.end(j) {
		if !fn(Node{t: n.t, i: j}) {
			return
		}
	}
}

// Cursor walks the entries of a MapNode or the items of a ListNode one at a
// time, for callers that cannot take a callback (iterators of other
// libraries). Next reports false once past the last one.
type Cursor struct {
	n    Node
	j    int
	done bool
}

// Cursor starts a walk over n's entries or items.
func (n Node) Cursor() *Cursor {
	c := &Cursor{n: n, j: n.i + 1}
	if k := n.Kind(); k != MapNode && k != ListNode {
		c.done = true
	}
	return c
}

// Next returns the next entry (key is "" for a list item).
func (c *Cursor) Next() (key string, v Node, ok bool) {
	if c.done || c.j >= c.n.t.end(c.n.i) {
		c.done = true
		return "", Node{}, false
	}
	t := c.n.t
	if t.kind(c.n.i) == kMap {
		key, v = t.text(c.j), Node{t: t, i: c.j + 1}
		c.j = t.end(c.j + 1)
		return key, v, true
	}
	v = Node{t: t, i: c.j}
	c.j = t.end(c.j)
	return "", v, true
}

// Value materializes the node as JSON-compatible data (see Object.Map).
func (n Node) Value() any {
	if n.t == nil {
		return nil
	}
	return n.t.value(n.i)
}
