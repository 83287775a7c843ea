package main

import (
	"bytes"
	"image"
	_ "image/png" // decode the PNGs draw writes
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/book"
)

func TestBookCheck(t *testing.T) {
	code, out, errs := runCLI(t, "book", "check")
	if code != 0 {
		t.Fatalf("book check: code %d, stderr %s\n%s", code, errs, out)
	}
	for _, want := range []string{
		"claim", "how checked", "result", "max error",
		"|x| = ReLU(x) + ReLU(−x)", "any logic function of two inputs takes at most two layers",
		"WRONG-IN-TEXT", "| 0.96", "0.03125", "FAIL", "0 FAIL",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("book check output lacks %q:\n%s", want, out)
		}
	}
	// Every row of the table has the four columns.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "1 ") && strings.Count(line, "|") != 4 {
			t.Errorf("row %q does not have four columns", line)
		}
	}
}

func TestBookFigures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "figs")
	code, out, errs := runCLI(t, "book", "figures", "--out", dir)
	if code != 0 {
		t.Fatalf("book figures: code %d, stderr %s", code, errs)
	}
	if len(book.ChapterFigures) != 8 {
		t.Fatalf("%d chapter figures, want 8", len(book.ChapterFigures))
	}
	for _, name := range book.ChapterFigures {
		for _, ext := range []string{".svg", ".png"} {
			if fi, err := os.Stat(filepath.Join(dir, name+ext)); err != nil || fi.Size() == 0 {
				t.Errorf("%s%s: %v", name, ext, err)
			}
		}
	}
	for _, want := range []string{"learned abs", "learned xor", "accuracy 100%", "learned digits", "test digits right", "wrote ", "files to " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("book figures output lacks %q:\n%s", want, out)
		}
	}
}

func TestBookUsage(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{[]string{"book"}, 2, "", "book: missing subcommand"},
		{[]string{"book", "--help"}, 0, "bigfunc book figures", ""},
		{[]string{"help", "book"}, 0, "bigfunc book check", ""},
		{[]string{"book", "chek"}, 2, "", `unknown subcommand "chek" (did you mean "check"?)`},
		{[]string{"book", "figures", "--help"}, 0, "--out", ""},
		{[]string{"book", "figures", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"book", "check", "--bogus"}, 2, "", "book check: unknown flag --bogus"},
		{[]string{"draw", "--help"}, 0, "-o", ""},
		{[]string{"draw", "-o", "x.svg"}, 2, "", "draw: missing --model"},
		{[]string{"draw", "--model", "m.safetensors"}, 2, "", "draw: missing -o"},
		{[]string{"draw", "--model", "m.safetensors", "-o", "x.gif"}, 2, "", `unknown image format ".gif"`},
		{[]string{"draw", "--model", "m.safetensors", "-o", "x.svg", "--labels", "some"}, 2, "", "--labels: want auto, always or never"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out, c.wantStdout) || !strings.Contains(errs, c.wantStderr) {
			t.Errorf("bigfunc %v: code %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", c.args, code, c.code, out, c.wantStdout, errs, c.wantStderr)
		}
	}
}

func TestDraw(t *testing.T) {
	residual := strings.Replace(xorSpec, "[{linear: 4}, relu, {linear: 2}]", "[{linear: 4}, relu, {residual: [{linear: 4}, tanh, {linear: 4}]}, {linear: 2}]", 1)
	residual = strings.Replace(residual, "checkpoint_every: 40", "save: residual.safetensors", 1)
	maxout := strings.Replace(xorSpec, "[{linear: 4}, relu, {linear: 2}]", "[{linear: 4}, {maxout: 2}, {linear: 2}]", 1)
	maxout = strings.Replace(maxout, "checkpoint_every: 40", "save: maxout.safetensors", 1)
	dir := writeFiles(t, map[string]string{"xor.yaml": xorSpec, "residual.yaml": residual, "maxout.yaml": maxout,
		"xor.csv": xorCSV, "junk.safetensors": "not a model"})
	for _, s := range []string{"xor", "residual", "maxout"} {
		if code, _, errs := runCLI(t, "train", filepath.Join(dir, s+".yaml"), "--quiet"); code != 0 {
			t.Fatalf("train %s: %s", s, errs)
		}
	}
	model := filepath.Join(dir, "xor.safetensors")

	svg := filepath.Join(dir, "xor.svg")
	code, out, errs := runCLI(t, "draw", "--model", model, "-o", svg)
	if code != 0 || !strings.Contains(out, "wrote "+svg) {
		t.Fatalf("draw: code %d, stdout %q, stderr %q", code, out, errs)
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	// The inputs and outputs carry the model's column and class names,
	// the hidden layer its activation, and the 4·2 + 2·4 edges their
	// weights (the network is small enough).
	for _, want := range []string{">x1<", ">x2<", ">off<", ">on<", ">ReLU<", ">xor.safetensors<", "22 parameters", "b = "} {
		if !strings.Contains(s, want) {
			t.Errorf("the diagram lacks %q", want)
		}
	}

	png := filepath.Join(dir, "xor.png")
	if code, _, errs := runCLI(t, "draw", "--model", model, "-o", png, "--title", "XOR"); code != 0 {
		t.Fatalf("draw png: %s", errs)
	}
	f, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(f)); err != nil || format != "png" {
		t.Errorf("draw wrote no PNG: %v %s", err, format)
	}
	pdf := filepath.Join(dir, "xor.pdf")
	if code, _, errs := runCLI(t, "draw", "--model", model, "-o", pdf, "--labels", "never"); code != 0 {
		t.Fatalf("draw pdf: %s", errs)
	}
	if f, _ := os.ReadFile(pdf); !bytes.HasPrefix(f, []byte("%PDF-")) {
		t.Error("draw wrote no PDF")
	}

	// A residual block is drawn with its shortcut as identity skips.
	res := filepath.Join(dir, "residual.svg")
	if code, _, errs := runCLI(t, "draw", "--model", filepath.Join(dir, "residual.safetensors"), "-o", res); code != 0 {
		t.Fatalf("draw residual: %s", errs)
	}
	if data, _ := os.ReadFile(res); !strings.Contains(string(data), "residual shortcut") {
		t.Error("the residual diagram does not explain its shortcut arcs")
	}

	// Layers it cannot draw neuron by neuron are drawn as blocks.
	blocks := filepath.Join(dir, "maxout.svg")
	if code, _, errs := runCLI(t, "draw", "--model", filepath.Join(dir, "maxout.safetensors"), "-o", blocks); code != 0 {
		t.Fatalf("draw maxout: %s", errs)
	}
	if data, _ := os.ReadFile(blocks); !strings.Contains(string(data), "maxout pieces=") {
		t.Error("the block diagram does not name the maxout layer")
	}

	// Files that are not models fail with one line and no image.
	for _, c := range []struct{ model, want string }{
		{filepath.Join(dir, "junk.safetensors"), "junk.safetensors"},
	} {
		out := filepath.Join(dir, "bad.svg")
		code, _, errs := runCLI(t, "draw", "--model", c.model, "-o", out)
		if code != 1 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("draw %s: code %d, stderr %q", c.model, code, errs)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("draw %s left an image behind", c.model)
		}
	}
}

// TestDrawKAN: a network of KAN layers is drawn with a plot of its
// learned function on every edge, trained here by L-BFGS.
func TestDrawKAN(t *testing.T) {
	spec := strings.NewReplacer("[{linear: 4}, relu, {linear: 2}]", "[{kan_linear: {out_features: 2, grid_range: [-0.5, 1.5]}}, {kan_linear: 2}]",
		"{name: adam, lr: 0.05}", "{name: lbfgs, line_search_fn: strong_wolfe}",
		"epochs: 80, batch_size: 4", "epochs: 3, batch_size: 0", "checkpoint_every: 40", "save: kan.safetensors").Replace(xorSpec)
	dir := writeFiles(t, map[string]string{"kan.yaml": spec, "xor.csv": xorCSV})
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "kan.yaml"), "--quiet"); code != 0 {
		t.Fatalf("train: %s", errs)
	}
	svg := filepath.Join(dir, "kan.svg")
	if code, _, errs := runCLI(t, "draw", "--model", filepath.Join(dir, "kan.safetensors"), "-o", svg); code != 0 {
		t.Fatalf("draw: %s", errs)
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if n := strings.Count(s, "φ"); n != 8 {
		t.Errorf("%d edge plots, want 2·2 + 2·2", n)
	}
	for _, want := range []string{">x1<", ">off<", ">on<", ">kan.safetensors<"} {
		if !strings.Contains(s, want) {
			t.Errorf("the diagram lacks %q", want)
		}
	}
}
