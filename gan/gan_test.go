package gan

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// smallSpec is a GAN on ring8 small enough to train in a test.
const smallSpec = `input:
  synthetic: {name: ring8, size: 2000, seed: 1}
generator:
  architecture: [{linear: 32}, relu, {linear: 32}, relu, {linear: 2}]
  optimizer: {name: adam, lr: 0.005, betas: [0.5, 0.999]}
discriminator:
  architecture: [{linear: 32}, relu, {linear: 32}, relu, {linear: 1}]
  optimizer: {name: adam, lr: 0.005, betas: [0.5, 0.999]}
gan: {loss: standard, latent: 2}
train: {epochs: 30, batch_size: 50, seed: 3}
`

func parse(t *testing.T, src string) *spec.Spec {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "gan.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// meanDistance is the mean distance of samples to their nearest mode.
func meanDistance(x *tensor.Tensor) float64 {
	var sum float64
	for i := range x.Dim(0) {
		best := math.Inf(1)
		for k := range data.RingModes {
			mx, my := data.RingMean(k)
			best = min(best, math.Hypot(float64(x.At(i, 0))-mx, float64(x.At(i, 1))-my))
		}
		sum += best
	}
	return sum / float64(x.Dim(0))
}

func TestScoreRing8(t *testing.T) {
	real, err := data.Synthetic("ring8", 2500, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	s := ScoreRing8(real.X)
	// A 2-D Gaussian lies within 3σ of its mean with probability
	// 1 − e^(−4.5) ≈ 0.989.
	if s.Modes != 8 || math.Abs(s.HighQuality-0.989) > 0.01 {
		t.Errorf("the data itself: %+v, want 8 modes and about 98.9%% high quality", s)
	}
	// Everything at one mode, half of it off by 0.07: one mode, half good.
	x := tensor.Zeros(10, 2)
	for i := range 10 {
		x.Set(2, i, 0)
		if i%2 == 1 {
			x.Set(2.07, i, 0)
		}
	}
	s = ScoreRing8(x)
	if s.Modes != 1 || s.HighQuality != 0.5 || s.PerMode[0] != 5 {
		t.Errorf("collapsed: %+v, want 1 mode, 0.5 high quality, 5 at mode 0", s)
	}
}

// TestTrainingCoversModes trains a small GAN briefly: its samples must
// move from wherever the untrained generator puts them onto the ring,
// covering more modes than before.
func TestTrainingCoversModes(t *testing.T) {
	s := parse(t, smallSpec)
	tr, g, err := Build(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := g.Sample(1000, tensor.NewRNG(1))
	b := ScoreRing8(before)
	var steps int
	tr.Config.OnStep = func(StepInfo) error { steps++; return nil }
	h, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 30 || steps != 30*40 {
		t.Fatalf("%d epochs, %d steps; want 30 and 1200", len(h.Epochs), steps)
	}
	after, _ := g.Sample(1000, tensor.NewRNG(1))
	a := ScoreRing8(after)
	db, da := meanDistance(before), meanDistance(after)
	t.Logf("before: %+v, mean distance %.3f; after: %+v, mean distance %.3f", b, db, a, da)
	if a.Modes <= b.Modes || a.Modes < 5 || da > db/3 {
		t.Errorf("training did not improve: modes %d → %d, mean distance %.3f → %.3f", b.Modes, a.Modes, db, da)
	}
}

// TestResume checks that two epochs in one go and one epoch, a
// checkpoint and a resumed second epoch give the same generator, bit for
// bit.
func TestResume(t *testing.T) {
	src := strings.Replace(smallSpec, "epochs: 30, batch_size: 50", "epochs: 2, batch_size: 400, checkpoint_every: 1, shuffle: true", 1)
	src = strings.Replace(src, "loss: standard", "loss: hinge, d_steps: 2, distribution: uniform", 1)
	res, resumed, s := trainTwice(t, src)
	if len(resumed.History.Epochs) != 2 {
		t.Fatalf("resumed history has %d epochs, want 2", len(resumed.History.Epochs))
	}
	a, b := res.Generator.Net.Params(), resumed.Generator.Net.Params()
	for i := range a {
		if !slices.Equal(a[i].Value.Data(), b[i].Value.Data()) {
			t.Fatalf("%s differs after resuming", a[i].Name)
		}
	}
	// A checkpoint of another spec is refused, naming what changed.
	other, _, err := Build(parse(t, strings.Replace(src, "lr: 0.005, betas", "lr: 0.001, betas", 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = other.Resume(s.Resolve("gan.ckpt.safetensors"))
	if err == nil || !strings.Contains(err.Error(), "generator.optimizer.lr (") || !strings.Contains(err.Error(), ") changed since the checkpoint") {
		t.Errorf("resuming another spec: %v", err)
	}
}

// trainTwice trains the spec src (of two epochs, with a checkpoint every
// epoch) straight through, and again one epoch, then the second after
// resuming; it returns both results and the spec of the second run.
func trainTwice(t *testing.T, src string) (straight, resumed *Result, s *spec.Spec) {
	t.Helper()
	straight, err := Run(context.Background(), parse(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s = parse(t, src)
	if err := s.Set("train.epochs", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), s, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("train.epochs", "2"); err != nil {
		t.Fatal(err)
	}
	if resumed, err = Run(context.Background(), s, Options{Resume: true}); err != nil {
		t.Fatal(err)
	}
	return straight, resumed, s
}

// TestNaNGuard poisons the generator: the discriminator's loss is NaN at
// the first step, and training stops with an error saying so.
func TestNaNGuard(t *testing.T) {
	tr, _, err := Build(parse(t, smallSpec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr.G.Net.Params()[0].Value.Data()[0] = float32(math.NaN())
	_, err = tr.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "epoch 1 step 1: discriminator loss is NaN; training stopped") {
		t.Errorf("got %v, want the NaN guard's error", err)
	}
}

// TestGeneratorFile checks that a saved generator loads back and samples
// the same values, in evaluation mode (dropout off), and that a
// non-generator file is refused with a message.
func TestGeneratorFile(t *testing.T) {
	src := strings.Replace(smallSpec, "{linear: 32}, relu, {linear: 32}, relu, {linear: 2}", "{linear: 16}, relu, {dropout: 0.5}, {linear: 2}", 1)
	src = strings.Replace(src, "epochs: 30", "epochs: 1", 1)
	s := parse(t, src)
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGenerator(res.SavedTo)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Columns, []string{"x1", "x2"}) || g.Latent != 2 || g.Distribution != Normal {
		t.Errorf("loaded %+v", g)
	}
	x1, _ := res.Generator.Sample(50, tensor.NewRNG(5))
	x2, _ := g.Sample(50, tensor.NewRNG(5))
	x3, _ := g.Sample(50, tensor.NewRNG(5))
	if !slices.Equal(x1.Data(), x2.Data()) || !slices.Equal(x2.Data(), x3.Data()) {
		t.Error("the same seed gave different samples")
	}
	bad := filepath.Join(t.TempDir(), "x.safetensors")
	os.WriteFile(bad, []byte("not a file"), 0o644)
	if _, err := LoadGenerator(bad); err == nil {
		t.Error("a broken file loaded")
	}
}

func TestBuildErrors(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"{linear: 2}]", "{linear: 3}]", "the generator makes samples of shape [3], but the data's are [2]"},
		{"{name: adam, lr: 0.005, betas: [0.5, 0.999]}\ndiscriminator", "{name: adamm}\ndiscriminator", "gan.yaml:5:14: generator.optimizer: "},
	} {
		_, _, err := Build(parse(t, strings.Replace(smallSpec, c.from, c.to, 1)), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.to, err, c.want)
		}
	}
}

// TestRing8Frame checks where a frame puts the modes and the samples.
func TestRing8Frame(t *testing.T) {
	x := tensor.FromSlice([]float32{0, 0}, 1, 2)
	img := Ring8Frame(x, 260, "")
	// 50 pixels per unit: (0, 0) at the centre, mode 0 (2, 0) at x = 230,
	// mode 2 (0, 2) at y = 30.
	for _, c := range []struct {
		x, y int
		want uint8
	}{{130, 130, 2}, {230, 130, 1}, {130, 30, 1}, {180, 60, 0}} {
		if got := img.ColorIndexAt(c.x, c.y); got != c.want {
			t.Errorf("pixel (%d, %d): colour %d, want %d", c.x, c.y, got, c.want)
		}
	}
}
