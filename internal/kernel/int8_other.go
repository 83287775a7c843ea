//go:build noasm || !amd64

package kernel

// int8Archs lists the int8 kernels of this build: only the Go one.
func int8Archs() []*int8Arch { return []*int8Arch{goInt8} }

// useInt8Vec is always false here; tests switch it to compare
// implementations.
var useInt8Vec = false

func int8RangeBlocks(x []float32) (done int, lo, hi float32, finite bool) { return 0, 0, 0, true }

func int8QuantizeBlocks(q []uint8, x []float32, inv, zero float32) int { return 0 }

func int8RescaleBlocks(y []float32, acc, colSum []int32, ws, bias []float32, xs float32, zero int32) int {
	return 0
}
