//go:build noasm || !(amd64 || arm64)

package kernel

// useVecAsm is always false here; tests switch it to compare implementations.
var useVecAsm = false

func axpyBlocks(alpha float32, x, y []float32)              { axpyBlocksGo(alpha, x, y) }
func dotBlocks(x, y []float32) float32                      { return dotBlocksGo(x, y) }
func addBlocks(dst, x, y []float32)                         { addBlocksGo(dst, x, y) }
func addToBlocks(dst, x []float32)                          { addToBlocksGo(dst, x) }
func scaleBlocks(dst []float32, alpha float32, x []float32) { scaleBlocksGo(dst, alpha, x) }
func sumBlocks(x []float32) float64                         { return sumBlocksGo(x) }

func decodeBlocks(dst []float32, src []byte, divisor float32) { decodeBlocksGo(dst, src, divisor) }
func prefetch([]byte)                                         {}
