package pack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seedPacks names the built-in pack written from each seed checklist.
var seedPacks = map[string]string{
	"000_604b49736cdd905a.txt": "mpl-proxy",
	"001_62d6635a9fa30a91.txt": "eventcore",
	"002_fb9d5c389f793bce.txt": "acton-service",
	"003_897d2e69f4c8d5be.txt": "agent-framework",
	"004_afa4c271e511474a.txt": "generic",
}

type inventoryEntry struct {
	Seed   string `json:"seed"`
	ID     string `json:"id"`
	Verify string `json:"verify"`
}

func readInventory(t *testing.T) []inventoryEntry {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "seed-inventory.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("seed inventory not found beside the repository (%v)", err)
	}
	var inv []inventoryEntry
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return inv
}

// TestBuiltinPacksCoverInventory loads every built-in pack and checks that
// each seed's pack refers to every inventory id of its seed.
func TestBuiltinPacksCoverInventory(t *testing.T) {
	inv := readInventory(t)
	l := &Loader{Registry: testRegistry()}
	refs := map[string]map[string]bool{}
	for _, name := range l.BuiltinNames() {
		p, err := l.Load(name)
		if err != nil {
			t.Errorf("built-in pack %s does not load:\n%v", name, err)
			continue
		}
		refs[name] = map[string]bool{}
		for _, it := range p.Items {
			for _, r := range it.Refs {
				refs[name][r] = true
			}
		}
	}
	known := map[string]bool{}
	for _, e := range inv {
		known[e.ID] = true
		pack := seedPacks[e.Seed]
		got, loaded := refs[pack]
		if !loaded {
			t.Errorf("no built-in pack %s for seed %s", pack, e.Seed)
			refs[pack] = map[string]bool{}
			continue
		}
		if !got[e.ID] {
			t.Errorf("pack %s: no item refers to inventory id %s", pack, e.ID)
		}
	}
	for name, rs := range refs {
		for r := range rs {
			if !known[r] {
				t.Errorf("pack %s refers to %q, which is not in the seed inventory", name, r)
			}
		}
	}
}
