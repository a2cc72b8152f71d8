package kube

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// WaiverPrefix starts a waiver annotation: golive.dev/waive.<item-id>.
const WaiverPrefix = "golive.dev/waive."

// Waiver excuses one pack item for one object, with a reason and an expiry.
type Waiver struct {
	Item    string // pack item id
	Object  string // Kind/namespace/name
	Reason  string
	Expires time.Time
	File    string
	Line    int
}

// ParseWaiverValue reads "<reason>; expires=YYYY-MM-DD".
func ParseWaiverValue(v string) (reason string, expires time.Time, err error) {
	parts := strings.Split(v, ";")
	var exp string
	var rs []string
	for _, p := range parts {
		t := strings.TrimSpace(p)
		if e, ok := strings.CutPrefix(t, "expires="); ok {
			exp = strings.TrimSpace(e)
			continue
		}
		if t != "" {
			rs = append(rs, t)
		}
	}
	reason = strings.Join(rs, "; ")
	if reason == "" {
		return "", time.Time{}, fmt.Errorf("waiver has no reason (want \"<reason>; expires=YYYY-MM-DD\")")
	}
	if exp == "" {
		return "", time.Time{}, fmt.Errorf("waiver has no expiry (want \"<reason>; expires=YYYY-MM-DD\")")
	}
	expires, err = time.Parse("2006-01-02", exp)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("waiver expiry %q is not a date YYYY-MM-DD", exp)
	}
	return reason, expires, nil
}

// parseWaivers reads waiver annotations on objects and pod templates.
func parseWaivers(s *Set) ([]Waiver, []*FileError) {
	var ws []Waiver
	var errs []*FileError
	add := func(o *Object, ann map[string]string, path string) {
		keys := make([]string, 0, len(ann))
		for k := range ann {
			if strings.HasPrefix(k, WaiverPrefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			item := strings.TrimPrefix(k, WaiverPrefix)
			line := o.LineOf(path + `["` + k + `"]`)
			if item == "" {
				errs = append(errs, &FileError{File: o.File, Line: line, Err: fmt.Errorf("%s: annotation %q names no item", o.ID(), k)})
				continue
			}
			reason, exp, err := ParseWaiverValue(ann[k])
			if err != nil {
				errs = append(errs, &FileError{File: o.File, Line: line, Err: fmt.Errorf("%s: %s: %w", o.ID(), k, err)})
				continue
			}
			ws = append(ws, Waiver{Item: item, Object: o.ID(), Reason: reason, Expires: exp, File: o.File, Line: line})
		}
	}
	wl := map[*Object]*Workload{}
	for _, w := range s.workloads {
		wl[w.Object] = w
	}
	for _, o := range s.Objects {
		add(o, o.Annotations, "metadata.annotations")
		if w := wl[o]; w != nil && w.Template != nil {
			add(o, w.Template.Annotations, w.TemplatePath+".metadata.annotations")
		}
	}
	return ws, errs
}
