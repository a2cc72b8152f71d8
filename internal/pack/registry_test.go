package pack

import (
	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/checks/all"
)

// testRegistry is the full built-in registry, so that built-in packs are
// validated against the checks golive really has.
func testRegistry() *check.Registry { return all.Registry() }
