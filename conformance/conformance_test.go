package conformance

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// checkers maps each reference file name to the function that checks its
// cases and returns how many it checked. Each family of layers registers
// its own file from an init function beside its checker.
var checkers = map[string]func(*testing.T, string) int{
	"activations.json": checkActivations,
	"losses.json":      checkLosses,
	"layers.json":      checkLayers,
	"optimizers.json":  checkOptimizers,
}

// TestConformance checks bigfunc against every case of the PyTorch
// reference files: those in $BIGFUNC_CONFORMANCE when it is set, else the
// committed sets in testdata together with ../shared/conformance when that
// exists. A file or case it does not recognise is a failure, so a new
// reference set can never pass by being skipped.
func TestConformance(t *testing.T) {
	total := 0
	for _, dir := range conformanceDirs() {
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
		if len(files) == 0 {
			t.Errorf("conformance: %s holds no reference files", dir)
		}
		for _, name := range files {
			check, ok := checkers[name]
			if !ok {
				known := make([]string, 0, len(checkers))
				for k := range checkers {
					known = append(known, k)
				}
				sort.Strings(known)
				t.Errorf("conformance: %s: unknown reference file; allowed: %s", name, strings.Join(known, ", "))
				continue
			}
			n := check(t, filepath.Join(dir, name))
			if n == 0 {
				t.Errorf("conformance: %s: no cases checked", name)
			}
			t.Logf("conformance: %s/%s: %d cases", dir, name, n)
			total += n
		}
	}
	t.Logf("conformance: %d cases checked", total)
}
