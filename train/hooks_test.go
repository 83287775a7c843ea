package train

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
)

// TestPenalty trains one step with l1 and l2 set and checks every weight
// and bias against an SGD step computed here from the plain gradient:
// w − lr·(g + l1·sign(w) + l2·w) for weights, b − lr·g for biases.
func TestPenalty(t *testing.T) {
	src := strings.NewReplacer("optimizer: {name: adam, lr: 0.01}", "optimizer: {name: sgd, lr: 0.5, l1: 0.01, l2: 0.1}",
		"  - dropout: 0.2\n", "", "batch_size: 5", "batch_size: 0").Replace(shuffledSpec)
	tr, _, err := Build(writeSpec(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Config.Penalty != (Penalty{L1: 0.01, L2: 0.1}) {
		t.Fatalf("penalty: got %+v", tr.Config.Penalty)
	}
	// The plain gradient, from a graph step without penalty or update.
	params := tr.Model.Params()
	before := map[string][]float32{}
	for _, p := range params {
		before[p.Name] = append([]float32(nil), p.Value.Data()...)
	}
	b, _ := tr.loader.Next()
	x, labels := b.X.Clone(), append([]int(nil), b.Labels...)
	tr.loader = nil // the step below must not need it
	plain := Config{}
	saved := tr.Config
	tr.Config = plain
	tr.Opt.ZeroGrad()
	v, _ := tr.fused.step(x, tr.targetOf(labels, nil), nn.Train(tr.Model.rng))
	if math.IsNaN(float64(v)) {
		t.Fatal("NaN loss")
	}
	grads := map[string][]float32{}
	for _, p := range params {
		grads[p.Name] = append([]float32(nil), p.Grad.Data()...)
		copy(p.Value.Data(), before[p.Name])
	}
	tr.Config = saved
	tr.Step(x, labels, nil)
	for _, p := range params {
		isWeight := strings.HasSuffix(p.Name, ".weight")
		for i, w0 := range before[p.Name] {
			g := grads[p.Name][i]
			if isWeight {
				g += 0.1 * w0
				switch {
				case w0 > 0:
					g += 0.01
				case w0 < 0:
					g -= 0.01
				}
			}
			want := w0 - 0.5*g
			if got := p.Value.Data()[i]; math.Abs(float64(got-want)) > 1e-6 {
				t.Fatalf("%s[%d]: got %v, want %v", p.Name, i, got, want)
			}
		}
	}
}

func TestPenaltyErrors(t *testing.T) {
	src := strings.Replace(shuffledSpec, "optimizer: {name: adam, lr: 0.01}", "optimizer: {name: adam, lr: 0.01, l2: -1}", 1)
	_, _, err := Build(writeSpec(t, src), Options{})
	if err == nil || !strings.Contains(err.Error(), "optimizer.l2: want a rate ≥ 0, got -1") {
		t.Fatalf("got %v", err)
	}
}

// TestOnStep checks that the hook sees every step in order, that the
// epoch's last step says so after recording it, and that an error from
// the hook stops training with that error.
func TestOnStep(t *testing.T) {
	var steps []StepInfo
	opts := Options{OnStep: func(s StepInfo) error {
		steps = append(steps, s)
		return nil
	}}
	tr, _, err := Build(writeSpec(t, shuffledSpec), opts)
	if err != nil {
		t.Fatal(err)
	}
	rows, per := tr.train.Len(), tr.loader.NumBatches()
	res, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 12*per {
		t.Fatalf("got %d steps, want %d", len(steps), 12*per)
	}
	seen := 0
	for i, s := range steps {
		if s.Epoch != i/per+1 || s.Step != i%per+1 || s.EpochDone != (i%per == per-1) {
			t.Fatalf("step %d: got %+v", i, s)
		}
		seen += s.Rows
	}
	if seen != 12*rows {
		t.Fatalf("steps covered %d rows, want %d", seen, 12*rows)
	}
	if n := len(res.Epochs); n != 12 {
		t.Fatalf("history: %d epochs", n)
	}
	stop := errors.New("enough")
	opts.OnStep = func(s StepInfo) error {
		if s.Epoch == 2 && s.EpochDone {
			return stop
		}
		return nil
	}
	tr, _, err = Build(writeSpec(t, shuffledSpec), opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := tr.Run(context.Background())
	if !errors.Is(err, stop) || len(h.Epochs) != 2 {
		t.Fatalf("got %v after %d epochs, want the hook's error after 2", err, len(h.Epochs))
	}
}

// TestAdvanceIsRun trains once with Run and once step by step with
// Advance, and expects the same bits and the same history.
func TestAdvanceIsRun(t *testing.T) {
	a, _, err := Build(writeSpec(t, shuffledSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, _, err := Build(writeSpec(t, shuffledSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for !b.Done() {
		if _, err := b.Advance(); err != nil {
			t.Fatal(err)
		}
	}
	pa, pb := a.Model.Params(), b.Model.Params()
	for i := range pa {
		for j, v := range pa[i].Value.Data() {
			if w := pb[i].Value.Data()[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s[%d]: Run %v, Advance %v", pa[i].Name, j, v, w)
			}
		}
	}
	ha, hb := a.History().Epochs, b.History().Epochs
	for i := range ha {
		if ha[i].TrainLoss != hb[i].TrainLoss || ha[i].ValidLoss != hb[i].ValidLoss {
			t.Fatalf("epoch %d: Run %+v, Advance %+v", i+1, ha[i], hb[i])
		}
	}
}
