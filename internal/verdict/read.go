package verdict

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ReadReport reads a JSON report written by golive (a --baseline). A syntax
// error names the file and line.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(string(data[:se.Offset]), "\n")
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.SchemaVersion == "" || len(r.Packs) == 0 {
		return nil, fmt.Errorf("%s: not a golive JSON report (no schemaVersion or packs)", path)
	}
	return &r, nil
}
