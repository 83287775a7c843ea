package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// TestInspectGoBuiltModel saves a network built in Go, with a shaped
// input and a residual block with a projection shortcut, and inspects it
// as it would one from a spec: every layer with its shapes, nested layers
// under their state_dict prefixes.
func TestInspectGoBuiltModel(t *testing.T) {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(
		nn.Flatten{},
		nn.NewLinear(6, 8, true, rng),
		&nn.Residual{F: nn.NewSequential(nn.NewLinear(8, 4, true, rng), &activation.TanhLayer{}), Shortcut: nn.NewLinear(8, 4, false, rng)},
		nn.NewDropout(0.25),
		nn.Unflatten{Shape: []int{2, 2}},
		nn.Flatten{},
		nn.NewLinear(4, 3, true, rng),
	)
	m, err := train.FromNet(net, []int{2, 3}, "cross_entropy", nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "go.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "inspect", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"input  6 features shaped [2 3]",
		"0      flatten                    [N 2 3]          [N 6]            0",
		"1      linear 6→8                 [N 6]            [N 8]            56",
		"2      residual                   [N 8]            [N 4]            68",
		"2.f.0  linear 8→4                 [N 8]            [N 4]            36",
		"2.f.1  tanh                       [N 4]            [N 4]            0",
		"2.shortcut.0 linear 8→4",
		"2.shortcut.0.weight",
		"3      dropout p=0.25             [N 4]            [N 4]            0",
		"4      unflatten shape=[2 2]      [N 4]            [N 2 2]          0",
		"total 139 parameters", // 6·8+8 + (8·4+4 + 8·4) + 4·3+3
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
}

// TestDrawBlocks draws a model with reshapes and a projection shortcut,
// which has no neuron-by-neuron picture, as a block diagram.
func TestDrawBlocks(t *testing.T) {
	rng := tensor.NewRNG(2)
	net := nn.NewSequential(
		nn.Flatten{},
		&nn.Residual{F: nn.NewSequential(nn.NewLinear(6, 4, true, rng), &activation.ReLULayer{}), Shortcut: nn.NewLinear(6, 4, false, rng)},
		nn.Unflatten{Shape: []int{2, 2}},
		nn.Flatten{},
		nn.NewLinear(4, 3, true, rng),
	)
	m, err := train.FromNet(net, []int{2, 3}, "cross_entropy", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(dir, "m.svg")
	code, _, errOut := runCLI(t, "draw", "--model", path, "-o", svg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"residual", "shortcut: linear 6→4", "unflatten shape=[2 2]", "2 × 2", "linear 4→3"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the drawing lacks %q", want)
		}
	}
	if code, _, _ := runCLI(t, "draw", "--model", path, "-o", filepath.Join(dir, "m.png")); code != 0 {
		t.Fatal("PNG drawing failed")
	}
}
