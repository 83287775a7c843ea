package nn

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// TestLayerNormRowsFourAtATime checks layerNormRows and layerNormRowsBack,
// which run rows four at a time, against themselves called a row at a
// time, bit for bit, for row counts around multiples of four.
func TestLayerNormRowsFourAtATime(t *testing.T) {
	rng := tensor.NewRNG(51)
	for _, d := range []int{1, 5, 128} {
		for rows := 1; rows <= 9; rows++ {
			p := NewLayerNorm([]int{d}, true)
			copy(p.Weight.Value.Data(), tensor.Randn(rng, d).Data())
			copy(p.Bias.Value.Data(), tensor.Randn(rng, d).Data())
			x := tensor.Randn(rng, rows, d).Data()
			dy := tensor.Randn(rng, rows, d).Data()

			y, mean, rstd := make([]float32, rows*d), make([]float32, rows), make([]float32, rows)
			layerNormRows(y, x, p, mean, rstd, d)
			wy, wmean, wrstd := layerNormOneRow(x, p, d)
			sameBits(t, "y", y, wy)
			sameBits(t, "mean", mean, wmean)
			sameBits(t, "rstd", rstd, wrstd)

			dx := tensor.Randn(rng, rows, d).Data()
			wdx := append([]float32(nil), dx...)
			gw, gb := p.Weight.GradData(), p.Bias.GradData()
			copy(gw, tensor.Randn(rng, d).Data())
			copy(gb, tensor.Randn(rng, d).Data())
			wgw, wgb := append([]float32(nil), gw...), append([]float32(nil), gb...)
			layerNormOneRowBack(wdx, dy, x, p, wgw, wgb, mean, rstd, d)
			layerNormRowsBack(dx, dy, x, p, mean, rstd, d)
			sameBits(t, "dx", dx, wdx)
			sameBits(t, "dw", gw, wgw)
			sameBits(t, "db", gb, wgb)
		}
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d]: %v, a row at a time %v", what, i, got[i], want[i])
		}
	}
}

// layerNormOneRow is layerNormRows called a row at a time, which takes
// its one-row path.
func layerNormOneRow(x []float32, p *LayerNorm, d int) (y, mean, rstd []float32) {
	rows := len(x) / d
	y, mean, rstd = make([]float32, len(x)), make([]float32, rows), make([]float32, rows)
	for r := 0; r < rows; r++ {
		layerNormRows(y[r*d:(r+1)*d], x[r*d:(r+1)*d], p, mean[r:r+1], rstd[r:r+1], d)
	}
	return y, mean, rstd
}

// layerNormOneRowBack is layerNormRowsBack called a row at a time, with
// the weight and bias gradients in gw and gb.
func layerNormOneRowBack(dx, dy, x []float32, p *LayerNorm, gw, gb, mean, rstd []float32, d int) {
	saved := [2][]float32{append([]float32(nil), p.Weight.GradData()...), append([]float32(nil), p.Bias.GradData()...)}
	copy(p.Weight.GradData(), gw)
	copy(p.Bias.GradData(), gb)
	for r := 0; r < len(x)/d; r++ {
		rs := r * d
		layerNormRowsBack(dx[rs:rs+d], dy[rs:rs+d], x[rs:rs+d], p, mean[r:r+1], rstd[r:r+1], d)
	}
	copy(gw, p.Weight.GradData())
	copy(gb, p.Bias.GradData())
	copy(p.Weight.GradData(), saved[0])
	copy(p.Bias.GradData(), saved[1])
}
