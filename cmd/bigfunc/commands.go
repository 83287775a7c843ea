package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/contrastive"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
	"golang.org/x/term"
)

func cmdTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "train", "SPEC [--resume] [--epochs N] [--seed N] [--save FILE] [--quiet]", "train the model a spec file describes and save it")
	resume := fs.Bool("resume", false, "continue from the checkpoint that train.checkpoint_every writes;\nonly train.epochs, train.early_stop and train.save may have changed since")
	quiet := fs.Bool("quiet", false, "print only the summary, not a line (or a progress bar) per epoch")
	epochs := fs.Int("epochs", 0, "train for `N` epochs in all, overriding train.epochs")
	seed := fs.Uint64("seed", 0, "use seed `N` for the initial weights, shuffling, dropout and the validation split,\noverriding train.seed")
	save := fs.String("save", "", "write the model to `FILE` (relative to the current directory), overriding train.save")
	pos, err := parseExact(fs, args, "SPEC")
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["epochs"] && *epochs < 1 {
		return cmdUsagef(fs, "train: --epochs: want an integer ≥ 1, got %d", *epochs)
	}
	if set["save"] && strings.TrimSpace(*save) == "" {
		return cmdUsagef(fs, "train: --save: want a file name")
	}
	s, err := spec.Load(pos[0])
	if err != nil {
		return err
	}
	if set["epochs"] {
		err = s.Set("train.epochs", strconv.Itoa(*epochs))
	}
	if err == nil && set["seed"] {
		err = s.Set("train.seed", strconv.FormatUint(*seed, 10))
	}
	if err == nil && set["save"] {
		err = s.Set("train.save", relativeTo(s.Dir(), *save))
	}
	if err != nil {
		return err
	}
	opts := train.Options{Resume: *resume, Log: e.stderr, Terminal: isTerminal(e.stderr)}
	if *quiet {
		opts.Log = nil
	}
	if s.GAN != nil {
		return trainGAN(ctx, e, s, gan.Options{Resume: opts.Resume, Log: opts.Log, Terminal: opts.Terminal})
	}
	if s.SimCLR != nil {
		res, err := contrastive.Run(ctx, s, contrastive.Options{Resume: opts.Resume, Log: opts.Log})
		if err != nil {
			return err
		}
		h := res.History.Epochs
		fmt.Fprintf(e.stdout, "trained %s: nt_xent %.6g\n", plural(h[len(h)-1].Epoch, "epoch"), h[len(h)-1].Loss)
		fmt.Fprintf(e.stdout, "saved the encoder and projection head to %s\n", res.SavedTo)
		return nil
	}
	res, err := train.Run(ctx, s, opts)
	if err != nil {
		return err
	}
	h := res.History.Epochs
	last := h[len(h)-1]
	fmt.Fprintf(e.stdout, "trained %s: loss %.6g", plural(last.Epoch, "epoch"), last.TrainLoss)
	if !math.IsNaN(last.TrainAccuracy) {
		fmt.Fprintf(e.stdout, ", accuracy %.4f", last.TrainAccuracy)
	}
	if !math.IsNaN(last.ValidLoss) {
		fmt.Fprintf(e.stdout, "; validation loss %.6g", last.ValidLoss)
	}
	if !math.IsNaN(last.ValidAccuracy) {
		fmt.Fprintf(e.stdout, ", accuracy %.4f", last.ValidAccuracy)
	}
	fmt.Fprintln(e.stdout)
	if !math.IsNaN(res.TestLoss) {
		fmt.Fprintf(e.stdout, "test: loss %.6g", res.TestLoss)
		if !math.IsNaN(res.TestAccuracy) {
			fmt.Fprintf(e.stdout, ", accuracy %.4f", res.TestAccuracy)
		}
		fmt.Fprintln(e.stdout)
	}
	fmt.Fprintf(e.stdout, "saved %s (%s)\n", res.SavedTo, plural(countParams(res.Model.Params()), "parameter"))
	return nil
}

// relativeTo returns path, given relative to the current directory, as a
// path relative to dir, the form a spec's paths take; an absolute path
// when there is no relative one.
func relativeTo(dir, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(base, abs); err == nil {
		return filepath.ToSlash(rel)
	}
	return abs
}

// plural returns "1 epoch" or "n epochs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func countParams(ps []nn.Param) int {
	n := 0
	for _, p := range ps {
		n += p.Value.Len()
	}
	return n
}

// isClassifier reports whether the model decodes its outputs into classes.
func isClassifier(m *train.Model) bool {
	return m.Decoder != nil && m.Decoder.Kind != data.Identity && labelColumn(m) != ""
}

// labelColumn returns the column holding a classifier's labels: its spec's
// output.label, or for a model built in Go without a spec, its one target
// name when it decodes into classes. It is "" for a regression model.
func labelColumn(m *train.Model) string {
	if m.Spec != nil {
		return m.Spec.Output.Label
	}
	if m.Decoder != nil && m.Decoder.Kind != data.Identity && len(m.TargetNames) == 1 {
		return m.TargetNames[0]
	}
	return ""
}

// modelClasses returns the classes a classifier was trained on, in the
// order of its outputs: the names it stored, or the indices 0 to k−1 as
// text when its labels were bare indices.
func modelClasses(m *train.Model) []string {
	if len(m.Decoder.Classes) > 0 {
		return m.Decoder.Classes
	}
	k := m.Outputs
	if m.Decoder.Kind != data.ArgMax {
		k = 2
	}
	names := make([]string, k)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

// readFor reads a CSV with the columns a model needs. Labels are encoded
// with the model's own classes, never the file's, so that a file holding
// only some of them is scored as the model sees it.
func readFor(m *train.Model, path string, withTargets bool) (*data.Dataset, error) {
	if len(m.FeatureNames) == 0 {
		return nil, fmt.Errorf("%s: the model does not record its input columns, so it cannot read a CSV", path)
	}
	opts := data.CSVOptions{Features: m.FeatureNames}
	if withTargets {
		switch {
		case labelColumn(m) != "":
			opts.Label = labelColumn(m)
			if isClassifier(m) {
				opts.Classes = modelClasses(m)
			} else {
				opts.NumClasses = 2
				if m.Spec != nil {
					opts.NumClasses = max(m.Spec.Output.Classes, 2)
				}
			}
		default:
			opts.Targets = m.TargetNames
		}
	}
	return data.ReadCSV(path, opts)
}

// modelFlags adds --model and the CSV flag shared by predict and eval.
func modelFlags(fs *flag.FlagSet, csvFlag, csvHelp string) (model, csvPath *string) {
	return fs.String("model", "", "the trained `MODEL` (.safetensors)"), fs.String(csvFlag, "", csvHelp)
}

// loadModelAndCSV checks the flags modelFlags added, loads the model and
// reads the CSV's columns for it (with the targets when withTargets is
// set).
func loadModelAndCSV(fs *flag.FlagSet, pos []string, model, csvFlag, csvPath string, withTargets bool) (*train.Model, *data.Dataset, error) {
	err := exactArgs(fs, pos)
	if err == nil {
		err = required(fs, "model", model)
	}
	if err == nil {
		err = required(fs, csvFlag, csvPath)
	}
	if err != nil {
		return nil, nil, err
	}
	m, err := train.LoadModel(model)
	if err != nil {
		return nil, nil, err
	}
	ds, err := readFor(m, csvPath, withTargets)
	return m, ds, err
}

// isImageInput reports whether predict's input names PNG images: a .png
// file or a folder.
func isImageInput(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".png") {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// loadModelAndImages loads a model that takes [C, H, W] samples and the
// PNG images at path (a file or a folder), returning the file of each row.
func loadModelAndImages(fs *flag.FlagSet, pos []string, model, path string) (*train.Model, *data.Dataset, []string, error) {
	err := exactArgs(fs, pos)
	if err == nil {
		err = required(fs, "model", model)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := train.LoadModel(model)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(m.InputShape) != 3 {
		return nil, nil, nil, fmt.Errorf("%s: the model takes samples of shape %v, not [C, H, W] images; give it a CSV", model, m.InputShape)
	}
	ds, files, err := data.ReadImages([]string{path}, m.InputShape)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no .png files in the folder", path)
	}
	return m, ds, files, nil
}

func cmdPredict(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "predict", "--model MODEL --input CSV|PNG|DIR [--proba] [--keep COLS] [-o FILE]",
		"write the model's predictions for a CSV, or for PNG images, as CSV, on stdout or to a file")
	model, input := modelFlags(fs, "input", "`CSV` with the model's input columns, or for an image model a PNG file\nor a folder of them (a column file names each image)")
	proba := fs.Bool("proba", false, "write each class's probability, one column per class named by the class,\ninstead of the predicted class (classifiers only)")
	keep := fs.String("keep", "", "copy the comma-separated input columns `COLS` (such as an ID) into the output,\nbefore the predictions")
	outPath := fs.String("o", "", "write the CSV to `FILE` (atomically) instead of stdout")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var m *train.Model
	var ds *data.Dataset
	var files []string
	if isImageInput(*input) {
		if *keep != "" {
			return cmdUsagef(fs, "predict: --keep takes CSV columns; for images the output names each file in its first column")
		}
		m, ds, files, err = loadModelAndImages(fs, pos, *model, *input)
	} else {
		m, ds, err = loadModelAndCSV(fs, pos, *model, "input", *input, false)
	}
	if err != nil {
		return err
	}
	if *proba && !isClassifier(m) {
		return cmdUsagef(fs, "predict: --proba needs a classifier, but %s is a regression model (its outputs are the answers)", *model)
	}
	var keepCols []string
	var kept [][]string
	if *keep != "" {
		for _, c := range strings.Split(*keep, ",") {
			keepCols = append(keepCols, strings.TrimSpace(c))
		}
		if kept, err = data.ReadCSVText(*input, keepCols, 0); err != nil {
			return fmt.Errorf("--keep: %w", err)
		}
	}
	if files != nil {
		keepCols = []string{"file"}
		for _, f := range files {
			kept = append(kept, []string{f})
		}
	}
	out, err := m.Predict(ds.X)
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	header, rows, err := predictions(m, out, *proba)
	if err != nil {
		return fmt.Errorf("%s: %w", *model, err)
	}
	seen := map[string]bool{}
	for _, h := range header {
		seen[h] = true
	}
	for _, c := range keepCols {
		if seen[c] {
			return cmdUsagef(fs, "predict: --keep: column %q would appear twice in the output", c)
		}
		seen[c] = true
	}
	// Build the whole answer first, so a failure never leaves half a CSV.
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(append(slices.Clone(keepCols), header...))
	for r, row := range rows {
		if kept != nil {
			row = append(slices.Clone(kept[r]), row...)
		}
		_ = w.Write(row)
	}
	w.Flush()
	if *outPath != "" {
		return writeFileAtomic(*outPath, b.Bytes())
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}

// predictions turns the network's output into a CSV header and rows: the
// raw outputs for regression, the decoded class for a classifier, or with
// proba each class's probability.
func predictions(m *train.Model, out *tensor.Tensor, proba bool) (header []string, rows [][]string, err error) {
	n, width := out.Dim(0), out.Dim(1)
	format := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
	rows = make([][]string, n)
	switch {
	case !isClassifier(m):
		header = m.TargetNames
		if len(header) != width {
			header = make([]string, width)
			for i := range header {
				header[i] = "y" + strconv.Itoa(i)
			}
		}
		for r := range rows {
			rows[r] = make([]string, width)
			for j := range width {
				rows[r][j] = format(out.At(r, j))
			}
		}
	case proba:
		p, err := probabilities(m, out)
		if err != nil {
			return nil, nil, err
		}
		header = modelClasses(m)
		k := p.Dim(1)
		for len(header) < k {
			header = append(header, strconv.Itoa(len(header)))
		}
		header = header[:k]
		for r := range rows {
			rows[r] = make([]string, k)
			for j := range k {
				rows[r][j] = format(p.At(r, j))
			}
		}
	default:
		header = []string{"prediction"}
		if len(m.TargetNames) > 0 {
			header = m.TargetNames[:1]
		}
		for r, v := range m.Decoder.Decode(out) {
			rows[r] = []string{v}
		}
	}
	return header, rows, nil
}

// probabilities returns each row's class probabilities [N, classes]: the
// softmax of an argmax model's scores (logits for cross_entropy,
// log-probabilities for nll: the softmax of either is the probabilities),
// or 1−p and p for a model with one output read as a probability or a
// logit.
func probabilities(m *train.Model, out *tensor.Tensor) (*tensor.Tensor, error) {
	n, width := out.Dim(0), out.Dim(1)
	switch m.Decoder.Kind {
	case data.ArgMax:
		p := tensor.Zeros(n, width)
		for r := range n {
			row := out.Data()[r*width : (r+1)*width]
			hi := row[0]
			for _, v := range row {
				hi = max(hi, v)
			}
			var sum float64
			for j, v := range row {
				e := math.Exp(float64(v - hi))
				p.Data()[r*width+j] = float32(e)
				sum += e
			}
			for j := range row {
				p.Data()[r*width+j] = float32(float64(p.Data()[r*width+j]) / sum)
			}
		}
		return p, nil
	case data.Threshold, data.Sigmoid:
		if width != 1 {
			return nil, fmt.Errorf("--proba: the model has %d outputs decoded one by one (%s); probabilities are for one output", width, m.Decoder.Kind)
		}
		p := tensor.Zeros(n, 2)
		for r := range n {
			v := float64(out.At(r, 0))
			if m.Decoder.Kind == data.Sigmoid {
				v = 1 / (1 + math.Exp(-v))
			}
			v = min(max(v, 0), 1)
			p.Data()[2*r] = float32(1 - v)
			p.Data()[2*r+1] = float32(v)
		}
		return p, nil
	}
	return nil, fmt.Errorf("--proba: decoder %s gives no probabilities", m.Decoder.Kind)
}

func cmdInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "inspect", "MODEL", "show a saved model's architecture, shapes and parameter counts")
	pos, err := parseExact(fs, args, "MODEL")
	if err != nil {
		return err
	}
	m, err := train.LoadModel(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "model %s\n", pos[0])
	fmt.Fprintf(e.stdout, "input  %s", plural(m.Inputs, "feature"))
	if len(m.InputShape) > 1 {
		fmt.Fprintf(e.stdout, " shaped %v", m.InputShape)
	}
	if len(m.FeatureNames) > 0 {
		fmt.Fprintf(e.stdout, " (%s)", shortList(m.FeatureNames))
	}
	if m.Scaler != nil {
		fmt.Fprintf(e.stdout, ", scaled: %s", m.Scaler.Kind())
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "output %s", plural(m.Outputs, "value"))
	if m.Decoder != nil {
		fmt.Fprintf(e.stdout, ", decoded by %s", m.Decoder.Kind)
		if len(m.Decoder.Classes) > 0 {
			fmt.Fprintf(e.stdout, " into %s", strings.Join(m.Decoder.Classes, ", "))
		}
	}
	fmt.Fprintf(e.stdout, "\nloss   %s\n", m.Loss.Name())
	if m.Quantized != "" {
		fmt.Fprintf(e.stdout, "quantized %s: %s weights with one scale per output; inputs quantized row by row as it runs (%s kernels); predicts, does not train\n", m.Quantized, m.Quantized, quant.ISA())
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "%-6s %-26s %-16s %-16s %s\n", "#", "layer", "in", "out", "parameters")
	total, err := inspectLayers(e, m.Net.Layers, "", m.InputShape)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintf(e.stdout, "\ntotal %s\n", plural(total, "parameter"))
	return nil
}

// inspectLayers prints one row per layer with its per-sample input and
// output shapes, its parameters and buffers, and the layers inside
// composite blocks indented under it. It reads only the layer protocol.
func inspectLayers(e *env, layers []nn.Layer, prefix string, in []int) (int, error) {
	total := 0
	for i, l := range layers {
		name := prefix + strconv.Itoa(i)
		out, err := l.OutShape(in)
		if err != nil {
			return 0, fmt.Errorf("layer %s: %w", name, err)
		}
		d := l.Describe()
		n := countParams(nn.ParamsOf(l))
		total += n
		fmt.Fprintf(e.stdout, "%-6s %-26s %-16s %-16s %d\n", name, plot.LayerSummary(d, in, out), batchShape(in), batchShape(out), n)
		if len(d.Blocks) > 0 {
			for _, b := range d.Blocks {
				key := map[string]string{"body": "f", "shortcut": "shortcut"}[b.Name]
				if key == "" {
					key = b.Name
				}
				if _, err := inspectLayers(e, b.Layers, name+"."+key+".", in); err != nil {
					return 0, err
				}
			}
			in = out
			continue
		}
		for _, p := range nn.ParamsOf(l) {
			fmt.Fprintf(e.stdout, "         %-24s %v\n", name+"."+p.Name, p.Value.Shape())
		}
		for _, b := range nn.BuffersOf(l) {
			kind := "buffer"
			if b.Int8 {
				kind = "int8 buffer"
			}
			fmt.Fprintf(e.stdout, "         %-24s %v (%s)\n", name+"."+b.Name, b.Value.Shape(), kind)
		}
		in = out
	}
	return total, nil
}

// batchShape writes a per-sample shape as the batch's: [N 1 28 28].
func batchShape(s []int) string {
	parts := []string{"N"}
	for _, d := range s {
		parts = append(parts, strconv.Itoa(d))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// shortList joins names, eliding the middle of a long list (784 pixel
// columns) so the line stays readable.
func shortList(names []string) string {
	if len(names) <= 8 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:3], ", ") + ", …, " + names[len(names)-1]
}

func cmdCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check", "SPEC", "validate a spec file without training")
	pos, err := parseExact(fs, args, "SPEC")
	if err != nil {
		return err
	}
	s, err := spec.Load(pos[0])
	if err != nil {
		return err
	}
	if s.GAN != nil {
		return checkGAN(e, pos[0], s)
	}
	if s.SimCLR != nil {
		t, err := contrastive.Build(s, contrastive.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: ok\n", pos[0])
		fmt.Fprintf(e.stdout, "  network  %s (encoder: the first %d), %s\n", plural(len(t.Net.Layers), "layer"), s.SimCLR.Encoder, plural(countParams(t.Net.Params()), "parameter"))
		fmt.Fprintf(e.stdout, "  simclr   nt_xent at temperature %g on two augmented views of each image\n", s.SimCLR.Temperature)
		fmt.Fprintf(e.stdout, "  save to  %s\n", s.SavePath())
		return nil
	}
	t, sets, err := train.Build(s, train.Options{})
	if err != nil {
		return err
	}
	m := t.Model
	fmt.Fprintf(e.stdout, "%s: ok\n", pos[0])
	fmt.Fprintf(e.stdout, "  input        %s × %s\n", plural(sets.Train.Len(), "row"), plural(m.Inputs, "feature"))
	if sets.Valid != nil {
		fmt.Fprintf(e.stdout, "  validation   %s\n", plural(sets.Valid.Len(), "row"))
	}
	fmt.Fprintf(e.stdout, "  architecture %s, %s, %s\n", plural(len(m.Net.Layers), "layer"), plural(countParams(m.Params()), "parameter"), plural(m.Outputs, "output"))
	fmt.Fprintf(e.stdout, "  loss         %s\n  optimizer    %s\n  save to      %s\n", m.Loss.Name(), s.Optimizer.Name, s.SavePath())
	return nil
}
