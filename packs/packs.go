// Package packs embeds the built-in packs, written from the seed checklists.
package packs

import "embed"

// FS holds every built-in pack as NAME.yaml.
//
//go:embed *.yaml
var FS embed.FS
