package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/verdict"
)

// maskValue returns v with every credential masked. v can hold anything a
// check put there (maps, slices, structs, numbers); values that are not plain
// JSON are first turned into JSON so that their fields are seen too.
func maskValue(v any, secret bool) any {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if secret {
			return mask.Value(t)
		}
		return mask.Text(t)
	case bool:
		return t
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		if secret {
			return mask.Redacted
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		// A header list like [{name: Authorization, value: ...}] hides the
		// credential's name in a sibling field.
		namedSecret := false
		for _, k := range []string{"name", "key", "header"} {
			if n, ok := t[k].(string); ok && mask.IsSecret(n) {
				namedSecret = true
			}
		}
		for k, val := range t {
			s := secret || secretField(k) || (namedSecret && (k == "value" || k == "values"))
			out[k] = maskValue(val, s)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = maskValue(val, secret)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = maskValue(val, secret)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = maskValue(val, secret || secretField(k))
		}
		return out
	}
	// Anything else (a struct, a typed map or slice, a Duration): go through
	// JSON so nested fields are masked like plain ones.
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		if secret {
			return mask.Redacted
		}
		return mask.Text(fmt.Sprintf("%v", v))
	}
	var plain any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&plain); err != nil {
		return mask.Redacted
	}
	return maskValue(plain, secret)
}

// secretField reports whether an evidence field holds a credential. A field
// named "key" holds the name of a setting (docker's {key, value}): the name
// stays readable and the value beside it is masked.
func secretField(k string) bool {
	return k != "key" && mask.IsSecret(k)
}

// maskEvidence returns a masked copy of an evidence map.
func maskEvidence(ev map[string]any) map[string]any {
	if ev == nil {
		return nil
	}
	m, _ := maskValue(ev, false).(map[string]any)
	return m
}

// sanitize returns a deep copy of r whose finding evidence is masked, and
// whose messages pass through mask.Text as a safety net: a check that puts
// a URL with credentials or a bearer token in a message does not leak it.
// The caller's report is never modified.
func sanitize(r *verdict.Report) *verdict.Report {
	c := *r
	c.Inputs.Paths = slices.Clone(r.Inputs.Paths)
	c.Inputs.Packs = slices.Clone(r.Inputs.Packs)
	c.Inputs.Targets = slices.Clone(r.Inputs.Targets)
	c.Inputs.Prometheus = mask.URL(r.Inputs.Prometheus)
	c.Inputs.Database = mask.URL(r.Inputs.Database)
	for i, t := range c.Inputs.Targets {
		c.Inputs.Targets[i] = mask.URL(t)
	}
	if r.Inputs.Other != nil {
		c.Inputs.Other = make(map[string]string, len(r.Inputs.Other))
		for k, v := range r.Inputs.Other {
			if mask.IsSecret(k) {
				v = mask.Value(v)
			}
			c.Inputs.Other[k] = mask.Text(v)
		}
	}
	c.Gate.Reasons = orEmpty(slices.Clone(r.Gate.Reasons))
	c.Inputs.Paths = orEmpty(c.Inputs.Paths)
	c.Inputs.Packs = orEmpty(c.Inputs.Packs)
	c.Expired = slices.Clone(r.Expired)
	c.Problems = slices.Clone(r.Problems)
	// Arrays and maps the contract requires are written as [] and {}, never
	// null, whoever built the report.
	c.Packs = make([]verdict.PackResult, len(r.Packs))
	for i, p := range r.Packs {
		p.Counts = orEmptyMap(maps.Clone(p.Counts))
		cats := make([]verdict.CategoryResult, len(p.Categories))
		for j, cat := range p.Categories {
			cat.Counts = orEmptyMap(maps.Clone(cat.Counts))
			cats[j] = cat
		}
		if p.Categories != nil {
			p.Categories = cats
		}
		items := make([]verdict.ItemResult, len(p.Items))
		for j, it := range p.Items {
			it.Message = mask.Text(it.Message)
			it.Refs = orEmpty(slices.Clone(it.Refs))
			it.Checks = orEmpty(slices.Clone(it.Checks))
			if it.Attestation != nil {
				a := *it.Attestation
				it.Attestation = &a
			}
			fs := make([]verdict.Finding, len(it.Findings))
			for k, f := range it.Findings {
				f.Evidence = maskEvidence(f.Evidence)
				f.Endpoint = mask.Text(f.Endpoint)
				f.Message = mask.Text(f.Message)
				if f.Waiver != nil {
					w := *f.Waiver
					f.Waiver = &w
				}
				fs[k] = f
			}
			it.Findings = fs
			items[j] = it
		}
		p.Items = items
		c.Packs[i] = p
	}
	return &c
}

// evidenceJSON renders a value as JSON with sorted keys and without HTML
// escaping (each format escapes for itself). indent "" gives one line.
func evidenceJSON(v any, indent string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return strings.TrimRight(buf.String(), "\n")
}

// evidenceKeys returns the keys of an evidence map in sorted order.
func evidenceKeys(ev map[string]any) []string {
	return slices.Sorted(maps.Keys(ev))
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[verdict.Status]int) map[verdict.Status]int {
	if m == nil {
		return map[verdict.Status]int{}
	}
	return m
}
