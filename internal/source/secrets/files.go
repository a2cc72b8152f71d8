package secrets

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	gitignore "github.com/monochromegane/go-gitignore"
)

// listFiles returns the files under roots that git would track: .gitignore
// files (the root's and nested ones) are respected, since ignored files are
// not committed. It is the one place this source walks the file system, so a
// shared repository walker can replace it.
func listFiles(ctx context.Context, roots []string) ([]string, error) {
	var out []string
	type ignore struct {
		dir string
		m   gitignore.IgnoreMatcher
	}
	for _, root := range roots {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", root, err)
		}
		if !info.IsDir() {
			out = append(out, root)
			continue
		}
		var ignores []ignore
		ignored := func(p string, isDir bool) bool {
			for _, ig := range ignores {
				if (ig.dir == "." || p == ig.dir || strings.HasPrefix(p, ig.dir+string(filepath.Separator))) && ig.m.Match(p, isDir) {
					return true
				}
			}
			return false
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if d != nil && d.IsDir() && p != root {
					return fs.SkipDir
				}
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if d.IsDir() {
				if p != root && (skipDir(d.Name()) || ignored(p, true)) {
					return fs.SkipDir
				}
				if m, err := gitignore.NewGitIgnore(filepath.Join(p, ".gitignore"), p); err == nil {
					ignores = append(ignores, ignore{dir: p, m: m})
				}
				return nil
			}
			if d.Type().IsRegular() && !ignored(p, false) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", root, err)
		}
	}
	return out, nil
}

func skipDir(name string) bool {
	switch name {
	case ".git", "vendor", "node_modules", "testdata", ".terraform":
		return true
	}
	return false
}
