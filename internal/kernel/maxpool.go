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
