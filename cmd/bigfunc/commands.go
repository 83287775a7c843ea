package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/train"
	"golang.org/x/term"
)

func cmdTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "train", "SPEC [--resume]", "train the model a spec file describes and save it")
	resume := fs.Bool("resume", false, "continue from the last checkpoint instead of starting over")
	quiet := fs.Bool("quiet", false, "print only the summary")
	pos, err := parseExact(fs, args, "SPEC")
	if err != nil {
		return err
	}
	s, err := spec.Load(pos[0])
	if err != nil {
		return err
	}
	opts := train.Options{Resume: *resume, Log: e.stderr, Terminal: isTerminal(e.stderr)}
	if *quiet {
		opts.Log = nil
	}
	res, err := train.Run(ctx, s, opts)
	if err != nil {
		return err
	}
	h := res.History.Epochs
	last := h[len(h)-1]
	fmt.Fprintf(e.stdout, "trained %d epochs: loss %.6g", last.Epoch, last.TrainLoss)
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
	fmt.Fprintf(e.stdout, "saved %s (%d parameters)\n", res.SavedTo, countParams(res.Model.Params()))
	return nil
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

// readFor reads a CSV with the columns a model needs.
func readFor(m *train.Model, path string, withTargets bool) (*data.Dataset, error) {
	if len(m.FeatureNames) == 0 {
		return nil, fmt.Errorf("%s: the model does not record its input columns, so it cannot read a CSV", path)
	}
	opts := data.CSVOptions{Features: m.FeatureNames}
	if withTargets {
		switch {
		case m.Spec.Output.Label != "":
			opts.Label = m.Spec.Output.Label
		default:
			opts.Targets = m.TargetNames
		}
	}
	return data.ReadCSV(path, opts)
}

// modelAndCSV parses the --model and CSV flags shared by predict and eval,
// loads the model and reads the CSV's columns for it (with the targets
// when withTargets is set). It returns the CSV's path for messages.
func modelAndCSV(e *env, args []string, name, usage, summary, csvFlag, csvHelp string, withTargets bool) (*train.Model, *data.Dataset, string, error) {
	fs := newFlags(e, name, usage, summary)
	model := fs.String("model", "", "the trained model (.safetensors)")
	csvPath := fs.String(csvFlag, "", csvHelp)
	pos, err := parse(fs, args)
	if err == nil {
		err = exactArgs(fs, pos)
	}
	if err == nil {
		err = required(fs, "model", *model)
	}
	if err == nil {
		err = required(fs, csvFlag, *csvPath)
	}
	if err != nil {
		return nil, nil, "", err
	}
	m, err := train.LoadModel(*model)
	if err != nil {
		return nil, nil, "", err
	}
	ds, err := readFor(m, *csvPath, withTargets)
	return m, ds, *csvPath, err
}

func cmdPredict(ctx context.Context, e *env, args []string) error {
	m, ds, path, err := modelAndCSV(e, args, "predict", "--model MODEL --input CSV",
		"write the model's predictions for a CSV as CSV on stdout", "input", "CSV with the model's input columns", false)
	if err != nil {
		return err
	}
	out, err := m.Predict(ds.X)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// Build the whole answer first, so a failure never leaves half a CSV.
	var b strings.Builder
	w := csv.NewWriter(&b)
	header := m.TargetNames
	if len(header) == 0 {
		header = []string{"prediction"}
	}
	if m.Decoder == nil || m.Decoder.Kind == data.Identity {
		if len(header) != out.Dim(1) {
			header = make([]string, out.Dim(1))
			for i := range header {
				header[i] = "y" + strconv.Itoa(i)
			}
		}
		_ = w.Write(header)
		row := make([]string, out.Dim(1))
		for r := 0; r < out.Dim(0); r++ {
			for j := range row {
				row[j] = strconv.FormatFloat(float64(out.At(r, j)), 'g', -1, 32)
			}
			_ = w.Write(row)
		}
	} else {
		_ = w.Write(header[:1])
		for _, v := range m.Decoder.Decode(out) {
			_ = w.Write([]string{v})
		}
	}
	w.Flush()
	_, err = e.stdout.Write([]byte(b.String()))
	return err
}

func cmdEval(ctx context.Context, e *env, args []string) error {
	m, ds, path, err := modelAndCSV(e, args, "eval", "--model MODEL --data CSV",
		"report the model's loss (and accuracy) on a labelled CSV", "data", "CSV with the model's input and target columns", true)
	if err != nil {
		return err
	}
	if m.Scaler != nil {
		if ds.X, err = m.Scaler.Transform(ds.X); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := train.CheckData(m, ds); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	l, acc := train.Evaluate(m, ds)
	fmt.Fprintf(e.stdout, "rows      %d\nloss      %.6g (%s)\n", ds.Len(), l, m.Loss.Name())
	if !math.IsNaN(acc) {
		fmt.Fprintf(e.stdout, "accuracy  %.4f\n", acc)
	}
	return nil
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
	fmt.Fprintf(e.stdout, "input  %d features", m.Inputs)
	if len(m.FeatureNames) > 0 {
		fmt.Fprintf(e.stdout, " (%s)", shortList(m.FeatureNames))
	}
	if m.Scaler != nil {
		fmt.Fprintf(e.stdout, ", scaled: %s", m.Scaler.Kind())
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "output %d values", m.Outputs)
	if m.Decoder != nil {
		fmt.Fprintf(e.stdout, ", decoded by %s", m.Decoder.Kind)
		if len(m.Decoder.Classes) > 0 {
			fmt.Fprintf(e.stdout, " into %s", strings.Join(m.Decoder.Classes, ", "))
		}
	}
	fmt.Fprintf(e.stdout, "\nloss   %s\n\n", m.Loss.Name())
	fmt.Fprintf(e.stdout, "%-3s %-22s %-12s %-12s %s\n", "#", "layer", "in", "out", "parameters")
	width := m.Inputs
	total := 0
	for i, l := range m.Net.Layers {
		desc, outW := describeLayer(l, width)
		n := countParams(nn.ParamsOf(l))
		total += n
		fmt.Fprintf(e.stdout, "%-3d %-22s %-12s %-12s %d\n", i, desc, fmt.Sprintf("[N %d]", width), fmt.Sprintf("[N %d]", outW), n)
		for _, p := range nn.ParamsOf(l) {
			fmt.Fprintf(e.stdout, "      %d.%-18s %v\n", i, p.Name, p.Value.Shape())
		}
		width = outW
	}
	fmt.Fprintf(e.stdout, "\ntotal %d parameters\n", total)
	return nil
}

// shortList joins names, eliding the middle of a long list (784 pixel
// columns) so the line stays readable.
func shortList(names []string) string {
	if len(names) <= 8 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:3], ", ") + ", …, " + names[len(names)-1]
}

func describeLayer(l nn.Layer, width int) (string, int) {
	switch v := l.(type) {
	case *nn.Linear:
		return fmt.Sprintf("linear %d→%d", v.In, v.Out), v.Out
	case *nn.Dropout:
		return fmt.Sprintf("dropout p=%g", v.P), width
	case *nn.Residual:
		return "residual", width
	case nn.Flatten:
		return "flatten", width
	case *activation.Maxout:
		return fmt.Sprintf("maxout %d", v.Pieces), width / v.Pieces
	case interface{ Name() string }:
		return v.Name(), width
	}
	return fmt.Sprintf("%T", l), width
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
	t, sets, err := train.Build(s, train.Options{})
	if err != nil {
		return err
	}
	m := t.Model
	fmt.Fprintf(e.stdout, "%s: ok\n", pos[0])
	fmt.Fprintf(e.stdout, "  input        %d rows × %d features\n", sets.Train.Len(), m.Inputs)
	if sets.Valid != nil {
		fmt.Fprintf(e.stdout, "  validation   %d rows\n", sets.Valid.Len())
	}
	fmt.Fprintf(e.stdout, "  architecture %d layers, %d parameters, %d outputs\n", len(m.Net.Layers), countParams(m.Params()), m.Outputs)
	fmt.Fprintf(e.stdout, "  loss         %s\n  optimizer    %s\n  save to      %s\n", m.Loss.Name(), s.Optimizer.Name, s.SavePath())
	return nil
}
