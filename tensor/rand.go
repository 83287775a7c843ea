package tensor

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
)

// RNG is a seeded random number generator that yields the same stream on
// every platform: a PCG generator for the bits, and floating-point code that
// rounds every product explicitly (so no architecture may fuse it into an
// FMA) and uses its own logarithm instead of math.Log, whose assembly
// version differs between architectures in the last bit.
//
// An RNG is not safe for concurrent use.
type RNG struct {
	pcg       *rand.PCG
	spare     float64
	haveSpare bool
}

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG {
	return &RNG{pcg: rand.NewPCG(seed, 0x9e3779b97f4a7c15^seed)}
}

// Uint64 returns 64 random bits.
func (r *RNG) Uint64() uint64 { return r.pcg.Uint64() }

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (r *RNG) Float64() float64 { return float64(r.Uint64()>>11) * 0x1p-53 }

// Float32 returns a uniform number in [0, 1) with 24 random bits.
func (r *RNG) Float32() float32 { return float32(r.Uint64()>>40) * 0x1p-24 }

// Uniform returns a uniform number in [lo, hi).
func (r *RNG) Uniform(lo, hi float64) float64 { return lo + float64((hi-lo)*r.Float64()) }

// Intn returns a uniform integer in [0, n). It panics if n ≤ 0.
func (r *RNG) Intn(n int) int {
	if n <= 0 {
		panic("tensor: RNG.Intn: n must be positive")
	}
	// Rejection keeps the result unbiased for every n.
	limit := math.MaxUint64 - math.MaxUint64%uint64(n)
	for {
		if v := r.Uint64(); v < limit {
			return int(v % uint64(n))
		}
	}
}

// Normal returns a standard normal number (Marsaglia's polar method).
func (r *RNG) Normal() float64 {
	if r.haveSpare {
		r.haveSpare = false
		return r.spare
	}
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := float64(u*u) + float64(v*v)
		if s >= 1 || s == 0 {
			continue
		}
		m := math.Sqrt(float64(-2*portableLog(s)) / s)
		r.spare, r.haveSpare = float64(v*m), true
		return float64(u * m)
	}
}

// Perm returns a random permutation of 0..n-1 (Fisher–Yates).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	r.Shuffle(p)
	return p
}

// Shuffle permutes p in place.
func (r *RNG) Shuffle(p []int) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// MarshalBinary saves the generator's state, so that training can resume
// with the very stream it would have drawn.
func (r *RNG) MarshalBinary() ([]byte, error) {
	b, err := r.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var tail [9]byte
	binary.LittleEndian.PutUint64(tail[:8], math.Float64bits(r.spare))
	if r.haveSpare {
		tail[8] = 1
	}
	return append(b, tail[:]...), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary.
func (r *RNG) UnmarshalBinary(b []byte) error {
	if len(b) < 9 {
		return errors.New("tensor: RNG state too short")
	}
	if r.pcg == nil {
		r.pcg = rand.NewPCG(0, 0)
	}
	if err := r.pcg.UnmarshalBinary(b[:len(b)-9]); err != nil {
		return err
	}
	tail := b[len(b)-9:]
	r.spare = math.Float64frombits(binary.LittleEndian.Uint64(tail[:8]))
	r.haveSpare = tail[8] == 1
	return nil
}

// Rand returns a tensor of uniform numbers in [0, 1).
func Rand(r *RNG, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.data {
		t.data[i] = r.Float32()
	}
	return t
}

// Uniform returns a tensor of uniform numbers in [lo, hi).
func Uniform(r *RNG, lo, hi float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.data {
		t.data[i] = float32(r.Uniform(lo, hi))
	}
	return t
}

// Randn returns a tensor of standard normal numbers.
func Randn(r *RNG, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.data {
		t.data[i] = float32(r.Normal())
	}
	return t
}

// portableLog is the natural logarithm for 0 < x < +Inf, computed in pure
// Go with every rounding explicit (FreeBSD's e_log.c algorithm), so that it
// gives the same bits on every architecture.
func portableLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * float64(l1+float64(s4*float64(l3+float64(s4*float64(l5+float64(s4*l7)))))))
	t2 := float64(s4 * float64(l2+float64(s4*float64(l4+float64(s4*l6)))))
	rr := t1 + t2
	hfsq := float64(0.5 * float64(f*f))
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+rr)) + float64(k*ln2Lo))) - f)
}
