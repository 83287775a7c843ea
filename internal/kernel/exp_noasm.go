//go:build noasm || !amd64

package kernel

func expSubBlocks(x []float32, shift float32) int { return 0 }
