//go:build noasm || !(amd64 || arm64)

package kernel

func sgdMomentum(p, g, buf []float32, negLR, mom, keep float32) {
	sgdMomentumGo(p, g, buf, negLR, mom, keep)
}

func adam(p, g, m, v []float32, c1, b1, c2, b2, bc2, eps, negStep float32) {
	adamGo(p, g, m, v, c1, b1, c2, b2, bc2, eps, negStep)
}
