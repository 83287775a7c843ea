package nn

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// TestLayerNormRowsFourAtATime checks layerNormRows and layerNormRowsBack,
// which run rows four at a time, against the same arithmetic a row at a
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
			layerNormRowsBack(dx, dy, x, p, mean, rstd, d)
			layerNormOneRowBack(wdx, dy, x, p.Weight.Value.Data(), wgw, wgb, mean, rstd, d)
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

// layerNormOneRow is layerNormRows a row at a time.
func layerNormOneRow(x []float32, p *LayerNorm, d int) (y, mean, rstd []float32) {
	w, b := p.Weight.Value.Data(), p.Bias.Value.Data()
	rows := len(x) / d
	y, mean, rstd = make([]float32, len(x)), make([]float32, rows), make([]float32, rows)
	for r := 0; r < rows; r++ {
		row, out := x[r*d:(r+1)*d], y[r*d:(r+1)*d]
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		mu := s / float64(d)
		var q float64
		for _, v := range row {
			dv := float64(v) - mu
			q += dv * dv
		}
		rs := 1 / math.Sqrt(q/float64(d)+p.Eps)
		mean[r], rstd[r] = float32(mu), float32(rs)
		m32, r32 := float32(mu), float32(rs)
		for j, v := range row {
			out[j] = (v-m32)*r32*w[j] + b[j]
		}
	}
	return y, mean, rstd
}

// layerNormOneRowBack is layerNormRowsBack a row at a time.
func layerNormOneRowBack(dx, dy, x, w, gw, gb, mean, rstd []float32, d int) {
	for r := 0; r < len(x)/d; r++ {
		row, dyr := x[r*d:(r+1)*d], dy[r*d:(r+1)*d]
		m, rs := mean[r], rstd[r]
		var sg, sgx float64
		for j, v := range row {
			xh := (v - m) * rs
			g := dyr[j] * w[j]
			sg += float64(g)
			sgx += float64(g * xh)
			gw[j] += dyr[j] * xh
			gb[j] += dyr[j]
		}
		mg, mgx := float32(sg/float64(d)), float32(sgx/float64(d))
		dxr := dx[r*d : (r+1)*d]
		for j, v := range row {
			xh := (v - m) * rs
			dxr[j] += rs * (dyr[j]*w[j] - mg - xh*mgx)
		}
	}
}
