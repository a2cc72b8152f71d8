// Package engine runs packs over the gathered evidence: each distinct check
// invocation once, concurrently and under a timeout, then verdicts per item
// with attestations and waivers applied, scores per pack and category, and
// the gate decision.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"golive.dev/golive/internal/attest"
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/pack"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

// Options configure one run.
type Options struct {
	Registry *check.Registry
	Packs    []*pack.Pack
	Env      *source.Env
	// Store holds the repository's attestations and waivers; nil means none.
	Store *attest.Store
	// ExtraWaivers come from elsewhere than .golive/ (object annotations).
	ExtraWaivers func(ctx context.Context, env *source.Env) ([]attest.Waiver, error)

	FailOn verdict.Priority
	Strict bool
	// Baseline, when set, limits the gate to regressions against it.
	Baseline *verdict.Report

	Concurrency  int
	CheckTimeout time.Duration
	// MaxFindings caps the findings kept per item in the report (0: all);
	// verdicts are always decided from every finding.
	MaxFindings int
	ToolVersion string
	Inputs      verdict.Inputs
}

// invocation is one distinct (check, parameters) pair; packs that share it
// share its result.
type invocation struct {
	key      string
	ref      *pack.CheckRef
	findings []verdict.Finding
	status   verdict.Status
	missing  *source.Missing
}

// Run evaluates every pack and returns the report. It does not fail on bad
// checks: a check that errors or panics gives an error verdict.
func Run(ctx context.Context, o Options) *verdict.Report {
	start := time.Now()
	env := o.Env
	now := env.Inputs.Now
	if o.FailOn == "" {
		o.FailOn = verdict.Critical
	}

	// Conditions first: checks of items that do not apply are not run, so
	// no probe is sent on their behalf.
	applies := evalConditions(ctx, o)
	invs := map[string]*invocation{}
	var order []*invocation
	for _, p := range o.Packs {
		for _, it := range p.Items {
			if c, ok := applies[it.When]; ok && it.When != "" && !c.holds {
				continue
			}
			for _, ref := range it.Checks {
				k := invocationKey(ref)
				if _, ok := invs[k]; !ok {
					inv := &invocation{key: k, ref: ref}
					invs[k] = inv
					order = append(order, inv)
				}
			}
		}
	}
	// Waivers are known before checks run so that an invocation can drop
	// surplus findings without losing one a waiver names.
	waivers, expired := collectWaivers(ctx, o, now)
	runAll(ctx, o, order, waivedObjects(waivers))

	rep := &verdict.Report{
		SchemaVersion: verdict.SchemaVersion,
		Tool:          verdict.Tool{Name: "golive", Version: o.ToolVersion},
		StartedAt:     start.UTC(),
		Inputs:        o.Inputs,
		Expired:       expired,
	}
	for _, p := range o.Packs {
		pr := verdict.PackResult{Name: p.Name, Title: p.Title, Version: p.Version}
		for _, it := range p.Items {
			var ir verdict.ItemResult
			if c, ok := applies[it.When]; ok && it.When != "" && !c.holds {
				ir = notApplicable(it, c)
			} else {
				ir = judgeItem(o, p, it, invs, waivers, now, &rep.Expired)
			}
			pr.Items = append(pr.Items, ir)
		}
		score(p, &pr)
		rep.Packs = append(rep.Packs, pr)
	}
	for _, pb := range env.Problems() {
		rep.Problems = append(rep.Problems, verdict.Problem{Source: pb.Source, File: pb.File, Line: pb.Line, Message: pb.Message})
	}
	if o.Baseline != nil {
		markRegressions(rep, o.Baseline)
	}
	rep.Gate = decideGate(rep, o.FailOn, o.Strict, o.Baseline != nil)
	rep.DurationMs = time.Since(start).Milliseconds()
	return rep
}

// condition is the outcome of one item's `when` expression.
type condition struct {
	holds bool
	err   error
}

// evalConditions evaluates each distinct `when` expression once. One that
// cannot be evaluated counts as holding: the item is then judged by its
// checks, never excused for lack of evidence.
func evalConditions(ctx context.Context, o Options) map[string]condition {
	out := map[string]condition{}
	for _, p := range o.Packs {
		for _, it := range p.Items {
			if it.WhenProgram == nil {
				continue
			}
			if _, done := out[it.When]; done {
				continue
			}
			ok, err := o.Registry.EvalCEL(ctx, it.WhenProgram, o.Env)
			out[it.When] = condition{holds: ok || err != nil, err: err}
		}
	}
	return out
}

func notApplicable(it *pack.Item, c condition) verdict.ItemResult {
	ir := verdict.ItemResult{ID: it.ID, Title: it.Title, Category: it.Category, Priority: it.Priority,
		Refs: it.Refs, Automated: it.Automated(), Remediation: it.Remediation, Checks: []string{},
		Status: verdict.NA, Message: "does not apply to this service (its when: condition is false)",
		Findings: []verdict.Finding{{Check: "when", Status: verdict.NA, Message: "condition is false",
			Evidence: map[string]any{"when": it.When}}}}
	if ir.Refs == nil {
		ir.Refs = []string{}
	}
	for _, ref := range it.Checks {
		ir.Checks = append(ir.Checks, ref.Name())
	}
	return ir
}

func invocationKey(ref *pack.CheckRef) string {
	if ref.CEL != "" {
		return "cel\x00" + ref.CEL + "\x00" + ref.Message
	}
	// json.Marshal sorts map keys, so equal parameters give equal keys.
	b, _ := json.Marshal(ref.Params)
	return ref.Check + "\x00" + string(b)
}

func runAll(ctx context.Context, o Options, invs []*invocation, keep map[string]bool) {
	n := o.Concurrency
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	timeout := o.CheckTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	// Up to MaxFindings of each status per invocation, plus every failure a
	// waiver names; the rest are counted (see check.Budget).
	budget := check.Budget{Max: o.MaxFindings, Keep: check.KeepObjects(keep)}
	work := make(chan *invocation)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for inv := range work {
				runOne(check.WithBudget(ctx, budget), o, inv, timeout)
				// Checks that do not collect within the budget are trimmed here.
				inv.findings = check.Condense(inv.findings, budget)
			}
		}()
	}
	for _, inv := range invs {
		work <- inv
	}
	close(work)
	wg.Wait()
}

func runOne(ctx context.Context, o Options, inv *invocation, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out check.Outcome
	if inv.ref.Program == nil {
		out = inv.ref.Def.Evaluate(ctx, o.Env, inv.ref.Params)
	} else {
		out = evalCEL(ctx, o, inv.ref)
	}
	if ctx.Err() == context.DeadlineExceeded {
		out.Findings = append(out.Findings, verdict.Finding{Check: inv.ref.Name(), Status: verdict.Error,
			Message: fmt.Sprintf("timed out after %s", timeout)})
		out.Status = verdict.Error
	}
	inv.findings, inv.status, inv.missing = out.Findings, out.Status, out.Missing
}

// evalCEL decides a pack's CEL expression: true passes, false fails with the
// item's message.
func evalCEL(ctx context.Context, o Options, ref *pack.CheckRef) check.Outcome {
	ok, err := o.Registry.EvalCEL(ctx, ref.Program, o.Env)
	var fs []verdict.Finding
	if err == nil {
		f := verdict.Finding{Status: verdict.Pass, Message: "expression holds", Evidence: map[string]any{"expression": ref.CEL}}
		if !ok {
			f.Status, f.Message = verdict.Fail, ref.Message
			if f.Message == "" {
				f.Message = "expression is false"
			}
		}
		fs = []verdict.Finding{f}
	}
	return check.Settle("cel", fs, err, hintFor(ref))
}

func hintFor(ref *pack.CheckRef) string { return check.FlagsOf(ref.Needs()) }

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func collectWaivers(ctx context.Context, o Options, now time.Time) ([]attest.Waiver, []verdict.Expired) {
	var all []attest.Waiver
	if o.Store != nil {
		all = append(all, o.Store.Waivers...)
	}
	if o.ExtraWaivers != nil {
		extra, err := o.ExtraWaivers(ctx, o.Env)
		if err == nil {
			all = append(all, extra...)
		}
	}
	var valid []attest.Waiver
	var expired []verdict.Expired
	for _, w := range all {
		if w.Expires.ExpiredAt(now) {
			expired = append(expired, verdict.Expired{Kind: "waiver", Item: w.Item, Object: w.Object,
				Expired: w.Expires.String(), Source: location(w.Source, w.Line)})
			continue
		}
		valid = append(valid, w)
	}
	return valid, expired
}

func location(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

func judgeItem(o Options, p *pack.Pack, it *pack.Item, invs map[string]*invocation, waivers []attest.Waiver, now time.Time, expired *[]verdict.Expired) verdict.ItemResult {
	ir := verdict.ItemResult{
		ID: it.ID, Title: it.Title, Category: it.Category, Priority: it.Priority,
		Refs: it.Refs, Automated: it.Automated(), Remediation: it.Remediation,
		Checks: []string{}, Findings: []verdict.Finding{},
	}
	if ir.Refs == nil {
		ir.Refs = []string{}
	}
	var statuses []verdict.Status
	var hints []string
	anyPassed := false
	for _, ref := range it.Checks {
		ir.Checks = append(ir.Checks, ref.Name())
		inv := invs[invocationKey(ref)]
		if ref.Optional && inv.missing != nil {
			continue
		}
		for _, f := range inv.findings {
			f := f
			if f.Status == verdict.Fail {
				for _, w := range waivers {
					if w.Matches(p.Name, it.ID, f.Object) {
						f.Status = verdict.Waived
						f.Waiver = &verdict.WaiverRef{Reason: w.Reason, Expires: w.Expires.String(), Source: location(w.Source, w.Line)}
						break
					}
				}
			}
			if f.Status == verdict.Unverified && f.Hint != "" {
				hints = append(hints, f.Hint)
			}
			ir.Findings = append(ir.Findings, f)
		}
		own := findingStatuses(ir.Findings[len(ir.Findings)-len(inv.findings):])
		if itemStatus(own) == verdict.Pass {
			anyPassed = true
		}
		statuses = append(statuses, own...)
	}

	switch {
	case len(it.Checks) > 0 && len(statuses) == 0:
		// Every check was optional and none had its input.
		ir.Status = verdict.Unverified
		var flags []string
		for _, ref := range it.Checks {
			flags = append(flags, hintFor(ref))
		}
		hints = append(hints, flags...)
		ir.Message = "none of the inputs that decide this item was given"
	case it.AnyCheck && anyPassed:
		ir.Status = verdict.Pass
		ir.Message = summarize(ir.Status, ir.Findings) + " (one of the alternatives suffices)"
	case len(statuses) > 0:
		ir.Status = itemStatus(statuses)
		ir.Message = summarize(ir.Status, ir.Findings)
	}
	ir.Hint = strings.Join(dedupe(hints), ", ")

	// A manual item's checks only gather supporting evidence: once they do
	// not object, a person decides.
	needsPerson := len(it.Checks) == 0 || it.Manual && (ir.Status == verdict.Pass || ir.Status == verdict.NA)
	if needsPerson {
		a, st, found := o.storeAttestation(p.Name, it.ID, now)
		switch {
		case found && st.Valid:
			ir.Status = verdict.Attested
			ir.Message = fmt.Sprintf("attested by %s until %s", a.By, a.Expires)
			ir.Attestation = &verdict.Attestation{By: a.By, At: a.At.UTC().Format(time.RFC3339), Expires: a.Expires.String(),
				Evidence: a.Evidence, SHA256: a.SHA256, Note: a.Note}
		case found:
			ir.Status = verdict.Manual
			ir.Message = "attestation does not count: " + st.Reason
			*expired = append(*expired, verdict.Expired{Kind: "attestation", Item: it.ID, Expired: a.Expires.String(), Source: location(a.Source, a.Line)})
		default:
			ir.Status = verdict.Manual
			if ir.Message == "" || len(it.Checks) == 0 {
				ir.Message = "needs a person's sign-off"
			} else {
				ir.Message += "; a person must still sign it off"
			}
		}
		ir.Hint = "golive attest " + it.ID + " --by NAME --evidence URL|FILE --expires 90d"
	}
	ir.Findings = capFindings(ir.Findings, o.MaxFindings)
	return ir
}

// waivedObjects lists the objects that object-specific waivers name.
func waivedObjects(ws []attest.Waiver) map[string]bool {
	out := map[string]bool{}
	for _, w := range ws {
		if w.Object != "" {
			out[strings.ToLower(w.Object)] = true
		}
	}
	return out
}

// capFindings keeps at most max findings of an item, those needing attention
// first, and says how many were left out and of which statuses. The item's
// status was decided from all of them. max <= 0 keeps everything.
func capFindings(fs []verdict.Finding, max int) []verdict.Finding {
	if max <= 0 || len(fs) <= max {
		return fs
	}
	order := map[verdict.Status]int{}
	for i, st := range verdict.Statuses {
		order[st] = i
	}
	kept := append([]verdict.Finding(nil), fs...)
	sort.SliceStable(kept, func(i, j int) bool { return order[kept[i].Status] < order[kept[j].Status] })
	left := map[verdict.Status]int{}
	for _, f := range kept[max:] {
		left[f.Status]++
	}
	var parts []string
	for _, st := range verdict.Statuses {
		if n := left[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	kept = kept[:max:max]
	return append(kept, verdict.Finding{Check: "golive/findings", Status: verdict.NA,
		Message:  fmt.Sprintf("%d more findings not shown (%s); --max-findings 0 shows all", len(fs)-max, strings.Join(parts, ", ")),
		Evidence: map[string]any{"omitted": len(fs) - max}})
}

func (o Options) storeAttestation(packName, item string, now time.Time) (attest.Attestation, attest.Status, bool) {
	if o.Store == nil {
		return attest.Attestation{}, attest.Status{}, false
	}
	return o.Store.AttestationFor(packName, item, now)
}

func findingStatuses(fs []verdict.Finding) []verdict.Status {
	out := make([]verdict.Status, len(fs))
	for i, f := range fs {
		out[i] = f.Status
	}
	return out
}

// itemStatus combines finding statuses; an item whose only failures were
// waived is waived, not pass, so that the exception stays visible.
func itemStatus(st []verdict.Status) verdict.Status {
	s := verdict.Combine(st...)
	if s != verdict.Pass && s != verdict.Waived && s != verdict.Attested {
		return s
	}
	for _, x := range st {
		if x == verdict.Waived {
			return verdict.Waived
		}
	}
	return verdict.Pass
}

func summarize(s verdict.Status, fs []verdict.Finding) string {
	var match []verdict.Finding
	for _, f := range fs {
		if f.Status == s {
			match = append(match, f)
		}
	}
	if len(match) == 0 {
		return string(s)
	}
	msg := match[0].Message
	if len(match) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(match)-1)
	}
	return msg
}

// Weights of priorities in the score: a critical item counts four times a low one.
var weights = map[verdict.Priority]float64{verdict.Critical: 4, verdict.High: 3, verdict.Medium: 2, verdict.Low: 1}

// credit is how much of an item's weight a status earns.
func credit(s verdict.Status) (earned float64, counted bool) {
	switch s {
	case verdict.Pass, verdict.Attested:
		return 1, true
	case verdict.Waived:
		return 0.5, true
	case verdict.NA:
		return 0, false
	}
	return 0, true
}

func score(p *pack.Pack, pr *verdict.PackResult) {
	type acc struct{ earned, total float64 }
	packAcc := acc{}
	cats := map[string]*acc{}
	catCounts := map[string]map[verdict.Status]int{}
	pr.Counts = map[verdict.Status]int{}
	for _, ir := range pr.Items {
		pr.Counts[ir.Status]++
		if catCounts[ir.Category] == nil {
			catCounts[ir.Category] = map[verdict.Status]int{}
			cats[ir.Category] = &acc{}
		}
		catCounts[ir.Category][ir.Status]++
		e, counted := credit(ir.Status)
		if !counted {
			continue
		}
		w := weights[ir.Priority]
		packAcc.earned += w * e
		packAcc.total += w
		cats[ir.Category].earned += w * e
		cats[ir.Category].total += w
	}
	pct := func(a acc) float64 {
		if a.total == 0 {
			return 0
		}
		return float64(int(1000*a.earned/a.total+0.5)) / 10
	}
	pr.Score = pct(packAcc)
	for _, c := range p.Categories {
		if catCounts[c.ID] == nil {
			continue
		}
		pr.Categories = append(pr.Categories, verdict.CategoryResult{ID: c.ID, Title: c.Title, Score: pct(*cats[c.ID]), Counts: catCounts[c.ID]})
	}
}

func gates(ir verdict.ItemResult, failOn verdict.Priority, strict bool) bool {
	if !ir.Priority.AtOrAbove(failOn) {
		return false
	}
	switch ir.Status {
	case verdict.Fail, verdict.Error:
		return true
	case verdict.Unverified, verdict.Manual:
		return strict
	}
	return false
}

func decideGate(rep *verdict.Report, failOn verdict.Priority, strict, onlyRegressions bool) verdict.Gate {
	g := verdict.Gate{Passed: true, FailOn: failOn, Strict: strict, Reasons: []string{}}
	for _, pr := range rep.Packs {
		for _, ir := range pr.Items {
			if !gates(ir, failOn, strict) || (onlyRegressions && !ir.Regression) {
				continue
			}
			g.Passed = false
			g.Reasons = append(g.Reasons, fmt.Sprintf("%s: %s item %s is %s", pr.Name, ir.Priority, ir.ID, ir.Status))
		}
	}
	sort.Strings(g.Reasons)
	return g
}

// markRegressions flags items that are worse than in the baseline report, or
// new and not passing.
func markRegressions(rep, base *verdict.Report) {
	before := map[string]verdict.Status{}
	for _, pr := range base.Packs {
		for _, ir := range pr.Items {
			before[pr.Name+"\x00"+ir.ID] = ir.Status
		}
	}
	for pi := range rep.Packs {
		pr := &rep.Packs[pi]
		for ii := range pr.Items {
			ir := &pr.Items[ii]
			old, seen := before[pr.Name+"\x00"+ir.ID]
			if !seen {
				ir.Regression = ir.Status != verdict.Pass && ir.Status != verdict.NA && ir.Status != verdict.Attested
				continue
			}
			ir.Regression = rank(ir.Status) > rank(old)
		}
	}
}

// rank orders statuses for regression detection: higher is worse.
func rank(s verdict.Status) int {
	switch s {
	case verdict.Pass, verdict.Attested, verdict.NA:
		return 0
	case verdict.Waived:
		return 1
	case verdict.Manual, verdict.Unverified:
		return 2
	case verdict.Error:
		return 3
	case verdict.Fail:
		return 4
	}
	return 4
}
