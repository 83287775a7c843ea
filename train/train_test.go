package train

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

type trajectoryCase struct {
	Name    string
	Spec    string
	Losses  []float64
	Weights map[string]struct {
		Shape []int
		Data  []float64
	}
	Predict []float64
}

// copyFile copies testdata/name into dir.
func copyFile(t *testing.T, name, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeSpec writes src as model.yaml in a fresh directory holding
// data.csv and the init file it names, and loads it.
func writeSpec(t *testing.T, src string) *spec.Spec {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, "data.csv", dir)
	for _, line := range strings.Split(src, "\n") {
		if f, ok := strings.CutPrefix(strings.TrimSpace(line), "init: "); ok {
			copyFile(t, f, dir)
		}
	}
	path := filepath.Join(dir, "model.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFollowsPyTorch trains from PyTorch's initial weights with full-batch
// steps and checks the loss of every epoch and the final weights against
// PyTorch's run (testdata/make_trajectories.py), for every optimizer.
func TestFollowsPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/trajectories.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct{ Cases []trajectoryCase }
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 {
		t.Fatal("no reference cases")
	}
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			s := writeSpec(t, c.Spec)
			res, err := Run(context.Background(), s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range res.History.Epochs {
				if math.Abs(e.TrainLoss-c.Losses[i]) > 1e-5*(1+math.Abs(c.Losses[i])) {
					t.Errorf("epoch %d loss: got %.8g, want %.8g", i+1, e.TrainLoss, c.Losses[i])
				}
			}
			f, err := safetensors.Load(res.SavedTo)
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range c.Weights {
				got, ok := f.Tensors[name]
				if !ok {
					t.Fatalf("saved model lacks %s", name)
				}
				for i, v := range w.Data {
					if g := float64(got.Data()[i]); math.Abs(g-v) > 1e-4 {
						t.Errorf("%s[%d]: got %.8g, want %.8g", name, i, g, v)
					}
				}
			}
			m, err := LoadModel(res.SavedTo)
			if err != nil {
				t.Fatal(err)
			}
			sets, err := LoadData(s)
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Predict(sets.Train.X)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range c.Predict {
				if g := float64(out.Data()[i]); math.Abs(g-v) > 1e-4 {
					t.Fatalf("prediction %d: got %.8g, want %.8g", i, g, v)
				}
			}
		})
	}
}

const shuffledSpec = `input:
  csv: data.csv
  columns: [x1, x2, x3]
  scale: standardize
output:
  label: c
architecture:
  - linear: 8
  - relu
  - dropout: 0.2
  - linear: 3
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train:
  epochs: 12
  batch_size: 5
  seed: 7
  validation: 0.25
`

// TestDeterministic trains twice with the same seed and expects
// bit-identical weights; shuffling, dropout and the split all draw from it.
func TestDeterministic(t *testing.T) {
	run := func() map[string][]float32 {
		res, err := Run(context.Background(), writeSpec(t, shuffledSpec), Options{})
		if err != nil {
			t.Fatal(err)
		}
		w := map[string][]float32{}
		for _, p := range res.Model.Params() {
			w[p.Name] = append([]float32(nil), p.Value.Data()...)
		}
		return w
	}
	a, b := run(), run()
	for name, wa := range a {
		for i := range wa {
			if math.Float32bits(wa[i]) != math.Float32bits(b[name][i]) {
				t.Fatalf("%s[%d]: %v then %v", name, i, wa[i], b[name][i])
			}
		}
	}
}

// TestResume checks that stopping after a checkpoint and resuming gives
// the very weights of an uninterrupted run.
func TestResume(t *testing.T) {
	full := writeSpec(t, shuffledSpec)
	want, err := Run(context.Background(), full, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := writeSpec(t, strings.Replace(shuffledSpec, "  epochs: 12\n", "  epochs: 12\n  checkpoint_every: 5\n", 1))
	// A first run that ends early: six epochs, leaving the epoch-5 checkpoint.
	short := *s
	short.Train.Epochs = 6
	if _, err := Run(context.Background(), &short, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := Run(context.Background(), s, Options{Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.History.Epochs); n != 12 {
		t.Fatalf("history after resume: %d epochs, want 12", n)
	}
	wp := want.Model.Params()
	for i, p := range got.Model.Params() {
		for j, v := range p.Value.Data() {
			if math.Float32bits(v) != math.Float32bits(wp[i].Value.Data()[j]) {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", p.Name, j, v, wp[i].Value.Data()[j])
			}
		}
	}
}

// TestResumeExtends raises train.epochs after a finished run and resumes:
// the result is the very weights of one longer run. Other changes are
// refused with a message naming the key.
func TestResumeExtends(t *testing.T) {
	long := strings.Replace(shuffledSpec, "  epochs: 12\n", "  epochs: 12\n  checkpoint_every: 4\n", 1)
	want, err := Run(context.Background(), writeSpec(t, long), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := writeSpec(t, strings.Replace(long, "epochs: 12", "epochs: 7", 1))
	if _, err := Run(context.Background(), s, Options{}); err != nil {
		t.Fatal(err)
	}
	// Resuming a finished run without raising epochs has nothing to do.
	if _, err := Run(context.Background(), s, Options{Resume: true}); err == nil || !strings.Contains(err.Error(), "the checkpoint is at epoch 7 and train.epochs is 7") {
		t.Errorf("resume of a finished run: %v", err)
	}
	edit := func(old, new string) *spec.Spec {
		src := strings.Replace(strings.Replace(long, old, new, 1), "epochs: 12\n", "epochs: 12 # more\n", 1)
		p, err := spec.Parse(s.Path, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct{ old, new, want string }{
		{"batch_size: 5", "batch_size: 4", "train.batch_size (5 → 4) changed since the checkpoint; resuming allows changes only to train.epochs, train.early_stop, train.save"},
		{"lr: 0.01}", "lr: 0.02}", "optimizer.lr (0.01 → 0.02) changed"},
		{"seed: 7", "seed: 8", "train.seed (7 → 8) changed"},
		{"  - linear: 8", "  - linear: 9", `architecture[0] ({"linear":8} → {"linear":9}) changed`},
	} {
		_, err := Run(context.Background(), edit(c.old, c.new), Options{Resume: true})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v, want an error containing %q", c.old, c.new, err, c.want)
		}
	}
	got, err := Run(context.Background(), edit("  seed: 7", "  seed: 7\n  early_stop: 50\n  save: other.safetensors"), Options{Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.History.Epochs); n != 12 || !strings.HasSuffix(got.SavedTo, "other.safetensors") {
		t.Fatalf("after resume: %d epochs saved to %s, want 12 in other.safetensors", n, got.SavedTo)
	}
	wp := want.Model.Params()
	for i, p := range got.Model.Params() {
		for j, v := range p.Value.Data() {
			if math.Float32bits(v) != math.Float32bits(wp[i].Value.Data()[j]) {
				t.Fatalf("%s[%d]: extended %v, one run %v", p.Name, j, v, wp[i].Value.Data()[j])
			}
		}
	}
}

func TestResumeWithoutCheckpoint(t *testing.T) {
	_, err := Run(context.Background(), writeSpec(t, shuffledSpec), Options{Resume: true})
	if err == nil || !strings.Contains(err.Error(), "no checkpoint at") {
		t.Fatalf("got %v, want a missing-checkpoint error", err)
	}
}

func TestNaNStopsWithEpochAndStep(t *testing.T) {
	src := strings.Replace(shuffledSpec, "optimizer: {name: adam, lr: 0.01}", "optimizer: {name: sgd, lr: 1e30}", 1)
	src = strings.Replace(src, "  epochs: 12\n", "  epochs: 12\n  checkpoint_every: 1\n", 1)
	s := writeSpec(t, src)
	_, err := Run(context.Background(), s, Options{})
	if err == nil || !strings.Contains(err.Error(), "epoch 1 step") && !strings.Contains(err.Error(), "epoch 2 step") {
		t.Fatalf("got %v, want an error naming the epoch and step", err)
	}
	if _, statErr := os.Stat(s.SavePath()); statErr == nil {
		t.Fatal("a diverged run saved a model")
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct{ old, new, want string }{
		{"  columns: [x1, x2, x3]", "  columns: [x1, x2, x4]", `no column "x4"`},
		{"loss: cross_entropy", "loss: mse", "needs"},
		{"  - linear: 3", "  - linear: 2", `data.csv: column "c" has 3 classes (0, 1, 2), but the network has 2 outputs`},
		{"  label: c", "  label: c\n  classes: 2", `data.csv:3: column "c": class index "2" is out of range; with 2 classes, indices are 0 to 1`},
		{"optimizer: {name: adam, lr: 0.01}", "optimizer: {name: adam, lr: -1}", "lr"},
		{"optimizer: {name: adam, lr: 0.01}", "optimizer: {name: adma, lr: 0.1}", `did you mean "adam"`},
		{"loss: cross_entropy", "loss: cross_entropi", `did you mean "cross_entropy"`},
	}
	for _, c := range cases {
		s := writeSpec(t, strings.Replace(shuffledSpec, c.old, c.new, 1))
		_, _, err := Build(s, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v, want an error containing %q", c.old, c.new, err, c.want)
		}
	}
}

// TestLoadsPyTorchWeights loads a state_dict saved by PyTorch (see
// safetensors/testdata/make_pytorch.py) into the network of the same spec
// and predicts what PyTorch predicted.
func TestLoadsPyTorchWeights(t *testing.T) {
	var ref struct {
		X, Y [][]float64
	}
	b, err := os.ReadFile("../safetensors/testdata/pytorch_mlp.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Parse("mlp.yaml", []byte("input: {csv: x.csv, columns: [a, b, c]}\noutput: {columns: [u, v]}\narchitecture: [{linear: 5}, relu, {linear: 2}]\nloss: mse\noptimizer: sgd\ntrain: {epochs: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(s, []int{3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Load("../safetensors/testdata/pytorch_mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadWeights(m.Net, f, "pytorch_mlp.safetensors"); err != nil {
		t.Fatal(err)
	}
	var xs []float32
	for _, row := range ref.X {
		for _, v := range row {
			xs = append(xs, float32(v))
		}
	}
	out, err := m.Predict(tensor.FromSlice(xs, len(ref.X), 3))
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range ref.Y {
		for j, want := range row {
			if got := float64(out.At(i, j)); math.Abs(got-want) > 1e-5 {
				t.Errorf("y[%d][%d]: got %.7g, PyTorch %.7g", i, j, got, want)
			}
		}
	}
}
