package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

const good = `input:
  csv: train.csv
  columns: [x1, x2]
  scale: standardize
output:
  columns: [y]
architecture:
  - linear: 16
  - relu
  - leaky_relu: {negative_slope: 0.2}
  - dropout: 0.1
  - residual:
      - linear: 16
      - tanh
  - linear: 1
loss: mse
optimizer:
  name: adam
  lr: 0.01
  betas: [0.8, 0.9]
train:
  epochs: 100
  batch_size: 32
  shuffle: false
  seed: 1
  save: model.safetensors
`

func TestParseGood(t *testing.T) {
	s, err := Parse("dir/model.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.Input.CSV != "train.csv" || len(s.Input.Columns) != 2 || s.Input.Scale != "standardize" {
		t.Errorf("input: got %+v", s.Input)
	}
	if s.Loss.Name != "mse" || s.Optimizer.Name != "adam" || s.Optimizer.Params["lr"] != 0.01 {
		t.Errorf("loss/optimizer: got %+v %+v", s.Loss, s.Optimizer)
	}
	if s.Train.Epochs != 100 || s.Train.BatchSize != 32 || s.Train.Shuffle || s.Train.Seed != 1 {
		t.Errorf("train: got %+v", s.Train)
	}
	if got := s.Resolve(s.Input.CSV); got != filepath.Join("dir", "train.csv") {
		t.Errorf("Resolve: got %q", got)
	}
	if got := s.SavePath(); got != filepath.Join("dir", "model.safetensors") {
		t.Errorf("SavePath: got %q", got)
	}
	if len(s.Architecture) != 6 || s.Architecture[4].Name != "residual" || len(s.Architecture[4].Inner) != 2 {
		t.Fatalf("architecture: got %+v", s.Architecture)
	}
	if w := s.Architecture[4].Inner[1].Where; w != "dir/model.yaml:14:9" {
		t.Errorf("inner layer position: got %q", w)
	}
	net, out, err := BuildArchitecture([]int{2}, s.Architecture, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0] != 1 || len(net.Layers) != 6 {
		t.Fatalf("built: got output shape %v, %d layers", out, len(net.Layers))
	}
	var names []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	if got, want := strings.Join(names, " "), "0.weight 0.bias 4.f.0.weight 4.f.0.bias 5.weight 5.bias"; got != want {
		t.Errorf("param names: got %q, want %q", got, want)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Parse("m.yaml", []byte("input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: 2}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Train.Shuffle || s.Train.BatchSize != 0 || s.SavePath() != "m.safetensors" {
		t.Errorf("defaults: got %+v, save %q", s.Train, s.SavePath())
	}
}

func TestParseErrors(t *testing.T) {
	// Each case replaces one line of the good spec and expects an error
	// at a position with given words.
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"unknown top key", "loss: mse", "los: mse", []string{"m.yaml:16:1:", `unknown key "los"`, `did you mean "loss"?`}},
		{"unknown train key", "  epochs: 100", "  epoch: 100", []string{"m.yaml:22:3:", `train: unknown key "epoch"`, `did you mean "epochs"?`, "allowed:"}},
		{"negative size", "  batch_size: 32", "  batch_size: -3", []string{"m.yaml:23:15:", "train.batch_size: want an integer ≥ 0, got -3"}},
		{"wrong type", "  epochs: 100", "  epochs: many", []string{"m.yaml:22:11:", `train.epochs: want an integer, got "many"`}},
		{"bad bool", "  shuffle: false", "  shuffle: 3", []string{"m.yaml:24:12:", "want true or false"}},
		{"bad scale", "  scale: standardize", "  scale: zscore", []string{"m.yaml:4:10:", `unknown scaling "zscore"`, "standardize"}},
		{"columns not list", "  columns: [x1, x2]", "  columns: {a: 1}", []string{"m.yaml:3:12:", "want a list of column names"}},
		{"yaml syntax", "  - relu", "  - relu: [", []string{"m.yaml:", "invalid YAML"}},
		{"missing epochs", "  epochs: 100", "  seed: 2", []string{`train: key "seed" appears twice`}},
		{"two keys in layer", "  - relu", "  - {relu: {}, tanh: {}}", []string{"m.yaml:9:5:", "want one layer name per item"}},
		{"both outputs", "  columns: [y]", "  columns: [y]\n  label: c", []string{"output: want either columns"}},
	}
	for _, c := range cases {
		src := strings.Replace(good, c.old, c.new, 1)
		if src == good {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := Parse("m.yaml", []byte(src))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %q, want it to contain %q", c.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", c.name, err)
		}
	}
}

func TestMissingSections(t *testing.T) {
	cases := map[string]string{
		"":                      "empty spec",
		"input: {csv: a.csv}\n": `missing required key "output"`,
		"- 1\n":                 "spec: want a mapping",
		"input: {synthetic: xor, csv: a.csv, columns: [a]}\noutput: {label: c}\narchitecture: [relu]\nloss: mse\noptimizer: sgd\ntrain: {epochs: 1}\n": "want only one of csv, mnist, synthetic, text and sequence",
		"input: {csv: a.csv, columns: [x]}\noutput: {columns: [y]}\narchitecture: []\nloss: mse\noptimizer: sgd\ntrain: {epochs: 1}\n":                 "architecture: want a list of layers",
		"input: {csv: a.csv, columns: [x]}\noutput: {columns: [y]}\narchitecture: [relu]\nloss: {lr: 1}\noptimizer: sgd\ntrain: {epochs: 1}\n":         `loss: missing required key "name"`,
	}
	for src, want := range cases {
		_, err := Parse("m.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("spec %q: got %v, want an error containing %q", src, err, want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		arch string
		want string
	}{
		{"[reluu]", `unknown layer "reluu" (did you mean "relu"?)`},
		{"[{linear: -4}]", "out_features must be a positive integer, got -4"},
		{"[{linear: 2.5}]", "out_features: want an integer"},
		{"[{linear: {out_features: 3, bias: maybe}}]", "bias: want true or false"},
		{"[{linear: {out: 3}}]", `unknown parameter "out"`},
		{"[{leaky_relu: {slope: 0.2}}]", "slope"},
		{"[{dropout: 1.5}]", "p must be in [0, 1], got 1.5"},
		{"[{linear: 3}, {maxout: 2}]", "maxout: the last dimension of [3] is not a multiple of pieces 2"},
		{"[{residual: [{linear: 3}]}]", "the block must keep its input shape [4], but ends with [3]"},
		{"[{relu: 3}]", "relu: want a map of parameters"},
		{"[{linear: 100000000}]", "4 × 100000000 is 400000000 weights, more than the 268435456"},
	}
	for _, c := range cases {
		s, err := Parse("m.yaml", []byte("input: {synthetic: xor}\noutput: {label: c}\narchitecture: "+c.arch+"\nloss: mse\noptimizer: sgd\ntrain: {epochs: 1}\n"))
		if err == nil {
			_, _, err = BuildArchitecture([]int{4}, s.Architecture, tensor.NewRNG(0))
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.arch, err, c.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "m.yaml:3:") {
			t.Errorf("%s: error %q does not start with the position m.yaml:3:…", c.arch, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("got %v, want an error naming the file", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: 2}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n"))
	f.Add([]byte("architecture: [{residual: [{residual: [relu]}]}]"))
	f.Add([]byte("{input: [1, 2], train: {epochs: 1e99}}"))
	f.Add([]byte("a: &x [*x]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.yaml", src)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		// Anything accepted must also build or fail cleanly. Layers wider
		// than 256 are valid but too slow to initialise in a fuzzer's loop.
		if !wide(s.Architecture) {
			_, _, _ = BuildArchitecture([]int{3}, s.Architecture, tensor.NewRNG(0))
		}
	})
}

// wide reports whether a Linear layer anywhere in ls asks for more than
// 256 outputs.
func wide(ls []LayerSpec) bool {
	for _, l := range ls {
		if _, ok := l.Params["out_features"]; ok {
			if f, err := nn.Options(l.Params).Float("out_features", 0); err != nil || f > 256 {
				return true
			}
		}
		if wide(l.Inner) || wide(l.Shortcut) {
			return true
		}
	}
	return false
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
