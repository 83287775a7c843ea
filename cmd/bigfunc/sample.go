package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/png"
	"math"
	"slices"
	"strconv"

	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// cmdSample draws samples from a trained GAN generator.
func cmdSample(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sample", "--model G -n N [--seed S] [-o FILE] [--grid FILE.png] [--score-with MODEL]",
		"draw samples from a trained GAN generator, as CSV on stdout or to a file")
	model := fs.String("model", "", "the generator `FILE` that training a GAN spec saved")
	n := fs.Int("n", 0, "draw `N` samples")
	seed := fs.Uint64("seed", 0, "draw the latent vectors with seed `S`")
	out := fs.String("o", "", "write the CSV to `FILE` (atomically) instead of stdout")
	grid := fs.String("grid", "", "draw image samples as a grid in `FILE` (PNG); the CSV is then written only with -o")
	cols := fs.Int("cols", 0, "images per row of the grid (0: about the square root of N)")
	judge := fs.String("score-with", "", "score image samples with the classifier `MODEL` (a file `bigfunc train` saved) against its spec's test images, instead of writing them")
	confidence := fs.Float64("confidence", 0.9, "with --score-with: the class probability `P` a confident verdict needs")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := required(fs, "model", *model); err != nil {
		return err
	}
	if *n < 1 || *n > 1<<20 {
		return cmdUsagef(fs, "sample: -n: want an integer from 1 to %d, got %d", 1<<20, *n)
	}
	if *cols < 0 {
		return cmdUsagef(fs, "sample: --cols: want an integer ≥ 0, got %d", *cols)
	}
	g, err := gan.LoadGenerator(*model)
	if err != nil {
		return err
	}
	x, err := g.Sample(*n, tensor.NewRNG(*seed))
	if err != nil {
		return err
	}
	if *judge != "" {
		return scoreSamples(e, *judge, g, x, *confidence)
	}
	if *grid != "" {
		c := *cols
		if c == 0 {
			c = int(math.Ceil(math.Sqrt(float64(*n))))
		}
		img, err := gan.Grid(x, g.Shape, c)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return err
		}
		if err := writeFileAtomic(*grid, b.Bytes()); err != nil {
			return err
		}
		if *out == "" {
			return nil
		}
	}
	names := g.Columns
	if len(names) != x.Dim(1) {
		names = make([]string, x.Dim(1))
		for i := range names {
			names[i] = "x" + strconv.Itoa(i+1)
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(names)
	row := make([]string, x.Dim(1))
	for i := range x.Dim(0) {
		for j := range row {
			row[j] = strconv.FormatFloat(float64(x.At(i, j)), 'g', -1, 32)
		}
		_ = w.Write(row)
	}
	w.Flush()
	if *out != "" {
		return writeFileAtomic(*out, b.Bytes())
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}

// scoreSamples prints what the classifier saved at path makes of the
// samples x: the share of each class, the confident fraction and the
// Fréchet distance on its penultimate features against the test images of
// the spec it was trained from.
func scoreSamples(e *env, path string, g *gan.Generator, x *tensor.Tensor, confidence float64) error {
	if !(confidence > 0 && confidence < 1) {
		return fmt.Errorf("sample: --confidence: want a probability between 0 and 1, got %v", confidence)
	}
	m, err := train.LoadModel(path)
	if err != nil {
		return err
	}
	if !slices.Equal(m.InputShape, g.Shape) {
		return fmt.Errorf("%s: the classifier takes samples of shape %v, but the generator makes %v", path, m.InputShape, g.Shape)
	}
	if m.Spec == nil {
		return fmt.Errorf("%s: the classifier carries no spec, so its test images are unknown", path)
	}
	sets, err := train.LoadData(m.Spec)
	if err != nil {
		return err
	}
	ref := sets.Test
	if ref == nil {
		ref = sets.Valid
	}
	if ref == nil {
		return fmt.Errorf("%s: the classifier's spec has no test or validation images to compare with", path)
	}
	ref.Expand() // images kept as bytes, as float32
	if m.Scaler != nil {
		if x, err = m.Scaler.Transform(x); err != nil {
			return err
		}
	}
	sc, err := gan.ScoreImages(m.Net, m.InputShape, x, ref.X, confidence)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "samples      %d, judged by %s against %d test images\n", sc.Samples, path, ref.Len())
	fmt.Fprintf(e.stdout, "classes      ")
	for c, v := range sc.Share {
		name := strconv.Itoa(c)
		if m.Decoder != nil && c < len(m.Decoder.Classes) {
			name = m.Decoder.Classes[c]
		}
		fmt.Fprintf(e.stdout, " %s:%.1f%%", name, 100*v)
	}
	fmt.Fprintf(e.stdout, "\nsmallest     %.1f %%\n", 100*sc.MinShare())
	fmt.Fprintf(e.stdout, "confident    %.1f %% (probability ≥ %g)\n", 100*sc.Confident, sc.Threshold)
	fmt.Fprintf(e.stdout, "frechet      %.4g (penultimate features, %d test images)\n", sc.Frechet, ref.Len())
	return nil
}

// trainGAN is `bigfunc train` for a spec with a gan section.
func trainGAN(ctx context.Context, e *env, s *spec.Spec, opts gan.Options) error {
	res, err := gan.Run(ctx, s, opts)
	if err != nil {
		return err
	}
	h := res.History.Epochs
	last := h[len(h)-1]
	fmt.Fprintf(e.stdout, "trained %s: discriminator loss %.6g, generator loss %.6g\n", plural(last.Epoch, "epoch"), last.DLoss, last.GLoss)
	fmt.Fprintf(e.stdout, "saved the generator to %s (%s)\n", res.SavedTo, plural(countParams(res.Generator.Net.Params()), "parameter"))
	return nil
}

// checkGAN is `bigfunc check` for a spec with a gan section.
func checkGAN(e *env, path string, s *spec.Spec) error {
	t, g, err := gan.Build(s, gan.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok\n", path)
	fmt.Fprintf(e.stdout, "  input         %s of shape %v\n", plural(t.Samples(), "sample"), g.Shape)
	fmt.Fprintf(e.stdout, "  generator     %s, %s, latent %d (%s)\n", plural(len(t.G.Net.Layers), "layer"), plural(countParams(t.G.Net.Params()), "parameter"), g.Latent, g.Distribution)
	fmt.Fprintf(e.stdout, "  discriminator %s, %s\n", plural(len(t.D.Net.Layers), "layer"), plural(countParams(t.D.Net.Params()), "parameter"))
	fmt.Fprintf(e.stdout, "  gan           loss %s, %d discriminator and %d generator updates a step\n", t.Config.Loss, t.Config.DSteps, t.Config.GSteps)
	fmt.Fprintf(e.stdout, "  save to       %s\n", s.SavePath())
	return nil
}
