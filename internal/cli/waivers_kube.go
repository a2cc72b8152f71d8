package cli

import (
	"context"
	"time"

	"golive.dev/golive/internal/attest"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/kube"
)

// objectWaivers reads golive.dev/waive.<item> annotations from the
// Kubernetes objects in the repository. No objects means no waivers.
func objectWaivers(ctx context.Context, env *source.Env) ([]attest.Waiver, error) {
	set, err := kube.From(ctx, env)
	if err != nil {
		if _, missing := source.AsMissing(err); missing {
			return nil, nil
		}
		return nil, err
	}
	out := make([]attest.Waiver, 0, len(set.Waivers))
	for _, w := range set.Waivers {
		day := time.Date(w.Expires.Year(), w.Expires.Month(), w.Expires.Day(), 0, 0, 0, 0, time.UTC)
		out = append(out, attest.Waiver{Item: w.Item, Object: w.Object, Reason: w.Reason,
			Expires: attest.Date{Time: day}, Source: w.File, Line: w.Line})
	}
	return out, nil
}
