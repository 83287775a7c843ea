package rl

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// Orthogonal fills the 2-D tensor t with a random orthogonal matrix scaled
// by gain, as torch.nn.init.orthogonal_: the Q of the QR decomposition of a
// standard normal matrix, with the signs fixed by R's diagonal (which
// Gram–Schmidt makes positive). CleanRL initialises its agents this way.
func Orthogonal(t *tensor.Tensor, rng *tensor.RNG, gain float64) {
	rows, cols := t.Dim(0), t.Len()/t.Dim(0)
	// Orthonormalise the columns of an n×m matrix with n ≥ m.
	n, m := rows, cols
	if rows < cols {
		n, m = cols, rows
	}
	a := make([]float64, n*m) // column j is a[j*n : (j+1)*n]
	for i := range a {
		a[i] = rng.Normal()
	}
	for j := range m {
		cj := a[j*n : (j+1)*n]
		for k := range j {
			ck := a[k*n : (k+1)*n]
			var dot float64
			for i := range n {
				dot += cj[i] * ck[i]
			}
			for i := range n {
				cj[i] -= dot * ck[i]
			}
		}
		var norm float64
		for _, v := range cj {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for i := range cj {
			cj[i] /= norm
		}
	}
	d := t.Data()
	for r := range rows {
		for c := range cols {
			// Q is n×m; t is Q (rows ≥ cols) or Qᵀ.
			var v float64
			if rows >= cols {
				v = a[c*n+r]
			} else {
				v = a[r*n+c]
			}
			d[r*cols+c] = float32(gain * v)
		}
	}
}

// NewNet builds hidden (the spec's architecture list) for inputs of width
// in, followed by a Linear layer with out outputs. With orthogonal set,
// every Linear layer is re-initialised as CleanRL's layer_init does:
// orthogonal weights with gain √2 (outGain for the last layer) and zero
// biases; otherwise PyTorch's default initialisation stays.
func NewNet(in int, hidden []spec.LayerSpec, out int, orthogonal bool, outGain float64, rng *tensor.RNG) (*nn.Sequential, error) {
	seq, shape, err := spec.BuildArchitecture([]int{in}, hidden, rng)
	if err != nil {
		return nil, err
	}
	if len(shape) != 1 {
		return nil, fmt.Errorf("architecture: the hidden layers must end with a flat vector, got per-sample shape %v", shape)
	}
	last := nn.NewLinear(shape[0], out, true, rng)
	seq.Layers = append(seq.Layers, last)
	if orthogonal {
		for _, l := range seq.Layers {
			if lin, ok := l.(*nn.Linear); ok {
				g := math.Sqrt2
				if lin == last {
					g = outGain
				}
				Orthogonal(lin.Weight.Value, rng, g)
				if lin.Bias != nil {
					lin.Bias.Value.Fill(0)
				}
			}
		}
	}
	return seq, nil
}

// Named is a parameter with its PyTorch state_dict name.
type Named = nn.Param

// Prefixed returns l's parameters with prefix+"." before each name, as a
// submodule attribute of a PyTorch module names them ("actor.0.weight").
func Prefixed(prefix string, l nn.Layer) []Named {
	var out []Named
	for _, p := range nn.ParamsOf(l) {
		out = append(out, Named{Name: prefix + "." + p.Name, Var: p.Var})
	}
	return out
}

// CopyParams copies the values of src into dst, which must match name for
// name and shape for shape.
func CopyParams(dst, src []Named) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("rl: CopyParams: %d parameters, want %d", len(src), len(dst)))
	}
	for i := range dst {
		if dst[i].Name != src[i].Name || dst[i].Value.Len() != src[i].Value.Len() {
			panic(fmt.Sprintf("rl: CopyParams: %s %v does not match %s %v", src[i].Name, src[i].Value.Shape(), dst[i].Name, dst[i].Value.Shape()))
		}
		dst[i].Value.CopyFrom(src[i].Value)
	}
}

// Vars returns the Vars of ps.
func Vars(ps []Named) []*autograd.Var { return nn.Vars(ps) }

// Rows wraps n rows of width w from data as a constant [n, w] input.
func Rows(data []float32, n, w int) *autograd.Var {
	return autograd.Const(tensor.FromSlice(data[:n*w], n, w))
}
