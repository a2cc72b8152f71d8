package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"golive.dev/golive/internal/attest"
	"golive.dev/golive/internal/source"
)

func (a *app) attestCommand() *cobra.Command {
	var by, evidence, expires, note, packName, root string
	cmd := &cobra.Command{
		Use:   "attest ITEM",
		Short: "Record a person's sign-off of a manual item in .golive/attestations.yaml",
		Long: `attest records who vouches for a manual item, when, on what evidence and until
when. With a file as evidence its sha256 is recorded too: when the file
changes, the attestation stops counting. Commit the file and review it like
code.`,
		Example: `  golive attest operations/on-call-rotation --by alice@example.com \
      --evidence https://pager.example.com/schedules/api --expires 90d
  golive attest dr/restore-drill --by bob --evidence docs/dr-drill-2026-11.md --expires 180d`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now().UTC()
			if by == "" || evidence == "" || expires == "" {
				return badInput(errors.New("attest needs --by, --evidence and --expires"))
			}
			exp, err := attest.ParseExpiry(expires, now)
			if err != nil {
				return badInput(err)
			}
			scope, err := a.knownItem(args[0], packName)
			if err != nil {
				return badInput(err)
			}
			at := attest.Attestation{Item: args[0], Pack: scope, By: by, At: now.Truncate(time.Second),
				Expires: exp, Evidence: evidence, Note: note}
			if !attest.IsURL(evidence) {
				rel, abs, err := evidencePath(root, evidence)
				if err != nil {
					return badInput(err)
				}
				sum, err := attest.FileSHA256(abs)
				if err != nil {
					return badInput(fmt.Errorf("--evidence %s: %w", evidence, err))
				}
				at.Evidence, at.SHA256 = rel, sum
			}
			path, err := attest.AddAttestation(root, at)
			if err != nil {
				return badInput(err)
			}
			fmt.Fprintf(a.stdout, "attested %s until %s in %s\n", at.Item, exp, path)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&by, "by", "", "who signs it off (name or e-mail)")
	fl.StringVar(&evidence, "evidence", "", "URL or file (in the repository) that proves it")
	fl.StringVar(&expires, "expires", "", "when it stops counting: 90d, 12w, 6m, 1y or YYYY-MM-DD")
	fl.StringVar(&note, "note", "", "a remark kept with the attestation")
	fl.StringVar(&packName, "pack", "", "only for this pack, a built-in name or a file (default: the item id in any pack)")
	fl.StringVar(&root, "repo", ".", "repository root holding .golive/")
	return cmd
}

func (a *app) waiveCommand() *cobra.Command {
	var object, reason, expires, by, packName, root string
	cmd := &cobra.Command{
		Use:   "waive ITEM",
		Short: "Accept a failing item, or one object of it, for a while, in .golive/waivers.yaml",
		Long: `waive records a narrow exception: one item, optionally one object, a reason
and an expiry, all required. The item's failure then shows as waived until
the expiry, and the waiver is listed as expired afterwards.`,
		Example: `  golive waive reliability/replicas --object Deployment/batch/report-builder \
      --reason "batch job, one replica by design; revisit with the queue rewrite" --expires 30d`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now().UTC()
			if strings.TrimSpace(reason) == "" {
				return badInput(errors.New("waive needs --reason: say why the failure is acceptable"))
			}
			if expires == "" {
				return badInput(errors.New("waive needs --expires: a waiver without an expiry is not accepted"))
			}
			exp, err := attest.ParseExpiry(expires, now)
			if err != nil {
				return badInput(err)
			}
			if object != "" && strings.Count(object, "/") < 1 {
				return badInput(fmt.Errorf("--object %q: want Kind/namespace/name or Kind/name", object))
			}
			scope, err := a.knownItem(args[0], packName)
			if err != nil {
				return badInput(err)
			}
			if by == "" {
				by = a.getenv("USER")
			}
			w := attest.Waiver{Item: args[0], Pack: scope, Object: object, Reason: reason, By: by,
				At: now.Truncate(time.Second), Expires: exp}
			path, err := attest.AddWaiver(root, w)
			if err != nil {
				return badInput(err)
			}
			target := w.Item
			if object != "" {
				target += " on " + object
			}
			fmt.Fprintf(a.stdout, "waived %s until %s in %s\n", target, exp, path)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&object, "object", "", "only this object: Kind/namespace/name")
	fl.StringVar(&reason, "reason", "", "why the failure is acceptable (required)")
	fl.StringVar(&expires, "expires", "", "when the waiver stops counting: 30d, 4w, 3m or YYYY-MM-DD (required)")
	fl.StringVar(&by, "by", "", "who grants it (default $USER)")
	fl.StringVar(&packName, "pack", "", "only for this pack, a built-in name or a file (default: the item id in any pack)")
	fl.StringVar(&root, "repo", ".", "repository root holding .golive/")
	return cmd
}

// knownItem refuses attestations and waivers for item ids no pack has, so a
// typo does not sit in the file covering nothing. It returns the pack name to
// record: the named pack's metadata name, or "" for every pack.
func (a *app) knownItem(id, packRef string) (string, error) {
	names := a.loader.BuiltinNames()
	if packRef != "" {
		names = []string{packRef}
	}
	for _, name := range names {
		p, err := a.loader.Load(name)
		if err != nil {
			return "", err
		}
		if _, ok := p.Item(id); ok {
			if packRef != "" {
				return p.Name, nil
			}
			return "", nil
		}
	}
	if packRef != "" {
		return "", fmt.Errorf("pack %s has no item %q (see golive packs show %s)", packRef, id, packRef)
	}
	return "", fmt.Errorf("no built-in pack has an item %q; pass --pack FILE for a pack of your own", id)
}

// evidencePath returns the evidence file relative to the repository root.
func evidencePath(root, file string) (rel, abs string, err error) {
	abs, err = filepath.Abs(file)
	if err != nil {
		return "", "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", "", fmt.Errorf("--evidence %s: %w", file, err)
	}
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return "", "", err
	}
	rel, err = filepath.Rel(rootAbs, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", "", fmt.Errorf("--evidence %s is outside the repository %s: attestations must point at files that are reviewed with it", file, root)
	}
	return filepath.ToSlash(rel), abs, nil
}

// annotationWaivers reads waiver annotations from Kubernetes objects unless
// in-repo waivers are forbidden. Wired to the Kubernetes source.
func annotationWaivers(forbid bool) func(ctx context.Context, env *source.Env) ([]attest.Waiver, error) {
	if forbid {
		return nil
	}
	return objectWaivers
}
