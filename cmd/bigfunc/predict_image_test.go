package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// TestPredictImages saves a small image classifier and asks predict for a
// folder of PNGs and for one file: one row per image, named by its file,
// and the same answers as Model.Predict gives for the decoded pixels.
func TestPredictImages(t *testing.T) {
	rng := tensor.NewRNG(3)
	conv := nn.NewConv2d(1, 2, [2]int{3, 3}, 1, true, rng)
	net := nn.NewSequential(conv, nn.Flatten{}, nn.NewLinear(8, 3, true, rng))
	m, err := train.FromNet(net, []int{1, 4, 4}, "cross_entropy", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Decoder, err = data.NewDecoder(string(data.ArgMax), []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	m.TargetNames = []string{"letter"}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.safetensors")
	if err := m.Save(model); err != nil {
		t.Fatal(err)
	}
	imgs := filepath.Join(dir, "imgs")
	if err := os.Mkdir(imgs, 0o755); err != nil {
		t.Fatal(err)
	}
	var want []string
	for k := range 3 {
		img := image.NewGray(image.Rect(0, 0, 4, 4))
		x := tensor.Zeros(1, 16)
		for i := range 16 {
			v := uint8((i*37 + k*91) % 256)
			img.Set(i%4, i/4, color.Gray{Y: v})
			x.Data()[i] = float32(v) / 255
		}
		f, err := os.Create(filepath.Join(imgs, string(rune('p'+k))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.Decoder.Classes[tensor.ArgMax(out, 1)[0]])
	}
	code, out, errOut := runCLI(t, "predict", "--model", model, "--input", imgs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "file,letter" || len(lines) != 4 {
		t.Fatalf("got:\n%s", out)
	}
	for k, line := range lines[1:] {
		file, label, _ := strings.Cut(line, ",")
		if filepath.Base(file) != string(rune('p'+k))+".png" || label != want[k] {
			t.Errorf("row %d: got %q, want %c.png,%s", k, line, 'p'+k, want[k])
		}
	}
	code, out, errOut = runCLI(t, "predict", "--model", model, "--input", filepath.Join(imgs, "q.png"), "--proba")
	if code != 0 || !strings.HasPrefix(out, "file,a,b,c\n") || strings.Count(out, "\n") != 2 {
		t.Fatalf("one file with --proba: exit %d, %q, %s", code, out, errOut)
	}
	// A PNG of the wrong size is one line naming the file and the size.
	big := image.NewGray(image.Rect(0, 0, 5, 4))
	f, _ := os.Create(filepath.Join(dir, "big.png"))
	png.Encode(f, big)
	f.Close()
	code, _, errOut = runCLI(t, "predict", "--model", model, "--input", filepath.Join(dir, "big.png"))
	if code != 1 || !strings.Contains(errOut, "big.png") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("wrong size: exit %d, %q", code, errOut)
	}
}
