package book

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"image"
	_ "image/png" // check that the PNGs decode
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
)

var update = flag.Bool("update", false, "rewrite the golden SVGs in testdata")

func TestChapterNetworksAreExact(t *testing.T) {
	xs := Grid(-5, 5, 1001)
	for i, y := range Eval1(AbsNet(), xs) {
		if y != math.Abs(float64(float32(xs[i]))) {
			t.Fatalf("AbsNet(%g) = %g", xs[i], y)
		}
	}
	pts := grid2(-2, 2, 41)
	for _, net := range []nn.Layer{MaxSkipNet(), MaxNet()} {
		for i, out := range Eval(net, pts) {
			want := math.Max(float64(float32(pts[i][0])), float64(float32(pts[i][1])))
			if math.Abs(out[0]-want) > 1e-6 {
				t.Fatalf("%T at %v = %g, want %g", net, pts[i], out[0], want)
			}
		}
	}
	for name, g := range map[string]struct {
		net   *nn.Sequential
		table [4]bool
	}{
		"and": {AndNet(), [4]bool{false, false, false, true}},
		"or":  {OrNet(), [4]bool{false, true, true, true}},
		"xor": {XorNet(), [4]bool{false, true, true, false}},
	} {
		if e := tableError(g.net, g.table); e != 0 {
			t.Errorf("%s: truth table off by %g", name, e)
		}
	}
}

func TestLogicNetBuildsAllSixteen(t *testing.T) {
	for f := range 16 {
		var table [4]bool
		ones := 0
		for k := range table {
			table[k] = f>>k&1 == 1
			if table[k] {
				ones++
			}
		}
		net := LogicNet(table)
		if len(net.Layers) != 3 {
			t.Fatalf("function %d: %d layers", f, len(net.Layers))
		}
		if e := tableError(net, table); e != 0 {
			t.Errorf("function %04b: off by %g", f, e)
		}
		if units := net.Layers[0].(*nn.Linear).Out; units != max(ones, 1) {
			t.Errorf("function %04b: %d hidden units, want one per true corner", f, units)
		}
	}
}

func TestFormulas(t *testing.T) {
	for net, want := range map[*nn.Sequential]string{
		SquarePrinted(): "f(x) = 2ReLU(x − 1) + 2ReLU(x) + 2ReLU(−x) + 2ReLU(−x − 1) − 0.04",
		SquareMinimax(): "f(x) = ReLU(x − 0.5) + 0.5ReLU(x) + 0.5ReLU(−x) + ReLU(−x − 0.5) − 0.03125",
	} {
		if got, err := Formula(net); err != nil || got != want {
			t.Errorf("Formula = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := Formula(MaxNet()); err == nil {
		t.Error("Formula accepted a network with two inputs")
	}
}

func TestSquareMinimaxEquioscillates(t *testing.T) {
	// The error of the best approximation alternates ±1/32 at the knots
	// and the middles of the pieces: nine points.
	xs := Grid(-1, 1, 9)
	ys := Eval1(SquareMinimax(), xs)
	for i, x := range xs {
		want := 1.0 / 32
		if i%2 == 0 {
			want = -want // at the knots the shifted interpolant is below x²
		}
		if e := ys[i] - x*x; math.Abs(e-want) > 1e-7 {
			t.Errorf("error at x = %g is %g, want %g", x, e, want)
		}
	}
}

var (
	checkOnce    sync.Once
	checkResults []Result
	checkErr     error
)

func results(t *testing.T) map[string]Result {
	t.Helper()
	checkOnce.Do(func() { checkResults, checkErr = Check() })
	if checkErr != nil {
		t.Fatal(checkErr)
	}
	m := map[string]Result{}
	for _, r := range checkResults {
		m[r.ID] = r
	}
	return m
}

func TestCheckClaims(t *testing.T) {
	rs := results(t)
	want := map[string]Status{
		"linear-composition": Pass, "abs-not-linear": Pass, "relu-grad-0": Pass, "abs": Pass,
		"max-skip": Pass, "max-three": Pass, "and": Pass, "or": Pass, "xor": Pass, "logic-16": Pass,
		"linear-growth": Pass, "x2-printed": WrongInText, "x2-minimax": Pass, "x2-trained": Pass,
		"leaky-slope": Pass, "sigmoid-range": Pass, "tanh-range": Pass, "tanh-sigmoid": Pass, "vanishing": Pass,
	}
	if len(rs) != len(want) {
		t.Errorf("%d results, want %d", len(rs), len(want))
	}
	for id, st := range want {
		r, ok := rs[id]
		if !ok {
			t.Errorf("no result for %q", id)
			continue
		}
		if r.Status != st {
			t.Errorf("%s: %s (max error %g), want %s; notes %q", id, r.Status, r.MaxError, st, r.Notes)
		}
	}
	if err := Failures(checkResults); err != nil {
		t.Error(err)
	}
}

func TestCheckReportsTheTruthAboutXSquared(t *testing.T) {
	rs := results(t)
	p := rs["x2-printed"]
	if math.Abs(p.MaxError-0.96) > 1e-5 {
		t.Errorf("printed formula: max error %g, want 0.96 (2|x| − 0.04 − x² at x = ±1)", p.MaxError)
	}
	if !strings.Contains(p.Claim, "2ReLU(x − 1) + 2ReLU(x) + 2ReLU(−x) + 2ReLU(−x − 1) − 0.04") {
		t.Errorf("the claim does not quote the printed formula: %q", p.Claim)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"0.96 at x = −1", "2|x| − 0.04", "ReLU(x − 0.5) + 0.5ReLU(x) + 0.5ReLU(−x) + ReLU(−x − 0.5) − 0.03125"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if m := rs["x2-minimax"].MaxError; math.Abs(m-1.0/32) > 1e-6 {
		t.Errorf("minimax error %g, want 1/32", m)
	}
	if tr := rs["x2-trained"]; !(tr.MaxError > 1.0/32-1e-6 && tr.MaxError < 0.1) {
		t.Errorf("trained error %g: want between the optimum 1/32 and 0.1", tr.MaxError)
	}
}

func TestCheckTable(t *testing.T) {
	results(t)
	var b bytes.Buffer
	if err := WriteTable(&b, checkResults); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"claim", "how checked", "result", "max error", "WRONG-IN-TEXT", "| 0.96", "19 claims: 18 PASS, 1 WRONG-IN-TEXT, 0 FAIL", "[12] "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestFailures(t *testing.T) {
	rs := []Result{{ID: "a", Status: Pass}, {ID: "b", Status: WrongInText}, {ID: "c", Status: Fail}, {ID: "d", Status: Fail}}
	err := Failures(rs)
	if err == nil || !strings.Contains(err.Error(), "2 claim(s) failed: c, d") {
		t.Errorf("Failures = %v", err)
	}
	if err := Failures(rs[:2]); err != nil {
		t.Errorf("WRONG-IN-TEXT counted as a failure: %v", err)
	}
}

func TestVanishingGradients(t *testing.T) {
	sig, rel, he, err := VanishingGradients()
	if err != nil {
		t.Fatal(err)
	}
	ratio := func(n []float64) float64 { return n[0] / n[len(n)-1] }
	if len(sig) != GradientDepth || len(rel) != GradientDepth {
		t.Fatalf("%d and %d norms, want %d", len(sig), len(rel), GradientDepth)
	}
	if !(ratio(sig) < 1e-4 && ratio(sig) < ratio(rel)/100 && ratio(rel) < ratio(he)) {
		t.Errorf("first/last: sigmoid %g, ReLU %g, ReLU with He init %g", ratio(sig), ratio(rel), ratio(he))
	}
}

func TestLearnIsDeterministic(t *testing.T) {
	a, err := Learn("xor")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Learn("xor")
	pa, pb := a.Net.Params(), b.Net.Params()
	for i := range pa {
		for j, v := range pa[i].Value.Data() {
			if pb[i].Value.Data()[j] != v {
				t.Fatalf("%s differs between two runs", pa[i].Name)
			}
		}
	}
	if a.Accuracy != 1 || a.Found == 0 || a.Starts != learnRestarts {
		t.Errorf("learned XOR: accuracy %g, found %d of %d starts", a.Accuracy, a.Found, a.Starts)
	}
	if _, err := Learn("sin"); err == nil {
		t.Error("Learn accepted an unknown example")
	}
}

// golden are the figures whose SVG is compared byte for byte: a function
// plot, a network diagram and the block diagram.
var golden = []string{"01-five-elements", "02-relu", "03-abs-network"}

func TestGoldenSVG(t *testing.T) {
	for _, name := range golden {
		fig, err := Figure(name)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := plot.Write(&b, fig, plot.SVG); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name+".svg")
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s; if the change is intended, look at the new figure and run go test ./book -run Golden -update", name, path)
		}
	}
}

func TestWriteFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the learned examples")
	}
	dir := t.TempDir()
	var log bytes.Buffer
	paths, err := WriteFigures(dir, &log)
	if err != nil {
		t.Fatal(err)
	}
	want := (len(ChapterFigures) + len(ExtraFigures) + len(activation.Names())) * len(Formats)
	if len(paths) != want {
		t.Errorf("wrote %d files, want %d", len(paths), want)
	}
	for _, name := range ChapterFigures {
		for _, f := range Formats {
			p := filepath.Join(dir, name+"."+string(f))
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			switch f {
			case plot.PNG:
				if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			case plot.SVG:
				if err := wellFormed(data); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gallery", "gelu.png")); err != nil {
		t.Error(err)
	}
	for _, name := range LearnedNames() {
		if !strings.Contains(log.String(), "learned "+name+" ") {
			t.Errorf("the report lacks %s:\n%s", name, log.String())
		}
	}
}

// wellFormed parses an XML document to its end.
func wellFormed(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestFigureUnknown(t *testing.T) {
	if _, err := Figure("99-nothing"); err == nil {
		t.Error("an unknown figure name gave no error")
	}
	if _, err := Figure("gallery/relux"); err == nil {
		t.Error("an unknown activation gave no error")
	}
}
