package gan

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
)

// emaSpec is smallSpec with batch norm in the generator and an averaged
// generator.
var emaSpec = strings.NewReplacer(
	"architecture: [{linear: 32}, relu, {linear: 32}, relu, {linear: 2}]", "architecture: [{linear: 32}, batch_norm1d, relu, {linear: 2}]",
	"gan: {loss: standard, latent: 2}", "gan: {loss: standard, latent: 2, ema: 0.5}",
	"epochs: 30, batch_size: 50", "epochs: 2, batch_size: 500, checkpoint_every: 1, shuffle: true",
).Replace(smallSpec)

// TestAverage follows the generator's weights step by step and checks
// that the average the trainer keeps is avg ← d·avg + (1−d)·w from the
// initial weights on, and that UseAverage puts it in the generator with
// batch norm statistics recounted over fresh batches.
func TestAverage(t *testing.T) {
	tr, _, err := Build(parse(t, emaSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Config.EMA != 0.5 {
		t.Fatalf("Config.EMA = %g, want the spec's 0.5", tr.Config.EMA)
	}
	params := tr.G.Net.Params()
	want := make([][]float64, len(params))
	for i, p := range params {
		for _, v := range p.Value.Data() {
			want[i] = append(want[i], float64(v))
		}
	}
	tr.Config.OnStep = func(StepInfo) error {
		for i, p := range params {
			for j, v := range p.Value.Data() {
				want[i][j] = 0.5*want[i][j] + 0.5*float64(v)
			}
		}
		return nil
	}
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := make([][]float32, len(params))
	for i, p := range params {
		last[i] = slices.Clone(p.Value.Data())
	}
	tr.UseAverage()
	for i, p := range params {
		for j, v := range p.Value.Data() {
			// Halving and adding are exact but for the last bit.
			if d := float64(v) - want[i][j]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("%s[%d] = %v after UseAverage, want the average %v", p.Name, j, v, want[i][j])
			}
		}
	}
	if slices.Equal(last[0], params[0].Value.Data()) {
		t.Fatal("UseAverage left the last weights in place")
	}
	bn := tr.G.Net.Layers[1].(*nn.BatchNorm)
	if got := bn.NumBatchesTracked.Data()[0]; got != 100 {
		t.Errorf("batch norm counted %v batches after UseAverage, want 100 fresh ones", got)
	}
	if bn.Cumulative || bn.Momentum != 0.1 {
		t.Errorf("batch norm left with cumulative %v, momentum %g; want its own 0.1 back", bn.Cumulative, bn.Momentum)
	}
}

// TestAverageResume checks that a checkpoint carries the average: two
// epochs straight and one, a checkpoint, then the second give the same
// saved generator, and a checkpoint without an average is refused.
func TestAverageResume(t *testing.T) {
	straight, resumed, s := trainTwice(t, emaSpec)
	a, b := straight.Generator.Net, resumed.Generator.Net
	for i, p := range a.Params() {
		if !slices.Equal(p.Value.Data(), b.Params()[i].Value.Data()) {
			t.Fatalf("%s differs after resuming", p.Name)
		}
	}
	for i, buf := range a.Buffers() {
		if !slices.Equal(buf.Value.Data(), b.Buffers()[i].Value.Data()) {
			t.Fatalf("buffer %s differs after resuming", buf.Name)
		}
	}
	// Without the average in it, the checkpoint does not resume an
	// averaging run.
	tr, _, err := Build(parse(t, emaSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := s.Resolve("gan.ckpt.safetensors")
	tr.average = nil
	if err := tr.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	tr, _, err = Build(parse(t, emaSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Resume(path)
	if want := fmt.Sprintf("%s: no averaged generator weight %q", path, "generator_average.0.weight"); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("resuming without the average: %v, want %q…", err, want)
	}
}
