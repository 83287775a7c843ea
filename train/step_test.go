package train

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestFusedMatchesGraph trains the same specs with the fused step and with
// the graph, and expects the same bits in every weight.
func TestFusedMatchesGraph(t *testing.T) {
	specs := map[string]string{
		"relu dropout cross_entropy": shuffledSpec,
		"tanh gelu mse": strings.NewReplacer("  label: c", "  columns: [y1, y2]", "  - relu", "  - tanh\n  - linear: 6\n  - gelu",
			"  - linear: 3", "  - linear: 2", "loss: cross_entropy", "loss: mse").Replace(shuffledSpec),
		"leaky sigmoid smoothing sgd": strings.NewReplacer("  - relu", "  - leaky_relu: {negative_slope: 0.1}\n  - linear: 8\n  - sigmoid",
			"loss: cross_entropy", "loss: {name: cross_entropy, label_smoothing: 0.1, reduction: sum}",
			"optimizer: {name: adam, lr: 0.01}", "optimizer: {name: sgd, lr: 0.01, momentum: 0.9}").Replace(shuffledSpec),
		"residual blocks": strings.NewReplacer("  - relu", "  - relu\n  - residual: [{linear: 8}, tanh]\n  - residual: {body: [{linear: 5}, relu], shortcut: [{linear: {out_features: 5, bias: false}}]}").Replace(shuffledSpec),
	}
	for name, src := range specs {
		weights := func(graph bool) []nn.Param {
			s := writeSpec(t, src)
			tr, _, err := Build(s, Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if tr.fused == nil {
				t.Fatalf("%s: the fused step declined this network", name)
			}
			if graph {
				tr.fused = nil
			}
			if _, err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			return tr.Model.Params()
		}
		fused, graph := weights(false), weights(true)
		for i, p := range fused {
			for j, v := range p.Value.Data() {
				if w := graph[i].Value.Data()[j]; math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("%s: %s[%d]: fused %v, graph %v", name, p.Name, j, v, w)
				}
			}
		}
	}
}

// TestStepSettlesDroppedGradients checks that a gradient the fused step
// drops but no kernel writes (here, a parameter the optimizer holds that
// the network never uses) reads as zero afterwards, as ZeroGrad would
// leave it, rather than as what the last step left in its storage.
func TestStepSettlesDroppedGradients(t *testing.T) {
	s, err := spec.Parse("t.yaml", []byte("input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: 4}, relu, {linear: 2}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(s, []int{3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	extra := autograd.Param(tensor.Zeros(5))
	extra.AccumulateGrad(tensor.Full(7, 5))
	o, err := optim.New("sgd", append(nn.Vars(m.Params()), extra), map[string]any{"lr": 0.1, "momentum": 0.9})
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Randn(tensor.NewRNG(3), 6, 3)
	labels := []int{0, 1, 1, 0, 1, 0}
	tr, err := NewTrainer(m, o, &data.Dataset{X: x, Labels: labels}, nil, Config{Epochs: 1, BatchSize: 6}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tr.fused == nil {
		t.Fatal("the fused step declined the network")
	}
	for step := 0; step < 2; step++ {
		tr.Step(x, labels, nil)
		if extra.Grad == nil {
			t.Fatalf("step %d: the unused parameter has no gradient", step)
		}
		for i, g := range extra.Grad.Data() {
			if g != 0 {
				t.Fatalf("step %d: gradient of the unused parameter [%d] = %v, want 0", step, i, g)
			}
		}
		extra.Grad.Data()[0] = 9 // what a stale storage would hold
	}
	for _, p := range m.Params() {
		if p.Grad == nil {
			t.Errorf("%s: no gradient after Step", p.Name)
		}
	}
}

func TestFusedDeclines(t *testing.T) {
	for _, arch := range []string{"[{linear: 4}, {prelu: 1}, {linear: 3}]", "[{linear: 6}, {maxout: 2}, {linear: 3}]"} {
		s := writeSpec(t, strings.Replace(shuffledSpec, "architecture:\n  - linear: 8\n  - relu\n  - dropout: 0.2\n  - linear: 3\n", "architecture: "+arch+"\n", 1))
		tr, _, err := Build(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if tr.fused != nil {
			t.Errorf("%s: fused step accepted a layer it cannot run", arch)
		}
	}
	s := writeSpec(t, strings.Replace(shuffledSpec, "loss: cross_entropy", "loss: nll", 1))
	if tr, _, err := Build(s, Options{}); err != nil || tr.fused != nil {
		t.Errorf("nll: err %v, fused %v", err, tr != nil && tr.fused != nil)
	}
}

// benchMLP builds the 784-h-h-10 MLP of the speed comparisons with random
// data, and returns a function running one training step.
func benchMLP(b *testing.B, hidden, batch int, opt string, graph bool) func() {
	rng := tensor.NewRNG(1)
	src := "input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: H}, relu, {linear: H}, relu, {linear: 10}]\nloss: cross_entropy\noptimizer: {name: O, lr: 0.01}\ntrain: {epochs: 1}\n"
	src = strings.NewReplacer("H", itoa(hidden), "O", opt).Replace(src)
	s, err := spec.Parse("bench.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewModel(s, []int{784}, 1)
	if err != nil {
		b.Fatal(err)
	}
	hp := map[string]any{"lr": 0.01}
	if opt == "sgd" {
		hp["momentum"] = 0.9
	}
	o, err := optim.New(opt, nn.Vars(m.Params()), hp)
	if err != nil {
		b.Fatal(err)
	}
	x := tensor.Rand(rng, batch, 784)
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.Intn(10)
	}
	ds := &data.Dataset{X: x, Labels: labels}
	tr, err := NewTrainer(m, o, ds, nil, Config{Epochs: 1, BatchSize: batch, graphOnly: graph}, 1)
	if err != nil {
		b.Fatal(err)
	}
	return func() { tr.Step(x, labels, nil) }
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// BenchmarkMLPStep measures a warm training step of the 784-256-256-10 MLP
// (fused, then through the graph), reporting samples per second and
// allocations; the fused step should allocate nothing.
func BenchmarkMLPStep(b *testing.B) {
	cases := []struct {
		name          string
		hidden, batch int
		opt           string
		graph         bool
	}{
		{"784-256-256-10/b64/sgd", 256, 64, "sgd", false},
		{"784-256-256-10/b64/adam", 256, 64, "adam", false},
		{"784-256-256-10/b256/sgd", 256, 256, "sgd", false},
		{"784-1024-1024-10/b256/sgd", 1024, 256, "sgd", false},
		{"784-256-256-10/b64/sgd/graph", 256, 64, "sgd", true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			step := benchMLP(b, c.hidden, c.batch, c.opt, c.graph)
			step() // warm: optimizer state and buffers exist from here on
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
			b.ReportMetric(float64(c.batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

func TestWarmFusedStepAllocatesNothing(t *testing.T) {
	var step func()
	testing.Benchmark(func(b *testing.B) { step = benchMLP(b, 32, 16, "adam", false) })
	step()
	if a := testing.AllocsPerRun(5, step); a != 0 && !raceEnabled {
		t.Fatalf("warm fused step: %v allocations, want 0", a)
	}
}

// TestPredictMatchesGraph checks the graph-free forward pass of Predict
// against the graph, bit for bit, across a chunk boundary.
func TestPredictMatchesGraph(t *testing.T) {
	s := writeSpec(t, shuffledSpec)
	m, err := NewModel(s, []int{3}, 4)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Randn(tensor.NewRNG(5), 5000, 3)
	before := x.Clone()
	got, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	// Predict reads its input in place (an identity scaler makes no copy),
	// so it must never write to it.
	for i, v := range before.Data() {
		if math.Float32bits(v) != math.Float32bits(x.Data()[i]) {
			t.Fatalf("Predict changed its input at %d: %v, was %v", i, x.Data()[i], v)
		}
	}
	want := m.Net.Forward(autograd.Const(x), nn.Eval).Value
	for i, v := range want.Data() {
		if math.Float32bits(v) != math.Float32bits(got.Data()[i]) {
			t.Fatalf("output %d: Predict %v, graph %v", i, got.Data()[i], v)
		}
	}
}

// BenchmarkPredict measures inference of the 784-256-256-10 MLP through
// Model.Predict at batch 1 (latency) and 1024 (throughput).
func BenchmarkPredict(b *testing.B) {
	for _, batch := range []int{1, 1024} {
		b.Run("b"+itoa(batch), func(b *testing.B) {
			s, err := spec.Parse("bench.yaml", []byte("input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: 256}, relu, {linear: 256}, relu, {linear: 10}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n"))
			if err != nil {
				b.Fatal(err)
			}
			m, err := NewModel(s, []int{784}, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := tensor.Rand(tensor.NewRNG(1), batch, 784)
			if _, err := m.Predict(x); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Predict(x)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/predict")
		})
	}
}

// TestPredictConcurrent runs Predict from many goroutines on a network
// with dropout and expects every answer to be the evaluation-mode one:
// no call may see another's mode or buffers. Run it under -race.
func TestPredictConcurrent(t *testing.T) {
	s := writeSpec(t, shuffledSpec)
	m, err := NewModel(s, []int{3}, 4)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Randn(tensor.NewRNG(6), 64, 3)
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan string, 8)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				got, err := m.Predict(x)
				if err != nil {
					errs <- err.Error()
					return
				}
				for i, v := range want.Data() {
					if got.Data()[i] != v {
						errs <- fmt.Sprintf("goroutine %d: output %d is %v, want %v", g, i, got.Data()[i], v)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
