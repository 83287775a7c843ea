package data

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestSyntheticShapesAndRanges(t *testing.T) {
	tests := []struct {
		name       string
		features   int
		classify   bool
		xlo, xhi   float32 // input range with no noise
		ylo, yhi   float32 // target range with no noise (regression)
		wantClass1 int     // class-1 rows of 1000 with no noise; -1: unchecked
	}{
		{"abs", 1, false, -1, 1, 0, 1, 0},
		{"square", 1, false, -1, 1, 0, 1, 0},
		{"max", 2, false, -1, 1, -1, 1, 0},
		{"and", 2, true, 0, 1, 0, 0, 250},
		{"or", 2, true, 0, 1, 0, 0, 750},
		{"xor", 2, true, 0, 1, 0, 0, 500},
		{"circle", 2, true, -5, 5, 0, 0, 500},
		{"quadrants", 2, true, -5.3, 5.3, 0, 0, -1},
		{"gauss", 2, true, -10, 10, 0, 0, 500},
		{"spiral", 2, true, -5, 5, 0, 0, 500},
		{"plane", 2, false, -6, 6, -1.2, 1.2, 0},
		{"gaussian", 2, false, -6, 6, -1, 1, 0},
		{"moons", 2, true, -1, 2, 0, 0, 500},
	}
	// ring8, eight classes rather than two, has a test of its own.
	if got := SyntheticNames(); len(got) != len(tests)+1 {
		t.Fatalf("SyntheticNames = %v, want %d names", got, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Synthetic(tt.name, 1000, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.Validate(); err != nil {
				t.Fatal(err)
			}
			if ds.Len() != 1000 || ds.Features() != tt.features || ds.IsClassification() != tt.classify {
				t.Fatalf("shape %v, classify %v", ds.X.Shape(), ds.IsClassification())
			}
			for _, v := range ds.X.Data() {
				if v < tt.xlo || v > tt.xhi {
					t.Fatalf("input %v outside [%v, %v]", v, tt.xlo, tt.xhi)
				}
			}
			if !tt.classify {
				if ds.Outputs() != 1 {
					t.Fatalf("outputs %d", ds.Outputs())
				}
				for _, v := range ds.Y.Data() {
					if v < tt.ylo || v > tt.yhi {
						t.Fatalf("target %v outside [%v, %v]", v, tt.ylo, tt.yhi)
					}
				}
				return
			}
			ones := 0
			for _, l := range ds.Labels {
				if l != 0 && l != 1 {
					t.Fatalf("label %d", l)
				}
				ones += l
			}
			if tt.wantClass1 >= 0 && ones != tt.wantClass1 {
				t.Errorf("%d rows of class 1, want %d", ones, tt.wantClass1)
			}
			if tt.wantClass1 < 0 && (ones < 400 || ones > 600) {
				t.Errorf("%d rows of class 1, want about 500", ones)
			}
			// Shuffled: the first 100 rows hold both classes.
			first := 0
			for _, l := range ds.Labels[:100] {
				first += l
			}
			if tt.wantClass1 > 0 && tt.wantClass1 < 1000 && (first == 0 || first == 100) {
				t.Errorf("first 100 rows are all one class")
			}
		})
	}
}

func TestSyntheticTargets(t *testing.T) {
	check := func(name string, f func(x []float32) float32) {
		ds, err := Synthetic(name, 200, 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		k := ds.Features()
		for i := range ds.Len() {
			x := ds.X.Data()[i*k : (i+1)*k]
			if got, want := ds.Y.Data()[i], f(x); !near(got, want, 1e-6) {
				t.Fatalf("%s(%v) = %v, want %v", name, x, got, want)
			}
		}
	}
	check("abs", func(x []float32) float32 { return float32(math.Abs(float64(x[0]))) })
	check("square", func(x []float32) float32 { return x[0] * x[0] })
	check("max", func(x []float32) float32 { return max(x[0], x[1]) })
	check("plane", func(x []float32) float32 { return (x[0] + x[1]) / 10 })

	for name, op := range map[string]func(a, b int) int{
		"and": func(a, b int) int { return a & b },
		"or":  func(a, b int) int { return a | b },
		"xor": func(a, b int) int { return a ^ b },
	} {
		ds, _ := Synthetic(name, 8, 0, 3)
		for i, l := range ds.Labels {
			a, b := int(ds.X.At(i, 0)), int(ds.X.At(i, 1))
			if l != op(a, b) {
				t.Errorf("%s(%d, %d) labelled %d", name, a, b, l)
			}
		}
	}
	// Without noise the playground's classes are separable as described.
	circle, _ := Synthetic("circle", 500, 0, 2)
	for i, l := range circle.Labels {
		r := math.Hypot(float64(circle.X.At(i, 0)), float64(circle.X.At(i, 1)))
		if (l == 1) != (r < 2.5) || (l == 0 && r < 3.5) {
			t.Fatalf("circle point at radius %v labelled %d", r, l)
		}
	}
	quad, _ := Synthetic("quadrants", 500, 0, 2)
	for i, l := range quad.Labels {
		x, y := quad.X.At(i, 0), quad.X.At(i, 1)
		if (l == 1) != (x*y >= 0) || math.Abs(float64(x)) < 0.3 || math.Abs(float64(y)) < 0.3 {
			t.Fatalf("quadrants point (%v, %v) labelled %d", x, y, l)
		}
	}
}

func TestSyntheticDeterministicAndNoisy(t *testing.T) {
	for _, name := range SyntheticNames() {
		if name == "ring8" {
			continue // its spread is fixed; TestRing8 covers it
		}
		a, _ := Synthetic(name, 300, 0.2, 11)
		b, _ := Synthetic(name, 300, 0.2, 11)
		c, _ := Synthetic(name, 300, 0.2, 12)
		clean, _ := Synthetic(name, 300, 0, 11)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the same seed gave different sets", name)
		}
		if reflect.DeepEqual(a.X.Data(), c.X.Data()) {
			t.Errorf("%s: different seeds gave the same inputs", name)
		}
		if reflect.DeepEqual(a, clean) {
			t.Errorf("%s: noise changed nothing", name)
		}
	}
	// Noisy circle labels come from the displaced point, so some cross.
	noisy, _ := Synthetic("circle", 2000, 0.5, 1)
	crossed := 0
	for i, l := range noisy.Labels {
		r := math.Hypot(float64(noisy.X.At(i, 0)), float64(noisy.X.At(i, 1)))
		if (l == 1) != (r < 2.5) {
			crossed++
		}
	}
	if crossed == 0 || crossed > 1000 {
		t.Errorf("%d of 2000 noisy circle labels cross the boundary", crossed)
	}
}

func TestSyntheticOddCount(t *testing.T) {
	ds, err := Synthetic("spiral", 7, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	ones := 0
	for _, l := range ds.Labels {
		ones += l
	}
	if ds.Len() != 7 || ones != 4 {
		t.Errorf("spiral of 7: %d rows, %d of class 1; want 7 and 4", ds.Len(), ones)
	}
}

func TestSyntheticErrors(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		noise float64
		want  string
	}{
		{"swissroll", 10, 0, `data: unknown synthetic set "swissroll"; allowed: ` + strings.Join(SyntheticNames(), ", ")},
		{"abs", 0, 0, "data: synthetic abs: 0 rows, want 1 to 16777216"},
		{"abs", 1 << 30, 0, "data: synthetic abs: 1073741824 rows, want 1 to 16777216"},
		{"abs", 10, -1, "data: synthetic abs: noise -1, want a finite value ≥ 0"},
		{"abs", 10, math.NaN(), "data: synthetic abs: noise NaN, want a finite value ≥ 0"},
		{"abs", 10, math.Inf(1), "data: synthetic abs: noise +Inf, want a finite value ≥ 0"},
	}
	for _, tt := range tests {
		_, err := Synthetic(tt.name, tt.n, tt.noise, 1)
		if err == nil {
			t.Errorf("Synthetic(%q, %d, %v): no error", tt.name, tt.n, tt.noise)
		} else if got := err.Error(); got != tt.want {
			t.Errorf("Synthetic error\n got %s\nwant %s", got, tt.want)
		}
	}
}

// TestMoonsGeometry checks make_moons's construction without noise: every
// class-0 point on the unit upper half circle, every class-1 point on the
// lower one centred at (1, 0.5), both ends of each arc present.
func TestMoonsGeometry(t *testing.T) {
	ds, err := Synthetic("moons", 101, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	ends := 0
	for i, l := range ds.Labels {
		x, y := float64(ds.X.At(i, 0)), float64(ds.X.At(i, 1))
		cx, cy, up := 0.0, 0.0, true
		if l == 1 {
			cx, cy, up = 1, 0.5, false
		}
		if r := math.Hypot(x-cx, y-cy); math.Abs(r-1) > 1e-6 || (up && y < -1e-6) || (!up && y > cy+1e-6) {
			t.Fatalf("row %d class %d at (%v, %v): off its arc", i, l, x, y)
		}
		if math.Abs(y-cy) < 1e-6 {
			ends++
		}
	}
	if ends != 4 {
		t.Errorf("%d points at the ends of the arcs, want 4", ends)
	}
}
