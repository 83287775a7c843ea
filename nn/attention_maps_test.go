package nn

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestAttentionWeightsReproduceOutput checks the pictured weights against
// the fused attention they describe: weighting the values by them and
// projecting must give the layer's own output, and every row must be a
// distribution that gives later keys nothing under the causal mask.
func TestAttentionWeightsReproduceOutput(t *testing.T) {
	rng := tensor.NewRNG(3)
	const T, E, H = 7, 12, 3
	for _, causal := range []bool{false, true} {
		a := NewMultiheadAttention(E, H, 0, true, causal, rng)
		copy(a.InProjBias.Value.Data(), tensor.Randn(rng, 3*E).Data())
		x := tensor.Randn(rng, 1, T, E)
		want := a.Forward(autograd.Const(x), Eval).Value.Data()
		heads := a.AttentionWeights(x.Data(), T)
		if len(heads) != H {
			t.Fatalf("%d heads, want %d", len(heads), H)
		}
		dh := E / H
		w, b := a.InProjWeight.Value.Data(), a.InProjBias.Value.Data()
		v := make([]float64, T*E) // the values, rows 2E..3E of the projection
		for i := 0; i < T; i++ {
			for o := 0; o < E; o++ {
				s := float64(b[2*E+o])
				for j := 0; j < E; j++ {
					s += float64(w[(2*E+o)*E+j]) * float64(x.Data()[i*E+j])
				}
				v[i*E+o] = s
			}
		}
		for i := 0; i < T; i++ {
			att := make([]float64, E)
			for h, m := range heads {
				sum := 0.0
				for j := 0; j < T; j++ {
					p := float64(m[i*T+j])
					if p < 0 || (causal && j > i && p != 0) {
						t.Fatalf("causal=%v head %d: weight %g of query %d on key %d", causal, h, p, i, j)
					}
					sum += p
					for d := 0; d < dh; d++ {
						att[h*dh+d] += p * v[j*E+h*dh+d]
					}
				}
				if math.Abs(sum-1) > 1e-6 {
					t.Fatalf("head %d row %d sums to %g", h, i, sum)
				}
			}
			ow, ob := a.OutProjWeight.Value.Data(), a.OutProjBias.Value.Data()
			for o := 0; o < E; o++ {
				s := float64(ob[o])
				for j := 0; j < E; j++ {
					s += float64(ow[o*E+j]) * att[j]
				}
				if got := want[i*E+o]; math.Abs(s-float64(got)) > 1e-4 {
					t.Fatalf("causal=%v row %d col %d: weights give %g, the layer %g", causal, i, o, s, got)
				}
			}
		}
	}
}

// TestAttentionMaps runs a small decoder stack and checks that every
// encoder layer, and only those, reports its heads' maps.
func TestAttentionMaps(t *testing.T) {
	rng := tensor.NewRNG(4)
	const T, V, E = 5, 9, 8
	net := NewSequential(NewEmbedding(V, E, -1, rng), NewPositional("learned", T, E, rng),
		NewTransformerEncoderLayer(E, 2, 16, 0, "gelu", 1e-5, true, true, rng),
		NewTransformerEncoderLayer(E, 4, 16, 0, "relu", 1e-5, false, true, rng),
		NewLinear(E, V, true, rng))
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5}, 1, T)
	maps, err := AttentionMaps(net, x)
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 2 || maps[0].Index != 2 || maps[1].Index != 3 || len(maps[0].Heads) != 2 || len(maps[1].Heads) != 4 {
		t.Fatalf("got %d maps: %+v", len(maps), maps)
	}
	if _, err := AttentionMaps(NewSequential(NewLinear(3, 2, true, rng)), tensor.Zeros(1, 3)); err == nil {
		t.Fatal("a network without attention gave maps")
	}
}
