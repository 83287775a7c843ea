package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesCheck runs bigfunc check on every supervised example spec:
// each must load its data and build its network and optimizer, so that a
// change to a layer or a key cannot leave an example behind.
func TestExamplesCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST several times")
	}
	paths, _ := filepath.Glob("../../examples/*.yaml")
	n := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if !strings.Contains(src, "\narchitecture:") || strings.Contains(src, "\nagent:") || strings.Contains(src, "\ngenerator:") {
			continue // reinforcement learning and GANs have checks of their own
		}
		n++
		if code, _, errs := runCLI(t, "check", p); code != 0 {
			t.Errorf("check %s: %s", p, errs)
		}
	}
	if n < 8 {
		t.Errorf("checked %d supervised examples, want at least 8", n)
	}
}
