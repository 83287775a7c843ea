package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bigfunc/bigfunc/book"
	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/train"
)

func cmdDraw(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "draw", "--model MODEL -o FILE [--prompt TEXT]", "draw a saved model's network with its weights, or with --prompt a sequence model's attention maps for that text (SVG, PNG or PDF, by the file's extension)")
	model := fs.String("model", "", "the trained model (.safetensors)")
	out := fs.String("o", "", "the image to write: a .svg, .png or .pdf file")
	title := fs.String("title", "", "title above the diagram (default: the model file's name)")
	labels := fs.String("labels", "auto", "write weights and biases on the diagram: auto (small networks), always or never")
	prompt := fs.String("prompt", "", "draw each attention layer's and head's weights for this `TEXT` instead of the network")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := required(fs, "model", *model); err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	if _, err := plot.FormatOf(*out); err != nil {
		return usagef("draw: -o %v", err)
	}
	mode, ok := map[string]plot.Labels{"auto": plot.LabelAuto, "always": plot.LabelAlways, "never": plot.LabelNever}[*labels]
	if !ok {
		return usagef("draw: --labels: want auto, always or never, got %q", *labels)
	}
	m, err := train.LoadModel(*model)
	if err != nil {
		return err
	}
	if *prompt != "" {
		if err := drawAttention(m, *model, *prompt, *out, *title); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", *out)
		return nil
	}
	n := plot.Network{
		Net:         m.Net,
		InputNames:  m.FeatureNames,
		OutputNames: outputNames(m),
		Title:       *title,
		Caption:     fmt.Sprintf("%d parameters, loss %s", countParams(m.Params()), m.Loss.Name()),
		Labels:      mode,
	}
	if n.Title == "" {
		n.Title = filepath.Base(*model)
	}
	var fig plot.Figure
	if plot.IsKAN(m.Net) {
		// Kolmogorov–Arnold layers: a plot of each learned function on
		// its edge.
		fig, err = plot.NewKANDiagram(n)
	} else {
		fig, err = plot.NewDiagram(n)
	}
	if err != nil {
		// Convolutions, pooling, reshapes and projection shortcuts have
		// no neuron-by-neuron picture: draw the layers as blocks with the
		// shapes of their feature maps.
		b, berr := plot.NewBlockDiagram(m.Net, m.InputShape, n.Title, n.Caption)
		if berr != nil {
			return fmt.Errorf("%s: %w", *model, berr)
		}
		fig = b
	}
	if err := plot.Save(*out, fig); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", *out)
	return nil
}

// outputNames names the output neurons: the classes a decoder picks from,
// or the target columns, when they match the output width.
func outputNames(m *train.Model) []string {
	if m.Decoder != nil && len(m.Decoder.Classes) == m.Outputs {
		return m.Decoder.Classes
	}
	if len(m.TargetNames) == m.Outputs {
		return m.TargetNames
	}
	return nil
}

// bookSubcommands are the subcommands of book, with their summaries.
var bookSubcommands = []struct{ name, args, summary string }{
	{"figures", "[--out DIR]", "draw the chapter's figures, learned networks and activation gallery as SVG and PNG"},
	{"check", "", "check every claim of the chapter numerically and print a table"},
}

func bookUsage(e *env) {
	w := e.stdout
	fmt.Fprintln(w, "Usage: bigfunc book figures|check")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The chapter \"Why neural networks\", runnable.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subcommands:")
	for _, s := range bookSubcommands {
		fmt.Fprintf(w, "  bigfunc book %-8s %-12s %s\n", s.name, s.args, s.summary)
	}
}

func cmdBook(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("book: missing subcommand: figures or check")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		bookUsage(e)
		return errHelp
	case "figures":
		return bookFigures(ctx, e, args[1:])
	case "check":
		return bookCheck(ctx, e, args[1:])
	}
	names := make([]string, len(bookSubcommands))
	for i, s := range bookSubcommands {
		names[i] = s.name
	}
	return usagef("book: unknown subcommand %q%s; want %s", args[0], didYouMean(args[0], names), strings.Join(names, " or "))
}

func bookFigures(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "book figures", bookSubcommands[0].args, bookSubcommands[0].summary)
	out := fs.String("out", "figures", "directory to write the figures into (created if missing)")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	paths, err := book.WriteFigures(*out, e.stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d files to %s (%d figures, as %s)\n", len(paths), *out, len(paths)/len(book.Formats), formats())
	return nil
}

func formats() string {
	fs := make([]string, len(book.Formats))
	for i, f := range book.Formats {
		fs[i] = strings.ToUpper(string(f))
	}
	return strings.Join(fs, " and ")
}

func bookCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "book check", "", bookSubcommands[1].summary)
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rs, err := book.Check()
	if err != nil {
		return err
	}
	if err := book.WriteTable(e.stdout, rs); err != nil {
		return err
	}
	return book.Failures(rs)
}
