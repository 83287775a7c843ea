package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// GridMargin is how far UpdateGrid and Extend reach beyond the data's
// extremes, efficient-kan's margin.
const GridMargin = 0.01

// UpdateGrid moves the knots to where the batch x ([N, In]) lies, as
// efficient-kan's update_grid: per input, GridSize+1 knots at the data's
// quantiles, mixed with a uniform grid over [min − margin, max + margin]
// by GridEps, extended by SplineOrder uniform steps on each side. The
// coefficients are then refitted by least squares so that each edge's
// function keeps its values at the samples.
//
// Unlike efficient-kan, which fits the coefficients to the scaled spline
// and so multiplies the spline by SplineScaler a second time, the fit
// targets the unscaled spline: the layer computes the same function
// before and after, up to the fit. It returns an error if x is not [N,
// In] with N ≥ 1 or holds a value that is not finite.
func (l *KANLinear) UpdateGrid(x *tensor.Tensor) error { return l.regrid(x, l.GridSize) }

// Extend refines the grid to gridSize intervals fitted to the batch x
// ([N, In]) as UpdateGrid places them, and sets the new coefficients to
// the least-squares fit of the current splines at the samples, as pykan's
// grid extension does: a trained coarse layer becomes a finer one that
// computes nearly the same function, ready to train further. SplineWeight
// becomes a new parameter of shape [Out, In, gridSize+SplineOrder], so an
// optimizer or kernel made before must be made again. With fewer samples
// than coefficients the fit is the one of least norm.
func (l *KANLinear) Extend(gridSize int, x *tensor.Tensor) error {
	if gridSize < 1 || gridSize > 1<<16 {
		return fmt.Errorf("kan_linear: Extend: grid size %d, want 1 to %d", gridSize, 1<<16)
	}
	return l.regrid(x, gridSize)
}

func (l *KANLinear) regrid(x *tensor.Tensor, g int) error {
	s := x.Shape()
	if len(s) != 2 || s[1] != l.In || s[0] < 1 {
		return fmt.Errorf("kan_linear: want samples [N, %d], got %v", l.In, s)
	}
	xd := x.Data()
	for i, v := range xd {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("kan_linear: sample %d input %d is %v, want a finite value", i/l.In+1, i%l.In+1, v)
		}
	}
	n, k, c := s[0], l.SplineOrder, l.coeffs()
	// The current splines at the samples, unscaled: old[(b·In + i)·Out + o].
	old := make([]float64, n*l.In*l.Out)
	L := l.GridSize + 2*k + 1
	gd := l.Grid.Data()
	sw := l.SplineWeight.Value.Data()
	b := make([]float32, L)
	for r := range n {
		for i := range l.In {
			lo, hi := bsplines(xd[r*l.In+i], gd[i*L:(i+1)*L], k, b, nil)
			for o := range l.Out {
				var t float64
				for j := lo; j < hi; j++ {
					t += float64(b[j]) * float64(sw[(o*l.In+i)*c+j])
				}
				old[(r*l.In+i)*l.Out+o] = t
			}
		}
	}
	l.Grid = dataGrid(xd, n, l.In, g, k, float32(l.GridEps))
	if g != l.GridSize {
		l.GridSize = g
		l.SplineWeight = autograd.Param(tensor.Zeros(l.Out, l.In, g+k))
	}
	l.fitSplines(xd, n, func(r, i, o int) float64 { return old[(r*l.In+i)*l.Out+o] })
	return nil
}

// dataGrid returns the [in, g+2k+1] knots efficient-kan's update_grid
// makes for the n samples x ([n, in]), in float32 arithmetic as it does.
func dataGrid(x []float32, n, in, g, k int, eps float32) *tensor.Tensor {
	L := g + 2*k + 1
	t := tensor.Zeros(in, L)
	d := t.Data()
	col := make([]float32, n)
	idx := quantileRanks(n, g)
	for i := range in {
		for r := range n {
			col[r] = x[r*in+i]
		}
		slices.Sort(col)
		margin := float32(GridMargin)
		step := (col[n-1] - col[0] + 2*margin) / float32(g)
		row := d[i*L : (i+1)*L]
		for j := 0; j <= g; j++ {
			uniform := float32(j)*step + col[0] - margin
			row[k+j] = eps*uniform + (1-eps)*col[idx[j]]
		}
		for j := 1; j <= k; j++ {
			row[k-j] = row[k] - step*float32(j)
			row[k+g+j] = row[k+g] + step*float32(j)
		}
	}
	return t
}

// quantileRanks returns the ranks ⌊j·(n−1)/g⌋, j = 0…g, of the samples
// that become knots: what efficient-kan's torch.linspace(0, n−1, g+1,
// dtype=int64) means, computed exactly (PyTorch 1.13's own results for
// integer linspace vary with the CPU's vector width).
func quantileRanks(n, g int) []int {
	out := make([]int, g+1)
	for j := range out {
		out[j] = j * (n - 1) / g
	}
	return out
}

// fitSplines sets SplineWeight[o, i, ·] to the least-squares coefficients
// (of least norm) whose spline on Grid[i] takes the values target(r, i, o)
// at the n samples x[r·In + i], efficient-kan's curve2coeff.
func (l *KANLinear) fitSplines(x []float32, n int, target func(r, i, o int) float64) {
	k, c := l.SplineOrder, l.coeffs()
	L := l.GridSize + 2*k + 1
	gd := l.Grid.Data()
	sw := l.SplineWeight.Value.Data()
	a := make([]float64, n*c)
	y := make([]float64, n*l.Out)
	b := make([]float32, L)
	for i := range l.In {
		clear(a)
		for r := range n {
			lo, hi := bsplines(x[r*l.In+i], gd[i*L:(i+1)*L], k, b, nil)
			for j := lo; j < hi; j++ {
				a[r*c+j] = float64(b[j])
			}
			for o := range l.Out {
				y[r*l.Out+o] = target(r, i, o)
			}
		}
		sol := lstsq(a, n, c, y, l.Out)
		for o := range l.Out {
			for j := range c {
				sw[(o*l.In+i)*c+j] = float32(sol[j*l.Out+o])
			}
		}
	}
}

// lstsq returns X = pinv(A)·B, the least-squares solution of least norm of
// A·X ≈ B, for A m×n and B m×p row-major, X n×p. It works from the
// singular value decomposition of A by one-sided Jacobi rotations
// (Hestenes), in float64, without forming AᵀA; singular values below
// max(m, n)·2⁻²³ of the largest count as zero, the cut-off
// torch.linalg.lstsq uses for float32.
func lstsq(a []float64, m, n int, b []float64, p int) []float64 {
	u := slices.Clone(a[:m*n])
	v := make([]float64, n*n)
	for j := range n {
		v[j*n+j] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		rotated := false
		for j := 0; j < n-1; j++ {
			for q := j + 1; q < n; q++ {
				var alpha, beta, gamma float64
				for i := range m {
					x, y := u[i*n+j], u[i*n+q]
					alpha += x * x
					beta += y * y
					gamma += x * y
				}
				if gamma == 0 || math.Abs(gamma) <= 1e-15*math.Sqrt(alpha*beta) {
					continue
				}
				rotated = true
				zeta := (beta - alpha) / (2 * gamma)
				t := math.Copysign(1, zeta) / (math.Abs(zeta) + math.Sqrt(1+zeta*zeta))
				cs := 1 / math.Sqrt(1+t*t)
				sn := cs * t
				for i := range m {
					x, y := u[i*n+j], u[i*n+q]
					u[i*n+j], u[i*n+q] = cs*x-sn*y, sn*x+cs*y
				}
				for i := range n {
					x, y := v[i*n+j], v[i*n+q]
					v[i*n+j], v[i*n+q] = cs*x-sn*y, sn*x+cs*y
				}
			}
		}
		if !rotated {
			break
		}
	}
	sigma := make([]float64, n)
	var top float64
	for j := range n {
		var s float64
		for i := range m {
			s += u[i*n+j] * u[i*n+j]
		}
		sigma[j] = math.Sqrt(s)
		top = max(top, sigma[j])
	}
	cut := top * float64(max(m, n)) * 0x1p-23
	x := make([]float64, n*p)
	w := make([]float64, p)
	for j := range n {
		if sigma[j] <= cut || sigma[j] == 0 {
			continue
		}
		// w = u_jᵀ·B / σ_j², since u_j = σ_j·(left singular vector).
		clear(w)
		for i := range m {
			uij := u[i*n+j]
			for q := range p {
				w[q] += uij * b[i*p+q]
			}
		}
		s2 := sigma[j] * sigma[j]
		for r := range n {
			vr := v[r*n+j] / s2
			for q := range p {
				x[r*p+q] += vr * w[q]
			}
		}
	}
	return x
}
