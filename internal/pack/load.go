package pack

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/verdict"
	"golive.dev/golive/internal/yamlerr"
	"golive.dev/golive/packs"
)

// Problem is one thing wrong with a pack, at file:line.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Errors is every problem found while loading a pack.
type Errors []Problem

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// raw* mirror the YAML so that strict decoding rejects unknown fields.
type rawPack struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   rawMeta           `yaml:"metadata"`
	Extends    string            `yaml:"extends"`
	Vars       map[string]rawVar `yaml:"vars"`
	Categories []Category        `yaml:"categories"`
	Items      []rawItem         `yaml:"items"`
	Overrides  []rawOverride     `yaml:"overrides"`
}

// rawVar declares a pack variable: a value that differs per service (its
// name, its metrics port) and that check parameters refer to as ${name}.
type rawVar struct {
	Default     any    `yaml:"default"`
	Description string `yaml:"description"`
}

type rawMeta struct {
	Name        string `yaml:"name"`
	Title       string `yaml:"title"`
	Version     string `yaml:"version"`
	Source      string `yaml:"source"`
	Description string `yaml:"description"`
}

type rawItem struct {
	ID          string     `yaml:"id"`
	Title       string     `yaml:"title"`
	Category    string     `yaml:"category"`
	Priority    string     `yaml:"priority"`
	Rationale   string     `yaml:"rationale"`
	Remediation string     `yaml:"remediation"`
	Refs        []string   `yaml:"refs"`
	Manual      bool       `yaml:"manual"`
	Decide      string     `yaml:"decide"`
	When        string     `yaml:"when"`
	Checks      []rawCheck `yaml:"checks"`
}

type rawCheck struct {
	Check    string         `yaml:"check"`
	With     map[string]any `yaml:"with"`
	CEL      string         `yaml:"cel"`
	Message  string         `yaml:"message"`
	Optional bool           `yaml:"optional"`
}

type rawOverride struct {
	Item     string                    `yaml:"item"`
	Priority string                    `yaml:"priority"`
	Disabled bool                      `yaml:"disabled"`
	Manual   *bool                     `yaml:"manual"`
	When     *string                   `yaml:"when"`
	With     map[string]map[string]any `yaml:"with"`
	Checks   []rawCheck                `yaml:"checks"`
}

// Loader reads packs from files and from the built-in set, validating checks
// against a registry.
type Loader struct {
	Registry *check.Registry
	// Builtin is the embedded pack folder; nil means packs.FS.
	Builtin fs.FS
	// Vars set pack variables (--var name=value), overriding the packs'
	// defaults. A value is read as YAML, so 9090 is a number and true a bool.
	Vars map[string]string
}

// BuiltinNames lists the embedded packs.
func (l *Loader) BuiltinNames() []string {
	entries, _ := fs.ReadDir(l.builtin(), ".")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

func (l *Loader) builtin() fs.FS {
	if l.Builtin != nil {
		return l.Builtin
	}
	return packs.FS
}

// Load reads a pack by file path or built-in name.
func (l *Loader) Load(ref string) (*Pack, error) {
	return l.load(ref, "", nil)
}

func (l *Loader) load(ref, relTo string, chain []string) (*Pack, error) {
	data, file, err := l.read(ref, relTo)
	if err != nil {
		return nil, err
	}
	for _, c := range chain {
		if c == file {
			return nil, Errors{{File: file, Msg: "extends cycle: " + strings.Join(append(chain, file), " -> ")}}
		}
	}
	return l.parse(data, file, append(chain, file))
}

// Parse validates a pack from bytes; file names it in errors.
func (l *Loader) Parse(data []byte, file string) (*Pack, error) {
	return l.parse(data, file, []string{file})
}

func (l *Loader) read(ref, relTo string) ([]byte, string, error) {
	if name, ok := strings.CutPrefix(ref, "builtin:"); ok {
		ref = name
	}
	looksLikePath := strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
	if looksLikePath {
		p := ref
		if relTo != "" && !filepath.IsAbs(p) && !strings.HasPrefix(relTo, "builtin:") {
			p = filepath.Join(filepath.Dir(relTo), p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, p, fmt.Errorf("read pack %s: %w", p, err)
		}
		return data, p, nil
	}
	data, err := fs.ReadFile(l.builtin(), ref+".yaml")
	if err != nil {
		if _, statErr := os.Stat(ref); statErr == nil {
			data, err := os.ReadFile(ref)
			return data, ref, err
		}
		return nil, ref, fmt.Errorf("no pack %q: not a file and not a built-in pack (built-in: %s)", ref, strings.Join(l.BuiltinNames(), ", "))
	}
	return data, "builtin:" + ref, nil
}

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$`)
)

func (l *Loader) parse(data []byte, file string, chain []string) (*Pack, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errors{yamlProblem(file, err)}
	}
	if len(root.Content) == 0 {
		return nil, Errors{{File: file, Line: 1, Msg: "empty pack"}}
	}
	var raw rawPack
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs Errors
	if err := dec.Decode(&raw); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Errors{yamlProblem(file, err)}
		}
		for _, l := range yamlerr.Split(file, err) {
			errs = append(errs, Problem{File: l.File, Line: l.Line, Msg: l.Msg})
		}
	}
	doc := root.Content[0]
	v := &validator{file: file, doc: doc, reg: l.Registry}

	if raw.APIVersion != APIVersion {
		v.add(v.line("apiVersion"), "apiVersion must be %q, found %q", APIVersion, raw.APIVersion)
	}
	if raw.Kind != "Pack" {
		v.add(v.line("kind"), "kind must be Pack, found %q", raw.Kind)
	}
	if raw.Metadata.Name == "" {
		v.add(v.line("metadata"), "metadata.name is required")
	}

	p := &Pack{
		Name: raw.Metadata.Name, Title: raw.Metadata.Title, Version: raw.Metadata.Version,
		Source: raw.Metadata.Source, Description: raw.Metadata.Description, File: file, Extends: raw.Extends,
	}
	inheritedVars := map[string]Var{}
	if raw.Extends != "" {
		// The child's variable defaults apply to the parent's items too; a
		// --var still wins over both.
		pl := *l
		pl.Vars = map[string]string{}
		for name, rv := range raw.Vars {
			if b, err := yaml.Marshal(rv.Default); err == nil && rv.Default != nil {
				pl.Vars[name] = strings.TrimSpace(string(b))
			}
		}
		for name, val := range l.Vars {
			pl.Vars[name] = val
		}
		parent, err := pl.load(raw.Extends, file, chain)
		if err != nil {
			var pe Errors
			if errors.As(err, &pe) {
				errs = append(errs, pe...)
			} else {
				v.add(v.line("extends"), "extends %s: %v", raw.Extends, err)
			}
		} else {
			p.Categories = append(p.Categories, parent.Categories...)
			inheritedVars = parent.Vars
			for _, it := range parent.Items {
				cp := *it
				p.Items = append(p.Items, &cp)
			}
		}
	}

	p.Vars = map[string]Var{}
	for name, pv := range inheritedVars {
		p.Vars[name] = pv
	}
	for name, rv := range raw.Vars {
		if !varName.MatchString(name) {
			v.add(v.line("vars", name), "variable name %q: use letters, digits and _", name)
			continue
		}
		old, inherited := p.Vars[name]
		nv := Var{Name: name, Default: rv.Default, Description: rv.Description}
		if inherited && nv.Description == "" {
			nv.Description = old.Description
		}
		if rv.Default == nil {
			v.add(v.line("vars", name), "variable %s needs a default", name)
		}
		p.Vars[name] = nv
	}
	v.vars = map[string]any{}
	for name, pv := range p.Vars {
		v.vars[name] = pv.Default
		if s, ok := l.Vars[name]; ok {
			var val any
			if err := yaml.Unmarshal([]byte(s), &val); err != nil || val == nil {
				val = s
			}
			v.vars[name] = val
		}
	}

	cats := map[string]bool{}
	for _, c := range p.Categories {
		cats[c.ID] = true
	}
	for i, c := range raw.Categories {
		line := v.line("categories", i)
		if c.ID == "" {
			v.add(line, "category needs an id")
			continue
		}
		if cats[c.ID] {
			v.add(line, "duplicate category %q", c.ID)
			continue
		}
		cats[c.ID] = true
		p.Categories = append(p.Categories, c)
	}

	ids := map[string]bool{}
	for _, it := range p.Items {
		ids[it.ID] = true
	}
	for i, ri := range raw.Items {
		line := v.line("items", i)
		it := &Item{
			ID: ri.ID, Title: ri.Title, Category: ri.Category, Priority: verdict.Priority(ri.Priority),
			Rationale: ri.Rationale, Remediation: ri.Remediation, Refs: ri.Refs, Manual: ri.Manual,
			AnyCheck: ri.Decide == "any", File: file, Line: line,
		}
		if ri.When != "" && v.reg != nil {
			prg, err := v.reg.CompileCEL(ri.When)
			if err != nil {
				v.add(v.line("items", i, "when"), "item %s: when: %v", it.ID, err)
			}
			it.When, it.WhenProgram = ri.When, prg
		}
		if ri.Decide != "" && ri.Decide != "all" && ri.Decide != "any" {
			v.add(v.line("items", i, "decide"), "item %s: decide must be all or any, found %q", it.ID, ri.Decide)
		}
		switch {
		case it.ID == "":
			v.add(line, "item needs an id")
		case !idPattern.MatchString(it.ID):
			v.add(v.line("items", i, "id"), "item id %q: use lower-case words separated by / . _ -", it.ID)
		case ids[it.ID]:
			v.add(v.line("items", i, "id"), "duplicate item id %q (to change an inherited item, use overrides)", it.ID)
		}
		ids[it.ID] = true
		if it.Title == "" {
			v.add(line, "item %s needs a title", it.ID)
		}
		if !cats[it.Category] {
			v.add(v.line("items", i, "category"), "item %s: category %q is not declared in categories", it.ID, it.Category)
		}
		if it.Priority.Rank() == 0 {
			v.add(v.line("items", i, "priority"), "item %s: priority %q must be one of critical, high, medium, low", it.ID, ri.Priority)
		}
		for j, rc := range ri.Checks {
			if ref := v.checkRef(rc, "items", i, "checks", j); ref != nil {
				it.Checks = append(it.Checks, ref)
			}
		}
		p.Items = append(p.Items, it)
	}

	for i, o := range raw.Overrides {
		line := v.line("overrides", i)
		idx := -1
		for k, it := range p.Items {
			if it.ID == o.Item {
				idx = k
			}
		}
		if idx < 0 {
			v.add(line, "override of unknown item %q", o.Item)
			continue
		}
		if o.Disabled {
			p.Items = append(p.Items[:idx], p.Items[idx+1:]...)
			continue
		}
		it := *p.Items[idx]
		if o.Priority != "" {
			it.Priority = verdict.Priority(o.Priority)
			if it.Priority.Rank() == 0 {
				v.add(v.line("overrides", i, "priority"), "override %s: priority %q must be one of critical, high, medium, low", o.Item, o.Priority)
			}
		}
		if o.Manual != nil {
			it.Manual = *o.Manual
		}
		if o.When != nil {
			it.When, it.WhenProgram = *o.When, nil
			if *o.When != "" && v.reg != nil {
				prg, err := v.reg.CompileCEL(*o.When)
				if err != nil {
					v.add(v.line("overrides", i, "when"), "override %s: when: %v", o.Item, err)
				}
				it.WhenProgram = prg
			}
		}
		if o.Checks != nil {
			it.Checks = nil
			for j, rc := range o.Checks {
				if ref := v.checkRef(rc, "overrides", i, "checks", j); ref != nil {
					it.Checks = append(it.Checks, ref)
				}
			}
		}
		for checkID, params := range o.With {
			found := false
			var newChecks []*CheckRef
			for _, c := range it.Checks {
				if c.Check != checkID {
					newChecks = append(newChecks, c)
					continue
				}
				found = true
				merged := map[string]any{}
				for k, val := range c.With {
					merged[k] = val
				}
				for k, val := range params {
					merged[k] = val
				}
				nc := v.checkRef(rawCheck{Check: checkID, With: merged, Optional: c.Optional}, "overrides", i, "with", checkID)
				if nc != nil {
					newChecks = append(newChecks, nc)
				}
			}
			if !found {
				v.add(v.line("overrides", i, "with", checkID), "override %s: item has no check %s", o.Item, checkID)
			}
			it.Checks = newChecks
		}
		it.File, it.Line = file, line
		p.Items[idx] = &it
	}

	errs = append(errs, v.errs...)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].File != errs[j].File {
				return errs[i].File < errs[j].File
			}
			return errs[i].Line < errs[j].Line
		})
		return nil, errs
	}
	return p, nil
}

func yamlProblem(file string, err error) Problem {
	l := yamlerr.Split(file, err)[0]
	return Problem{File: l.File, Line: l.Line, Msg: l.Msg}
}

type validator struct {
	file string
	doc  *yaml.Node
	reg  *check.Registry
	errs Errors
	vars map[string]any
}

var (
	varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	varRef  = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// substitute replaces ${name} in parameter values: a value that is exactly
// one reference takes the variable's typed value (a port stays a number);
// references inside a longer string are replaced by their text.
func (v *validator) substitute(val any) (any, error) {
	switch x := val.(type) {
	case string:
		if m := varRef.FindStringSubmatch(x); m != nil && m[0] == x {
			got, ok := v.vars[m[1]]
			if !ok {
				return nil, fmt.Errorf("unknown variable ${%s} (declare it under vars)", m[1])
			}
			return got, nil
		}
		var missing string
		out := varRef.ReplaceAllStringFunc(x, func(ref string) string {
			name := ref[2 : len(ref)-1]
			got, ok := v.vars[name]
			if !ok {
				missing = name
				return ref
			}
			return fmt.Sprint(got)
		})
		if missing != "" {
			return nil, fmt.Errorf("unknown variable ${%s} (declare it under vars)", missing)
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, err := v.substitute(e)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			s, err := v.substitute(e)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	}
	return val, nil
}

func (v *validator) add(line int, format string, args ...any) {
	v.errs = append(v.errs, Problem{File: v.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// line finds the line of a path of mapping keys (string) and sequence
// indexes (int) below the document, falling back to the nearest ancestor.
func (v *validator) line(path ...any) int {
	n := v.doc
	best := n.Line
	for _, step := range path {
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for k := 0; k+1 < len(n.Content); k += 2 {
					if n.Content[k].Value == s {
						best = n.Content[k].Line
						next = n.Content[k+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
				best = next.Line
			}
		}
		if next == nil {
			return best
		}
		n = next
	}
	return best
}

func (v *validator) checkRef(rc rawCheck, path ...any) *CheckRef {
	line := v.line(path...)
	ref := &CheckRef{Check: rc.Check, With: rc.With, CEL: rc.CEL, Message: rc.Message, Optional: rc.Optional, Line: line}
	switch {
	case rc.Check != "" && rc.CEL != "":
		v.add(line, "a check has either check or cel, not both")
		return nil
	case rc.Check == "" && rc.CEL == "":
		v.add(line, "a check needs check (a built-in id) or cel (an expression)")
		return nil
	case rc.CEL != "":
		if len(rc.With) > 0 {
			v.add(line, "a cel check takes no with parameters")
		}
		if v.reg == nil {
			return ref
		}
		prg, err := v.reg.CompileCEL(rc.CEL)
		if err != nil {
			v.add(v.line(append(path, "cel")...), "%v", err)
			return nil
		}
		ref.Program = prg
		return ref
	}
	if v.reg == nil {
		return ref
	}
	def, ok := v.reg.Lookup(rc.Check)
	if !ok {
		v.add(v.line(append(path, "check")...), "unknown check %q (see golive explain, or docs/checks.md)", rc.Check)
		return nil
	}
	with, err := v.substitute(map[string]any(rc.With))
	if err != nil {
		v.add(v.line(append(path, "with")...), "check %s: %v", rc.Check, err)
		return nil
	}
	params, err := def.Resolve(with.(map[string]any))
	if err != nil {
		v.add(v.line(append(path, "with")...), "%v", err)
		return nil
	}
	ref.Def, ref.Params = def, params
	return ref
}
