package pack

import "golive.dev/golive/internal/check"

// testRegistry returns nil until the built-in checks are wired, so that packs
// are validated for structure only. Replaced by the full registry in engine
// tests.
func testRegistry() *check.Registry { return nil }
