package nn_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// ids returns n·T random token ids in [0, v) as a float tensor [n, T].
func ids(rng *tensor.RNG, n, T, v int) *tensor.Tensor {
	t := tensor.Zeros(n, T)
	for i := range t.Data() {
		t.Data()[i] = float32(rng.Intn(v))
	}
	return t
}

func TestEmbeddingGradients(t *testing.T) {
	rng := tensor.NewRNG(1)
	x := ids(rng, 3, 5, 4)
	x.Data()[0], x.Data()[1] = 2, 2 // a repeated id accumulates
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		e := &nn.Embedding{Num: 4, Dim: 3, PaddingIdx: -1, Weight: in[0]}
		return e.Forward(autograd.Const(x), nn.Eval)
	}, []*tensor.Tensor{tensor.Randn(rng, 4, 3)}, gradtest.Options{})
	if err != nil {
		t.Error(err)
	}
	// The padding row gets no gradient, by PyTorch's definition rather
	// than by calculus, so it is checked on its own.
	w := autograd.Param(tensor.Randn(rng, 4, 3))
	e := &nn.Embedding{Num: 4, Dim: 3, PaddingIdx: 2, Weight: w}
	e.Forward(autograd.Const(x), nn.Eval).BackwardWith(tensor.Ones(3, 5, 3))
	for j := 0; j < 3; j++ {
		if g := w.Grad.At(2, j); g != 0 {
			t.Errorf("padding row gradient [2, %d] = %v, want 0", j, g)
		}
	}
}

func TestPositionalGradients(t *testing.T) {
	rng := tensor.NewRNG(2)
	x := tensor.Randn(rng, 2, 3, 4)
	err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
		p := &nn.Positional{Kind: "learned", MaxLen: 5, Dim: 4, Weight: in[1]}
		return p.Forward(in[0], nn.Eval)
	}, []*tensor.Tensor{x, tensor.Randn(rng, 5, 4)}, gradtest.Options{})
	if err != nil {
		t.Error(err)
	}
	s := nn.NewPositional("sinusoidal", 8, 4, rng)
	y := s.Forward(autograd.Const(tensor.Zeros(1, 3, 4)), nn.Eval).Value
	// sin(0) = 0, cos(0) = 1; position 1, i = 0: sin(1), cos(1).
	want := []float32{0, 1, 0, 1, float32(math.Sin(1)), float32(math.Cos(1))}
	for i, w := range want {
		if got := y.Data()[i]; math.Abs(float64(got-w)) > 1e-6 {
			t.Errorf("sinusoidal[%d]: got %v, want %v", i, got, w)
		}
	}
}

// attnInputs returns x and the four projection parameters of an
// attention of width e.
func attnInputs(rng *tensor.RNG, n, T, e int) []*tensor.Tensor {
	return []*tensor.Tensor{tensor.Randn(rng, n, T, e),
		tensor.Uniform(rng, -0.5, 0.5, 3*e, e), tensor.Uniform(rng, -0.5, 0.5, 3*e),
		tensor.Uniform(rng, -0.5, 0.5, e, e), tensor.Uniform(rng, -0.5, 0.5, e)}
}

func TestMultiheadAttentionGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	const n, T, E, H = 2, 5, 6, 2
	pad := make([]bool, n*T)
	pad[3], pad[T+4] = true, true
	mask := make([]float32, T*T)
	for i := range mask {
		mask[i] = float32(rng.Normal())
	}
	mask[1] = float32(math.Inf(-1))
	cases := []struct {
		causal bool
		pad    []bool
		mask   []float32
	}{{false, nil, nil}, {true, nil, nil}, {false, pad, mask}, {true, pad, nil}}
	for _, c := range cases {
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			a := &nn.MultiheadAttention{Embed: E, Heads: H, Causal: c.causal,
				InProjWeight: in[1], InProjBias: in[2], OutProjWeight: in[3], OutProjBias: in[4]}
			return a.Attend(in[0], c.pad, c.mask, nn.Eval)
		}, attnInputs(rng, n, T, E), gradtest.Options{})
		if err != nil {
			t.Errorf("causal %v, padding %v, mask %v: %v", c.causal, c.pad != nil, c.mask != nil, err)
		}
	}
}

// TestAttentionGradientsAcrossTiles checks the gradients of a sequence
// three tiles long, causal and not: the backward pass sets each block of
// the query, key and value gradients from the first tile that reaches it
// and adds the others' share, which a sequence of one tile cannot check.
func TestAttentionGradientsAcrossTiles(t *testing.T) {
	rng := tensor.NewRNG(31)
	const n, T, E, H = 1, 150, 4, 2
	for _, causal := range []bool{false, true} {
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
			a := &nn.MultiheadAttention{Embed: E, Heads: H, Causal: causal,
				InProjWeight: in[1], InProjBias: in[2], OutProjWeight: in[3], OutProjBias: in[4]}
			return a.Attend(in[0], nil, nil, nn.Eval)
		}, attnInputs(rng, n, T, E), gradtest.Options{})
		if err != nil {
			t.Errorf("causal %v: %v", causal, err)
		}
	}
}

// TestAttentionTiles checks sequences longer than one tile against the
// plain softmax(QKᵀ)V computed with primitives, so that the online
// softmax's rescaling across tiles is exercised.
func TestAttentionTiles(t *testing.T) {
	rng := tensor.NewRNG(4)
	const T, E, H = 150, 8, 2
	for _, causal := range []bool{false, true} {
		a := nn.NewMultiheadAttention(E, H, 0, true, causal, rng)
		x := tensor.Randn(rng, 1, T, E)
		got := a.Forward(autograd.Const(x), nn.Eval).Value
		want := naiveAttention(a, x.Reshape(T, E), causal)
		for i, w := range want.Data() {
			if g := got.Data()[i]; math.Abs(float64(g-w)) > 1e-5*(1+math.Abs(float64(w))) {
				t.Fatalf("causal %v: element %d: got %v, want %v", causal, i, g, w)
			}
		}
	}
}

// naiveAttention is the textbook attention of one sample x [T, E].
func naiveAttention(a *nn.MultiheadAttention, x *tensor.Tensor, causal bool) *tensor.Tensor {
	T, E, H := x.Dim(0), a.Embed, a.Heads
	dh := E / H
	qkv := tensor.Add(tensor.MatMulT(x, a.InProjWeight.Value, false, true), a.InProjBias.Value)
	out := tensor.Zeros(T, E)
	for h := 0; h < H; h++ {
		for i := 0; i < T; i++ {
			s := make([]float64, T)
			mx := math.Inf(-1)
			for j := 0; j < T; j++ {
				s[j] = math.Inf(-1)
				if causal && j > i {
					continue
				}
				var d float64
				for c := 0; c < dh; c++ {
					d += float64(qkv.At(i, h*dh+c)) * float64(qkv.At(j, E+h*dh+c))
				}
				s[j] = d / math.Sqrt(float64(dh))
				mx = math.Max(mx, s[j])
			}
			var z float64
			for j := range s {
				s[j] = math.Exp(s[j] - mx)
				z += s[j]
			}
			for c := 0; c < dh; c++ {
				var o float64
				for j := range s {
					o += s[j] / z * float64(qkv.At(j, 2*E+h*dh+c))
				}
				out.Set(float32(o), i, h*dh+c)
			}
		}
	}
	return tensor.Add(tensor.MatMulT(out, a.OutProjWeight.Value, false, true), a.OutProjBias.Value)
}

// encoderLayer builds an encoder layer of width 4 whose parameters are
// the tensors in[1:], in PyTorch's state_dict order.
func encoderLayer(in []*autograd.Var, act string, normFirst, causal bool) *nn.TransformerEncoderLayer {
	l := nn.NewTransformerEncoderLayer(4, 2, 6, 0, act, 1e-5, normFirst, causal, tensor.NewRNG(0))
	a := l.SelfAttn
	a.InProjWeight, a.InProjBias, a.OutProjWeight, a.OutProjBias = in[1], in[2], in[3], in[4]
	l.Linear1.Weight, l.Linear1.Bias, l.Linear2.Weight, l.Linear2.Bias = in[5], in[6], in[7], in[8]
	l.Norm1.Weight, l.Norm1.Bias, l.Norm2.Weight, l.Norm2.Bias = in[9], in[10], in[11], in[12]
	return l
}

func encoderInputs(rng *tensor.RNG) []*tensor.Tensor {
	l := nn.NewTransformerEncoderLayer(4, 2, 6, 0, "relu", 1e-5, false, false, rng)
	in := []*tensor.Tensor{tensor.Randn(rng, 2, 3, 4)}
	for _, p := range l.Params() {
		v := tensor.Uniform(rng, -0.6, 0.6, p.Value.Shape()...)
		if p.Name == "norm1.weight" || p.Name == "norm2.weight" {
			v = tensor.AddScalar(v, 1)
		}
		in = append(in, v)
	}
	return in
}

func TestTransformerEncoderLayerGradients(t *testing.T) {
	rng := tensor.NewRNG(5)
	for _, act := range []string{"relu", "gelu"} {
		for _, normFirst := range []bool{false, true} {
			for _, causal := range []bool{false, true} {
				name := fmt.Sprintf("%s norm_first=%v causal=%v", act, normFirst, causal)
				err := gradtest.Check(func(in []*autograd.Var) *autograd.Var {
					return encoderLayer(in, act, normFirst, causal).Forward(in[0], nn.Eval)
				}, encoderInputs(rng), gradtest.Options{Eps: 1e-3, AbsTol: 2e-2, RelTol: 2e-2})
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		}
	}
}

// TestSequenceKernelMatchesGraph checks that the fused kernels of a small
// GPT give the bits of its graph form in training mode, dropout included.
func TestSequenceKernelMatchesGraph(t *testing.T) {
	rng := tensor.NewRNG(6)
	const T, V, E = 7, 11, 8
	net := nn.NewSequential(
		nn.NewEmbedding(V, E, -1, rng),
		nn.NewPositional("learned", 16, E, rng),
		nn.NewTransformerEncoderLayer(E, 2, 16, 0.2, "gelu", 1e-5, true, true, rng),
		nn.NewTransformerEncoderLayer(E, 4, 16, 0.1, "relu", 1e-5, false, true, rng),
		nn.NewMultiheadAttention(E, 2, 0.3, true, false, rng),
		nn.NewLinear(E, V, true, rng),
	)
	const n = 3
	x := ids(rng, n, T, V)
	dy := tensor.Randn(rng, n, T, V)
	y := net.Forward(autograd.Const(x), nn.Train(tensor.NewRNG(9)))
	y.BackwardWith(dy)
	var graphGrads [][]float32
	for _, p := range net.Params() {
		graphGrads = append(graphGrads, append([]float32(nil), p.Grad.Data()...))
		p.ZeroGrad()
	}
	k := nn.Fuse(net, []int{T}, n+2)
	if k == nil {
		t.Fatal("Fuse: nil kernel")
	}
	out := make([]float32, n*T*V)
	k.Forward(out, x.Data(), n, nn.Train(tensor.NewRNG(9)))
	k.Backward(nil, dy.Data(), x.Data(), out, n)
	for i, w := range y.Value.Data() {
		if out[i] != w {
			t.Fatalf("y[%d]: kernel %v, graph %v", i, out[i], w)
		}
	}
	for i, p := range net.Params() {
		for j, w := range graphGrads[i] {
			if g := p.Grad.Data()[j]; g != w {
				t.Fatalf("%s[%d]: kernel %v, graph %v", p.Name, j, g, w)
			}
		}
	}
	// A warm kernel step allocates nothing.
	mode := nn.Train(tensor.NewRNG(9))
	allocs := testing.AllocsPerRun(3, func() {
		k.Forward(out, x.Data(), n, mode)
		k.Backward(nil, dy.Data(), x.Data(), out, n)
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("warm forward and backward: %v allocations, want 0", allocs)
	}
}

func TestSequenceBuild(t *testing.T) {
	rng := tensor.NewRNG(7)
	cases := []struct {
		op  string
		o   nn.Options
		in  []int
		out []int
	}{
		{"embedding", nn.Options{"embedding_dim": 8, "num_embeddings": 5, "padding_idx": -1}, []int{6}, []int{6, 8}},
		{"positional", nn.Options{"kind": "learned", "max_len": 10}, []int{6, 8}, []int{6, 8}},
		{"positional", nn.Options{"kind": "sinusoidal"}, []int{6, 8}, []int{6, 8}},
		{"multihead_attention", nn.Options{"num_heads": 2, "causal": true}, []int{6, 8}, []int{6, 8}},
		{"transformer_encoder_layer", nn.Options{"nhead": 4, "dim_feedforward": 16, "dropout": 0.0, "activation": "gelu", "norm_first": true, "causal": true}, []int{6, 8}, []int{6, 8}},
	}
	for _, c := range cases {
		l, err := nn.Build(c.op, c.o, c.in, rng)
		if err != nil {
			t.Fatalf("Build(%s, %v): %v", c.op, c.o, err)
		}
		out, err := l.OutShape(c.in)
		if err != nil || fmt.Sprint(out) != fmt.Sprint(c.out) {
			t.Errorf("%s.OutShape(%v) = %v, %v; want %v", c.op, c.in, out, err, c.out)
		}
		d := l.Describe()
		b, err := nn.Build(d.Op, nn.Options(d.Config), c.in, rng)
		if err != nil {
			t.Fatalf("rebuild %s from %v: %v", d.Op, d.Config, err)
		}
		if got, want := fmt.Sprint(b.Describe()), fmt.Sprint(d); got != want {
			t.Errorf("rebuilt %s describes itself as %s, want %s", d.Op, got, want)
		}
	}
	errs := []struct {
		op   string
		o    nn.Options
		in   []int
		want string
	}{
		{"embedding", nn.Options{"embedding_dim": 8}, []int{6}, "num_embeddings is required"},
		{"embedding", nn.Options{"embedding_dim": 8, "num_embeddings": 5, "padding_idx": 5}, []int{6}, "padding_idx must be in [-5, 5), got 5"},
		{"positional", nn.Options{"kind": "rotary"}, []int{6, 8}, "kind: want one of learned, sinusoidal"},
		{"positional", nn.Options{"max_len": 4}, []int{6, 8}, "sequences of 6 exceed max_len 4"},
		{"multihead_attention", nn.Options{"num_heads": 3}, []int{6, 8}, "num_heads 3 must divide the embedding width 8"},
		{"transformer_encoder_layer", nn.Options{"nhead": 2, "activation": "tanh"}, []int{6, 8}, "activation: want one of relu, gelu"},
		{"transformer_encoder_layer", nn.Options{"nhead": 2}, []int{8}, "want input [T, d_model]"},
	}
	for _, c := range errs {
		_, err := nn.Build(c.op, c.o, c.in, rng)
		if err == nil || !contains(err.Error(), c.want) {
			t.Errorf("Build(%s, %v): got error %v, want it to contain %q", c.op, c.o, err, c.want)
		}
	}
}

// TestDecoderMatchesForward checks that decoding token by token with the
// key/value cache gives, at every position, the output of the full
// forward pass over the prefix.
func TestDecoderMatchesForward(t *testing.T) {
	rng := tensor.NewRNG(8)
	const T, V, E = 9, 7, 8
	net := nn.NewSequential(
		nn.NewEmbedding(V, E, -1, rng),
		nn.NewPositional("sinusoidal", 16, E, rng),
		nn.NewTransformerEncoderLayer(E, 2, 16, 0.1, "gelu", 1e-5, true, true, rng),
		nn.NewTransformerEncoderLayer(E, 4, 12, 0.1, "relu", 1e-5, false, true, rng),
		nn.NewMultiheadAttention(E, 2, 0, true, true, rng),
		nn.NewLinear(E, V, true, rng),
	)
	x := ids(rng, 1, T, V)
	want := net.Forward(autograd.Const(x), nn.Eval).Value.Data()
	d, err := nn.NewDecoder(net, T)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ { // the second after Reset
		for i := 0; i < T; i++ {
			got := d.Next(int(x.Data()[i]))
			for j, g := range got {
				if w := want[i*V+j]; math.Abs(float64(g-w)) > 1e-5*(1+math.Abs(float64(w))) {
					t.Fatalf("round %d position %d score %d: decoder %v, forward %v", round, i, j, g, w)
				}
			}
		}
		d.Reset()
	}
	allocs := testing.AllocsPerRun(5, func() {
		d.Reset()
		d.Next(1)
		d.Next(2)
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("Next: %v allocations, want 0", allocs)
	}
	bad := nn.NewSequential(nn.NewEmbedding(V, E, -1, rng), nn.NewTransformerEncoderLayer(E, 2, 16, 0, "relu", 1e-5, true, false, rng))
	if _, err := nn.NewDecoder(bad, T); err == nil || !contains(err.Error(), "not causal") {
		t.Errorf("non-causal network: got %v", err)
	}
}

// TestAttentionSameBitsAnyThreads checks that attention shared among
// goroutines, head by head, gives the bits of one goroutine forward and
// backward, with a causal mask, dropout and more than one tile of keys,
// on a batch large enough to be shared.
func TestAttentionSameBitsAnyThreads(t *testing.T) {
	const n, T, E = 8, 80, 16
	run := func(procs int) (y, dx []float32, grads [][]float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := tensor.NewRNG(21)
		a := nn.NewMultiheadAttention(E, 2, 0.25, true, true, rng)
		x := tensor.Randn(rng, n, T, E)
		dy := tensor.Randn(rng, n, T, E)
		k := nn.Fuse(a, []int{T, E}, n)
		y = make([]float32, n*T*E)
		dx = make([]float32, n*T*E)
		k.Forward(y, x.Data(), n, nn.Train(tensor.NewRNG(22)))
		k.Backward(dx, dy.Data(), x.Data(), y, n)
		for _, p := range a.Params() {
			grads = append(grads, p.Grad.Data())
		}
		return y, dx, grads
	}
	y1, dx1, g1 := run(1)
	for _, procs := range []int{2, 4} {
		y, dx, g := run(procs)
		same := func(what string, got, want []float32) {
			t.Helper()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("GOMAXPROCS %d: %s[%d] is %v, %v on one goroutine", procs, what, i, got[i], want[i])
				}
			}
		}
		same("y", y, y1)
		same("dx", dx, dx1)
		for i := range g1 {
			same(fmt.Sprint("gradient ", i), g[i], g1[i])
		}
	}
}

// TestAttentionKernelReused checks that a kernel's second backward pass
// gives the bits of a fresh kernel's: the buffers it sets rather than
// clears must not carry anything over from the pass before.
func TestAttentionKernelReused(t *testing.T) {
	const n, T, E = 2, 150, 8
	for _, causal := range []bool{false, true} {
		rng := tensor.NewRNG(41)
		a := nn.NewMultiheadAttention(E, 2, 0, true, causal, rng)
		x := tensor.Randn(rng, n, T, E)
		dy1, dy2 := tensor.Randn(rng, n, T, E), tensor.Randn(rng, n, T, E)
		pass := func(k nn.Kernel, dy *tensor.Tensor) (dx []float32, grads [][]float32) {
			for _, p := range a.Params() {
				p.ZeroGrad()
			}
			y := make([]float32, n*T*E)
			dx = make([]float32, n*T*E)
			k.Forward(y, x.Data(), n, nn.Eval)
			k.Backward(dx, dy.Data(), x.Data(), y, n)
			for _, p := range a.Params() {
				grads = append(grads, append([]float32(nil), p.GradData()...))
			}
			return dx, grads
		}
		reused := nn.Fuse(a, []int{T, E}, n)
		pass(reused, dy1)
		dx, grads := pass(reused, dy2)
		wantDx, wantGrads := pass(nn.Fuse(a, []int{T, E}, n), dy2)
		for i := range wantDx {
			if math.Float32bits(dx[i]) != math.Float32bits(wantDx[i]) {
				t.Fatalf("causal %v: dx[%d] after a first pass %v, fresh %v", causal, i, dx[i], wantDx[i])
			}
		}
		for p := range wantGrads {
			for i := range wantGrads[p] {
				if math.Float32bits(grads[p][i]) != math.Float32bits(wantGrads[p][i]) {
					t.Fatalf("causal %v: gradient %d [%d] after a first pass %v, fresh %v", causal, p, i, grads[p][i], wantGrads[p][i])
				}
			}
		}
	}
}
