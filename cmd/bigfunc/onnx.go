package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/train"
)

// cmdExport writes a saved model as an ONNX file.
func cmdExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "--model MODEL -o FILE [--opset N] [--fold-scaler] [--decoder proba|class|threshold]",
		"write a saved model as an ONNX graph, for ONNX Runtime and other serving stacks")
	model := fs.String("model", "", "the saved model `FILE` (.safetensors)")
	out := fs.String("o", "", "write the ONNX model to `FILE` (atomically)")
	opset := fs.Int("opset", onnx.DefaultOpset, fmt.Sprintf("the ONNX opset version `N`, %d to %d", onnx.MinOpset, onnx.MaxOpset))
	fold := fs.Bool("fold-scaler", false, "put the model's fitted input scaler into the graph, so it takes raw features\n(otherwise the graph takes scaled inputs and the scaler rides in the metadata)")
	decoder := fs.String("decoder", "", "append the decoder `KIND`: proba (class probabilities), class (the class index)\nor threshold (1 when the output is at least the cut: 0.5, or 0 for a logit)")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := required(fs, "model", *model); err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	if *opset < onnx.MinOpset || *opset > onnx.MaxOpset {
		return cmdUsagef(fs, "export: --opset %d: want %d to %d", *opset, onnx.MinOpset, onnx.MaxOpset)
	}
	kinds := []string{onnx.DecodeProba, onnx.DecodeClass, onnx.DecodeThreshold}
	if *decoder != "" && !slices.Contains(kinds, *decoder) {
		return cmdUsagef(fs, "export: --decoder %q%s; allowed: %s", *decoder, didYouMean(*decoder, kinds), strings.Join(kinds, ", "))
	}
	m, err := train.LoadModel(*model)
	if err != nil {
		return err
	}
	if *fold && m.Scaler == nil {
		return cmdUsagef(fs, "export: --fold-scaler: %s has no fitted scaler", *model)
	}
	opts := onnx.ExportOptions{Opset: *opset, FoldScaler: *fold, Decoder: *decoder, ProducerVersion: moduleVersion()}
	if err := onnx.ExportFile(*out, m, opts); err != nil {
		return fmt.Errorf("%s: %w", *out, err)
	}
	fmt.Fprintf(e.stdout, "wrote %s (ONNX opset %d)\n", *out, *opset)
	return nil
}

// cmdImport reads an ONNX file into a bigfunc model file.
func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import", "MODEL.onnx -o FILE",
		"read an ONNX graph (from bigfunc or PyTorch) into a bigfunc model file")
	out := fs.String("o", "", "write the model to `FILE` (.safetensors, atomically)")
	pos, err := parseExact(fs, args, "MODEL.onnx")
	if err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	m, err := onnx.ImportFile(pos[0])
	if err != nil {
		return err
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%s)\n", *out, plural(len(m.Net.Layers), "layer"))
	return nil
}

// moduleVersion is bigfunc's version as the version command reports it,
// for the ONNX file's producer_version.
func moduleVersion() string {
	info, _ := debug.ReadBuildInfo()
	v, _, _ := strings.Cut(versionString(info), " ")
	return v
}
