package check

import (
	"context"
	"fmt"
	"strings"

	"golive.dev/golive/internal/verdict"
)

// Budget bounds the findings one check run keeps in full: up to Max of each
// status (Max <= 0: all), plus every failure on an object Keep names (a
// waiver may excuse it, so the engine must see it). The rest are only
// counted. A check over 100,000 objects can fail on every one of them; the
// verdict needs the statuses and the report shows a few hundred, so building
// and holding every finding until the engine trims them would cost memory
// for nothing.
type Budget struct {
	Max  int
	Keep func(object string) bool
}

type budgetKey struct{}

// WithBudget is ctx carrying b for the check runs under it.
func WithBudget(ctx context.Context, b Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// BudgetOf is the budget ctx carries; none means keep everything.
func BudgetOf(ctx context.Context) Budget {
	b, _ := ctx.Value(budgetKey{}).(Budget)
	return b
}

// omittedKey marks a finding that stands for findings not kept: its
// evidence holds how many. Condense adds such counts up rather than
// counting the finding itself, so condensing twice loses nothing.
const omittedKey = "omitted"

// Collector gathers one check run's findings within a budget. Callers ask
// Wants before building a finding, so findings past the budget cost a count.
type Collector struct {
	check   string
	b       Budget
	kept    []verdict.Finding
	seen    map[verdict.Status]int
	dropped map[verdict.Status]int
}

// NewCollector starts collecting the findings of check under ctx's budget.
func NewCollector(ctx context.Context, check string) *Collector {
	return newCollector(check, BudgetOf(ctx))
}

func newCollector(check string, b Budget) *Collector {
	return &Collector{check: check, b: b, seen: map[verdict.Status]int{}, dropped: map[verdict.Status]int{}}
}

// Wants reports whether a finding of status st on object would be kept; when
// it would not, the caller calls Skip instead of building it.
func (c *Collector) Wants(st verdict.Status, object string) bool {
	return c.b.Max <= 0 || c.seen[st] < c.b.Max ||
		st == verdict.Fail && object != "" && c.b.Keep != nil && c.b.Keep(object)
}

// Add keeps f if the budget allows, counts it otherwise.
func (c *Collector) Add(f verdict.Finding) {
	if n, ok := f.Evidence[omittedKey].(int); ok {
		c.dropped[f.Status] += n
		return
	}
	if !c.Wants(f.Status, f.Object) {
		c.Skip(f.Status)
		return
	}
	c.seen[f.Status]++
	c.kept = append(c.kept, f)
}

// Skip counts a finding of status st that was not built.
func (c *Collector) Skip(st verdict.Status) { c.dropped[st]++ }

// Len is how many findings were added or skipped.
func (c *Collector) Len() int {
	n := len(c.kept)
	for _, d := range c.dropped {
		n += d
	}
	return n
}

// Findings returns the kept findings, then one finding per status that
// counts those not kept.
func (c *Collector) Findings() []verdict.Finding {
	out := c.kept
	for _, st := range verdict.Statuses {
		if n := c.dropped[st]; n > 0 {
			out = append(out, verdict.Finding{Check: c.check, Status: st,
				Message:  fmt.Sprintf("%d more %s findings of this check not kept (--max-findings %d)", n, st, c.b.Max),
				Evidence: map[string]any{omittedKey: n}})
		}
	}
	return out
}

// Condense bounds findings already made to b, the way a Collector would
// have: checks that do not collect are trimmed after they return.
func Condense(fs []verdict.Finding, b Budget) []verdict.Finding {
	if b.Max <= 0 || len(fs) <= b.Max {
		return fs
	}
	c := newCollector(fs[0].Check, b)
	for _, f := range fs {
		c.Add(f)
	}
	return c.Findings()
}

// KeepObjects is a Budget.Keep over a set of object ids, compared without
// case (waivers are written by hand).
func KeepObjects(objects map[string]bool) func(string) bool {
	if len(objects) == 0 {
		return nil
	}
	return func(o string) bool { return objects[strings.ToLower(o)] }
}
