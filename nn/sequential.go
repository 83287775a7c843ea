package nn

import (
	"fmt"
	"strconv"

	"github.com/bigfunc/bigfunc/autograd"
)

// Sequential applies its layers in order: the network as one big function
// f(x) = fₙ(…f₂(f₁(x))).
type Sequential struct {
	Layers []Layer
}

// NewSequential returns a Sequential of the given layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Forward runs x through every layer.
// When the first layer is a PaddingSource and the batch holds padding,
// the later layers see it in m.KeyPadding.
func (s *Sequential) Forward(x *autograd.Var, m Mode) *autograd.Var {
	for i, l := range s.Layers {
		if ps, ok := l.(PaddingSource); ok && i == 0 && m.KeyPadding == nil {
			pad := make([]bool, x.Value.Len())
			ok = ps.MarkPadding(pad, x.Value.Data())
			x = l.Forward(x, m)
			if ok {
				m.KeyPadding = pad
			}
			continue
		}
		x = l.Forward(x, m)
	}
	return x
}

// Describe returns "sequential" with the layers as its one block.
func (s *Sequential) Describe() Desc {
	return Desc{Op: "sequential", Blocks: []Block{{Name: "layers", Layers: s.Layers}}}
}

// OutShape threads in through every layer's OutShape.
func (s *Sequential) OutShape(in []int) ([]int, error) {
	shapes, err := s.Shapes(in)
	if err != nil {
		return nil, err
	}
	return shapes[len(shapes)-1], nil
}

// Shapes returns the per-sample shape before the first layer and after
// each layer: len(s.Layers)+1 shapes.
func (s *Sequential) Shapes(in []int) ([][]int, error) {
	shapes := [][]int{in}
	for i, l := range s.Layers {
		out, err := l.OutShape(in)
		if err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", i, l.Describe().Op, err)
		}
		shapes = append(shapes, out)
		in = out
	}
	return shapes, nil
}

// Params returns every layer's parameters named "i.name", with i the
// layer's position counting activations too, as in a PyTorch state_dict.
func (s *Sequential) Params() []Param {
	var ps []Param
	for i, l := range s.Layers {
		for _, p := range ParamsOf(l) {
			ps = append(ps, Param{Name: strconv.Itoa(i) + "." + p.Name, Var: p.Var})
		}
	}
	return ps
}

// Buffers returns every layer's buffers named "i.name".
func (s *Sequential) Buffers() []Buffer {
	var bs []Buffer
	for i, l := range s.Layers {
		for _, b := range BuffersOf(l) {
			b.Name = strconv.Itoa(i) + "." + b.Name
			bs = append(bs, b)
		}
	}
	return bs
}

// Fuse chains the layers' kernels over buffers sized for rows samples, or
// returns nil if a layer has no kernel.
func (s *Sequential) Fuse(in []int, rows int) Kernel {
	shapes, err := s.Shapes(in)
	if err != nil || len(s.Layers) == 0 {
		return nil
	}
	k := &seqKernel{sizes: make([]int, len(shapes)), rows: rows}
	if ps, ok := s.Layers[0].(PaddingSource); ok {
		k.padFrom = ps
	}
	for i, sh := range shapes {
		k.sizes[i] = Size(sh)
	}
	for i, l := range s.Layers {
		lk := Fuse(l, shapes[i], rows)
		if lk == nil {
			return nil
		}
		k.layers = append(k.layers, lk)
		if i == len(s.Layers)-1 {
			break
		}
		// An in-place layer after one whose backward pass does not read
		// its output writes over that output (see InPlacer).
		_, inPlace := l.(InPlacer)
		_, free := k.layers[max(i-1, 0)].(OutputFree)
		if i > 0 && inPlace && free {
			k.outs = append(k.outs, k.outs[i-1])
			continue
		}
		k.outs = append(k.outs, make([]float32, rows*k.sizes[i+1]))
	}
	return k
}

// seqKernel runs layer kernels in a chain: outs[i] holds the output of
// layer i, except for the last layer, which writes straight into the
// caller's y; an in-place layer's outs[i] is its input's buffer. The backward pass needs the gradient of a layer's output
// only until that layer has passed it on, so two buffers, taken in turn,
// hold all of them: the gradient of layer i's output is grads[i%2]. They
// are made by the first backward pass, so that a kernel that only runs
// forward (prediction) never holds them.
type seqKernel struct {
	layers []Kernel
	sizes  []int // per-sample sizes: input, then after each layer
	rows   int
	outs   [][]float32
	grads  [2][]float32
	// padFrom, when set, marks the padding of each batch in pad, which
	// the later layers read from Mode.KeyPadding.
	padFrom PaddingSource
	pad     []bool
}

// grad returns the buffer for the gradient of layer i's output.
func (k *seqKernel) grad(i int) []float32 {
	if k.grads[0] == nil {
		most := 0
		for _, s := range k.sizes[1 : len(k.sizes)-1] {
			most = max(most, s)
		}
		k.grads[0], k.grads[1] = make([]float32, k.rows*most), make([]float32, k.rows*most)
	}
	return k.grads[i%2]
}

// io returns the input and output slices of layer i for n samples.
func (k *seqKernel) io(i int, x, y []float32, n int) (in, out []float32) {
	in, out = x, y
	if i > 0 {
		in = k.outs[i-1][:n*k.sizes[i]]
	}
	if i < len(k.layers)-1 {
		out = k.outs[i][:n*k.sizes[i+1]]
	}
	return in[:n*k.sizes[i]], out[:n*k.sizes[i+1]]
}

func (k *seqKernel) Forward(y, x []float32, n int, m Mode) {
	for i, l := range k.layers {
		in, out := k.io(i, x, y, n)
		l.Forward(out, in, n, m)
		if i == 0 && k.padFrom != nil && m.KeyPadding == nil {
			if cap(k.pad) < len(in) {
				k.pad = make([]bool, len(in))
			}
			if pad := k.pad[:len(in)]; k.padFrom.MarkPadding(pad, in) {
				m.KeyPadding = pad
			}
		}
	}
}

func (k *seqKernel) Backward(dx, dy, x, y []float32, n int) {
	for i := len(k.layers) - 1; i >= 0; i-- {
		in, out := k.io(i, x, y, n)
		g := dy
		if i < len(k.layers)-1 {
			g = k.grad(i)[:len(out)]
		}
		d := dx
		if i > 0 {
			d = k.grad(i - 1)[:len(in)]
			clear(d)
		}
		k.layers[i].Backward(d, g[:len(out)], in, out, n)
	}
}
