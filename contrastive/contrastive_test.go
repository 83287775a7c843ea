package contrastive

import (
	"context"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// blobs returns n 6×6 images: a bright 2×2 square at one of four places
// (the class), on noise.
func blobs(n int, seed uint64) *data.Dataset {
	rng := tensor.NewRNG(seed)
	x := tensor.Zeros(n, 36)
	labels := make([]int, n)
	for i := range n {
		c := i % 4
		labels[i] = c
		img := x.Data()[i*36 : (i+1)*36]
		for j := range img {
			img[j] = float32(0.1 * rng.Normal())
		}
		y0, x0 := 3*(c/2), 3*(c%2)
		for dy := range 2 {
			for dx := range 2 {
				img[(y0+dy)*6+x0+dx] += 1
			}
		}
	}
	return &data.Dataset{X: x, Labels: labels, Shape: []int{1, 6, 6}}
}

func newTrainer(t *testing.T, epochs int) *Trainer {
	t.Helper()
	rng := tensor.NewRNG(1)
	s, err := spec.Parse("t.yaml", []byte(`
input: {mnist: {}, augment: {noise: 0.05, rotation: 5}}
architecture: [flatten, {linear: 16}, relu, {linear: 8}]
simclr: {temperature: 0.5, encoder: 2}
optimizer: {name: adam, lr: 0.01}
train: {epochs: 3, batch_size: 16, seed: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := spec.BuildArchitecture([]int{1, 6, 6}, s.Architecture, rng)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.New("adam", nn.Vars(net.Params()), map[string]any{"lr": 0.01})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Temperature: 0.5, Views: data.Augment{Noise: 0.05, Rotation: 5, Seed: 3}, Epochs: epochs, BatchSize: 16, Shuffle: true, Seed: 1}
	tr, err := NewTrainer(net, []int{1, 6, 6}, opt, blobs(64, 2), cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrainingLowersTheLoss(t *testing.T) {
	tr := newTrainer(t, 12)
	h, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first, last := h.Epochs[0].Loss, h.Epochs[len(h.Epochs)-1].Loss
	// With 16 images a batch, chance is log(31) ≈ 3.43.
	if !(last < first-0.3) {
		t.Errorf("NT-Xent went from %.4f to %.4f over 12 epochs; want it to fall by 0.3 or more", first, last)
	}
}

func TestViewsArePairs(t *testing.T) {
	tr := newTrainer(t, 1)
	tr.Config.Views = data.Augment{} // no change: both views are the image
	x := blobs(5, 4).X
	v := tr.Views(x)
	if !slices.Equal(v.Shape(), []int{10, 1, 6, 6}) {
		t.Fatalf("views of shape %v, want [10 1 6 6]", v.Shape())
	}
	for i := range 5 {
		a, b, src := v.Data()[i*36:(i+1)*36], v.Data()[(i+5)*36:(i+6)*36], x.Data()[i*36:(i+1)*36]
		if !slices.Equal(a, src) || !slices.Equal(b, src) {
			t.Fatalf("image %d: views %v and %v, want both %v", i, a[:4], b[:4], src[:4])
		}
	}
}

// TestViewsAnyThreads draws views of enough images to be shared among
// goroutines, at GOMAXPROCS 1 and 4, and wants both bit for bit equal to
// drawing and applying each warp in turn from a trainer of the same seed.
func TestViewsAnyThreads(t *testing.T) {
	const n = 2000
	x := blobs(n, 5).X
	aug := data.Augment{CropScale: [2]float64{0.5, 1}, Rotation: 10, Noise: 0.05, Seed: 7}
	views := func(procs int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		tr := newTrainer(t, 1)
		tr.Config.Views = aug
		return slices.Clone(tr.Views(x).Data())
	}
	ref := newTrainer(t, 1)
	ref.Config.Views = aug
	want := make([]float32, 2*n*36)
	for k := range 2 * n {
		i := k % n
		ref.Config.Views.Draw(ref.aug, 6, 6).Apply(want[k*36:(k+1)*36], x.Data()[i*36:(i+1)*36], ref.In)
	}
	if slices.Equal(want[:36], x.Data()[:36]) {
		t.Fatal("the augmentation left the first image as it was; the test needs views that differ")
	}
	for _, procs := range []int{1, 4} {
		got := views(procs)
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("GOMAXPROCS=%d: view %d, value %d: %v, want %v", procs, j/36, j%36, got[j], want[j])
			}
		}
	}
}

// TestResumeSameBits trains 3 epochs straight and 1 + 2 through a
// checkpoint, and wants the same weights bit for bit.
func TestResumeSameBits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.safetensors")
	a := newTrainer(t, 3)
	if _, err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := newTrainer(t, 1)
	if _, err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	c := newTrainer(t, 3)
	if err := c.Resume(path); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	pa, pc := a.Net.Params(), c.Net.Params()
	for i := range pa {
		if !slices.Equal(pa[i].Value.Data(), pc[i].Value.Data()) {
			t.Fatalf("%s differs after resuming", pa[i].Name)
		}
	}
	if ha, hc := a.History().Epochs, c.History().Epochs; len(ha) != len(hc) || ha[2].Loss != hc[2].Loss {
		t.Errorf("histories differ: %v and %v", ha, hc)
	}
}

func TestNaNGuard(t *testing.T) {
	tr := newTrainer(t, 1)
	for _, p := range tr.Net.Params() {
		p.Value.Data()[0] = float32(math.NaN())
	}
	if _, err := tr.Advance(); err == nil {
		t.Fatal("NaN weights: no error")
	}
}

// TestLinearProbe probes features in which the class is the index of the
// largest value, which a linear layer separates exactly.
func TestLinearProbe(t *testing.T) {
	rng := tensor.NewRNG(5)
	make := func(n int) (*tensor.Tensor, []int) {
		x := tensor.Zeros(n, 3)
		labels := []int{}
		for i := range n {
			c := i % 3
			for j := range 3 {
				x.Data()[i*3+j] = float32(rng.Uniform(0, 1))
			}
			x.Data()[i*3+c] += 2
			labels = append(labels, c)
		}
		return x, labels
	}
	trX, trL := make(300)
	teX, teL := make(90)
	res, err := LinearProbe(trX, trL, teX, teL, Probe{Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accuracy < 0.99 || res.Penalty != 0 || res.Held != nil {
		t.Errorf("probe on separable classes: %+v, want accuracy ≥ 0.99, no penalty, no cross-validation", res)
	}
	if _, err := LinearProbe(trX, trL[:5], teX, teL, Probe{Classes: 3}); err == nil {
		t.Error("too few labels: no error")
	}
	if _, err := LinearProbe(trX, trL, teX, teL, Probe{Classes: 3, Penalties: []float64{0, 1}, Folds: 1}); err == nil {
		t.Error("one fold: no error")
	}
}

// TestProbePenalty checks that cross-validation picks the penalty from
// the training rows alone: the test labels, scrambled, change the test
// accuracy but neither the held-out accuracies nor the choice. The
// class shows only in the difference of two features that share a large
// noise, which an unpenalized probe finds; a penalty so large that it
// leaves the probe at the class means' difference cannot, and loses.
func TestProbePenalty(t *testing.T) {
	rng := tensor.NewRNG(9)
	const d = 4
	sample := func(n int) (*tensor.Tensor, []int) {
		x := tensor.Zeros(n, d)
		labels := make([]int, n)
		for i := range n {
			c := i % 2
			shared := 3 * rng.Normal()
			row := x.Data()[i*d : (i+1)*d]
			row[0] = float32(0.5*float64(2*c-1) + shared + 0.1*rng.Normal())
			row[1] = float32(shared + 0.1*rng.Normal())
			row[2], row[3] = float32(rng.Normal()), float32(rng.Normal())
			labels[i] = c
		}
		return x, labels
	}
	trX, trL := sample(60)
	teX, teL := sample(400)
	p := Probe{Classes: 2, Seed: 3, Penalties: []float64{0.01, 1000}, Folds: 3}
	res, err := LinearProbe(trX, trL, teX, teL, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Held) != 2 || res.Penalty != 0.01 || res.Held[0] <= res.Held[1] {
		t.Errorf("cross-validated probe %+v, want penalty 0.01 ahead of 1000", res)
	}
	if res.Accuracy < 0.9 {
		t.Errorf("probe accuracy %.3f, want ≥ 0.9", res.Accuracy)
	}
	scrambled := append([]int(nil), teL...)
	for i := range scrambled {
		scrambled[i] = 1 - scrambled[i]
	}
	again, err := LinearProbe(trX, trL, teX, scrambled, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.Penalty != res.Penalty || again.Held[0] != res.Held[0] || again.Held[1] != res.Held[1] {
		t.Errorf("test labels changed the cross-validation: %+v then %+v", res, again)
	}
	if math.Abs(again.Accuracy-(1-res.Accuracy)) > 1e-12 {
		t.Errorf("flipped test labels: accuracy %.4f then %.4f, want them to sum to 1", res.Accuracy, again.Accuracy)
	}
}

func TestBestPenalty(t *testing.T) {
	if got := bestPenalty([]float64{0.1, 0.01, 1}, []float64{0.9, 0.9, 0.5}); got != 0.01 {
		t.Errorf("tie between 0.1 and 0.01 went to %g, want the smaller", got)
	}
	if got := bestPenalty([]float64{0, 0.01}, []float64{0.8, 0.85}); got != 0.01 {
		t.Errorf("best penalty %g, want 0.01", got)
	}
}
