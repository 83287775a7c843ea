package optim

import "github.com/bigfunc/bigfunc/internal/kernel"

// fma32 is kernel.FMA32: a·b + c rounded once, as PyTorch's fused CPU
// kernels compute add-with-alpha and addcmul. Other products that feed an
// addition are converted to float32 explicitly in the updates, which keeps
// the compiler from fusing them on the platforms where it may.
func fma32(a, b, c float32) float32 { return kernel.FMA32(a, b, c) }

// sqrt32 is kernel.Sqrt32.
func sqrt32(x float32) float32 { return kernel.Sqrt32(x) }
