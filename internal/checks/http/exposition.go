package http

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Family is one metric family from a /metrics page, reduced to what the
// checks judge: its name, type and the label sets of its series (without
// the le/quantile labels that split one histogram or summary series).
type Family struct {
	Name   string
	Type   string // counter, gauge, histogram, summary, untyped, ...
	Series []map[string]string
}

// Exposition is a parsed /metrics page.
type Exposition struct {
	Format   string // "prometheus-text" or "openmetrics"
	Families []*Family
}

// ParseExposition reads a /metrics body: OpenMetrics when the content type
// says so or the page ends in "# EOF", else the Prometheus text format.
func ParseExposition(body []byte, contentType string) (*Exposition, error) {
	if strings.Contains(contentType, "application/openmetrics-text") || hasEOFMarker(body) {
		return parseOpenMetrics(body)
	}
	return parsePromText(body)
}

func hasEOFMarker(b []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(b, "\n"), []byte("# EOF"))
}

func parsePromText(body []byte) (*Exposition, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("not valid Prometheus text format: %w", err)
	}
	ex := &Exposition{Format: "prometheus-text"}
	for name, mf := range fams {
		f := &Family{Name: name, Type: strings.ToLower(mf.GetType().String())}
		for _, m := range mf.GetMetric() {
			f.Series = append(f.Series, labelMap(m))
		}
		ex.Families = append(ex.Families, f)
	}
	ex.sort()
	return ex, nil
}

func labelMap(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// Suffixes that OpenMetrics series add to their family's name.
var omSuffixes = []string{"_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"}

// parseOpenMetrics rewrites an OpenMetrics page into the Prometheus text
// format and parses that: counters get their _total name, info and stateset
// become gauges, exemplars, UNIT/HELP lines and float timestamps are dropped.
// What is left is checked by the same strict parser.
func parseOpenMetrics(body []byte) (*Exposition, error) {
	lines := strings.Split(string(body), "\n")
	var out strings.Builder
	eof := false
	for i, line := range lines {
		if eof {
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("not valid OpenMetrics: line %d: content after # EOF", i+1)
			}
			continue
		}
		switch {
		case line == "# EOF":
			eof = true
			continue
		case strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# UNIT "):
			continue
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if len(f) != 4 {
				return nil, fmt.Errorf("not valid OpenMetrics: line %d: malformed TYPE line", i+1)
			}
			name, typ := f[2], f[3]
			switch typ {
			case "counter":
				out.WriteString("# TYPE " + name + "_total counter\n")
			case "gauge", "histogram", "summary":
				out.WriteString(line + "\n")
			case "info":
				out.WriteString("# TYPE " + name + "_info gauge\n")
			case "stateset":
				out.WriteString("# TYPE " + name + " gauge\n")
			case "unknown", "gaugehistogram":
				// Untyped in the text format: leave the TYPE line out.
			default:
				return nil, fmt.Errorf("not valid OpenMetrics: line %d: unknown type %q", i+1, typ)
			}
			continue
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
			continue
		}
		sample, err := omSample(line)
		if err != nil {
			return nil, fmt.Errorf("not valid OpenMetrics: line %d: %w", i+1, err)
		}
		if sample != "" {
			out.WriteString(sample + "\n")
		}
	}
	if !eof {
		return nil, fmt.Errorf("not valid OpenMetrics: no # EOF line")
	}
	ex, err := parsePromText([]byte(out.String()))
	if err != nil {
		return nil, err
	}
	ex.Format = "openmetrics"
	for _, f := range ex.Families {
		if base, ok := strings.CutSuffix(f.Name, "_total"); ok && f.Type == "counter" {
			f.Name = base
		}
	}
	ex.sort()
	return ex, nil
}

// omSample returns "name{labels} value" without exemplar and timestamp, or
// "" for a _created series (a counter's start time, not a sample to judge).
func omSample(line string) (string, error) {
	end := 0
	inQuote, esc, inBraces := false, false, false
	for end < len(line) {
		c := line[end]
		if inQuote {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inQuote = false
			}
			end++
			continue
		}
		if c == '"' {
			inQuote = true
		} else if c == '{' {
			inBraces = true
		} else if c == '}' {
			inBraces = false
		} else if c == ' ' && !inBraces {
			break
		}
		end++
	}
	if inQuote || inBraces || end >= len(line) {
		return "", fmt.Errorf("malformed sample %q", truncate(line, 60))
	}
	series := line[:end]
	rest := strings.TrimSpace(line[end:])
	if i := strings.Index(rest, " # "); i >= 0 {
		rest = rest[:i]
	}
	f := strings.Fields(rest)
	if len(f) < 1 || len(f) > 2 {
		return "", fmt.Errorf("malformed sample %q", truncate(line, 60))
	}
	name := series
	if i := strings.IndexByte(series, '{'); i >= 0 {
		name = series[:i]
	}
	if strings.HasSuffix(name, "_created") {
		return "", nil
	}
	return series + " " + f[0], nil
}

func (ex *Exposition) sort() {
	sort.Slice(ex.Families, func(i, j int) bool { return ex.Families[i].Name < ex.Families[j].Name })
}

// Find returns the family a required name refers to. "foo_total" finds the
// counter family "foo" of an OpenMetrics page and vice versa; a histogram's
// "_bucket", "_count" or "_sum" series find the histogram.
func (ex *Exposition) Find(name string) *Family {
	cands := []string{name}
	for _, s := range omSuffixes {
		if base, ok := strings.CutSuffix(name, s); ok {
			cands = append(cands, base)
		}
	}
	cands = append(cands, name+"_total")
	for _, c := range cands {
		for _, f := range ex.Families {
			if f.Name == c {
				return f
			}
		}
	}
	return nil
}

// Match returns the families whose name matches re and whose type is one of
// types (any type when types is empty).
func (ex *Exposition) Match(re *regexp.Regexp, types ...string) []*Family {
	var out []*Family
	for _, f := range ex.Families {
		if !re.MatchString(f.Name) {
			continue
		}
		if len(types) == 0 || containsFold(types, f.Type) {
			out = append(out, f)
		}
	}
	return out
}

// Cardinality is one family's series count and its most varied label.
type Cardinality struct {
	Family      string   `json:"family"`
	Series      int      `json:"series"`
	TopLabel    string   `json:"topLabel,omitempty"`
	TopValues   int      `json:"topLabelValues,omitempty"`
	IDLikeLabel string   `json:"idLikeLabel,omitempty"`
	IDLikeCount int      `json:"idLikeValues,omitempty"`
	Examples    []string `json:"examples,omitempty"`
}

// idLikeRE matches label values that are identifiers rather than categories:
// UUIDs, long hex or digit runs, e-mail addresses, IPs, paths with an ID
// segment. Such values grow with traffic and make cardinality unbounded.
var idLikeRE = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9a-f]{16,}$|^\d{5,}$|^[^@\s]+@[^@\s]+\.[a-z]{2,}$|^\d{1,3}(\.\d{1,3}){3}(:\d+)?$|/(\d{2,}|[0-9a-f]{8,}|[0-9a-f-]{36})(/|$)`)

// Cardinalities analyses every family.
func (ex *Exposition) Cardinalities() []Cardinality {
	out := make([]Cardinality, 0, len(ex.Families))
	for _, f := range ex.Families {
		c := Cardinality{Family: f.Name, Series: len(f.Series)}
		values := map[string]map[string]bool{}
		for _, s := range f.Series {
			for k, v := range s {
				if values[k] == nil {
					values[k] = map[string]bool{}
				}
				values[k][v] = true
			}
		}
		names := make([]string, 0, len(values))
		for k := range values {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if n := len(values[k]); n > c.TopValues {
				c.TopLabel, c.TopValues = k, n
			}
			ids := 0
			var ex []string
			for v := range values[k] {
				if idLikeRE.MatchString(v) {
					ids++
					if len(ex) < 3 {
						ex = append(ex, truncate(v, 60))
					}
				}
			}
			if ids > c.IDLikeCount {
				sort.Strings(ex)
				c.IDLikeLabel, c.IDLikeCount, c.Examples = k, ids, ex
			}
		}
		out = append(out, c)
	}
	return out
}
