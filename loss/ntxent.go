package loss

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// normalizeEps is torch.nn.functional.normalize's default eps: a row
// shorter than this is divided by eps instead of its length.
const normalizeEps = 1e-12

// NTXent returns SimCLR's normalized temperature-scaled cross-entropy
// (Chen et al. 2020) of the embeddings z, [2N, D], whose rows k and k+N
// are the two views of sample k. With uᵢ = zᵢ / max(‖zᵢ‖, 10⁻¹²) and
// sᵢⱼ = uᵢ·uⱼ / τ,
//
//	ℓᵢ = −sᵢ,ₚ₍ᵢ₎ + log Σ_{j≠i} exp(sᵢⱼ)      p(i) = (i + N) mod 2N
//
// and the result is the scalar mean of ℓ over the 2N rows: each view must
// pick its partner out of the 2N − 1 others. temperature is τ.
//
// The gradient is fused: with Pᵢⱼ the softmax of row i over j ≠ i and
// Gᵢⱼ = (Pᵢⱼ − [j = p(i)]) / 2N, ∂L/∂U = (G + Gᵀ)·U / τ, which the
// normalisation turns into ∂L/∂zᵢ = (∂uᵢ − (∂uᵢ·uᵢ)·uᵢ) / ‖zᵢ‖. Logits are
// shifted by the row maximum, so small temperatures stay finite.
//
// NTXent panics if z is not [2N, D] with N ≥ 1, or if temperature is not a
// positive finite number.
func NTXent(z *autograd.Var, temperature float64) *autograd.Var {
	rows, d := ntxentShape(z.Value, temperature)
	var grad []float64
	if z.RequiresGrad() {
		grad = make([]float64, rows*d)
	}
	v := ntxent(z.Value.Data(), rows, d, temperature, grad)
	return autograd.New("nt_xent", tensor.Scalar(float32(v)), func(g *tensor.Tensor) {
		s := float64(g.Data()[0])
		dst := z.GradData()
		for i, gv := range grad {
			dst[i] += float32(gv * s)
		}
	}, z)
}

// NTXentValueGrad computes NTXent's value for z [2N, D] and stores its
// gradient ∂L/∂z in grad (z.Len() elements) with no graph, for training
// loops that run networks through their kernels. It gives the bits NTXent
// gives.
func NTXentValueGrad(z *tensor.Tensor, temperature float64, grad []float32) float32 {
	rows, d := ntxentShape(z, temperature)
	if len(grad) != rows*d {
		panic(fmt.Sprintf("loss.NTXentValueGrad: gradient buffer holds %d elements, want %d", len(grad), rows*d))
	}
	g := make([]float64, rows*d)
	v := ntxent(z.Data(), rows, d, temperature, g)
	for i, x := range g {
		grad[i] = float32(x)
	}
	return float32(v)
}

func ntxentShape(z *tensor.Tensor, temperature float64) (rows, d int) {
	if z.Dims() != 2 || z.Dim(0) < 2 || z.Dim(0)%2 != 0 {
		panic(&tensor.ShapeError{Op: "loss.NTXent", Detail: "want embeddings [2N, D] with N ≥ 1 (two views per sample), got", Shapes: [][]int{z.Shape()}})
	}
	if !(temperature > 0) || math.IsInf(temperature, 0) {
		panic(fmt.Errorf("loss.NTXent: temperature must be a positive finite number, got %v", temperature))
	}
	return z.Dim(0), z.Dim(1)
}

// ntxent returns the mean NT-Xent loss of the rows×d embeddings z and,
// when grad is non-nil, stores ∂L/∂z in it. All arithmetic is float64.
func ntxent(z []float32, rows, d int, tau float64, grad []float64) float64 {
	half := rows / 2
	u := make([]float64, rows*d)
	norms := make([]float64, rows)
	for i := range rows {
		var ss float64
		for _, v := range z[i*d : (i+1)*d] {
			ss += float64(v) * float64(v)
		}
		norms[i] = math.Max(math.Sqrt(ss), normalizeEps)
		for k, v := range z[i*d : (i+1)*d] {
			u[i*d+k] = float64(v) / norms[i]
		}
	}
	s := make([]float64, rows*rows)
	for i := range rows {
		ui := u[i*d : (i+1)*d]
		for j := i; j < rows; j++ {
			var dot float64
			for k, v := range u[j*d : (j+1)*d] {
				dot += ui[k] * v
			}
			s[i*rows+j], s[j*rows+i] = dot/tau, dot/tau
		}
	}
	var total float64
	for i := range rows {
		row := s[i*rows : (i+1)*rows]
		p := (i + half) % rows
		m := math.Inf(-1)
		for j, v := range row {
			if j != i && v > m {
				m = v
			}
		}
		var sum float64
		for j, v := range row {
			if j != i {
				sum += math.Exp(v - m)
			}
		}
		lse := m + math.Log(sum)
		total += lse - row[p]
		if grad != nil {
			// Row i now holds Gᵢⱼ, the loss's derivative by sᵢⱼ.
			for j, v := range row {
				if j == i {
					row[j] = 0
				} else {
					row[j] = math.Exp(v-lse) / float64(rows)
				}
			}
			row[p] -= 1 / float64(rows)
		}
	}
	if grad != nil {
		du := make([]float64, d)
		for i := range rows {
			clear(du)
			for j := range rows {
				a := (s[i*rows+j] + s[j*rows+i]) / tau
				if a == 0 {
					continue
				}
				for k, v := range u[j*d : (j+1)*d] {
					du[k] += a * v
				}
			}
			ui, gi := u[i*d:(i+1)*d], grad[i*d:(i+1)*d]
			var proj float64
			if norms[i] > normalizeEps {
				for k, v := range du {
					proj += v * ui[k]
				}
			}
			for k, v := range du {
				gi[k] = (v - proj*ui[k]) / norms[i]
			}
		}
	}
	return total / float64(rows)
}
