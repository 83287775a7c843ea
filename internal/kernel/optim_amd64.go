//go:build !noasm

package kernel

import "golang.org/x/sys/cpu"

// useFMA selects the vector optimizer updates, which need the fused
// multiply-add to round as FMA32 does.
var useFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512Adam runs Adam's update 16 lanes at a time.
var useAVX512Adam = useFMA && cpu.X86.HasAVX512F

func sgdMomentum(p, g, buf []float32, negLR, mom, keep float32) {
	if useFMA {
		sgdMomentumAVX2(&p[0], &g[0], &buf[0], len(p), negLR, mom, keep)
		return
	}
	sgdMomentumGo(p, g, buf, negLR, mom, keep)
}

func adam(p, g, m, v []float32, c1, b1, c2, b2, bc2, eps, negStep float32) {
	if n := len(p) &^ 15; useAVX512Adam && n > 0 {
		adamAVX512(&p[0], &g[0], &m[0], &v[0], n, c1, b1, c2, b2, bc2, eps, negStep)
		if n == len(p) {
			return
		}
		p, g, m, v = p[n:], g[n:], m[n:], v[n:]
	}
	if useFMA {
		adamAVX2(&p[0], &g[0], &m[0], &v[0], len(p), c1, b1, c2, b2, bc2, eps, negStep)
		return
	}
	adamGo(p, g, m, v, c1, b1, c2, b2, bc2, eps, negStep)
}

//go:noescape
func sgdMomentumAVX2(p, grad, buf *float32, n int, negLR, mom, keep float32)

//go:noescape
func adamAVX2(p, grad, m, v *float32, n int, c1, b1, c2, b2, bc2, eps, negStep float32)

//go:noescape
func adamAVX512(p, grad, m, v *float32, n int, c1, b1, c2, b2, bc2, eps, negStep float32)
