package kube

import (
	"errors"
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	ks "golive.dev/golive/internal/source/kube"
)

// The `objects` CEL variable hands expressions views of the objects' trees
// instead of Go maps: an expression over 100,000 objects that reads `kind`
// of each would otherwise build every object in full (hundreds of MB) to
// look at one field. Lookups, `in`, size() and comprehensions read the tree;
// the rarer operations (equality of whole maps, list concatenation,
// conversion to Go) materialize the node and defer to cel-go's own types.

// celValue converts a node to a CEL value: scalars to CEL's own types, maps
// and lists to views.
func celValue(n ks.Node) ref.Val {
	switch n.Kind() {
	case ks.StringNode:
		return types.String(n.String())
	case ks.IntNode:
		return types.Int(n.Int())
	case ks.FloatNode:
		return types.Double(n.Float())
	case ks.BoolNode:
		return types.Bool(n.Bool())
	case ks.MapNode:
		return celMap{n}
	case ks.ListNode:
		return celList{n}
	}
	return types.NullValue
}

// materialized is the node as cel-go's own value.
func materialized(n ks.Node) ref.Val { return types.DefaultTypeAdapter.NativeToValue(n.Value()) }

type celMap struct{ n ks.Node }

var _ traits.Mapper = celMap{}

func (m celMap) Find(key ref.Val) (ref.Val, bool) {
	k, ok := key.(types.String)
	if !ok {
		if types.IsUnknownOrError(key) {
			return key, false
		}
		return nil, false // keys are strings: another type is never present
	}
	v, found := m.n.Field(string(k))
	if !found {
		return nil, false
	}
	return celValue(v), true
}

func (m celMap) Contains(key ref.Val) ref.Val {
	v, found := m.Find(key)
	if !found && v != nil {
		return v
	}
	return types.Bool(found)
}

func (m celMap) Get(key ref.Val) ref.Val {
	v, found := m.Find(key)
	if !found {
		return types.ValOrErr(v, "no such key: %v", key)
	}
	return v
}

func (m celMap) Size() ref.Val { return types.Int(m.n.Len()) }

func (m celMap) Iterator() traits.Iterator { return &celIterator{c: m.n.Cursor(), keys: true} }

func (m celMap) ConvertToNative(t reflect.Type) (any, error) {
	return materialized(m.n).ConvertToNative(t)
}

func (m celMap) ConvertToType(t ref.Type) ref.Val { return convertTo(m, types.MapType, t) }

func (m celMap) Equal(other ref.Val) ref.Val { return materialized(m.n).Equal(other) }
func (m celMap) Type() ref.Type              { return types.MapType }
func (m celMap) Value() any                  { return m.n.Value() }

type celList struct{ n ks.Node }

var _ traits.Lister = celList{}

func (l celList) Get(index ref.Val) ref.Val {
	i, err := types.GetOrError(index)
	if err != nil {
		return types.ValOrErr(index, "%v", err)
	}
	v, ok := l.n.Index(i)
	if !ok {
		return types.NewErr("index '%d' out of range in list size '%d'", i, l.n.Len())
	}
	return celValue(v)
}

func (l celList) Contains(elem ref.Val) ref.Val {
	found := false
	l.n.Items(func(v ks.Node) bool {
		found = types.Equal(celValue(v), elem) == types.True
		return !found
	})
	return types.Bool(found)
}

func (l celList) Size() ref.Val             { return types.Int(l.n.Len()) }
func (l celList) Iterator() traits.Iterator { return &celIterator{c: l.n.Cursor()} }
func (l celList) Add(other ref.Val) ref.Val { return materialized(l.n).(traits.Adder).Add(other) }

func (l celList) ConvertToNative(t reflect.Type) (any, error) {
	return materialized(l.n).ConvertToNative(t)
}

func (l celList) ConvertToType(t ref.Type) ref.Val { return convertTo(l, types.ListType, t) }

// convertTo is ConvertToType for a view v whose CEL type is own: to itself,
// or to its type (what `type(x)` asks).
func convertTo(v ref.Val, own *types.Type, t ref.Type) ref.Val {
	switch t {
	case own:
		return v
	case types.TypeType:
		return own
	}
	return types.NewErr("type conversion error from '%s' to '%s'", own, t)
}

func (l celList) Equal(other ref.Val) ref.Val { return materialized(l.n).Equal(other) }
func (l celList) Type() ref.Type              { return types.ListType }
func (l celList) Value() any                  { return l.n.Value() }

// celIterator yields a map's keys or a list's items.
type celIterator struct {
	c       *ks.Cursor
	keys    bool
	pending ref.Val
}

func (it *celIterator) HasNext() ref.Val {
	if it.pending != nil {
		return types.True
	}
	k, v, ok := it.c.Next()
	if !ok {
		return types.False
	}
	if it.keys {
		it.pending = types.String(k)
	} else {
		it.pending = celValue(v)
	}
	return types.True
}

func (it *celIterator) Next() ref.Val {
	if it.HasNext() != types.True {
		return nil
	}
	v := it.pending
	it.pending = nil
	return v
}

func (it *celIterator) ConvertToNative(reflect.Type) (any, error) {
	return nil, errors.New("type conversion on iterators not supported")
}
func (it *celIterator) ConvertToType(ref.Type) ref.Val { return types.NewErr("no such overload") }
func (it *celIterator) Equal(ref.Val) ref.Val          { return types.NewErr("no such overload") }
func (it *celIterator) Type() ref.Type                 { return types.IteratorType }
func (it *celIterator) Value() any                     { return nil }
