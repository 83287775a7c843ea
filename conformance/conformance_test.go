package conformance

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestConformance checks bigfunc against every case of the PyTorch reference
// files in $BIGFUNC_CONFORMANCE. A case it does not recognise is a failure,
// so a new reference set can never pass by being skipped.
func TestConformance(t *testing.T) {
	dir := conformanceDir()
	checkers := map[string]func(*testing.T, string) int{
		"activations.json": checkActivations,
		"losses.json":      checkLosses,
		"layers.json":      checkLayers,
		"optimizers.json":  checkOptimizers,
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("conformance: reference directory (set BIGFUNC_CONFORMANCE): %v", err)
	}
	var files []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" {
			files = append(files, e.Name())
		}
	}
	sort.Strings(files)
	for name := range checkers {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("conformance: %s: missing from %s", name, dir)
		}
	}
	total := 0
	for _, name := range files {
		check, ok := checkers[name]
		if !ok {
			t.Errorf("conformance: %s: unknown reference file (want one of activations, losses, layers, optimizers)", name)
			continue
		}
		n := check(t, filepath.Join(dir, name))
		if n == 0 {
			t.Errorf("conformance: %s: no cases checked", name)
		}
		t.Logf("conformance: %s: %d cases", name, n)
		total += n
	}
	t.Logf("conformance: %d cases checked", total)
}
