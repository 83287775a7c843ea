package kernel

import "runtime"

// SGDMomentum applies one SGD step with momentum to a parameter after its
// first step, with no weight decay, Nesterov or maximize (the common case):
//
//	for i := range p {
//		buf[i] = FMA32(keep, g[i], float32(buf[i]*mom))
//		p[i] = FMA32(negLR, buf[i], p[i])
//	}
//
// with keep = 1 − dampening. g and buf must be at least as long as p. The
// vector version uses the hardware's fused multiply-add, which rounds once
// like FMA32, so both give the same bits. A parameter of 2·minUpdateWork
// elements or more is updated in parts on the pool's goroutines (see
// updateWorkers); elementwise, the parts change no bit.
func SGDMomentum(p, g, buf []float32, negLR, mom, keep float32) {
	g, buf = g[:len(p)], buf[:len(p)]
	if len(p) == 0 {
		return
	}
	if w := updateWorkers(len(p)); w > 1 {
		u := update{p: p, g: g, s1: buf, k: [7]float32{negLR, mom, keep}}
		runUpdate(u, w)
		return
	}
	sgdMomentum(p, g, buf, negLR, mom, keep)
}

// minUpdateWork is the fewest parameters an update gives each goroutine
// it is shared among.
const minUpdateWork = 1 << 15

// updateWorkers returns how many goroutines share an update of n
// parameters. Sharing it matters less for the arithmetic than for where
// the parameters are: at two threads the helper computes part of every
// large product, and an update on the calling goroutine alone had to pull
// that part of the gradient, and of the weights the helper had read, from
// the helper's cache (at batch 128 with Adam, a third of the step).
func updateWorkers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/minUpdateWork))
}

// update is one optimizer update shared among goroutines; a part of it is
// a contiguous range of the parameters, so the same bits come out however
// it is cut.
type update struct {
	adam   bool
	p, g   []float32
	s1, s2 []float32  // SGD: the momentum buffer; Adam: m and v
	k      [7]float32 // the scalars, in the order the kernel takes them
}

// bounds returns the range of parameters that part part of parts covers:
// cut at multiples of 16, so that only the last part has a vector tail.
func (u *update) bounds(part, parts int) (lo, hi int) {
	n := len(u.p)
	lo, hi = part*n/parts&^15, (part+1)*n/parts&^15
	if part == parts-1 {
		hi = n
	}
	return lo, hi
}

// run applies part part of parts of u.
func (u *update) run(part, parts int) {
	lo, hi := u.bounds(part, parts)
	p, g, s1 := u.p[lo:hi], u.g[lo:hi], u.s1[lo:hi]
	k := &u.k
	if u.adam {
		adam(p, g, s1, u.s2[lo:hi], k[0], k[1], k[2], k[3], k[4], k[5], k[6])
		return
	}
	sgdMomentum(p, g, s1, k[0], k[1], k[2])
}

func sgdMomentumGo(p, g, buf []float32, negLR, mom, keep float32) {
	g, buf = g[:len(p)], buf[:len(p)]
	for j := range p {
		b, ok := FMA32Fast(keep, g[j], float32(buf[j]*mom))
		if !ok {
			b = FMA32(keep, g[j], float32(buf[j]*mom))
		}
		buf[j] = b
		q, ok := FMA32Fast(negLR, b, p[j])
		if !ok {
			q = FMA32(negLR, b, p[j])
		}
		p[j] = q
	}
}

// Adam applies one Adam step to a parameter, without weight decay in the
// gradient, AMSGrad or maximize (the common case; AdamW's decoupled decay
// is applied to p before):
//
//	for i := range p {
//		m[i] = FMA32(c1, g[i], float32(m[i]*b1))
//		v[i] = FMA32(c2*g[i], g[i], float32(v[i]*b2))
//		p[i] += float32(negStep*m[i]) / (Sqrt32(v[i])/bc2 + eps)
//	}
//
// with c1 = 1 − β₁, c2 = 1 − β₂, bc2 = √(1 − β₂ᵗ) and negStep =
// −lr/(1 − β₁ᵗ). g, m and v must be at least as long as p. Square root and
// division are correctly rounded in both versions, so they agree bit for
// bit. Large parameters are updated in parts on several goroutines, as in
// SGDMomentum.
func Adam(p, g, m, v []float32, c1, b1, c2, b2, bc2, eps, negStep float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if len(p) == 0 {
		return
	}
	if w := updateWorkers(len(p)); w > 1 {
		u := update{adam: true, p: p, g: g, s1: m, s2: v, k: [7]float32{c1, b1, c2, b2, bc2, eps, negStep}}
		runUpdate(u, w)
		return
	}
	adam(p, g, m, v, c1, b1, c2, b2, bc2, eps, negStep)
}

func adamGo(p, g, m, v []float32, c1, b1, c2, b2, bc2, eps, negStep float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j, gj := range g {
		m[j] = FMA32(c1, gj, float32(m[j]*b1))
		v[j] = FMA32(float32(c2*gj), gj, float32(v[j]*b2))
		denom := float32(Sqrt32(v[j])/bc2) + eps
		p[j] += float32(negStep*m[j]) / denom
	}
}
