package gan

import (
	"fmt"
	"math"
	"slices"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// ImageScore is a classifier's verdict on generated images, the way
// generated digits are judged: by what a good classifier of the real
// images makes of them.
type ImageScore struct {
	Samples int
	// Share holds the fraction of samples the judge puts in each class:
	// a generator that collapsed onto a few modes leaves classes empty.
	Share []float64
	// Confident is the fraction of samples whose most likely class has a
	// probability of at least Threshold: blurred or broken images leave
	// the judge unsure.
	Confident, Threshold float64
	// Frechet is the Fréchet distance between Gaussians fitted to the
	// judge's penultimate features of the samples and of the reference
	// images (FID's formula on the judge's features rather than
	// Inception's): 0 for identical statistics, larger the further apart
	// the two sets lie in the judge's eyes.
	Frechet float64
}

// MinShare returns the smallest class share.
func (s ImageScore) MinShare() float64 { return slices.Min(s.Share) }

// String formats the score on one line.
func (s ImageScore) String() string {
	return fmt.Sprintf("%d samples: smallest class share %.1f %%, %.1f %% with confidence ≥ %g, Fréchet distance %.3g",
		s.Samples, 100*s.MinShare(), 100*s.Confident, s.Threshold, s.Frechet)
}

// ScoreImages judges samples, [N, features], with judge, a classifier
// network that takes per-sample shape in and ends in a layer giving one
// score (logit) per class. Everything before that last layer is the
// feature extractor for the Fréchet distance, measured against reference,
// [M, features], real images in the same units. Both run through the judge
// in evaluation mode. threshold is the probability a confident verdict
// needs. Errors report shapes that do not fit and sets too small for a
// covariance (fewer than 2 samples).
func ScoreImages(judge *nn.Sequential, in []int, samples, reference *tensor.Tensor, threshold float64) (ImageScore, error) {
	size := nn.Size(in)
	for _, x := range []*tensor.Tensor{samples, reference} {
		if x.Dims() != 2 || x.Dim(1) != size {
			return ImageScore{}, fmt.Errorf("gan: the judge takes samples of shape %v (%d values), got a set of shape %v", in, size, x.Shape())
		}
		if x.Dim(0) < 2 {
			return ImageScore{}, fmt.Errorf("gan: scoring needs at least 2 samples and 2 reference images, got %d", x.Dim(0))
		}
	}
	if len(judge.Layers) < 2 {
		return ImageScore{}, fmt.Errorf("gan: the judge has %d layers; want a feature extractor and a last layer of class scores", len(judge.Layers))
	}
	out, err := judge.OutShape(in)
	if err != nil {
		return ImageScore{}, fmt.Errorf("gan: judge: %w", err)
	}
	if len(out) != 1 || out[0] < 2 {
		return ImageScore{}, fmt.Errorf("gan: the judge gives outputs of shape %v; want class scores [classes ≥ 2]", out)
	}
	features := nn.NewSequential(judge.Layers[:len(judge.Layers)-1]...)
	fshape, err := features.OutShape(in)
	if err != nil {
		return ImageScore{}, fmt.Errorf("gan: judge: %w", err)
	}
	head := nn.NewSequential(judge.Layers[len(judge.Layers)-1])
	classes := out[0]
	sc := ImageScore{Samples: samples.Dim(0), Share: make([]float64, classes), Threshold: threshold}
	sampleFeatures := inChunks(features, in, fshape, samples)
	logits := inChunks(head, fshape, out, sampleFeatures)
	for i := range sc.Samples {
		row := logits.Data()[i*classes : (i+1)*classes]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		// The winner's softmax probability, computed from differences so
		// that large logits cannot overflow.
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - row[best]))
		}
		if 1/sum >= threshold {
			sc.Confident++
		}
		sc.Share[best]++
	}
	for c := range sc.Share {
		sc.Share[c] /= float64(sc.Samples)
	}
	sc.Confident /= float64(sc.Samples)
	refFeatures := inChunks(features, in, fshape, reference)
	d := nn.Size(fshape)
	mu1, cov1 := meanCov(sampleFeatures.Data(), sc.Samples, d)
	mu2, cov2 := meanCov(refFeatures.Data(), reference.Dim(0), d)
	sc.Frechet = Frechet(mu1, cov1, mu2, cov2)
	return sc, nil
}

// inChunks runs net (per-sample shape in to out) on the rows of x in
// evaluation mode, a few hundred at a time so that the activations of a
// convolutional judge stay small, and returns [N, size of out].
func inChunks(net *nn.Sequential, in, out []int, x *tensor.Tensor) *tensor.Tensor {
	const chunk = 256
	n, w := x.Dim(0), nn.Size(out)
	y := tensor.Zeros(n, w)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		part := x.Slice(0, lo, hi)
		copy(y.Data()[lo*w:hi*w], forward(net, in, part, nn.Eval).Data())
	}
	return y
}

// meanCov returns the mean and the unbiased covariance (d×d, row-major)
// of the n rows of x, [n, d], in float64.
func meanCov(x []float32, n, d int) (mu, cov []float64) {
	mu = make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			mu[j] += float64(v)
		}
	}
	for j := range mu {
		mu[j] /= float64(n)
	}
	cov = make([]float64, d*d)
	c := make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			c[j] = float64(v) - mu[j]
		}
		for a := range d {
			if c[a] == 0 {
				continue
			}
			row := cov[a*d : (a+1)*d]
			for b := a; b < d; b++ {
				row[b] += c[a] * c[b]
			}
		}
	}
	for a := range d {
		for b := a; b < d; b++ {
			v := cov[a*d+b] / float64(n-1)
			cov[a*d+b], cov[b*d+a] = v, v
		}
	}
	return mu, cov
}

// Frechet returns the Fréchet distance between the Gaussians N(mu1, cov1)
// and N(mu2, cov2), covariances d×d row-major and symmetric positive
// semi-definite:
//
//	|mu1 − mu2|² + tr(cov1) + tr(cov2) − 2·tr((cov1·cov2)^½)
//
// The trace of the square root is that of the symmetric
// (cov1^½·cov2·cov1^½)^½, whose eigenvalues it sums, so no non-symmetric
// matrix root is needed; eigenvalues that rounding made slightly negative
// count as 0. Frechet panics if the lengths do not agree.
func Frechet(mu1, cov1, mu2, cov2 []float64) float64 {
	d := len(mu1)
	if len(mu2) != d || len(cov1) != d*d || len(cov2) != d*d {
		panic(fmt.Sprintf("gan: Frechet: means of %d and %d values, covariances of %d and %d", d, len(mu2), len(cov1), len(cov2)))
	}
	var dist float64
	for i := range d {
		e := mu1[i] - mu2[i]
		dist += e*e + cov1[i*d+i] + cov2[i*d+i]
	}
	// cov1^½ = V·diag(√λ)·Vᵀ.
	vals, vecs := symEigen(cov1, d)
	root := make([]float64, d*d)
	for k, l := range vals {
		s := math.Sqrt(max(l, 0))
		for i := range d {
			vik := vecs[i*d+k] * s
			for j := range d {
				root[i*d+j] += vik * vecs[j*d+k]
			}
		}
	}
	m := mul(mul(root, cov2, d), root, d)
	// Symmetrize what rounding left uneven before the eigen solver.
	for i := range d {
		for j := i + 1; j < d; j++ {
			v := (m[i*d+j] + m[j*d+i]) / 2
			m[i*d+j], m[j*d+i] = v, v
		}
	}
	ev, _ := symEigen(m, d)
	for _, l := range ev {
		dist -= 2 * math.Sqrt(max(l, 0))
	}
	return max(dist, 0)
}

// mul returns a·b for d×d row-major matrices.
func mul(a, b []float64, d int) []float64 {
	c := make([]float64, d*d)
	for i := range d {
		ci := c[i*d : (i+1)*d]
		for k := range d {
			aik := a[i*d+k]
			if aik == 0 {
				continue
			}
			for j, v := range b[k*d : (k+1)*d] {
				ci[j] += aik * v
			}
		}
	}
	return c
}

// symEigen returns the eigenvalues of the symmetric d×d matrix a and the
// eigenvectors as the columns of a row-major d×d matrix, by cyclic Jacobi
// rotations (Golub and Van Loan, §8.5): each rotation zeroes one
// off-diagonal pair, and sweeps go on until the off-diagonal part is
// negligible against the diagonal. a is not changed.
func symEigen(a []float64, d int) (vals, vecs []float64) {
	m := slices.Clone(a)
	vecs = make([]float64, d*d)
	for i := range d {
		vecs[i*d+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off, diag float64
		for i := range d {
			diag += m[i*d+i] * m[i*d+i]
			for j := i + 1; j < d; j++ {
				off += m[i*d+j] * m[i*d+j]
			}
		}
		if off <= 1e-30*diag || off == 0 {
			break
		}
		for p := 0; p < d; p++ {
			for q := p + 1; q < d; q++ {
				apq := m[p*d+q]
				if apq == 0 {
					continue
				}
				theta := (m[q*d+q] - m[p*d+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				// m ← Jᵀ·m·J, touching rows and columns p and q.
				for k := range d {
					mkp, mkq := m[k*d+p], m[k*d+q]
					m[k*d+p], m[k*d+q] = c*mkp-s*mkq, s*mkp+c*mkq
				}
				for k := range d {
					mpk, mqk := m[p*d+k], m[q*d+k]
					m[p*d+k], m[q*d+k] = c*mpk-s*mqk, s*mpk+c*mqk
				}
				for k := range d {
					vkp, vkq := vecs[k*d+p], vecs[k*d+q]
					vecs[k*d+p], vecs[k*d+q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	vals = make([]float64, d)
	for i := range d {
		vals[i] = m[i*d+i]
	}
	return vals, vecs
}
