//go:build noasm || !amd64

package kernel

func maxPool2Blocks(out, r0, r1 []float32) int { return 0 }
