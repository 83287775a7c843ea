//go:build noasm || !(amd64 || arm64)

package kernel

func reluBlocks(y, x []float32) int { return 0 }

func reluBackBlocks(dx, dy, x []float32) int { return 0 }
