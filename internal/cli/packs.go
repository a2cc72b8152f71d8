package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/pack"
)

func (a *app) packsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "packs",
		Short: "List the built-in packs or show one",
	}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the built-in packs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rows []packSummary
			for _, name := range a.loader.BuiltinNames() {
				p, err := a.loader.Load(name)
				if err != nil {
					return badInput(err)
				}
				rows = append(rows, summarizePack(p))
			}
			if format == "json" {
				return writeJSON(a.stdout, rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tITEMS\tAUTOMATED\tMANUAL\tTITLE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", r.Name, r.Items, r.Automated, r.Items-r.Automated, r.Title)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVarP(&format, "output", "o", "text", "text or json")
	var showFormat string
	show := &cobra.Command{
		Use:   "show NAME|FILE",
		Short: "Show a pack's items: priority, checks and whether each is automated",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.loader.Load(args[0])
			if err != nil {
				return badInput(err)
			}
			doc := describePack(p)
			if showFormat == "json" {
				return writeJSON(a.stdout, doc)
			}
			if showFormat != "text" {
				return badInput(fmt.Errorf("-o %s: want text or json", showFormat))
			}
			fmt.Fprintf(a.stdout, "%s — %s (version %s)\n%d items, %d automated, %d manual\n", doc.Name, doc.Title, doc.Version, len(doc.Items), doc.Automated, len(doc.Items)-doc.Automated)
			if len(doc.Vars) > 0 {
				fmt.Fprintln(a.stdout, "\nVariables (set with --var NAME=VALUE or vars: in .golive.yaml):")
				for _, v := range doc.Vars {
					fmt.Fprintf(a.stdout, "  %s = %v  %s\n", v.Name, v.Default, v.Description)
				}
			}
			cat := ""
			for _, it := range doc.Items {
				if it.Category != cat {
					cat = it.Category
					fmt.Fprintf(a.stdout, "\n%s\n", p.CategoryTitle(cat))
				}
				mode := "manual"
				if it.Automated {
					mode = strings.Join(it.CheckIDs(), ", ")
				}
				fmt.Fprintf(a.stdout, "  %-9s %s  [%s]  %s\n", it.Priority, it.ID, strings.Join(it.Refs, " "), mode)
			}
			return nil
		},
	}
	show.Flags().StringVarP(&showFormat, "output", "o", "text", "text or json")
	cmd.AddCommand(list, show)
	return cmd
}

type packSummary struct {
	Name      string `json:"name"`
	Title     string `json:"title"`
	Version   string `json:"version"`
	Source    string `json:"source"`
	Items     int    `json:"items"`
	Automated int    `json:"automated"`
}

func summarizePack(p *pack.Pack) packSummary {
	s := packSummary{Name: p.Name, Title: p.Title, Version: p.Version, Source: p.Source, Items: len(p.Items)}
	for _, it := range p.Items {
		if it.Automated() {
			s.Automated++
		}
	}
	return s
}

// packDoc is the JSON form of `golive packs show -o json`.
type packDoc struct {
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Version     string          `json:"version"`
	Source      string          `json:"source"`
	Description string          `json:"description,omitempty"`
	Extends     string          `json:"extends,omitempty"`
	Vars        []varDoc        `json:"vars,omitempty"`
	Categories  []pack.Category `json:"categories"`
	Automated   int             `json:"automated"`
	Items       []itemDoc       `json:"items"`
}

type varDoc struct {
	Name        string `json:"name"`
	Default     any    `json:"default"`
	Description string `json:"description,omitempty"`
}

type itemDoc struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Category    string     `json:"category"`
	Priority    string     `json:"priority"`
	Refs        []string   `json:"refs"`
	Automated   bool       `json:"automated"`
	Manual      bool       `json:"manual"`
	Inputs      []string   `json:"inputs"`
	Checks      []checkDoc `json:"checks"`
	Rationale   string     `json:"rationale,omitempty"`
	Remediation string     `json:"remediation,omitempty"`
}

type checkDoc struct {
	Check    string         `json:"check,omitempty"`
	CEL      string         `json:"cel,omitempty"`
	With     map[string]any `json:"with,omitempty"`
	Optional bool           `json:"optional,omitempty"`
}

func (it itemDoc) CheckIDs() []string {
	var ids []string
	for _, c := range it.Checks {
		if c.CEL != "" {
			ids = append(ids, "cel")
		} else {
			ids = append(ids, c.Check)
		}
	}
	return ids
}

func describePack(p *pack.Pack) packDoc {
	doc := packDoc{Name: p.Name, Title: p.Title, Version: p.Version, Source: p.Source, Description: p.Description,
		Extends: p.Extends, Categories: p.Categories}
	for _, name := range sortedKeys(p.Vars) {
		v := p.Vars[name]
		doc.Vars = append(doc.Vars, varDoc{Name: name, Default: v.Default, Description: v.Description})
	}
	for _, it := range p.Items {
		d := itemDoc{ID: it.ID, Title: it.Title, Category: it.Category, Priority: string(it.Priority),
			Refs: it.Refs, Automated: it.Automated(), Manual: it.NeedsAttestation(), Checks: []checkDoc{},
			Rationale: strings.TrimSpace(it.Rationale), Remediation: strings.TrimSpace(it.Remediation), Inputs: []string{}}
		if d.Refs == nil {
			d.Refs = []string{}
		}
		inputs := map[string]bool{}
		for _, c := range it.Checks {
			with := map[string]any(c.Params)
			if c.Params == nil {
				with = c.With
			}
			d.Checks = append(d.Checks, checkDoc{Check: c.Check, CEL: c.CEL, With: jsonable(with), Optional: c.Optional})
			for _, in := range c.Needs() {
				inputs[string(in)] = true
			}
		}
		for in := range inputs {
			d.Inputs = append(d.Inputs, in)
		}
		sort.Strings(d.Inputs)
		if d.Automated {
			doc.Automated++
		}
		doc.Items = append(doc.Items, d)
	}
	return doc
}

// jsonable renders durations as strings so JSON shows "5m" rather than nanoseconds.
func jsonable(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if s, ok := v.(fmt.Stringer); ok {
			out[k] = s.String()
		} else {
			out[k] = v
		}
	}
	return out
}

func (a *app) explainCommand() *cobra.Command {
	var packs []string
	cmd := &cobra.Command{
		Use:   "explain ITEM|CHECK",
		Short: "Explain a pack item (why, how to fix, how it is checked) or a built-in check",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if c, ok := a.registry.Lookup(id); ok {
				explainCheck(a, c)
				return nil
			}
			names := packs
			if len(names) == 0 {
				names = a.loader.BuiltinNames()
			}
			found := false
			for _, name := range names {
				p, err := a.loader.Load(name)
				if err != nil {
					return badInput(err)
				}
				it, ok := p.Item(id)
				if !ok {
					continue
				}
				found = true
				explainItem(a, p, it)
			}
			if !found {
				return badInput(fmt.Errorf("no check and no item %q in packs %s", id, strings.Join(names, ", ")))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&packs, "pack", "p", nil, "look for the item in these packs (default: every built-in pack)")
	return cmd
}

func explainCheck(a *app, c *check.Check) {
	w := a.stdout
	fmt.Fprintf(w, "%s — %s\n\n%s\n\nNeeds: %s\n", c.ID, c.Title, strings.TrimSpace(c.Description), inputsText(c.Needs))
	if len(c.Params) > 0 {
		fmt.Fprintln(w, "\nParameters:")
		for _, p := range c.Params {
			def := ""
			if p.Default != nil {
				def = fmt.Sprintf(" (default %v)", p.Default)
			} else if p.Required {
				def = " (required)"
			}
			fmt.Fprintf(w, "  %s %s%s: %s\n", p.Name, p.Type, def, p.Description)
		}
	}
}

func inputsText(in []check.Input) string {
	var parts []string
	for _, i := range in {
		parts = append(parts, fmt.Sprintf("%s (%s)", i, i.Flag()))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func explainItem(a *app, p *pack.Pack, it *pack.Item) {
	w := a.stdout
	fmt.Fprintf(w, "%s  [%s, %s]  in pack %s\n%s\n", it.ID, it.Priority, p.CategoryTitle(it.Category), p.Name, it.Title)
	if r := strings.TrimSpace(it.Rationale); r != "" {
		fmt.Fprintf(w, "\nWhy: %s\n", r)
	}
	if r := strings.TrimSpace(it.Remediation); r != "" {
		fmt.Fprintf(w, "Fix: %s\n", r)
	}
	fmt.Fprintf(w, "Seed lines: %s\n", strings.Join(it.Refs, ", "))
	if len(it.Checks) == 0 {
		fmt.Fprintf(w, "Decided by: a person (golive attest %s --by NAME --evidence URL|FILE --expires 90d)\n\n", it.ID)
		return
	}
	fmt.Fprintln(w, "Decided by:")
	for _, c := range it.Checks {
		opt := ""
		if c.Optional {
			opt = " (optional: only when its input is given)"
		}
		if c.CEL != "" {
			fmt.Fprintf(w, "  cel: %s%s\n", c.CEL, opt)
			continue
		}
		b, _ := json.Marshal(jsonable(c.Params))
		fmt.Fprintf(w, "  %s %s — needs %s%s\n", c.Check, b, inputsText(c.Needs()), opt)
	}
	if it.Manual {
		fmt.Fprintln(w, "  and a person's sign-off once the checks pass")
	}
	fmt.Fprintln(w)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
