package config

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	yaml "go.yaml.in/yaml/v3"
	"gopkg.in/ini.v1"
)

// Format of a config file.
type Format string

const (
	YAML Format = "yaml"
	JSON Format = "json"
	TOML Format = "toml"
	Env  Format = "env"
	INI  Format = "ini"
)

// DetectFormat guesses the format from the file name; "" means not a
// config file we read.
func DetectFormat(name string) Format {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	switch ext := path.Ext(base); {
	case ext == ".yaml" || ext == ".yml":
		return YAML
	case ext == ".json":
		return JSON
	case ext == ".toml":
		return TOML
	case ext == ".ini" || ext == ".cfg":
		return INI
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == ".env":
		return Env
	}
	return ""
}

// ParseError is a file that could not be parsed, with the line when the
// parser gives one.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Parse parses data in the given format into documents (several only for
// multi-document YAML). name is used in errors.
func Parse(name string, format Format, data []byte) ([]*Node, error) {
	var docs []*Node
	var err error
	switch format {
	case YAML:
		docs, err = parseYAML(data)
	case JSON:
		var d *Node
		d, err = parseJSON(data)
		docs = []*Node{d}
	case TOML:
		var d *Node
		d, err = parseTOML(data)
		docs = []*Node{d}
	case Env:
		var d *Node
		d, err = parseEnv(data)
		docs = []*Node{d}
	case INI:
		var d *Node
		d, err = parseINI(data)
		docs = []*Node{d}
	default:
		return nil, &ParseError{File: name, Msg: fmt.Sprintf("unknown config format %q", format)}
	}
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = name
			return nil, pe
		}
		return nil, &ParseError{File: name, Msg: err.Error()}
	}
	return docs, nil
}

// ---- YAML ----

var yamlLine = regexp.MustCompile(`line (\d+)`)

// maxDepth bounds nesting so hostile files cannot exhaust the stack.
const maxDepth = 200

func parseYAML(data []byte) ([]*Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			break
		}
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			pe := &ParseError{Msg: msg}
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				pe.Line, _ = strconv.Atoi(m[1])
				pe.Msg = strings.TrimPrefix(msg, m[0]+": ")
			}
			return nil, pe
		}
		c := &yconv{memo: map[*yaml.Node]*Node{}}
		root, err := c.conv(&n, 0)
		if err != nil {
			return nil, err
		}
		if root == nil {
			root = &Node{Kind: Null}
		}
		if countNodes(root, maxNodes) > maxNodes {
			return nil, &ParseError{Line: n.Line, Msg: "document expands to too many values (aliases)"}
		}
		docs = append(docs, root)
	}
	return docs, nil
}

type yconv struct {
	memo map[*yaml.Node]*Node
}

func (c *yconv) conv(n *yaml.Node, depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, &ParseError{Line: n.Line, Msg: "nesting too deep"}
	}
	if out, ok := c.memo[n]; ok {
		if out == nil {
			return nil, &ParseError{Line: n.Line, Msg: "alias refers to itself"}
		}
		return out, nil
	}
	c.memo[n] = nil
	var out *Node
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			out = &Node{Kind: Null, Line: n.Line}
			break
		}
		var err error
		if out, err = c.conv(n.Content[0], depth+1); err != nil {
			return nil, err
		}
	case yaml.AliasNode:
		var err error
		if out, err = c.conv(n.Alias, depth+1); err != nil {
			return nil, err
		}
	case yaml.MappingNode:
		out = newMap(n.Line)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			val, err := c.conv(v, depth+1)
			if err != nil {
				return nil, err
			}
			if k.Tag == "!!merge" || (k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag != "!!str") {
				// Merge keys fill in fields the mapping does not set itself.
				for _, src := range mergeSources(val) {
					for _, mk := range src.Keys {
						if _, ok := out.Fields[mk]; !ok {
							out.set(mk, src.Fields[mk])
						}
					}
				}
				continue
			}
			key := k.Value
			if k.Kind != yaml.ScalarNode {
				key = fmt.Sprintf("<complex key at line %d>", k.Line)
			}
			val = withLine(val, k.Line)
			out.set(key, val)
		}
	case yaml.SequenceNode:
		out = &Node{Kind: List, Line: n.Line}
		for _, it := range n.Content {
			v, err := c.conv(it, depth+1)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, withLine(v, it.Line))
		}
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			// Odd tags (timestamps, binary) still carry their text.
			v = n.Value
		}
		switch v.(type) {
		case nil, bool, int, int64, uint64, float64, string:
		default:
			v = n.Value
		}
		out = scalar(v, n.Line)
	default:
		out = &Node{Kind: Null, Line: n.Line}
	}
	c.memo[n] = out
	return out, nil
}

func mergeSources(v *Node) []*Node {
	switch v.Kind {
	case Map:
		return []*Node{v}
	case List:
		var out []*Node
		for _, it := range v.Items {
			if it.Kind == Map {
				out = append(out, it)
			}
		}
		return out
	}
	return nil
}

// withLine gives a value the line of the key holding it. Shared (aliased)
// nodes are copied shallowly so each holder keeps its own line.
func withLine(v *Node, line int) *Node {
	if v.Line == line {
		return v
	}
	cp := *v
	cp.Line = line
	return &cp
}

// ---- JSON ----

func parseJSON(data []byte) (*Node, error) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &jsonParser{dec: dec, data: data, lines: lines}
	root, err := p.value(0)
	if err != nil {
		return nil, p.wrap(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ParseError{Line: lines.line(int(dec.InputOffset())), Msg: "unexpected data after the top-level value"}
	}
	return root, nil
}

type jsonParser struct {
	dec   *json.Decoder
	data  []byte
	lines *lineIndex
}

func (p *jsonParser) wrap(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{Line: p.lines.line(int(se.Offset)), Msg: se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{Line: p.lines.line(len(p.data)), Msg: "unexpected end of JSON"}
	}
	return &ParseError{Line: p.lines.line(int(p.dec.InputOffset())), Msg: err.Error()}
}

// nextLine is the line where the next token starts: the decoder's offset is
// the end of the previous token, so skip separators.
func (p *jsonParser) nextLine() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return p.lines.line(off)
}

func (p *jsonParser) value(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, &ParseError{Line: p.nextLine(), Msg: "nesting too deep"}
	}
	line := p.nextLine()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := newMap(line)
			for p.dec.More() {
				kl := p.nextLine()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				m.set(key, withLine(v, kl))
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			l := &Node{Kind: List, Line: line}
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, &ParseError{Line: line, Msg: fmt.Sprintf("unexpected %q", t)}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return scalar(i, line), nil
		}
		f, err := t.Float64()
		if err != nil {
			return scalar(t.String(), line), nil
		}
		return scalar(f, line), nil
	default:
		return scalar(t, line), nil
	}
}

type lineIndex struct{ starts []int }

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{starts: []int{0}}
	for i, b := range data {
		if b == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// line converts a byte offset to a 1-based line.
func (li *lineIndex) line(off int) int {
	lo, hi := 0, len(li.starts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if li.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// ---- TOML ----

// parseTOML decodes values with go-toml (typed, validated) and takes the
// line of each key from go-toml's AST parser.
func parseTOML(data []byte) (*Node, error) {
	var v map[string]any
	if err := toml.Unmarshal(data, &v); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, &ParseError{Line: row, Msg: de.Error()}
		}
		return nil, &ParseError{Msg: err.Error()}
	}
	lines := tomlLines(data)
	return fromGo(v, "", lines, 0), nil
}

// tomlLines maps "a\x00b\x00[0]\x00c" style key paths to their lines.
func tomlLines(data []byte) map[string]int {
	out := map[string]int{}
	p := unstable.Parser{KeepComments: false}
	p.Reset(data)
	var prefix []string
	arrayCount := map[string]int{}
	lineOf := func(n *unstable.Node) int {
		if n == nil || n.Raw.Length == 0 && n.Raw.Offset == 0 {
			return 0
		}
		defer func() { _ = recover() }() // ranges from a foreign parser are advisory only
		return p.Shape(n.Raw).Start.Line
	}
	keyParts := func(it unstable.Iterator) ([]string, *unstable.Node) {
		var parts []string
		var first *unstable.Node
		for it.Next() {
			if first == nil {
				first = it.Node()
			}
			parts = append(parts, string(it.Node().Data))
		}
		return parts, first
	}
	var walkValue func(path []string, v *unstable.Node)
	walkValue = func(path []string, v *unstable.Node) {
		switch v.Kind {
		case unstable.InlineTable:
			it := v.Children()
			for it.Next() {
				kv := it.Node()
				if kv.Kind != unstable.KeyValue {
					continue
				}
				parts, first := keyParts(kv.Key())
				full := append(append([]string{}, path...), parts...)
				out[strings.Join(full, "\x00")] = lineOf(first)
				walkValue(full, kv.Value())
			}
		case unstable.Array:
			it := v.Children()
			i := 0
			for it.Next() {
				el := it.Node()
				full := append(append([]string{}, path...), fmt.Sprintf("[%d]", i))
				out[strings.Join(full, "\x00")] = lineOf(el)
				walkValue(full, el)
				i++
			}
		}
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table:
			parts, first := keyParts(e.Key())
			prefix = parts
			if _, ok := out[strings.Join(prefix, "\x00")]; !ok {
				out[strings.Join(prefix, "\x00")] = lineOf(first)
			}
		case unstable.ArrayTable:
			parts, first := keyParts(e.Key())
			key := strings.Join(parts, "\x00")
			n := arrayCount[key]
			arrayCount[key] = n + 1
			prefix = append(parts, fmt.Sprintf("[%d]", n))
			out[strings.Join(prefix, "\x00")] = lineOf(first)
			if _, ok := out[key]; !ok {
				out[key] = lineOf(first)
			}
		case unstable.KeyValue:
			parts, first := keyParts(e.Key())
			full := append(append([]string{}, prefix...), parts...)
			out[strings.Join(full, "\x00")] = lineOf(first)
			walkValue(full, e.Value())
		}
	}
	return out
}

// fromGo converts decoded Go values to nodes, taking lines from lines by path.
func fromGo(v any, path string, lines map[string]int, depth int) *Node {
	line := lines[path]
	if depth > maxDepth {
		return &Node{Kind: Null, Line: line}
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "\x00" + k
	}
	switch x := v.(type) {
	case map[string]any:
		m := newMap(line)
		for _, k := range sortedMapKeys(x, lines, path) {
			m.set(k, fromGo(x[k], join(k), lines, depth+1))
		}
		return m
	case []any:
		l := &Node{Kind: List, Line: line}
		for i, e := range x {
			l.Items = append(l.Items, fromGo(e, join(fmt.Sprintf("[%d]", i)), lines, depth+1))
		}
		return l
	case []map[string]any:
		l := &Node{Kind: List, Line: line}
		for i, e := range x {
			l.Items = append(l.Items, fromGo(e, join(fmt.Sprintf("[%d]", i)), lines, depth+1))
		}
		return l
	case int64, float64, bool, string, nil:
		return scalar(x, line)
	}
	// Dates and times keep their TOML text form.
	return scalar(fmt.Sprint(v), line)
}

// sortedMapKeys orders keys by their line in the file, then by name.
func sortedMapKeys(m map[string]any, lines map[string]int, path string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	lineOf := func(k string) int {
		if path == "" {
			return lines[k]
		}
		return lines[path+"\x00"+k]
	}
	sortStable(keys, func(a, b string) bool {
		la, lb := lineOf(a), lineOf(b)
		if la != lb {
			return la < lb
		}
		return a < b
	})
	return keys
}

// ---- .env ----

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// parseEnv reads KEY=VALUE lines the way dotenv loaders do: optional
// "export ", single quotes literal, double quotes with escapes and possibly
// spanning lines, " #" starting a comment in unquoted values.
func parseEnv(data []byte) (*Node, error) {
	root := newMap(1)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := strings.TrimRight(sc.Text(), "\r")
		line := strings.TrimSpace(raw)
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		eq := strings.IndexAny(line, "=:")
		if eq <= 0 {
			return nil, &ParseError{Line: lineNo, Msg: fmt.Sprintf("expected KEY=VALUE, got %q", clipText(line, 60))}
		}
		key := strings.TrimSpace(line[:eq])
		if !envKey.MatchString(key) {
			return nil, &ParseError{Line: lineNo, Msg: fmt.Sprintf("invalid variable name %q", clipText(key, 60))}
		}
		rest := strings.TrimLeft(line[eq+1:], " \t")
		start := lineNo
		var val string
		switch {
		case strings.HasPrefix(rest, `"`) || strings.HasPrefix(rest, `'`) || strings.HasPrefix(rest, "`"):
			q := rest[0]
			body := rest[1:]
			for {
				if end := closingQuote(body, q); end >= 0 {
					val = body[:end]
					break
				}
				if !sc.Scan() {
					return nil, &ParseError{Line: start, Msg: fmt.Sprintf("unterminated %c-quoted value for %s", q, key)}
				}
				lineNo++
				body += "\n" + strings.TrimRight(sc.Text(), "\r")
			}
			if q == '"' {
				val = unescapeEnv(val)
			}
		default:
			if i := strings.Index(rest, " #"); i >= 0 {
				rest = rest[:i]
			}
			val = strings.TrimSpace(rest)
		}
		root.set(key, &Node{Kind: String, Value: val, Line: start})
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{Line: lineNo + 1, Msg: err.Error()}
	}
	return root, nil
}

func closingQuote(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && q == '"' {
			i++
			continue
		}
		if s[i] == q {
			return i
		}
	}
	return -1
}

func unescapeEnv(s string) string {
	r := strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t", `\"`, `"`, `\\`, `\`, `\$`, `$`)
	return r.Replace(s)
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// ---- INI ----

var (
	iniSection = regexp.MustCompile(`^\s*\[\s*([^\]]+?)\s*\]`)
	iniKey     = regexp.MustCompile(`^\s*([^=:\s#;\[][^=:]*?)\s*[=:]`)
)

// parseINI decodes with ini.v1 and takes lines from a scan of the text:
// the default section's keys sit at the top, each section is a map.
func parseINI(data []byte) (*Node, error) {
	f, err := ini.LoadSources(ini.LoadOptions{
		AllowBooleanKeys:           true,
		AllowPythonMultilineValues: false,
		SpaceBeforeInlineComment:   true,
		Insensitive:                false,
	}, data)
	if err != nil {
		pe := &ParseError{Msg: err.Error()}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			pe.Line, _ = strconv.Atoi(m[1])
		}
		return nil, pe
	}
	lines := map[string]int{}
	section := ""
	for i, l := range strings.Split(string(data), "\n") {
		if m := iniSection.FindStringSubmatch(l); m != nil {
			section = m[1]
			if _, ok := lines[section]; !ok {
				lines[section] = i + 1
			}
			continue
		}
		if m := iniKey.FindStringSubmatch(l); m != nil {
			k := m[1]
			if section != "" {
				k = section + "\x00" + k
			}
			lines[k] = i + 1
		}
	}
	root := newMap(1)
	for _, s := range f.Sections() {
		target := root
		name := s.Name()
		prefix := ""
		if name != ini.DefaultSection {
			target = newMap(lines[name])
			root.set(name, target)
			prefix = name + "\x00"
		}
		for _, k := range s.Keys() {
			target.set(k.Name(), &Node{Kind: String, Value: k.Value(), Line: lines[prefix+k.Name()]})
		}
	}
	return root, nil
}
