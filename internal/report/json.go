package report

import (
	"bytes"
	"encoding/json"

	"golive.dev/golive/internal/verdict"
)

// writeJSON writes the contract: the report as indented JSON, keys of maps
// sorted by encoding/json, so two runs that decide the same write the same.
func writeJSON(buf *bytes.Buffer, r *verdict.Report) error {
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
