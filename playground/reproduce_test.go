package playground

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/train"
)

// TestExportReproduces trains a session for a few epochs, exports its
// spec and data, trains those with `bigfunc train`'s loop, and expects
// the same weights bit for bit: the page and the command run one loop.
func TestExportReproduces(t *testing.T) {
	for _, c := range []Config{
		DefaultConfig(),
		func() Config {
			c := DefaultConfig()
			c.Data, c.Features = "xor", []string{"x1", "x2", "x1x2"}
			c.Layers = []Layer{{6, "relu", 0.2}, {3, "sigmoid", 0}}
			c.Optimizer, c.LR, c.Batch, c.Reg, c.RegRate = "adam", 0.01, 7, "l2", 0.003
			return c
		}(),
		func() Config {
			c := DefaultConfig()
			c.Data, c.Reg, c.RegRate, c.Batch = "spiral", "l1", 0.001, 30
			return c
		}(),
	} {
		s, err := newSession(context.Background(), "repro", c)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			s.step()
		}
		if s.epoch != 3 {
			t.Fatalf("%s: session at epoch %d, want 3", c.Data, s.epoch)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "data.csv"), s.exportData(), 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "model.yaml")
		if err := os.WriteFile(path, []byte(s.exportSpec()), 0o644); err != nil {
			t.Fatal(err)
		}
		sp, err := spec.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := train.Run(context.Background(), sp, train.Options{})
		if err != nil {
			t.Fatalf("%s: %v\nspec:\n%s", c.Data, err, s.exportSpec())
		}
		got, want := res.Model.Params(), s.net.model.Params()
		for i := range want {
			for j, v := range want[i].Value.Data() {
				if w := got[i].Value.Data()[j]; math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("%s: %s[%d]: bigfunc train %v, playground %v\nspec:\n%s", c.Data, want[i].Name, j, w, v, s.exportSpec())
				}
			}
		}
	}
}
