package promrules

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"
)

// validated is what the rest of the package needs from one rule. This file is
// the only one that touches rulefmt: its API moves between Prometheus
// releases, so it stays behind this small adapter.
type validated struct {
	Alert, Record, Expr string
	For                 time.Duration
	Labels, Annotations map[string]string
	Problems            []string
}

func validate(n *yaml.Node) (*validated, error) {
	var r rulefmt.Rule
	if err := n.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode rule: %w", err)
	}
	var rn rulefmt.RuleNode
	if err := n.Decode(&rn); err != nil {
		return nil, fmt.Errorf("decode rule: %w", err)
	}
	v := &validated{
		Alert: r.Alert, Record: r.Record, Expr: r.Expr, For: time.Duration(r.For),
		Labels: r.Labels, Annotations: r.Annotations,
	}
	for _, we := range r.Validate(rn, model.UTF8Validation, promql) {
		v.Problems = append(v.Problems, we.Error())
	}
	return v, nil
}
