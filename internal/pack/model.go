// Package pack reads checklists written as data: YAML packs of categories and
// items, each item decided by built-in checks, CEL expressions or a person's
// attestation. Loading is strict and reports every problem with file:line.
package pack

import (
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/verdict"
)

// APIVersion is the only pack format version golive reads today.
const APIVersion = "golive.dev/v1"

// Pack is a loaded, validated checklist with its parent (extends) merged in.
type Pack struct {
	Name        string
	Title       string
	Version     string
	Source      string
	Description string
	File        string // where it was read from ("builtin:NAME" for embedded packs)
	Extends     string
	Vars        map[string]Var
	Categories  []Category
	Items       []*Item
}

// Var is a pack variable: a per-service value (name, port, label selector)
// that check parameters use as ${name}; --var name=value sets it.
type Var struct {
	Name        string
	Default     any
	Description string
}

// Category groups items in reports.
type Category struct {
	ID          string `yaml:"id"`
	Title       string `yaml:"title"`
	Description string `yaml:"description,omitempty"`
}

// Item is one checklist line.
type Item struct {
	ID          string
	Title       string
	Category    string
	Priority    verdict.Priority
	Rationale   string
	Remediation string
	Refs        []string
	// Manual means a person must attest the item even when its checks pass
	// (its checks then only gather supporting evidence). Items with no checks
	// are always manual.
	Manual bool
	// AnyCheck (decide: any) passes the item when one of its checks passes:
	// for requirements the seeds word as alternatives ("CI signs the image
	// or an admission policy verifies it"). By default every check must hold.
	AnyCheck bool
	// When is a CEL condition saying whether the item applies to this
	// service (a product-specific item: the repo uses that product). False
	// makes the item na; a condition that cannot be evaluated leaves the
	// item to its checks.
	When        string
	WhenProgram *check.CELProgram
	Checks      []*CheckRef
	File        string
	Line        int
}

// NeedsAttestation reports whether the item is decided by a person.
func (it *Item) NeedsAttestation() bool { return it.Manual || len(it.Checks) == 0 }

// Automated reports whether checks alone decide the item.
func (it *Item) Automated() bool { return !it.NeedsAttestation() }

// CheckRef is one check an item runs: a built-in check with parameters, or a
// CEL expression over the gathered evidence.
type CheckRef struct {
	Check   string         // built-in check id; empty for CEL
	With    map[string]any // raw parameters as written
	CEL     string
	Message string // shown when a CEL expression is false
	// Optional checks add evidence when their input is given; when it is
	// missing they are left out of the verdict instead of making the item
	// unverified. Used for alternative evidence (a live probe of an item that
	// the repository already decides).
	Optional bool
	Line     int

	// Filled by validation.
	Def     *check.Check
	Params  check.Params
	Program *check.CELProgram
}

// Name is the check id, or "cel" for an expression.
func (c *CheckRef) Name() string {
	if c.CEL != "" {
		return "cel"
	}
	return c.Check
}

// Needs lists the inputs the check reads.
func (c *CheckRef) Needs() []check.Input {
	if c.Program != nil {
		return c.Program.Needs()
	}
	if c.Def != nil {
		return c.Def.Needs
	}
	return nil
}

// Item returns the item with the given id.
func (p *Pack) Item(id string) (*Item, bool) {
	for _, it := range p.Items {
		if it.ID == id {
			return it, true
		}
	}
	return nil, false
}

// CategoryTitle returns a category's title, or its id when it has none.
func (p *Pack) CategoryTitle(id string) string {
	for _, c := range p.Categories {
		if c.ID == id && c.Title != "" {
			return c.Title
		}
	}
	return id
}
