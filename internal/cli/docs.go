package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"golive.dev/golive/internal/docgen"
	"golive.dev/golive/internal/pack"
)

// generatedDocs returns every generated document keyed by path below dir.
func (a *app) generatedDocs() (map[string][]byte, error) {
	out := map[string][]byte{"checks.md": docgen.Checks(a.registry)}
	var packs []*pack.Pack
	for _, name := range a.loader.BuiltinNames() {
		p, err := a.loader.Load(name)
		if err != nil {
			return nil, err
		}
		packs = append(packs, p)
		out[filepath.Join("packs", name+".md")] = docgen.Pack(p)
	}
	out[filepath.Join("packs", "README.md")] = docgen.Index(packs)
	return out, nil
}

func (a *app) docsCommand() *cobra.Command {
	var dir string
	var verify bool
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Generate docs/checks.md and docs/packs/*.md from the registry and the built-in packs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			docs, err := a.generatedDocs()
			if err != nil {
				return badInput(err)
			}
			stale := 0
			for rel, want := range docs {
				path := filepath.Join(dir, rel)
				have, _ := os.ReadFile(path)
				if bytes.Equal(have, want) {
					continue
				}
				if verify {
					fmt.Fprintf(a.stderr, "stale: %s (run golive docs)\n", path)
					stale++
					continue
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					return fmt.Errorf("write %s: %w", path, err)
				}
				fmt.Fprintf(a.stdout, "wrote %s\n", path)
			}
			if stale > 0 {
				return &exitError{code: ExitGateFail, err: fmt.Errorf("%d generated docs are stale", stale)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "docs", "folder to write into")
	cmd.Flags().BoolVar(&verify, "check", false, "only report stale files (exit 1 when any is)")
	return cmd
}
