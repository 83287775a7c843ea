package main

import (
	"encoding/csv"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/spec"
)

const ganSpec = `input: {synthetic: {name: ring8, size: 400, seed: 1}}
generator:
  architecture: [{linear: 16}, relu, {linear: 2}]
  optimizer: {name: adam, lr: 0.002}
discriminator:
  architecture: [{linear: 16}, relu, {linear: 1}]
  optimizer: {name: adam, lr: 0.002}
gan: {loss: hinge, latent: 3}
train: {epochs: 2, batch_size: 100, seed: 2}
`

func TestTrainAndSampleGAN(t *testing.T) {
	dir := writeFiles(t, map[string]string{"gan.yaml": ganSpec})
	spec := filepath.Join(dir, "gan.yaml")
	code, out, errs := runCLI(t, "check", spec)
	if code != 0 || !strings.Contains(out, "generator     3 layers, 98 parameters, latent 3 (normal)") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "train", spec, "--quiet")
	if code != 0 || !strings.Contains(out, "trained 2 epochs: discriminator loss") {
		t.Fatalf("train: exit %d\n%s%s", code, out, errs)
	}
	model := filepath.Join(dir, "gan.safetensors")
	code, out, errs = runCLI(t, "sample", "--model", model, "-n", "5", "--seed", "4")
	if code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 6 || strings.Join(rows[0], ",") != "x1,x2" || len(rows[1]) != 2 {
		t.Fatalf("sample CSV:\n%s(%v)", out, err)
	}
	file := filepath.Join(dir, "s.csv")
	if code, _, errs := runCLI(t, "sample", "--model", model, "-n", "5", "--seed", "4", "-o", file); code != 0 {
		t.Fatalf("sample -o: %s", errs)
	}
	if b, _ := os.ReadFile(file); string(b) != out {
		t.Errorf("-o wrote\n%s\nstdout had\n%s", b, out)
	}
	if _, again, _ := runCLI(t, "sample", "--model", model, "-n", "5", "--seed", "5"); again == out {
		t.Error("another seed gave the same samples")
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sample", "-n", "5"}, 2, "bigfunc: sample: missing --model"},
		{[]string{"sample", "--model", model}, 2, "bigfunc: sample: -n: want an integer from 1 to 1048576, got 0"},
		{[]string{"sample", "--model", model, "-n", "3", "--grid", filepath.Join(dir, "g.png")}, 1, "bigfunc: gan: samples of shape [2] are not images"},
		{[]string{"sample", "--model", spec, "-n", "3"}, 1, "bigfunc: safetensors"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.HasPrefix(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 1 {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, errs, c.code, c.want)
		}
	}
}

// TestSampleGrid draws samples of an image-shaped generator as a grid.
func TestSampleGrid(t *testing.T) {
	digits := "p0,p1,p2,p3,p4,p5\n0,0.5,1,1,0.5,0\n1,0,1,0,1,0\n"
	src := strings.Replace(ganSpec, "{synthetic: {name: ring8, size: 400, seed: 1}}", "{csv: d.csv, shape: [1, 2, 3]}", 1)
	src = strings.Replace(src, "{linear: 2}]", "{linear: 6}, sigmoid, {unflatten: {shape: [1, 2, 3]}}]", 1)
	src = strings.Replace(src, "[{linear: 16}, relu, {linear: 1}]", "[flatten, {linear: 16}, relu, {linear: 1}]", 1)
	dir := writeFiles(t, map[string]string{"gan.yaml": src, "d.csv": digits})
	if code, out, errs := runCLI(t, "train", filepath.Join(dir, "gan.yaml"), "--quiet"); code != 0 {
		t.Fatalf("train: exit %d\n%s%s", code, out, errs)
	}
	grid := filepath.Join(dir, "grid.png")
	code, out, errs := runCLI(t, "sample", "--model", filepath.Join(dir, "gan.safetensors"), "-n", "7", "--grid", grid, "--cols", "4")
	if code != 0 || out != "" {
		t.Fatalf("sample --grid: exit %d, stdout %q, %s", code, out, errs)
	}
	f, err := os.Open(grid)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 4 columns of 3-pixel images and 2 rows of 2-pixel ones, a pixel
	// between and around them.
	if b := img.Bounds(); b.Dx() != 4*4+1 || b.Dy() != 2*3+1 {
		t.Errorf("grid is %v, want 17×7", b)
	}
}

// TestReadmeGANSpec holds the README's GAN spec to the example it shows.
func TestReadmeGANSpec(t *testing.T) {
	src := fenced(t, readme(t), "A spec says exactly that", "yaml")
	shown, err := spec.Parse("README.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	example, err := spec.Load(filepath.Join("..", "..", "examples", "gan-ring8.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := spec.Changes(example, shown); err != nil || len(ch) > 0 {
		t.Errorf("the README's GAN spec differs from examples/gan-ring8.yaml: %v %v", ch, err)
	}
}

// TestGANExamplesCheck runs bigfunc check on every GAN example spec.
func TestGANExamplesCheck(t *testing.T) {
	paths, _ := filepath.Glob("../../examples/gan-*.yaml")
	if len(paths) == 0 {
		t.Fatal("no GAN examples")
	}
	for _, p := range paths {
		if code, _, errs := runCLI(t, "check", p); code != 0 {
			t.Errorf("check %s: %s", p, errs)
		}
	}
}

// TestSampleScoreAndGrids trains a tiny image GAN that draws a grid after
// every epoch, a tiny classifier of the same images, and scores the
// generator's samples with it; and trains a tiny SimCLR spec.
func TestSampleScoreAndGrids(t *testing.T) {
	digits := "p0,p1,p2,p3,p4,p5,y\n0,0.5,1,1,0.5,0,0\n1,0,1,0,1,0,1\n0,0.4,1,1,0.6,0,0\n1,0,0.9,0,1,0,1\n0,0.5,0.9,1,0.5,0,0\n1,0.1,1,0,1,0,1\n"
	src := strings.Replace(ganSpec, "{synthetic: {name: ring8, size: 400, seed: 1}}", "{csv: d.csv, columns: [p0, p1, p2, p3, p4, p5], shape: [1, 2, 3]}", 1)
	src = strings.Replace(src, "{linear: 2}]", "{linear: 6}, sigmoid, {unflatten: {shape: [1, 2, 3]}}]", 1)
	src = strings.Replace(src, "[{linear: 16}, relu, {linear: 1}]", "[flatten, {linear: 16}, relu, {linear: 1}]", 1)
	src = strings.Replace(src, "gan: {loss: hinge, latent: 3}", "gan: {loss: hinge, latent: 3, grid: 4}", 1)
	judge := `input: {csv: d.csv, columns: [p0, p1, p2, p3, p4, p5], shape: [1, 2, 3]}
output: {label: y}
architecture: [flatten, {linear: 8}, relu, {linear: 2}]
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 20, batch_size: 3, seed: 1, validation: 0.5}
`
	simclr := `input: {csv: d.csv, columns: [p0, p1, p2, p3, p4, p5], shape: [1, 2, 3], augment: {noise: 0.1, crop_scale: [0.5, 1]}}
architecture: [flatten, {linear: 4}, relu, {linear: 3}]
simclr: {temperature: 0.5, encoder: 2}
optimizer: {name: adam, lr: 0.01}
train: {epochs: 2, batch_size: 3, seed: 1}
`
	dir := writeFiles(t, map[string]string{"gan.yaml": src, "judge.yaml": judge, "simclr.yaml": simclr, "d.csv": digits})
	for _, s := range []string{"gan.yaml", "judge.yaml"} {
		if code, out, errs := runCLI(t, "train", filepath.Join(dir, s), "--quiet"); code != 0 {
			t.Fatalf("train %s: exit %d\n%s%s", s, code, out, errs)
		}
	}
	for _, e := range []string{"gan-epoch1.png", "gan-epoch2.png"} {
		if _, err := os.Stat(filepath.Join(dir, e)); err != nil {
			t.Errorf("gan.grid: %v", err)
		}
	}
	code, out, errs := runCLI(t, "sample", "--model", filepath.Join(dir, "gan.safetensors"), "-n", "50", "--score-with", filepath.Join(dir, "judge.safetensors"))
	if code != 0 || !strings.Contains(out, "samples      50, judged by") || !strings.Contains(out, "frechet") {
		t.Fatalf("sample --score-with: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runCLI(t, "sample", "--model", filepath.Join(dir, "gan.safetensors"), "-n", "5", "--score-with", filepath.Join(dir, "nope.safetensors"))
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "nope.safetensors") {
		t.Errorf("a missing judge: exit %d, %q; want 1 and one line naming the file", code, errs)
	}
	code, out, errs = runCLI(t, "check", filepath.Join(dir, "simclr.yaml"))
	if code != 0 || !strings.Contains(out, "encoder: the first 2") {
		t.Fatalf("check simclr: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "train", filepath.Join(dir, "simclr.yaml"), "--quiet")
	if code != 0 || !strings.Contains(out, "trained 2 epochs: nt_xent") {
		t.Fatalf("train simclr: exit %d\n%s%s", code, out, errs)
	}
}
