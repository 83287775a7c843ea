package book

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"

	_ "github.com/bigfunc/bigfunc/data/mnistdata" // the digits figures read MNIST
	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/tensor"
	"gonum.org/v1/plot/vg"
)

var (
	digitsOnce sync.Once
	digitsFigs *figures
	digitsErr  error
)

// trainedDigits trains the digits network once for all the tests here.
func trainedDigits(t *testing.T) (*figures, *Digits) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains the digits network")
	}
	digitsOnce.Do(func() {
		digitsFigs = newFigures()
		_, digitsErr = digitsFigs.learnDigits()
	})
	if digitsErr != nil {
		t.Fatal(digitsErr)
	}
	return digitsFigs, digitsFigs.digits
}

func TestDigitsLearn(t *testing.T) {
	_, d := trainedDigits(t)
	if d.Accuracy < 0.95 {
		t.Errorf("test accuracy %.4f, want ≥ 0.95 after %d epochs", d.Accuracy, d.Epochs)
	}
	// The filters drawn are trained ones: training moved them well away
	// from where the seed put them.
	w, w0 := d.Filters().Data(), d.Initial.Data()
	var moved, size float64
	for i := range w {
		moved += sq(float64(w[i] - w0[i]))
		size += sq(float64(w0[i]))
	}
	if r := math.Sqrt(moved / size); r < 0.2 {
		t.Errorf("the first layer's weights moved by %.3f of their initial norm in training", r)
	}
	if d.Predicted != d.Label {
		t.Errorf("the digit shown is a %d, the network says %d", d.Label, d.Predicted)
	}
}

func sq(x float64) float64 { return x * x }

// TestDigitsFeatureMapsByHand computes the first convolution, its ReLU and
// the pooling of the shown digit with loops from the weights, and holds
// the maps the figure draws to them.
func TestDigitsFeatureMapsByHand(t *testing.T) {
	_, d := trainedDigits(t)
	var bias []float32
	for _, p := range d.Model.Net.Params() {
		if p.Name == "0.bias" {
			bias = p.Value.Data()
		}
	}
	w, img := d.Filters(), d.Image.Data()
	sh := w.Shape() // [8, 1, 5, 5], padding 2
	out, k, pad := sh[0], sh[2], sh[2]/2
	want := make([]float64, out*28*28)
	for o := range out {
		for y := range 28 {
			for x := range 28 {
				s := float64(bias[o])
				for i := range k {
					for j := range k {
						yy, xx := y+i-pad, x+j-pad
						if yy >= 0 && yy < 28 && xx >= 0 && xx < 28 {
							s += float64(w.At(o, 0, i, j)) * float64(img[yy*28+xx])
						}
					}
				}
				want[(o*28+y)*28+x] = math.Max(0, s)
			}
		}
	}
	maps, err := d.FeatureMaps(2)
	if err != nil {
		t.Fatal(err)
	}
	if got := maps.Shape(); len(got) != 3 || got[0] != out || got[1] != 28 || got[2] != 28 {
		t.Fatalf("maps after conv and ReLU have shape %v", got)
	}
	for i, v := range maps.Data() {
		if math.Abs(float64(v)-want[i]) > 1e-4 {
			t.Fatalf("map value %d: %g, by hand %g", i, v, want[i])
		}
	}
	pooled, err := d.FeatureMaps(3)
	if err != nil {
		t.Fatal(err)
	}
	for o := range out {
		for y := range 14 {
			for x := range 14 {
				m := 0.0
				for i := range 2 {
					for j := range 2 {
						m = math.Max(m, want[(o*28+2*y+i)*28+2*x+j])
					}
				}
				if got := float64(pooled.At(o, y, x)); math.Abs(got-m) > 1e-4 {
					t.Fatalf("pooled map %d at (%d, %d): %g, by hand %g", o, y, x, got, m)
				}
			}
		}
	}
	if _, err := d.FeatureMaps(len(d.Model.Net.Layers)); err == nil {
		t.Error("feature maps after the whole network (not images) gave no error")
	}
}

// TestDigitsFiguresDrawTheNetwork renders both figures to PNG and reads
// back, at the centre of value blocks, the colour each value should have:
// the filters figure shows the trained kernels and the initial ones, the
// feature-map figure the digit and its maps.
func TestDigitsFiguresDrawTheNetwork(t *testing.T) {
	f, d := trainedDigits(t)
	fg, err := f.filters()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fg.rows[0].panels); n != d.Filters().Shape()[0] {
		t.Errorf("%d filters drawn, want %d", n, d.Filters().Shape()[0])
	}
	checkPanels(t, fg, 0, d.Filters())
	checkPanels(t, fg, 1, d.Initial)
	if !strings.Contains(fg.caption, "test digits right") {
		t.Errorf("the filters caption does not give the accuracy: %q", fg.caption)
	}
	fm, err := f.featureMaps()
	if err != nil {
		t.Fatal(err)
	}
	if len(fm.rows) != 1+len(featureMapLayers) {
		t.Fatalf("%d rows, want the digit and %d depths", len(fm.rows), len(featureMapLayers))
	}
	checkPanels(t, fm, 0, d.Image)
	for r, n := range featureMapLayers {
		maps, _ := d.FeatureMaps(n)
		checkPanels(t, fm, r+1, maps)
	}
	for _, g := range []*mapGrid{fg, fm} {
		img := render(t, g)
		for r, row := range g.rows {
			for k, p := range row.panels {
				rect := g.panelRect(canvasRect(g), r, k)
				for _, ij := range [][2]int{{0, 0}, {p.h / 2, p.w / 3}, {p.h - 1, p.w - 1}} {
					i, j := ij[0], ij[1]
					// The centre of value (i, j): row 0 is at the top.
					x := rect.Min.X + (vgLen(j)+0.5)*(rect.Max.X-rect.Min.X)/vgLen(p.w)
					y := rect.Max.Y - (vgLen(i)+0.5)*(rect.Max.Y-rect.Min.Y)/vgLen(p.h)
					got := pixel(img, g, x, y)
					if want := row.colorAt(p, i, j); !near(got, want, 6) {
						t.Fatalf("%s, row %q panel %d value (%d, %d): colour %v, want %v", g.title, row.title, k, i, j, got, want)
					}
				}
			}
		}
	}
}

// checkPanels holds row r's panels to t's values, [panels, h, w] in order
// (t may have a leading axis of 1 per panel, as a [out, 1, kh, kw]
// weight does).
func checkPanels(t *testing.T, g *mapGrid, r int, want *tensor.Tensor) {
	t.Helper()
	wd := want.Data()
	var got []float32
	for _, p := range g.rows[r].panels {
		got = append(got, p.v...)
	}
	if len(got) != len(wd) {
		t.Fatalf("row %q holds %d values, want %d", g.rows[r].title, len(got), len(wd))
	}
	for i := range wd {
		if got[i] != wd[i] {
			t.Fatalf("row %q value %d is %g, want %g", g.rows[r].title, i, got[i], wd[i])
		}
	}
}

func render(t *testing.T, g *mapGrid) image.Image {
	t.Helper()
	var b bytes.Buffer
	if err := plot.Write(&b, g, plot.PNG); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func vgLen(n int) vg.Length { return vg.Length(n) }

// canvasRect is the rectangle plot.Write draws g on.
func canvasRect(g *mapGrid) vg.Rectangle {
	w, h := g.Size()
	return vg.Rectangle{Max: vg.Point{X: w, Y: h}}
}

// pixel returns the colour of img, g rendered at plot.DPI, at point (x, y)
// of the canvas, whose origin is at the bottom left.
func pixel(img image.Image, g *mapGrid, x, y vg.Length) color.Color {
	_, h := g.Size()
	s := float64(plot.DPI) / 72
	return img.At(int(float64(x)*s), int(float64(h-y)*s))
}

// near reports whether a and b differ by at most tol in every channel of
// 0–255.
func near(a, b color.Color, tol int) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	for _, d := range []int{int(ar>>8) - int(br>>8), int(ag>>8) - int(bg>>8), int(ab>>8) - int(bb>>8)} {
		if d < -tol || d > tol {
			return false
		}
	}
	return true
}
