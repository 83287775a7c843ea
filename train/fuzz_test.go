package train

import (
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
)

// TestBCENeedsProbabilities checks that loss bce after an unbounded layer
// is refused when the model is built, with a message saying what to do,
// rather than failing in the middle of training.
func TestBCENeedsProbabilities(t *testing.T) {
	src := "input: {synthetic: {name: xor, size: 16}}\noutput: {label: y}\narchitecture: [{linear: 4}, relu, {linear: 1}]\nloss: bce\noptimizer: {name: sgd, lr: 0.1}\ntrain: {epochs: 1}\n"
	s, err := spec.Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Build(s, Options{})
	if err == nil || !strings.Contains(err.Error(), "m.yaml:4:7: loss bce needs probabilities in [0, 1], but the architecture ends with linear") {
		t.Fatalf("got %v, want an error naming loss bce and the last layer", err)
	}
	s, err = spec.Parse("m.yaml", []byte(strings.Replace(src, "{linear: 1}]", "{linear: 1}, sigmoid]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(s, Options{}); err != nil {
		t.Fatalf("bce after sigmoid: %v", err)
	}
}

// FuzzSpecTrain builds every spec the parser accepts and runs one training
// step on it: whatever a spec file says, the result is a model or a
// one-line error, never a panic.
func FuzzSpecTrain(f *testing.F) {
	f.Add("input: {synthetic: {name: xor, size: 16}}\noutput: {label: y}\narchitecture: [{linear: 4}, relu, {linear: 1}]\nloss: bce\noptimizer: {name: sgd, lr: 0.1}\ntrain: {epochs: 1}\n")
	f.Add("input: {synthetic: {name: spiral, size: 32, noise: 0.1}}\noutput: {label: c}\narchitecture: [{linear: 6}, {maxout: 2}, {residual: [{linear: 3}, tanh]}, {linear: 2}]\nloss: cross_entropy\noptimizer: {name: adam, lr: 1e9}\ntrain: {epochs: 1, batch_size: 5}\n")
	f.Add("input: {synthetic: {name: square, size: 8}}\noutput: {columns: [y]}\narchitecture: [{linear: 2}, {prelu: 2}, {dropout: 1}, {linear: 1}]\nloss: {name: huber, delta: 0.5}\noptimizer: {name: rmsprop}\ntrain: {epochs: 1, batch_size: 0}\n")
	f.Add("input: {synthetic: {name: gauss, size: 8}, shape: [1, 2]}\noutput: {label: y}\narchitecture: [flatten, {unflatten: {shape: [2, 1]}}, flatten, {linear: 2}]\nloss: nll\noptimizer: {name: sgd, lr: 0.1}\ntrain: {epochs: 1}\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := spec.Parse("fuzz.yaml", []byte(src))
		if err != nil {
			return
		}
		// Keep each run small: a fuzzer's loop has no time for big data or
		// wide layers, which other tests cover.
		if s.Input.Synthetic == nil || s.Input.Synthetic.Size > 256 || tooBig(s.Architecture) {
			return
		}
		tr, sets, err := Build(s, Options{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		b, ok := tr.loader.Next()
		if !ok {
			return
		}
		tr.Step(b.X, b.Labels, b.Y)
		Evaluate(tr.Model, sets.Train)
	})
}

// tooBig reports whether a layer anywhere in ls asks for more than 64
// outputs or channels.
func tooBig(ls []spec.LayerSpec) bool {
	for _, l := range ls {
		for _, key := range []string{"out_features", "out_channels", "num_parameters"} {
			if _, ok := l.Params[key]; ok {
				if n, err := nn.Options(l.Params).Float(key, 0); err != nil || n > 64 {
					return true
				}
			}
		}
		if tooBig(l.Inner) || tooBig(l.Shortcut) {
			return true
		}
	}
	return false
}
