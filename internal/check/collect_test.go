package check

import (
	"context"
	"fmt"
	"testing"

	"golive.dev/golive/internal/verdict"
)

func mixed(n int) []verdict.Finding {
	var fs []verdict.Finding
	for i := 0; i < n; i++ {
		fs = append(fs, verdict.Finding{Check: "k8s/x", Status: verdict.Fail, Object: fmt.Sprintf("Deployment/a/d%d", i)})
		fs = append(fs, verdict.Finding{Check: "k8s/x", Status: verdict.Pass, Object: fmt.Sprintf("Deployment/a/p%d", i)})
	}
	return fs
}

// tally counts findings per status, adding up what summaries stand for.
func tally(fs []verdict.Finding) (kept, total map[verdict.Status]int) {
	kept, total = map[verdict.Status]int{}, map[verdict.Status]int{}
	for _, f := range fs {
		if n, ok := f.Evidence[omittedKey].(int); ok {
			total[f.Status] += n
			continue
		}
		kept[f.Status]++
		total[f.Status]++
	}
	return kept, total
}

func TestCondense(t *testing.T) {
	b := Budget{Max: 3, Keep: KeepObjects(map[string]bool{"deployment/a/d9": true})}
	for _, tc := range []struct {
		name string
		fs   []verdict.Finding
	}{
		{"once", Condense(mixed(10), b)},
		{"twice", Condense(Condense(mixed(10), b), b)},
		{"collected then condensed", func() []verdict.Finding {
			c := NewCollector(WithBudget(context.Background(), b), "k8s/x")
			for _, f := range mixed(10) {
				if c.Wants(f.Status, f.Object) {
					c.Add(f)
				} else {
					c.Skip(f.Status)
				}
			}
			if c.Len() != 20 {
				t.Errorf("collector counted %d findings, want 20", c.Len())
			}
			return Condense(c.Findings(), b)
		}()},
	} {
		kept, total := tally(tc.fs)
		// 3 fails and the waived one, 3 passes; every one of the 20 counted.
		if kept[verdict.Fail] != 4 || kept[verdict.Pass] != 3 || total[verdict.Fail] != 10 || total[verdict.Pass] != 10 {
			t.Errorf("%s: kept %v, counted %v", tc.name, kept, total)
		}
		waivedKept := false
		st := make([]verdict.Status, len(tc.fs))
		for i, f := range tc.fs {
			waivedKept = waivedKept || f.Object == "Deployment/a/d9"
			st[i] = f.Status
		}
		if !waivedKept {
			t.Errorf("%s: the failure a waiver names was not kept", tc.name)
		}
		if verdict.Combine(st...) != verdict.Fail {
			t.Errorf("%s: condensing changed the verdict", tc.name)
		}
	}
	if got := Condense(mixed(10), Budget{}); len(got) != 20 {
		t.Errorf("no budget must keep everything, kept %d", len(got))
	}
}
