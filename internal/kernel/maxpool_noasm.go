//go:build noasm || !amd64

package kernel

func maxPool2Blocks(out, r0, r1 []float32) int { return 0 }

func maxPool2GradVec(d0, d1, r0, r1, out, g []float32) bool { return false }
