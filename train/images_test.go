package train

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/spec"
)

// writeIDX writes an IDX file of unsigned bytes.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	if err := os.WriteFile(path, append(b, data...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// imageSpec writes a small MNIST-format set of 8×8 digits (a bright
// square whose place depends on the label) and a spec reading it with
// the given extra input keys and train keys.
func imageSpec(t *testing.T, input, trainKeys string) *spec.Spec {
	t.Helper()
	dir := t.TempDir()
	for _, set := range []struct {
		images, labels string
		n              int
	}{{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60}, {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 20}} {
		pix := make([]byte, set.n*64)
		lab := make([]byte, set.n)
		for i := range set.n {
			lab[i] = byte(i % 4)
			r, c := 1+4*(i%2), 1+4*(i%4/2)
			for y := r; y < r+2; y++ {
				for x := c; x < c+2; x++ {
					pix[i*64+y*8+x] = byte(200 + i%50)
				}
			}
		}
		writeIDX(t, filepath.Join(dir, set.images), []int{set.n, 8, 8}, pix)
		writeIDX(t, filepath.Join(dir, set.labels), []int{set.n}, lab)
	}
	src := "input:\n  mnist: {dir: .}\n" + input +
		"output: {label: digit, classes: 4}\n" +
		"architecture: [flatten, {linear: 8}, relu, {linear: 4}]\n" +
		"loss: cross_entropy\noptimizer: {name: sgd, lr: 0.1}\n" +
		"train:\n  epochs: 4\n  batch_size: 16\n  seed: 3\n  save: m.safetensors\n" + trainKeys
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

func TestLoadDataImages(t *testing.T) {
	s := imageSpec(t, "  augment: {crop_padding: 1, rotation: 10, hflip: true}\n", "  validation: 0.25\n")
	sets, err := LoadData(s)
	if err != nil {
		t.Fatal(err)
	}
	for name, ds := range map[string]*struct {
		compact bool
		aug     bool
	}{"train": {sets.Train.Pixels != nil && sets.Train.X == nil, sets.Train.Augment != nil},
		"valid": {sets.Valid.Pixels != nil, sets.Valid.Augment != nil},
		"test":  {sets.Test.Pixels != nil, sets.Test.Augment != nil}} {
		if !ds.compact {
			t.Errorf("%s set is not compact", name)
		}
		if ds.aug != (name == "train") {
			t.Errorf("%s set: augmentation %v, want it on the training set only", name, ds.aug)
		}
	}
	if a := sets.Train.Augment; a.CropPadding != 1 || a.Rotation != 10 || !a.HFlip || a.Seed != 3 {
		t.Errorf("augmentation %+v, want the spec's, seeded by train.seed", *a)
	}
	if sets.Scaler.Features() != 64 {
		t.Errorf("scaler fitted on %d features, want 64", sets.Scaler.Features())
	}

	// Per-column scaling expands the images to float32 and scales them.
	s = imageSpec(t, "  scale: minmax\n", "")
	if sets, err = LoadData(s); err != nil {
		t.Fatal(err)
	}
	if sets.Train.X == nil || sets.Train.Pixels != nil {
		t.Fatal("minmax scaling left the images compact")
	}
	hi := float32(0)
	for _, v := range sets.Train.X.Data() {
		hi = max(hi, v)
	}
	if hi != 1 {
		t.Errorf("scaled pixels reach %v, want 1", hi)
	}
}

// Training with augmentation resumes from a checkpoint as if it had
// never stopped: the checkpoint carries the augmentation RNG.
func TestResumeWithAugmentation(t *testing.T) {
	const aug = "  augment: {crop_padding: 2, rotation: 20, hflip: true}\n"
	full, err := Run(context.Background(), imageSpec(t, aug, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Run(context.Background(), imageSpec(t, "", ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if full.History.Epochs[3].TrainLoss == plain.History.Epochs[3].TrainLoss {
		t.Error("augmentation did not change training")
	}
	s := imageSpec(t, aug, "  checkpoint_every: 2\n")
	short := *s
	short.Train.Epochs = 3
	if _, err := Run(context.Background(), &short, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := Run(context.Background(), s, Options{Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	wp := full.Model.Params()
	for i, p := range got.Model.Params() {
		for j, v := range p.Value.Data() {
			if math.Float32bits(v) != math.Float32bits(wp[i].Value.Data()[j]) {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", p.Name, j, v, wp[i].Value.Data()[j])
			}
		}
	}
	if math.IsNaN(got.TestAccuracy) {
		t.Error("no test accuracy")
	}
}

func TestLoadDataImageErrors(t *testing.T) {
	s := imageSpec(t, "", "")
	s.Input.MNIST.Dir = ""
	_, err := LoadData(s)
	want := s.Path + ": input.mnist: no MNIST files: set input.mnist.dir, or import github.com/bigfunc/bigfunc/data/mnistdata"
	if err == nil || err.Error() != want {
		t.Errorf("mnist without a location: %v\nwant %s", err, want)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "xor.yaml")
	src := "input: {synthetic: xor, augment: {hflip: true}}\noutput: {label: c}\narchitecture: [{linear: 2}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = spec.Load(path); err != nil {
		t.Fatal(err)
	}
	_, err = LoadData(s)
	if err == nil || !strings.HasPrefix(err.Error(), path+": input.augment: augmentation works on images of shape [C, H, W] or [H, W], not samples of shape [2]") {
		t.Errorf("augmenting 2 features: %v", err)
	}
}
