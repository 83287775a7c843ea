package kernel

import "math"

// MaxPool2Row pools two input rows r0 and r1 in 2×2 windows at stride 2
// into out: out[j] is the maximum of r0[2j], r0[2j+1], r1[2j], r1[2j+1]
// by PyTorch's rule, scanning in that order, a value replaces the maximum
// so far when it is greater or NaN (so the first of equal values wins,
// −0 before 0 included, and the last NaN). r0 and r1 hold at least
// 2·len(out) values.
//
// Reference loop:
//
//	for j := range out {
//		m := r0[2*j]
//		for _, v := range []float32{r0[2*j+1], r1[2*j], r1[2*j+1]} {
//			if v > m || v != v { m = v }
//		}
//		out[j] = m
//	}
func MaxPool2Row(out, r0, r1 []float32) {
	r0, r1 = r0[:2*len(out)], r1[:2*len(out)]
	done := maxPool2Blocks(out, r0, r1)
	for j := done; j < len(out); j++ {
		m := math.Float32bits(r0[2*j])
		m = maxStep(m, r0[2*j+1])
		m = maxStep(m, r1[2*j])
		m = maxStep(m, r1[2*j+1])
		out[j] = math.Float32frombits(m)
	}
}

// maxStep returns v's bits if v replaces the maximum m (as bits) by
// PyTorch's rule, else m, selecting without a branch.
func maxStep(m uint32, v float32) uint32 {
	var mask uint32
	if (v > math.Float32frombits(m)) != (v != v) {
		mask = ^uint32(0)
	}
	return m ^ (m^math.Float32bits(v))&mask
}

// MaxPool2RowGrad is MaxPool2Row's backward pass: it adds g[j] to the
// element of d0 or d1 at the position of window j's winner, out[j]
// holding the bits MaxPool2Row gave. The winner is the first of r0[2j],
// r0[2j+1], r1[2j], r1[2j+1] with out[j]'s bits, or the last for a NaN,
// as PyTorch's rule has it (a NaN replaces the maximum, an equal value
// does not). d0 and d1 are the gradients of r0 and r1; all four hold at
// least 2·len(out) values and g at least len(out). Other elements of d0
// and d1 keep their bits (−0 included).
//
// Reference loop:
//
//	for j, m := range out {
//		win := []*float32{&d0[2*j], &d0[2*j+1], &d1[2*j], &d1[2*j+1]}
//		at := -1
//		for i, v := range []float32{r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1]} {
//			if math.Float32bits(v) == math.Float32bits(m) && (at < 0 || m != m) { at = i }
//		}
//		*win[at] += g[j]
//	}
func MaxPool2RowGrad(d0, d1, r0, r1, out, g []float32) {
	n := len(out)
	d0, d1, r0, r1, g = d0[:2*n], d1[:2*n], r0[:2*n], r1[:2*n], g[:n]
	if !maxPool2GradVec(d0, d1, r0, r1, out, g) {
		maxPool2GradRange(d0, d1, r0, r1, out, g, 0, n)
	}
}

// maxPool2GradRange is MaxPool2RowGrad's scalar loop over outputs
// [from, to).
func maxPool2GradRange(d0, d1, r0, r1, out, g []float32, from, to int) {
	for j := from; j < to; j++ {
		mb := math.Float32bits(out[j])
		a, b := math.Float32bits(r0[2*j]), math.Float32bits(r0[2*j+1])
		c, e := math.Float32bits(r1[2*j]), math.Float32bits(r1[2*j+1])
		if mb&0x7fffffff <= 0x7f800000 {
			// The first with m's bits, selected by masks: the compiler
			// branches on an if here, and loses half the time on
			// random data. at counts a, b, c, e as 0, 1, 2, 3.
			at := 3
			at ^= (at ^ 2) & eqMask32(c, mb)
			at ^= (at ^ 1) & eqMask32(b, mb)
			at &^= eqMask32(a, mb)
			if at < 2 {
				d0[2*j+at] += g[j]
			} else {
				d1[2*j+at-2] += g[j]
			}
			continue
		}
		// The last NaN with those bits: rare, so branches are fine.
		switch mb {
		case e:
			d1[2*j+1] += g[j]
		case c:
			d1[2*j] += g[j]
		case b:
			d0[2*j+1] += g[j]
		default:
			d0[2*j] += g[j]
		}
	}
}

// eqMask32 returns −1 (all bits set) if a == b, else 0.
func eqMask32(a, b uint32) int {
	return -int((uint64(a^b) - 1) >> 63)
}
