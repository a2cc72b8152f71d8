package verdict

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadReportErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"{\n  \"schemaVersion\": \"1.0\",\n  \"packs\": [\n": "bad.json:",
		"{\"packs\": []}": "not a golive JSON report",
		"[1, 2]":          "bad.json",
	}
	for body, want := range cases {
		p := filepath.Join(dir, "bad.json")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := ReadReport(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", body, err, want)
		}
	}
}

// FuzzReadReport: a baseline of any content gives a report or an error naming
// the file, never a panic.
func FuzzReadReport(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":"1.0","packs":[{"name":"p","items":[{"id":"a","status":"pass"}]}]}`))
	f.Add([]byte("{\"packs\": [null]}"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "r.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := ReadReport(p)
		if err == nil && r == nil {
			t.Fatal("nil report without error")
		}
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
