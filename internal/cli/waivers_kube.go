package cli

import (
	"context"

	"golive.dev/golive/internal/attest"
	"golive.dev/golive/internal/source"
)

// objectWaivers reads golive.dev/waive.<item> annotations; wired to the
// Kubernetes source once it lands.
func objectWaivers(ctx context.Context, env *source.Env) ([]attest.Waiver, error) {
	return nil, nil
}
