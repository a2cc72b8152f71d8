// Package attest keeps the human side of a verdict: attestations (a person
// vouches for a manual item, with evidence and an expiry) and waivers (a
// failing item or object is accepted for a while, for a reason). Both live in
// the repository under .golive/, reviewed like code.
package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"golive.dev/golive/internal/yamlerr"
)

// Dir is where attestations and waivers live, relative to the repository root.
const Dir = ".golive"

// File names inside Dir.
const (
	AttestationsFile = "attestations.yaml"
	WaiversFile      = "waivers.yaml"
)

// Attestation is a person's sign-off on a manual item.
type Attestation struct {
	Item     string    `yaml:"item"`
	Pack     string    `yaml:"pack,omitempty"` // empty: the item id in any pack
	By       string    `yaml:"by"`
	At       time.Time `yaml:"at"`
	Expires  Date      `yaml:"expires"`
	Evidence string    `yaml:"evidence"`         // URL or repo-relative file
	SHA256   string    `yaml:"sha256,omitempty"` // of the evidence file when it is a file
	Note     string    `yaml:"note,omitempty"`
	Line     int       `yaml:"-"`
	Source   string    `yaml:"-"`
}

// Waiver accepts a failing item, or one object of it, until it expires.
type Waiver struct {
	Item    string    `yaml:"item"`
	Pack    string    `yaml:"pack,omitempty"`
	Object  string    `yaml:"object,omitempty"` // Kind/namespace/name; empty: every object
	Reason  string    `yaml:"reason"`
	By      string    `yaml:"by,omitempty"`
	At      time.Time `yaml:"at,omitempty"`
	Expires Date      `yaml:"expires"`
	Line    int       `yaml:"-"`
	Source  string    `yaml:"-"`
}

// Date is a calendar day, written YYYY-MM-DD; a thing expiring on a day
// counts until the end of that day (UTC).
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalYAML writes the day only.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads YYYY-MM-DD (or a full timestamp, truncated to its day).
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if t, err := time.Parse(time.RFC3339, n.Value); err == nil {
		d.Time = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return nil
	}
	v, err := ParseDate(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ExpiredAt reports whether the date has passed at now.
func (d Date) ExpiredAt(now time.Time) bool {
	return d.IsZero() || !now.Before(d.AddDate(0, 0, 1))
}

var relExpiry = regexp.MustCompile(`^(\d+)([dwmy])$`)

// ParseExpiry reads an expiry given on the command line: a span from now
// (90d, 12w, 6m, 1y) or a date (YYYY-MM-DD). It must lie in the future.
func ParseExpiry(s string, now time.Time) (Date, error) {
	s = strings.TrimSpace(s)
	if m := relExpiry.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n <= 0 {
			return Date{}, fmt.Errorf("--expires %q: must be positive", s)
		}
		t := now.UTC()
		switch m[2] {
		case "d":
			t = t.AddDate(0, 0, n)
		case "w":
			t = t.AddDate(0, 0, 7*n)
		case "m":
			t = t.AddDate(0, n, 0)
		case "y":
			t = t.AddDate(n, 0, 0)
		}
		return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}, nil
	}
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, fmt.Errorf("--expires %q: want a span like 90d, 12w, 6m, 1y or a date YYYY-MM-DD", s)
	}
	if d.ExpiredAt(now) {
		return Date{}, fmt.Errorf("--expires %s is already past", s)
	}
	return d, nil
}

// Store is the attestations and waivers of one repository.
type Store struct {
	Root         string // repository root; evidence files are relative to it
	Attestations []Attestation
	Waivers      []Waiver
}

type attestationsDoc struct {
	Attestations []Attestation `yaml:"attestations"`
}

type waiversDoc struct {
	Waivers []Waiver `yaml:"waivers"`
}

// Load reads root/.golive/. Absent files are an empty store; malformed ones
// are an error naming file:line.
func Load(root string) (*Store, error) {
	s := &Store{Root: root}
	var errs []error
	afile := filepath.Join(root, Dir, AttestationsFile)
	var ad attestationsDoc
	if err := readStrict(afile, &ad); err != nil {
		errs = append(errs, err)
	}
	lines := itemLines(afile, "attestations")
	for i, a := range ad.Attestations {
		a.Source, a.Line = afile, at(lines, i)
		if err := a.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", afile, a.Line, err))
			continue
		}
		s.Attestations = append(s.Attestations, a)
	}
	wfile := filepath.Join(root, Dir, WaiversFile)
	var wd waiversDoc
	if err := readStrict(wfile, &wd); err != nil {
		errs = append(errs, err)
	}
	lines = itemLines(wfile, "waivers")
	for i, w := range wd.Waivers {
		w.Source, w.Line = wfile, at(lines, i)
		if err := w.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", wfile, w.Line, err))
			continue
		}
		s.Waivers = append(s.Waivers, w)
	}
	return s, errors.Join(errs...)
}

func at(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

func readStrict(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return yamlerr.Wrap(path, err)
	}
	return nil
}

// itemLines returns the line of each entry of the top-level list key.
func itemLines(path, key string) []int {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var n yaml.Node
	if yaml.Unmarshal(data, &n) != nil || len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := n.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			var lines []int
			for _, e := range m.Content[i+1].Content {
				lines = append(lines, e.Line)
			}
			return lines
		}
	}
	return nil
}

func (a Attestation) validate() error {
	switch {
	case a.Item == "":
		return errors.New("attestation needs an item")
	case a.By == "":
		return fmt.Errorf("attestation of %s needs by (who signs it off)", a.Item)
	case a.Evidence == "":
		return fmt.Errorf("attestation of %s needs evidence (a URL or a file)", a.Item)
	case a.Expires.IsZero():
		return fmt.Errorf("attestation of %s needs expires (YYYY-MM-DD)", a.Item)
	}
	return nil
}

// Validate rejects a waiver without an item, a reason or an expiry.
func (w Waiver) Validate() error {
	switch {
	case w.Item == "":
		return errors.New("waiver needs an item")
	case strings.TrimSpace(w.Reason) == "":
		return fmt.Errorf("waiver of %s needs a reason", w.Item)
	case w.Expires.IsZero():
		return fmt.Errorf("waiver of %s needs an expiry", w.Item)
	}
	return nil
}

// IsURL reports whether evidence is a link rather than a file.
func IsURL(evidence string) bool {
	return strings.HasPrefix(evidence, "https://") || strings.HasPrefix(evidence, "http://")
}

// FileSHA256 hashes an evidence file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Status says why an attestation does or does not count.
type Status struct {
	Valid  bool
	Reason string // when not valid: expired, evidence changed, evidence missing
}

// Check tells whether an attestation counts at now: not expired, and its
// evidence file, when it has one, still has the hash that was signed off.
func (s *Store) Check(a Attestation, now time.Time) Status {
	if a.Expires.ExpiredAt(now) {
		return Status{Reason: "expired on " + a.Expires.String()}
	}
	if a.SHA256 != "" && !IsURL(a.Evidence) {
		sum, err := FileSHA256(filepath.Join(s.Root, a.Evidence))
		if err != nil {
			return Status{Reason: "evidence file " + a.Evidence + " is gone"}
		}
		if sum != a.SHA256 {
			return Status{Reason: "evidence file " + a.Evidence + " changed since it was attested"}
		}
	}
	return Status{Valid: true}
}

// AttestationFor returns the newest attestation of item (in pack) and whether
// it counts.
func (s *Store) AttestationFor(packName, item string, now time.Time) (Attestation, Status, bool) {
	var best Attestation
	found := false
	for _, a := range s.Attestations {
		if a.Item != item || (a.Pack != "" && a.Pack != packName) {
			continue
		}
		if !found || a.At.After(best.At) {
			best, found = a, true
		}
	}
	if !found {
		return Attestation{}, Status{}, false
	}
	return best, s.Check(best, now), true
}

// Matches reports whether the waiver covers a finding of item on object.
func (w Waiver) Matches(packName, item, object string) bool {
	if w.Item != item || (w.Pack != "" && w.Pack != packName) {
		return false
	}
	return w.Object == "" || strings.EqualFold(w.Object, object)
}

// AddAttestation appends to root/.golive/attestations.yaml, keeping what is there.
func AddAttestation(root string, a Attestation) (string, error) {
	if err := a.validate(); err != nil {
		return "", err
	}
	path := filepath.Join(root, Dir, AttestationsFile)
	var doc attestationsDoc
	if err := readStrict(path, &doc); err != nil {
		return path, fmt.Errorf("cannot add to %s: %w", path, err)
	}
	doc.Attestations = append(doc.Attestations, a)
	return path, writeYAML(path, "# Attestations: sign-offs of manual items, reviewed like code.\n# Written by `golive attest`; an entry counts until it expires or its evidence file changes.\n", doc)
}

// AddWaiver appends to root/.golive/waivers.yaml, keeping what is there.
func AddWaiver(root string, w Waiver) (string, error) {
	if err := w.Validate(); err != nil {
		return "", err
	}
	path := filepath.Join(root, Dir, WaiversFile)
	var doc waiversDoc
	if err := readStrict(path, &doc); err != nil {
		return path, fmt.Errorf("cannot add to %s: %w", path, err)
	}
	doc.Waivers = append(doc.Waivers, w)
	return path, writeYAML(path, "# Waivers: accepted failures, each with a reason and an expiry, reviewed like code.\n# Written by `golive waive`; an entry stops counting when it expires.\n", doc)
}

func writeYAML(path, header string, v any) error {
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
