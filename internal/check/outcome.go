package check

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/verdict"
)

// Outcome is what one run of a check decided.
type Outcome struct {
	Status   verdict.Status
	Findings []verdict.Finding
	// Missing is set when an input the check needs was not given or not
	// reachable; the findings then say so and name the flag.
	Missing *source.Missing
}

// Evaluate runs the check and settles its result. A panic in the check is
// caught and becomes an error finding.
func (c *Check) Evaluate(ctx context.Context, env *source.Env, p Params) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = Settle(c.ID, []verdict.Finding{{Status: verdict.Error, Message: fmt.Sprintf("check crashed: %v", r),
				Evidence: map[string]any{"stack": firstLines(string(debug.Stack()), 12)}}}, nil, "")
		}
	}()
	fs, err := c.Run(ctx, env, p)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("stopped: %w", ctx.Err())
	}
	return Settle(c.ID, fs, err, FlagsOf(c.Needs))
}

// Settle applies the rules every caller of a check shares: a missing input
// is unverified naming its flag, any other error is error, an invalid status
// is error, and no finding at all is unverified — nothing passes by default.
// hint names what would decide the check when it found nothing to judge.
func Settle(name string, findings []verdict.Finding, err error, hint string) Outcome {
	var out Outcome
	if err != nil {
		if m, ok := source.AsMissing(err); ok {
			out.Missing = m
			findings = append(findings, verdict.Finding{Status: verdict.Unverified, Message: err.Error(), Hint: m.Input})
		} else {
			findings = append(findings, verdict.Finding{Status: verdict.Error, Message: err.Error()})
		}
	}
	for i := range findings {
		if findings[i].Check == "" {
			findings[i].Check = name
		}
		if !findings[i].Status.Valid() {
			findings[i].Status = verdict.Error
			findings[i].Message = "check returned an invalid status: " + findings[i].Message
		}
	}
	if len(findings) == 0 {
		findings = []verdict.Finding{{Check: name, Status: verdict.Unverified, Message: "the check found nothing to judge", Hint: hint}}
	}
	st := make([]verdict.Status, len(findings))
	for i, f := range findings {
		st[i] = f.Status
	}
	out.Findings, out.Status = findings, verdict.Combine(st...)
	return out
}

// FlagsOf names, once each, the flags that provide the inputs: the hint of
// an unverified verdict.
func FlagsOf(in []Input) string {
	var flags []string
	seen := map[string]bool{}
	for _, i := range in {
		if f := i.Flag(); !seen[f] {
			seen[f] = true
			flags = append(flags, f)
		}
	}
	return strings.Join(flags, ", ")
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
