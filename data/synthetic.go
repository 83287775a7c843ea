package data

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// maxSyntheticRows bounds Synthetic's n, so that a mistyped size is an
// error rather than an attempt to allocate gigabytes.
const maxSyntheticRows = 1 << 24

type generator struct {
	name     string
	features int
	classify bool
	gen      func(rng *tensor.RNG, n int, noise float64, x, y []float64, labels []int)
}

// generators lists the synthetic sets in SyntheticNames' order.
var generators = []generator{
	{"abs", 1, false, func(rng *tensor.RNG, n int, noise float64, x, y []float64, _ []int) {
		for i := range n {
			x[i] = rng.Uniform(-1, 1)
			y[i] = math.Abs(x[i]) + noise*rng.Normal()
		}
	}},
	{"square", 1, false, func(rng *tensor.RNG, n int, noise float64, x, y []float64, _ []int) {
		for i := range n {
			x[i] = rng.Uniform(-1, 1)
			y[i] = x[i]*x[i] + noise*rng.Normal()
		}
	}},
	{"max", 2, false, func(rng *tensor.RNG, n int, noise float64, x, y []float64, _ []int) {
		for i := range n {
			x[2*i], x[2*i+1] = rng.Uniform(-1, 1), rng.Uniform(-1, 1)
			y[i] = max(x[2*i], x[2*i+1]) + noise*rng.Normal()
		}
	}},
	{"and", 2, true, logic(func(a, b int) int { return a & b })},
	{"or", 2, true, logic(func(a, b int) int { return a | b })},
	{"xor", 2, true, logic(func(a, b int) int { return a ^ b })},
	{"circle", 2, true, playgroundCircle},
	{"quadrants", 2, true, playgroundXOR},
	{"gauss", 2, true, playgroundGauss},
	{"spiral", 2, true, playgroundSpiral},
	{"plane", 2, false, playgroundPlane},
	{"gaussian", 2, false, playgroundGaussian},
	{"moons", 2, true, moons},
	{"ring8", 2, true, ring8},
}

// SyntheticNames returns the names Synthetic accepts.
func SyntheticNames() []string {
	names := make([]string, len(generators))
	for i, g := range generators {
		names[i] = g.name
	}
	return names
}

// Synthetic generates the named data set with n rows. The same name, n,
// noise and seed always give the same rows. The rows come shuffled, so any
// prefix is a fair sample even where the generator makes one class first.
//
// The chapter's sets, inputs uniform on [−1, 1] and noise the standard
// deviation of Gaussian noise added to the target:
//
//   - abs: y = |x|; square: y = x²; max: y = max(x1, x2) (regression).
//   - and, or, xor: the truth tables. Row i is the corner i mod 4 of
//     {0, 1}², in the order (0,0), (0,1), (1,0), (1,1), so the corners are
//     equally represented; noise is the standard deviation of Gaussian
//     jitter added to the inputs, and the label (class 0 or 1) is the
//     corner's.
//
// TensorFlow Playground's sets, made as its dataset.ts makes them, with
// noise its fraction (the page's noise percentage ÷ 100, 0 to 0.5) and its
// labels −1 and +1 as classes 0 and 1:
//
//   - circle: class 1 within radius 2.5 of the origin, class 0 in the ring
//     3.5 to 5, labelled by where the point lands after uniform noise of
//     ±5·noise per coordinate.
//   - quadrants: the playground's "xor": points of [−5, 5]² pushed 0.3 away
//     from the axes, class 1 where x1·x2 ≥ 0 (after noise of ±5·noise).
//   - gauss: two Gaussian clouds centred at (2, 2) (class 1) and (−2, −2)
//     (class 0), variance 0.5 + 7·noise.
//   - spiral: two interleaved spirals of radius 5, 1.75 turns each, with
//     uniform noise of ±noise per coordinate.
//   - plane: regression on [−6, 6]², y = (x1 + x2)/10 computed from the
//     inputs plus uniform noise of ±6·noise each.
//   - gaussian: regression on [−6, 6]², six bumps of alternating sign at
//     x1 ∈ {−4, 0, 4}, x2 ∈ {−2.5, 2.5}; y ∈ [−1, 1] is the strongest
//     bump's 1 − distance/2 (clamped at 0), with its sign, the distance
//     taken after noise as for plane.
//
// scikit-learn's make_moons:
//
//   - moons: two interleaving half circles, class 0 the upper one (centre
//     (0, 0), radius 1), class 1 the lower one (centre (1, 0.5)), the
//     points evenly spaced along each arc, plus Gaussian noise of standard
//     deviation noise on each coordinate; n/2 rows of class 0 and n − n/2
//     of class 1.
//
// The GAN benchmark of mode collapse:
//
//   - ring8: 8 Gaussians with standard deviation 0.02 (RingStd) whose means
//     lie on a circle of radius 2 (RingRadius) at angles 2πk/8 for
//     k = 0..7, starting at angle 0: mean k is (2·cos(πk/4), 2·sin(πk/4)).
//     Row i is drawn from mode i mod 8, so the modes are equally
//     represented, and its label is that mode. The spread is part of the
//     set's definition, so noise must be 0.
//
// The two-class sets of the playground hold n − n/2 rows of class 1 and
// n/2 of class 0 (circle, gauss, spiral) or labels as they fall
// (quadrants).
func Synthetic(name string, n int, noise float64, seed uint64) (*Dataset, error) {
	var g *generator
	for i := range generators {
		if generators[i].name == name {
			g = &generators[i]
		}
	}
	if g == nil {
		return nil, fmt.Errorf("data: unknown synthetic set %q; allowed: %s", name, strings.Join(SyntheticNames(), ", "))
	}
	if n < 1 || n > maxSyntheticRows {
		return nil, fmt.Errorf("data: synthetic %s: %d rows, want 1 to %d", name, n, maxSyntheticRows)
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("data: synthetic %s: noise %v, want a finite value ≥ 0", name, noise)
	}
	if name == "ring8" && noise != 0 {
		return nil, fmt.Errorf("data: synthetic ring8: noise %v, want 0 (the modes' standard deviation is fixed at %v)", noise, RingStd)
	}
	rng := tensor.NewRNG(seed)
	x := make([]float64, n*g.features)
	var y []float64
	var labels []int
	if g.classify {
		labels = make([]int, n)
	} else {
		y = make([]float64, n)
	}
	g.gen(rng, n, noise, x, y, labels)

	perm := rng.Perm(n)
	f := g.features
	xs := make([]float32, n*f)
	for i, p := range perm {
		for j := range f {
			xs[i*f+j] = float32(x[p*f+j])
		}
	}
	ds := &Dataset{X: tensor.New(xs, n, f), FeatureNames: []string{"x"}}
	if f == 2 {
		ds.FeatureNames = []string{"x1", "x2"}
	}
	if g.classify {
		ds.Labels = make([]int, n)
		for i, p := range perm {
			ds.Labels[i] = labels[p]
		}
		ds.TargetNames = []string{"label"}
	} else {
		ys := make([]float32, n)
		for i, p := range perm {
			ys[i] = float32(y[p])
		}
		ds.Y = tensor.New(ys, n, 1)
		ds.TargetNames = []string{"y"}
	}
	return ds, nil
}

func logic(op func(a, b int) int) func(*tensor.RNG, int, float64, []float64, []float64, []int) {
	return func(rng *tensor.RNG, n int, noise float64, x, _ []float64, labels []int) {
		for i := range n {
			a, b := (i>>1)&1, i&1
			x[2*i] = float64(a) + noise*rng.Normal()
			x[2*i+1] = float64(b) + noise*rng.Normal()
			labels[i] = op(a, b)
		}
	}
}

func class(positive bool) int {
	if positive {
		return 1
	}
	return 0
}

func playgroundCircle(rng *tensor.RNG, n int, noise float64, x, _ []float64, labels []int) {
	const radius = 5
	i := 0
	point := func(rlo, rhi float64) {
		r := rng.Uniform(rlo, rhi)
		angle := rng.Uniform(0, 2*math.Pi)
		px, py := r*math.Sin(angle), r*math.Cos(angle)
		nx := rng.Uniform(-radius, radius) * noise
		ny := rng.Uniform(-radius, radius) * noise
		x[2*i], x[2*i+1] = px, py
		labels[i] = class(math.Hypot(px+nx, py+ny) < radius*0.5)
		i++
	}
	for range n - n/2 {
		point(0, radius*0.5)
	}
	for range n / 2 {
		point(radius*0.7, radius)
	}
}

func playgroundXOR(rng *tensor.RNG, n int, noise float64, x, _ []float64, labels []int) {
	const padding = 0.3
	for i := range n {
		px, py := rng.Uniform(-5, 5), rng.Uniform(-5, 5)
		if px > 0 {
			px += padding
		} else {
			px -= padding
		}
		if py > 0 {
			py += padding
		} else {
			py -= padding
		}
		nx := rng.Uniform(-5, 5) * noise
		ny := rng.Uniform(-5, 5) * noise
		x[2*i], x[2*i+1] = px, py
		labels[i] = class((px+nx)*(py+ny) >= 0)
	}
}

func playgroundGauss(rng *tensor.RNG, n int, noise float64, x, _ []float64, labels []int) {
	// The playground maps noise 0..0.5 linearly to variance 0.5..4.
	sd := math.Sqrt(0.5 + 7*noise)
	i := 0
	cloud := func(count int, c float64, label int) {
		for range count {
			x[2*i] = c + sd*rng.Normal()
			x[2*i+1] = c + sd*rng.Normal()
			labels[i] = label
			i++
		}
	}
	cloud(n-n/2, 2, 1)
	cloud(n/2, -2, 0)
}

func playgroundSpiral(rng *tensor.RNG, n int, noise float64, x, _ []float64, labels []int) {
	i := 0
	arm := func(count int, deltaT float64, label int) {
		for k := range count {
			f := float64(k) / float64(count)
			r := f * 5
			t := 1.75*f*2*math.Pi + deltaT
			x[2*i] = r*math.Sin(t) + rng.Uniform(-1, 1)*noise
			x[2*i+1] = r*math.Cos(t) + rng.Uniform(-1, 1)*noise
			labels[i] = label
			i++
		}
	}
	arm(n-n/2, 0, 1)
	arm(n/2, math.Pi, 0)
}

func playgroundPlane(rng *tensor.RNG, n int, noise float64, x, y []float64, _ []int) {
	const radius = 6
	for i := range n {
		px, py := rng.Uniform(-radius, radius), rng.Uniform(-radius, radius)
		nx := rng.Uniform(-radius, radius) * noise
		ny := rng.Uniform(-radius, radius) * noise
		x[2*i], x[2*i+1] = px, py
		// The playground maps x1 + x2 from [−10, 10] to [−1, 1], unclamped.
		y[i] = (px + nx + py + ny) / 10
	}
}

func playgroundGaussian(rng *tensor.RNG, n int, noise float64, x, y []float64, _ []int) {
	const radius = 6
	bumps := [6][3]float64{
		{-4, 2.5, 1}, {0, 2.5, -1}, {4, 2.5, 1},
		{-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1},
	}
	for i := range n {
		px, py := rng.Uniform(-radius, radius), rng.Uniform(-radius, radius)
		nx := rng.Uniform(-radius, radius) * noise
		ny := rng.Uniform(-radius, radius) * noise
		x[2*i], x[2*i+1] = px, py
		label := 0.0
		for _, b := range bumps {
			// Distance 0 to 2 maps to strength 1 to 0, clamped.
			v := b[2] * min(1, max(0, 1-math.Hypot(px+nx-b[0], py+ny-b[1])/2))
			if math.Abs(v) > math.Abs(label) {
				label = v
			}
		}
		y[i] = label
	}
}

// moons is scikit-learn's make_moons: n/2 points evenly spaced on the
// upper half circle (class 0), the rest on the lower one shifted to
// (1, 0.5) (class 1), with Gaussian noise.
func moons(rng *tensor.RNG, n int, noise float64, x, _ []float64, labels []int) {
	out := n / 2
	in := n - out
	arc := func(i, count int) float64 {
		if count == 1 {
			return 0
		}
		return math.Pi * float64(i) / float64(count-1)
	}
	for i := range out {
		t := arc(i, out)
		x[2*i], x[2*i+1] = math.Cos(t), math.Sin(t)
		labels[i] = 0
	}
	for i := range in {
		t := arc(i, in)
		j := out + i
		x[2*j], x[2*j+1] = 1-math.Cos(t), 1-math.Sin(t)-0.5
		labels[j] = 1
	}
	for i := range x[:2*n] {
		x[i] += noise * rng.Normal()
	}
}

// RingModes, RingRadius and RingStd define ring8: RingModes Gaussians of
// standard deviation RingStd with means on a circle of radius RingRadius.
const (
	RingModes  = 8
	RingRadius = 2.0
	RingStd    = 0.02
)

// RingMean returns the mean of ring8's mode k: angle 2πk/RingModes on the
// circle of radius RingRadius.
func RingMean(k int) (x, y float64) {
	a := 2 * math.Pi * float64(k) / RingModes
	return RingRadius * math.Cos(a), RingRadius * math.Sin(a)
}

func ring8(rng *tensor.RNG, n int, _ float64, x, _ []float64, labels []int) {
	for i := range n {
		k := i % RingModes
		mx, my := RingMean(k)
		x[2*i] = mx + RingStd*rng.Normal()
		x[2*i+1] = my + RingStd*rng.Normal()
		labels[i] = k
	}
}
