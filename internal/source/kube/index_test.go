package kube

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/labels"

	"golive.dev/golive/internal/source"
)

func names(objs []*Object) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o.Kind+"/"+o.Name)
	}
	return out
}

// The selector indexes must give what trying every selector gives.
func TestSelectorIndexes(t *testing.T) {
	s := loadRepo(t, source.Inputs{Paths: []string{"testdata/selectors"}})
	if len(s.Workloads()) != 1 {
		t.Fatalf("workloads: %d", len(s.Workloads()))
	}
	w := s.Workloads()[0]
	tests := []struct {
		name string
		got  []*Object
		want []string
	}{
		{"pdbs", s.PDBsFor(w), []string{"PodDisruptionBudget/by-app", "PodDisruptionBudget/by-two", "PodDisruptionBudget/expr", "PodDisruptionBudget/empty-v1"}},
		{"netpols", s.NetworkPoliciesFor(w), []string{"NetworkPolicy/all", "NetworkPolicy/web"}},
		{"monitors", s.MonitorsFor(w), []string{"ServiceMonitor/other-ns", "ServiceMonitor/any", "PodMonitor/pods"}},
	}
	for _, tt := range tests {
		if got := names(tt.got); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	// brute force over every PDB of the namespace, as the index replaces
	var brute []*Object
	for _, o := range s.InNamespace("PodDisruptionBudget", "a") {
		sel := s.Selector(o)
		if sel == nil || (sel.Empty() && o.APIVersion != "policy/v1") {
			continue
		}
		if sel.Matches(labels.Set(w.Template.Labels)) {
			brute = append(brute, o)
		}
	}
	if !reflect.DeepEqual(names(brute), names(s.PDBsFor(w))) {
		t.Errorf("index %v, scan %v", names(s.PDBsFor(w)), names(brute))
	}
}
