package gan

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// randomOrthogonal returns a d×d orthogonal matrix by Gram–Schmidt on
// random columns, independently of the eigen solver under test.
func randomOrthogonal(d int, rng *tensor.RNG) []float64 {
	q := make([]float64, d*d)
	for j := range d {
		col := make([]float64, d)
		for i := range col {
			col[i] = rng.Normal()
		}
		for k := range j {
			var dot float64
			for i := range d {
				dot += col[i] * q[i*d+k]
			}
			for i := range d {
				col[i] -= dot * q[i*d+k]
			}
		}
		var n float64
		for _, v := range col {
			n += v * v
		}
		n = math.Sqrt(n)
		for i := range d {
			q[i*d+j] = col[i] / n
		}
	}
	return q
}

// rotated returns q·diag(vals)·qᵀ.
func rotated(q, vals []float64) []float64 {
	d := len(vals)
	m := make([]float64, d*d)
	for i := range d {
		for j := range d {
			for k, l := range vals {
				m[i*d+j] += q[i*d+k] * l * q[j*d+k]
			}
		}
	}
	return m
}

func TestSymEigen(t *testing.T) {
	rng := tensor.NewRNG(3)
	for _, d := range []int{1, 2, 5, 17} {
		a := make([]float64, d*d)
		for i := range d {
			for j := i; j < d; j++ {
				v := rng.Normal()
				a[i*d+j], a[j*d+i] = v, v
			}
		}
		vals, vecs := symEigen(a, d)
		for k := range d {
			for i := range d {
				var av float64
				for j := range d {
					av += a[i*d+j] * vecs[j*d+k]
				}
				if got, want := av, vals[k]*vecs[i*d+k]; math.Abs(got-want) > 1e-9 {
					t.Fatalf("d=%d: (A·v%d)[%d] = %v, want λ·v = %v", d, k, i, got, want)
				}
			}
		}
	}
}

func TestFrechet(t *testing.T) {
	rng := tensor.NewRNG(7)
	t.Run("commuting", func(t *testing.T) {
		// Covariances with the same eigenvectors: the distance is
		// |Δmu|² + Σ (√a − √b)².
		const d = 6
		q := randomOrthogonal(d, rng)
		a, b := make([]float64, d), make([]float64, d)
		mu1, mu2 := make([]float64, d), make([]float64, d)
		var want float64
		for i := range d {
			a[i], b[i] = rng.Uniform(0.1, 3), rng.Uniform(0.1, 3)
			mu1[i], mu2[i] = rng.Normal(), rng.Normal()
			want += (mu1[i]-mu2[i])*(mu1[i]-mu2[i]) + (math.Sqrt(a[i])-math.Sqrt(b[i]))*(math.Sqrt(a[i])-math.Sqrt(b[i]))
		}
		if got := Frechet(mu1, rotated(q, a), mu2, rotated(q, b)); math.Abs(got-want) > 1e-9 {
			t.Errorf("Frechet = %v, want %v", got, want)
		}
	})
	t.Run("2×2 closed form", func(t *testing.T) {
		// For 2×2 matrices whose product M has non-negative eigenvalues,
		// tr √M = √(tr M + 2·√det M).
		c1 := []float64{2, 0.7, 0.7, 1}
		c2 := []float64{0.5, -0.2, -0.2, 1.5}
		m := mul(c1, c2, 2)
		tr, det := m[0]+m[3], m[0]*m[3]-m[1]*m[2]
		zero := []float64{0, 0}
		want := 2 + 1 + 0.5 + 1.5 - 2*math.Sqrt(tr+2*math.Sqrt(det))
		if got := Frechet(zero, c1, zero, c2); math.Abs(got-want) > 1e-9 {
			t.Errorf("Frechet = %v, want %v", got, want)
		}
	})
	t.Run("same", func(t *testing.T) {
		c := rotated(randomOrthogonal(4, rng), []float64{1, 2, 0, 0.5})
		mu := []float64{1, 2, 3, 4}
		if got := Frechet(mu, c, mu, c); got > 1e-9 {
			t.Errorf("Frechet of a Gaussian with itself = %v, want 0", got)
		}
	})
}

// TestScoreImages judges made-up "images" of 3 values with a judge whose
// first layer copies them and whose last turns value c into a score for
// class c, so the verdicts are known from how the samples were made.
func TestScoreImages(t *testing.T) {
	rng := tensor.NewRNG(1)
	copyLayer := nn.NewLinear(3, 3, true, rng)
	head := nn.NewLinear(3, 3, true, rng)
	for _, l := range []*nn.Linear{copyLayer, head} {
		w := l.Weight.Value.Data()
		clear(w)
		clear(l.Bias.Value.Data())
		for i := range 3 {
			w[i*3+i] = 1
		}
	}
	for i := range 3 {
		head.Weight.Value.Data()[i*3+i] = 10
	}
	judge := nn.NewSequential(copyLayer, head)
	// 6 sure class-0 samples, 3 sure class-1, 1 unsure class-2 (scores
	// 10, 9.5, 0: probability about 0.62).
	rows := [][]float32{}
	for range 6 {
		rows = append(rows, []float32{1, 0, 0})
	}
	for range 3 {
		rows = append(rows, []float32{0, 1, 0})
	}
	rows = append(rows, []float32{0, 0.95, 1})
	x := tensor.Zeros(len(rows), 3)
	for i, r := range rows {
		copy(x.Data()[i*3:], r)
	}
	sc, err := ScoreImages(judge, []int{3}, x, x, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.6, 0.3, 0.1}
	for c := range want {
		if math.Abs(sc.Share[c]-want[c]) > 1e-12 {
			t.Errorf("share of class %d = %v, want %v", c, sc.Share[c], want[c])
		}
	}
	if sc.Confident != 0.9 {
		t.Errorf("confident = %v, want 0.9", sc.Confident)
	}
	if sc.Frechet > 1e-9 {
		t.Errorf("Fréchet distance of a set to itself = %v, want 0", sc.Frechet)
	}
	// Shifting every reference image by 1 in the first value moves the
	// feature mean by 1 and nothing else.
	shifted := x.Clone()
	for i := range shifted.Dim(0) {
		shifted.Data()[i*3] += 1
	}
	if sc, err = ScoreImages(judge, []int{3}, x, shifted, 0.9); err != nil {
		t.Fatal(err)
	}
	if math.Abs(sc.Frechet-1) > 1e-6 { // features are float32
		t.Errorf("Fréchet distance after a shift of 1 = %v, want 1", sc.Frechet)
	}
	if _, err := ScoreImages(judge, []int{3}, tensor.Zeros(4, 2), x, 0.9); err == nil {
		t.Error("samples of the wrong width: no error")
	}
}
