package nn_test

import (
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// BenchmarkGPTStep measures a warm fused forward and backward pass of the
// nanoGPT CPU configuration (4 layers, 4 heads, width 128, context 64,
// batch 12, 65 tokens), reporting tokens per second.
func BenchmarkGPTStep(b *testing.B) {
	rng := tensor.NewRNG(1)
	const T, V, E, n = 64, 65, 128, 12
	layers := []nn.Layer{nn.NewEmbedding(V, E, -1, rng), nn.NewPositional("learned", T, E, rng)}
	for i := 0; i < 4; i++ {
		layers = append(layers, nn.NewTransformerEncoderLayer(E, 4, 4*E, 0, "gelu", 1e-5, true, true, rng))
	}
	net := nn.NewSequential(append(layers, nn.NewLinear(E, V, true, rng))...)
	k := nn.Fuse(net, []int{T}, n)
	x := ids(rng, n, T, V)
	dy := tensor.Randn(rng, n, T, V)
	out := make([]float32, n*T*V)
	mode := nn.Train(rng)
	// A first pass allocates the parameters' gradients; warm passes
	// allocate nothing.
	k.Forward(out, x.Data(), n, mode)
	k.Backward(nil, dy.Data(), x.Data(), out, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.Forward(out, x.Data(), n, mode)
		k.Backward(nil, dy.Data(), x.Data(), out, n)
	}
	b.ReportMetric(float64(b.N*n*T)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkGPTGenerate measures generation at batch 1 through the
// key/value cache of the same configuration: a context filled from one
// token to 64, reporting tokens per second.
func BenchmarkGPTGenerate(b *testing.B) {
	rng := tensor.NewRNG(1)
	const T, V, E = 64, 65, 128
	layers := []nn.Layer{nn.NewEmbedding(V, E, -1, rng), nn.NewPositional("learned", T, E, rng)}
	for i := 0; i < 4; i++ {
		layers = append(layers, nn.NewTransformerEncoderLayer(E, 4, 4*E, 0, "gelu", 1e-5, true, true, rng))
	}
	net := nn.NewSequential(append(layers, nn.NewLinear(E, V, true, rng))...)
	d, err := nn.NewDecoder(net, T)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Reset()
		id := 0
		for j := 0; j < T; j++ {
			s := d.Next(id)
			id = (id + int(s[0]*0)) % V
		}
	}
	b.ReportMetric(float64(b.N*T)/b.Elapsed().Seconds(), "tokens/s")
}
