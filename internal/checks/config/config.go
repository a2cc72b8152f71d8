// Package config holds the checks that read configuration files (Helm
// values, app config in YAML/JSON/TOML, .env, INI): a setting has a value,
// files parse, two settings compare, URLs use TLS, a feature block is on.
package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	src "golive.dev/golive/internal/source/config"
	"golive.dev/golive/internal/verdict"
)

// Register adds the config checks and the `config` CEL binding.
func Register(r *check.Registry) {
	r.Register(value())
	r.Register(parses())
	r.Register(compare())
	r.Register(urlScheme())
	r.Register(enabled())
	r.RegisterBinding(check.Binding{
		Name: "config",
		Description: "map of config file path -> its parsed content (first document; further YAML documents under \"path#1\", \"path#2\"...); " +
			"files that do not parse are left out, and so are Kubernetes manifests (top-level apiVersion and kind: see `objects`)",
		Needs: check.Config,
		Value: func(ctx context.Context, env *source.Env) (any, error) {
			set, err := src.From(ctx, env)
			if err != nil {
				return nil, err
			}
			out := map[string]any{}
			for _, f := range set.Files {
				if f.LooksLikeManifest() {
					continue
				}
				docs, err := f.Docs()
				if err != nil {
					continue
				}
				for i, d := range docs {
					key := f.Rel
					if i > 0 {
						key = fmt.Sprintf("%s#%d", f.Rel, i)
					}
					out[key] = d.Interface()
				}
			}
			return out, nil
		},
	})
}

var needs = []check.Input{check.Config}

// DefaultFiles are where services usually keep their settings.
var DefaultFiles = []any{
	"**/values*.{yaml,yml}", "**/config*.{yaml,yml,json,toml,ini}", "**/config/**/*.{yaml,yml,json,toml,ini}",
	"**/settings*.{yaml,yml,json,toml,ini}", "**/app*.{yaml,yml,json,toml,ini}", "**/application*.{yaml,yml,properties}",
	"**/*.toml", "**/.env*", "**/*.env",
}

var filesParam = check.Param{Name: "files", Type: check.Strings, Default: DefaultFiles,
	Description: "globs of the config files to read (Helm values given with --values always count as values*.yaml)"}

// selectFiles returns the config files matching the globs; none is a Missing
// input: the setting may live somewhere golive was not shown.
func selectFiles(ctx context.Context, env *source.Env, globs []string) ([]*src.File, error) {
	set, err := src.From(ctx, env)
	if err != nil {
		return nil, err
	}
	files, err := set.Glob(globs...)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &source.Missing{Input: "a config file matching " + strings.Join(globs, ", "), Reason: "no config file matches " + strings.Join(globs, ", ")}
	}
	return files, nil
}

func compilePaths(p check.Params) ([]*src.Path, error) {
	var raw []string
	if s := p.String("path"); s != "" {
		raw = append(raw, s)
	}
	raw = append(raw, p.Strings("paths")...)
	if len(raw) == 0 {
		return nil, errors.New("give `path` or `paths`")
	}
	out := make([]*src.Path, 0, len(raw))
	for _, s := range raw {
		cp, err := src.CompilePath(s)
		if err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, nil
}

func pathNames(ps []*src.Path) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, " | ")
}

// query runs every path over every file; files that do not parse become
// error findings naming file:line.
func query(id string, files []*src.File, ps []*src.Path) ([]src.Result, []verdict.Finding) {
	var res []src.Result
	var errs []verdict.Finding
	for _, f := range files {
		for _, p := range ps {
			r, err := f.Query(p)
			if err != nil {
				errs = append(errs, parseFinding(id, f, err, verdict.Error))
				break
			}
			res = append(res, r...)
		}
	}
	return res, errs
}

// noteUnparsed records, on findings decided from the readable files, which
// matching files could not be parsed, so the verdict says what it did not see.
func noteUnparsed(fs []verdict.Finding, errs []verdict.Finding) {
	if len(errs) == 0 {
		return
	}
	var where []string
	for _, e := range errs {
		if e.Line > 0 {
			where = append(where, fmt.Sprintf("%s:%d", e.File, e.Line))
		} else {
			where = append(where, e.File)
		}
	}
	for i := range fs {
		if fs[i].Evidence == nil {
			fs[i].Evidence = map[string]any{}
		}
		fs[i].Evidence["unparsed"] = where
	}
}

func parseFinding(id string, f *src.File, err error, st verdict.Status) verdict.Finding {
	fd := verdict.Finding{Check: id, Status: st, File: f.Path, Message: err.Error()}
	var pe *src.ParseError
	if errors.As(err, &pe) {
		fd.Line = pe.Line
		fd.Message = "does not parse: " + pe.Msg
	}
	return fd
}

// ---- config/value ----

var ops = []string{"equals", "notEquals", "in", "notIn", "matches", "notMatches", "exists", "absent", "gte", "lte", "gt", "lt",
	"truthy", "falsy", "contains", "notContains", "nonEmpty", "minLength", "maxLength"}

func value() check.Check {
	return check.Check{
		ID:    "config/value",
		Title: "A config setting has the expected value",
		Description: "Queries `path` (or any of `paths`: dotted keys, [n] indexes, * and [*] wildcards, ** for any depth; keys compare " +
			"case-insensitively) in the files matching `files` and applies `op` to every value found: " + strings.Join(ops, ", ") +
			". Values from .env and INI files are strings and are converted for numeric and boolean ops. The setting not found anywhere " +
			"fails (passes for absent); no config file matching `files` is unverified. Secret-like keys are masked in the evidence.",
		Needs: needs,
		Params: []check.Param{
			filesParam,
			{Name: "path", Type: check.String, Description: "query path, e.g. mpl.mode or autoscaling.minReplicas"},
			{Name: "paths", Type: check.Strings, Description: "alternative query paths (e.g. log.level, logging.level, LOG_LEVEL)"},
			{Name: "op", Type: check.String, Default: "exists", Description: "one of " + strings.Join(ops, ", ")},
			{Name: "value", Type: check.Any, Description: "expected value; a list for in/notIn; a number for gte/lte/gt/lt/minLength/maxLength; a regex for matches"},
			{Name: "caseSensitive", Type: check.Bool, Default: false, Description: "compare strings case-sensitively"},
			{Name: "any", Type: check.Bool, Default: false, Description: "pass when one value found satisfies op (default: every value must)"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "config/value"
			op := p.String("op")
			cmp, err := newComparator(op, p["value"], p.Bool("caseSensitive"))
			if err != nil {
				return nil, err
			}
			ps, err := compilePaths(p)
			if err != nil {
				return nil, err
			}
			files, err := selectFiles(ctx, env, p.Strings("files"))
			if err != nil {
				return nil, err
			}
			res, errs := query(id, files, ps)
			want := describe(op, p["value"])
			if len(res) == 0 && len(errs) > 0 {
				return errs, nil // only unparseable files: nothing was judged
			}
			var out []verdict.Finding
			defer func() { noteUnparsed(out, errs) }()
			if len(res) == 0 {
				st := verdict.Fail
				msg := fmt.Sprintf("%s is not set in %d config file(s)", pathNames(ps), len(files))
				if op == "absent" {
					st, msg = verdict.Pass, fmt.Sprintf("%s is not set", pathNames(ps))
				}
				out = []verdict.Finding{{Check: id, Status: st, Message: msg,
					Evidence: map[string]any{"expected": want, "files": filePaths(files, 20)}}}
				return out, nil
			}
			var passes, fails []verdict.Finding
			for _, r := range res {
				ok, why := cmp(r.Node)
				fd := verdict.Finding{Check: id, File: r.File.Path, Line: r.Line(),
					Evidence: map[string]any{"path": r.Path, "found": src.Display(r.Path, r.Node), "expected": want}}
				if ok {
					fd.Status, fd.Message = verdict.Pass, fmt.Sprintf("%s %s", r.Path, want)
					passes = append(passes, fd)
				} else {
					fd.Status, fd.Message = verdict.Fail, fmt.Sprintf("%s = %s, want %s%s", r.Path, src.Display(r.Path, r.Node), want, why)
					fails = append(fails, fd)
				}
			}
			if p.Bool("any") && len(passes) > 0 {
				out = passes
			} else {
				out = append(fails, passes...)
			}
			return out, nil
		},
	}
}

func filePaths(fs []*src.File, max int) []string {
	var out []string
	for i, f := range fs {
		if i == max {
			out = append(out, fmt.Sprintf("… %d more", len(fs)-max))
			break
		}
		out = append(out, f.Path)
	}
	return out
}

func describe(op string, v any) string {
	switch op {
	case "exists", "absent", "truthy", "falsy", "nonEmpty":
		return "is " + map[string]string{"exists": "set", "absent": "absent", "truthy": "enabled", "falsy": "disabled", "nonEmpty": "non-empty"}[op]
	}
	return fmt.Sprintf("%s %v", op, v)
}

type comparator func(n *src.Node) (bool, string)

func newComparator(op string, want any, caseSensitive bool) (comparator, error) {
	norm := func(s string) string {
		if caseSensitive {
			return s
		}
		return strings.ToLower(s)
	}
	num := func() (float64, error) {
		switch x := want.(type) {
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case uint64:
			return float64(x), nil
		case float64:
			return x, nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
		return 0, fmt.Errorf("op %s needs a number value, got %T", op, want)
	}
	list := func() ([]string, error) {
		switch x := want.(type) {
		case []any:
			out := make([]string, len(x))
			for i, e := range x {
				out[i] = norm(fmt.Sprint(e))
			}
			return out, nil
		case []string:
			out := make([]string, len(x))
			for i, e := range x {
				out[i] = norm(e)
			}
			return out, nil
		case nil:
			return nil, fmt.Errorf("op %s needs a list value", op)
		}
		return []string{norm(fmt.Sprint(want))}, nil
	}
	equal := func(n *src.Node) bool {
		if wb, ok := want.(bool); ok {
			got, ok := n.Truthy()
			return ok && got == wb && n.Kind != src.Null
		}
		if w, err := num(); err == nil && want != nil {
			if _, isStr := want.(string); !isStr {
				g, ok := n.Number()
				return ok && g == w
			}
		}
		return norm(n.String()) == norm(fmt.Sprint(want))
	}
	elems := func(n *src.Node) []string {
		if n.Kind == src.List {
			out := make([]string, len(n.Items))
			for i, it := range n.Items {
				out[i] = norm(it.String())
			}
			return out
		}
		if n.Kind == src.String {
			// Comma-separated strings are lists in env vars (CORS_ORIGINS=a,b).
			parts := strings.Split(n.String(), ",")
			for i := range parts {
				parts[i] = norm(strings.TrimSpace(parts[i]))
			}
			return parts
		}
		return []string{norm(n.String())}
	}
	switch op {
	case "exists":
		return func(n *src.Node) (bool, string) { return true, "" }, nil
	case "absent":
		return func(n *src.Node) (bool, string) { return false, " (must not be set)" }, nil
	case "nonEmpty":
		return func(n *src.Node) (bool, string) {
			switch n.Kind {
			case src.Null:
				return false, ""
			case src.Map:
				return len(n.Keys) > 0, ""
			case src.List:
				return len(n.Items) > 0, ""
			}
			return strings.TrimSpace(n.String()) != "", ""
		}, nil
	case "truthy", "falsy":
		return func(n *src.Node) (bool, string) {
			v, ok := n.Truthy()
			if !ok {
				return false, " (not a boolean)"
			}
			return v == (op == "truthy"), ""
		}, nil
	case "equals", "notEquals":
		if want == nil {
			return nil, fmt.Errorf("op %s needs a value", op)
		}
		return func(n *src.Node) (bool, string) { return equal(n) == (op == "equals"), "" }, nil
	case "in", "notIn":
		l, err := list()
		if err != nil {
			return nil, err
		}
		return func(n *src.Node) (bool, string) {
			got := norm(n.String())
			for _, w := range l {
				if got == w {
					return op == "in", ""
				}
			}
			return op == "notIn", ""
		}, nil
	case "matches", "notMatches":
		s, ok := want.(string)
		if !ok {
			return nil, fmt.Errorf("op %s needs a regular expression value", op)
		}
		if !caseSensitive {
			s = "(?i)" + s
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		return func(n *src.Node) (bool, string) { return re.MatchString(n.String()) == (op == "matches"), "" }, nil
	case "contains", "notContains":
		if want == nil {
			return nil, fmt.Errorf("op %s needs a value", op)
		}
		w := norm(fmt.Sprint(want))
		return func(n *src.Node) (bool, string) {
			for _, e := range elems(n) {
				if e == w {
					return op == "contains", ""
				}
			}
			return op == "notContains", ""
		}, nil
	case "gte", "lte", "gt", "lt":
		w, err := num()
		if err != nil {
			return nil, err
		}
		return func(n *src.Node) (bool, string) {
			g, ok := numberOrDuration(n)
			if !ok {
				return false, " (not a number)"
			}
			switch op {
			case "gte":
				return g >= w, ""
			case "lte":
				return g <= w, ""
			case "gt":
				return g > w, ""
			}
			return g < w, ""
		}, nil
	case "minLength", "maxLength":
		w, err := num()
		if err != nil {
			return nil, err
		}
		return func(n *src.Node) (bool, string) {
			l := len(n.String())
			if n.Kind == src.List {
				l = len(n.Items)
			}
			if op == "minLength" {
				return float64(l) >= w, fmt.Sprintf(" (length %d)", l)
			}
			return float64(l) <= w, fmt.Sprintf(" (length %d)", l)
		}, nil
	}
	return nil, fmt.Errorf("unknown op %q (want one of %s)", op, strings.Join(ops, ", "))
}

// numberOrDuration reads numbers, and durations such as "30s" or "5m" as
// seconds, since timeouts are often written that way.
func numberOrDuration(n *src.Node) (float64, bool) {
	if f, ok := n.Number(); ok {
		return f, true
	}
	if n.Kind == src.String {
		if d, err := parseDuration(n.String()); err == nil {
			return d, true
		}
	}
	return 0, false
}

func parseDuration(s string) (float64, error) {
	s = strings.TrimSpace(s)
	units := map[string]float64{"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
	for _, u := range []string{"ms", "s", "m", "h", "d"} {
		if strings.HasSuffix(s, u) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, u), 64)
			if err == nil {
				return v * units[u], nil
			}
		}
	}
	return 0, fmt.Errorf("not a duration: %q", s)
}

// ---- config/parses ----

func parses() check.Check {
	return check.Check{
		ID:          "config/parses",
		Title:       "Config files parse",
		Description: "Every file matching `files` parses in its format (YAML, JSON, TOML, .env, INI); a failure names file:line.",
		Needs:       needs,
		Params: []check.Param{
			{Name: "files", Type: check.Strings, Required: true, Description: "globs of the files, e.g. **/agent.toml"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "config/parses"
			files, err := selectFiles(ctx, env, p.Strings("files"))
			if err != nil {
				return nil, err
			}
			var out []verdict.Finding
			for _, f := range files {
				if _, err := f.Docs(); err != nil {
					out = append(out, parseFinding(id, f, err, verdict.Fail))
					continue
				}
				out = append(out, verdict.Finding{Check: id, Status: verdict.Pass, File: f.Path, Message: fmt.Sprintf("%s parses as %s", f.Path, f.Format)})
			}
			return out, nil
		},
	}
}

// ---- config/compare ----

func compare() check.Check {
	return check.Check{
		ID:          "config/compare",
		Title:       "Two settings of one document compare as expected",
		Description: "In each document of `files` where both `left` and `right` are set, checks `left op right` numerically (gte, lte, gt, lt, equals). Documents setting neither are skipped; no document setting both fails.",
		Needs:       needs,
		Params: []check.Param{
			filesParam,
			{Name: "left", Type: check.String, Required: true, Description: "query path, e.g. autoscaling.maxReplicas"},
			{Name: "op", Type: check.String, Default: "gte", Description: "gte, lte, gt, lt or equals"},
			{Name: "right", Type: check.String, Required: true, Description: "query path, e.g. autoscaling.minReplicas"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "config/compare"
			lp, err := src.CompilePath(p.String("left"))
			if err != nil {
				return nil, err
			}
			rpth, err := src.CompilePath(p.String("right"))
			if err != nil {
				return nil, err
			}
			op := p.String("op")
			if !map[string]bool{"gte": true, "lte": true, "gt": true, "lt": true, "equals": true}[op] {
				return nil, fmt.Errorf("op %q: want gte, lte, gt, lt or equals", op)
			}
			files, err := selectFiles(ctx, env, p.Strings("files"))
			if err != nil {
				return nil, err
			}
			var out []verdict.Finding
			for _, f := range files {
				docs, err := f.Docs()
				if err != nil {
					out = append(out, parseFinding(id, f, err, verdict.Error))
					continue
				}
				for _, d := range docs {
					ls, rs := lp.Find(d), rpth.Find(d)
					if len(ls) == 0 || len(rs) == 0 {
						continue
					}
					l, lok := numberOrDuration(ls[0].Node)
					r, rok := numberOrDuration(rs[0].Node)
					fd := verdict.Finding{Check: id, File: f.Path, Line: ls[0].Node.Line,
						Evidence: map[string]any{ls[0].Path: ls[0].Node.String(), rs[0].Path: rs[0].Node.String()}}
					ok := lok && rok && map[string]bool{"gte": l >= r, "lte": l <= r, "gt": l > r, "lt": l < r, "equals": l == r}[op]
					fd.Message = fmt.Sprintf("%s (%s) %s %s (%s)", ls[0].Path, ls[0].Node, op, rs[0].Path, rs[0].Node)
					if ok {
						fd.Status = verdict.Pass
					} else {
						fd.Status = verdict.Fail
						fd.Message = "not " + fd.Message
					}
					out = append(out, fd)
				}
			}
			if len(out) == 0 {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Fail,
					Message: fmt.Sprintf("no config document sets both %s and %s", lp, rpth)})
			}
			return out, nil
		},
	}
}

// ---- config/url-scheme ----

func urlScheme() check.Check {
	return check.Check{
		ID:    "config/url-scheme",
		Title: "Configured URLs use a secure scheme",
		Description: "Every string value at `paths` (default: keys named like url, uri, endpoint, host, address) that parses as a URL " +
			"with a scheme must use one of `schemes`. Loopback hosts pass with allowLoopback; `hostSuffix` also requires hosts to end with it. " +
			"No URL found fails.",
		Needs: needs,
		Params: []check.Param{
			filesParam,
			{Name: "paths", Type: check.Strings, Default: []any{"**.*url", "**.*uri", "**.*endpoint", "**.*url*", "**.*endpoint*"}, Description: "query paths of the URLs"},
			{Name: "schemes", Type: check.Strings, Default: []any{"https"}, Description: "accepted schemes (e.g. https, rediss, grpcs, wss)"},
			{Name: "allowLoopback", Type: check.Bool, Default: true, Description: "accept localhost/127.0.0.1 URLs with any scheme"},
			{Name: "hostSuffix", Type: check.String, Default: "", Description: "hosts must end with this, e.g. .svc.cluster.local"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "config/url-scheme"
			ps, err := compilePaths(p)
			if err != nil {
				return nil, err
			}
			files, err := selectFiles(ctx, env, p.Strings("files"))
			if err != nil {
				return nil, err
			}
			res, errs := query(id, files, ps)
			var out []verdict.Finding
			schemes := map[string]bool{}
			for _, s := range p.Strings("schemes") {
				schemes[strings.ToLower(s)] = true
			}
			suffix := strings.ToLower(p.String("hostSuffix"))
			seen := map[string]bool{}
			found := 0
			for _, r := range res {
				var vals []*src.Node
				if r.Node.Kind == src.List {
					vals = r.Node.Items
				} else {
					vals = []*src.Node{r.Node}
				}
				for _, v := range vals {
					if v.Kind != src.String {
						continue
					}
					u, err := url.Parse(strings.TrimSpace(v.String()))
					if err != nil || u.Scheme == "" || u.Host == "" {
						continue
					}
					key := fmt.Sprintf("%s:%d:%s", r.File.Path, v.Line, r.Path)
					if seen[key] {
						continue
					}
					seen[key] = true
					found++
					host := strings.ToLower(u.Hostname())
					loop := host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
					shown := src.Display(r.Path, v)
					fd := verdict.Finding{Check: id, File: r.File.Path, Line: v.Line, Evidence: map[string]any{"path": r.Path, "url": shown}}
					switch {
					case loop && p.Bool("allowLoopback"):
						fd.Status, fd.Message = verdict.Pass, fmt.Sprintf("%s is a loopback URL", r.Path)
					case !schemes[strings.ToLower(u.Scheme)]:
						fd.Status, fd.Message = verdict.Fail, fmt.Sprintf("%s uses %s://, want %s", r.Path, u.Scheme, strings.Join(p.Strings("schemes"), " or "))
					case suffix != "" && !strings.HasSuffix(host, suffix):
						fd.Status, fd.Message = verdict.Fail, fmt.Sprintf("%s host %s does not end with %s", r.Path, host, suffix)
					default:
						fd.Status, fd.Message = verdict.Pass, fmt.Sprintf("%s uses %s", r.Path, u.Scheme)
					}
					out = append(out, fd)
				}
			}
			if found == 0 && len(errs) > 0 {
				return errs, nil
			}
			if found == 0 {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Fail,
					Message: fmt.Sprintf("no URL found at %s in %d config file(s)", pathNames(ps), len(files))})
			}
			noteUnparsed(out, errs)
			return out, nil
		},
	}
}

// ---- config/enabled ----

func enabled() check.Check {
	return check.Check{
		ID:    "config/enabled",
		Title: "A feature block is configured and enabled",
		Description: "Passes when one of `paths` is set to true, or is a table/map that is not switched off (its `enabled`/`enable` key, if any, " +
			"is true) and, with `require`, sets every listed sub-key. Useful for [agent.security.pii_detection], audit, tracing, circuit breakers.",
		Needs: needs,
		Params: []check.Param{
			filesParam,
			{Name: "path", Type: check.String, Description: "query path of the block or flag"},
			{Name: "paths", Type: check.Strings, Description: "alternative query paths"},
			{Name: "require", Type: check.Strings, Default: []any{}, Description: "sub-keys the block must set (query paths relative to it)"},
		},
		Run: func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
			const id = "config/enabled"
			ps, err := compilePaths(p)
			if err != nil {
				return nil, err
			}
			var req []*src.Path
			for _, s := range p.Strings("require") {
				rp, err := src.CompilePath(s)
				if err != nil {
					return nil, err
				}
				req = append(req, rp)
			}
			files, err := selectFiles(ctx, env, p.Strings("files"))
			if err != nil {
				return nil, err
			}
			res, errs := query(id, files, ps)
			var passes, fails []verdict.Finding
			for _, r := range res {
				fd := verdict.Finding{Check: id, File: r.File.Path, Line: r.Line(), Evidence: map[string]any{"path": r.Path}}
				on, why := isOn(r.Node, req)
				if on {
					fd.Status, fd.Message = verdict.Pass, r.Path+" is enabled"
					passes = append(passes, fd)
				} else {
					fd.Status, fd.Message = verdict.Fail, r.Path+" "+why
					fails = append(fails, fd)
				}
			}
			if len(passes) > 0 {
				// One enabling place is enough: other files may be defaults overridden per environment.
				noteUnparsed(passes, errs)
				return passes, nil
			}
			if len(fails) == 0 && len(errs) > 0 {
				return errs, nil
			}
			if len(fails) == 0 {
				fails = append(fails, verdict.Finding{Check: id, Status: verdict.Fail,
					Message: fmt.Sprintf("%s is not configured in %d config file(s)", pathNames(ps), len(files))})
			}
			noteUnparsed(fails, errs)
			return fails, nil
		},
	}
}

var offWords = map[string]bool{"none": true, "null": true, "nil": true, "noop": true, "nop": true}

var onKeys = []*src.Path{src.MustPath("enabled"), src.MustPath("enable")}

func isOn(n *src.Node, req []*src.Path) (bool, string) {
	switch n.Kind {
	case src.Map:
		for _, k := range onKeys {
			if h := k.Find(n); len(h) > 0 {
				if v, ok := h[0].Node.Truthy(); !ok || !v {
					return false, "is switched off (" + h[0].Path + ": " + h[0].Node.String() + ")"
				}
			}
		}
		var missing []string
		for _, r := range req {
			if len(r.Find(n)) == 0 {
				missing = append(missing, r.String())
			}
		}
		if len(missing) > 0 {
			return false, "does not set " + strings.Join(missing, ", ")
		}
		return true, ""
	case src.List:
		return len(n.Items) > 0, "is empty"
	}
	if v, ok := n.Truthy(); ok {
		return v, "is " + n.String()
	}
	if n.Kind == src.String && strings.TrimSpace(n.String()) != "" {
		// A selector set to "none" (OTEL_TRACES_EXPORTER=none) names the
		// feature's absence, not a backend.
		if offWords[strings.ToLower(strings.TrimSpace(n.String()))] {
			return false, "is " + n.String()
		}
		return true, ""
	}
	return false, "is " + n.String()
}
