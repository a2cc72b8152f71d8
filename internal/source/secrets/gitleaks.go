package secrets

import (
	"fmt"
	"path/filepath"

	"github.com/zricethezav/gitleaks/v8/detect"
)

// hit is what the rest of the package needs from a gitleaks finding. This
// file is the only one that touches gitleaks: its API moves between
// releases, so it stays behind this small adapter.
type hit struct {
	Rule, Description string
	Line              int // 1-based
	Secret            string
}

// scanner is safe for concurrent use: gitleaks scans files concurrently with
// one Detector itself.
type scanner struct {
	d *detect.Detector
}

func newScanner() (*scanner, error) {
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return nil, fmt.Errorf("gitleaks default config: %w", err)
	}
	return &scanner{d: d}, nil
}

func (s *scanner) scan(path string, data []byte) (hits []hit, err error) {
	defer func() {
		if p := recover(); p != nil {
			hits, err = nil, fmt.Errorf("gitleaks panicked on %s: %v", path, p)
		}
	}()
	//lint:ignore SA1019 gitleaks v8 has no other way to scan one file's content; sources.Fragment arrives with v9.
	for _, f := range s.d.Detect(detect.Fragment{Raw: string(data), FilePath: filepath.ToSlash(path)}) {
		// gitleaks counts lines from 0 for a fragment.
		hits = append(hits, hit{Rule: f.RuleID, Description: f.Description, Line: f.StartLine + 1, Secret: f.Secret})
	}
	return hits, nil
}
