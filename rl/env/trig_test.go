package env

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

// TestSinCosCorrectlyRounded compares Sin and Cos with values computed by
// mpmath at 300 bits and rounded once (testdata/sincos.json, hex floats).
func TestSinCosCorrectlyRounded(t *testing.T) {
	b, err := os.ReadFile("testdata/sincos.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][3]string
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	parse := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, r := range rows {
		x, ws, wc := parse(r[0]), parse(r[1]), parse(r[2])
		s, c := Sin(x), Cos(x)
		if math.Float64bits(s) != math.Float64bits(ws) {
			t.Errorf("Sin(%v) = %v, want %v", x, s, ws)
		}
		if math.Float64bits(c) != math.Float64bits(wc) {
			t.Errorf("Cos(%v) = %v, want %v", x, c, wc)
		}
	}
}

func BenchmarkSinCos(b *testing.B) {
	x := 0.3
	for b.Loop() {
		s, c := sinCos(x)
		x = s + c
	}
}
