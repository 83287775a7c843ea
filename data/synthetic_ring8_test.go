package data

import (
	"math"
	"reflect"
	"testing"
)

// TestRing8 checks the contract: 8 modes at radius 2 starting at angle 0,
// equally represented, each with standard deviation 0.02 per coordinate.
func TestRing8(t *testing.T) {
	const n = 80000
	ds, err := Synthetic("ring8", n, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Features() != 2 || !reflect.DeepEqual(ds.FeatureNames, []string{"x1", "x2"}) {
		t.Fatalf("features %v %v", ds.X.Shape(), ds.FeatureNames)
	}
	var count [8]int
	var sum, sq [8][2]float64
	for i, k := range ds.Labels {
		count[k]++
		for j := range 2 {
			v := float64(ds.X.At(i, j))
			sum[k][j] += v
			sq[k][j] += v * v
		}
	}
	for k := range 8 {
		if count[k] != n/8 {
			t.Errorf("mode %d: %d rows, want %d", k, count[k], n/8)
		}
		a := math.Pi / 4 * float64(k)
		want := [2]float64{2 * math.Cos(a), 2 * math.Sin(a)}
		for j := range 2 {
			mean := sum[k][j] / float64(count[k])
			std := math.Sqrt(sq[k][j]/float64(count[k]) - mean*mean)
			// Standard errors: 0.02/√10⁴ = 2·10⁻⁴ for the mean, about
			// 1.4·10⁻⁴ for the deviation.
			if math.Abs(mean-want[j]) > 1e-3 || math.Abs(std-0.02) > 1e-3 {
				t.Errorf("mode %d coordinate %d: mean %.5f std %.5f, want %.5f and 0.02", k, j, mean, std, want[j])
			}
		}
	}
	if x, y := RingMean(0); x != 2 || y != 0 {
		t.Errorf("RingMean(0) = (%v, %v), want (2, 0)", x, y)
	}
	if _, err := Synthetic("ring8", 10, 0.1, 1); err == nil {
		t.Error("ring8 with noise 0.1: no error")
	}
	a, _ := Synthetic("ring8", 100, 0, 5)
	b, _ := Synthetic("ring8", 100, 0, 5)
	c, _ := Synthetic("ring8", 100, 0, 6)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a.X.Data(), c.X.Data()) {
		t.Error("ring8 is not a function of its seed")
	}
}
