package nn

import (
	"fmt"
	"slices"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Flatten reshapes [N, d1, d2, …] to [N, d1·d2·…], as torch.nn.Flatten
// with its defaults.
type Flatten struct{}

// Forward flattens every dimension after the first.
func (Flatten) Forward(x *autograd.Var, _ Mode) *autograd.Var {
	s := x.Value.Shape()
	if len(s) == 2 {
		return x
	}
	return autograd.Reshape(x, s[0], Size(s[1:]))
}

// Describe returns "flatten".
func (Flatten) Describe() Desc { return Desc{Op: "flatten"} }

// OutShape returns the one dimension holding every element of in.
func (Flatten) OutShape(in []int) ([]int, error) { return []int{Size(in)}, nil }

// Fuse returns a kernel that copies: a flat buffer is already flattened.
func (Flatten) Fuse(in []int, rows int) Kernel { return copyKernel{} }

// Unflatten reshapes each sample's one dimension into Shape, as
// torch.nn.Unflatten(1, shape): [N, d] becomes [N, Shape…] where the
// product of Shape is d.
type Unflatten struct {
	Shape []int
}

// Forward reshapes x to [N, Shape…].
func (u Unflatten) Forward(x *autograd.Var, _ Mode) *autograd.Var {
	return autograd.Reshape(x, batchShape(x.Value.Dim(0), u.Shape)...)
}

// Describe returns "unflatten" with shape.
func (u Unflatten) Describe() Desc {
	return Desc{Op: "unflatten", Config: map[string]any{"shape": slices.Clone(u.Shape)}}
}

// OutShape returns Shape if in is one dimension of the same size.
func (u Unflatten) OutShape(in []int) ([]int, error) {
	if len(in) != 1 || in[0] != Size(u.Shape) {
		return nil, fmt.Errorf("unflatten: want input [%d] (the product of %v), got %v", Size(u.Shape), u.Shape, in)
	}
	return slices.Clone(u.Shape), nil
}

// Fuse returns a kernel that copies: the buffer layout does not change.
func (u Unflatten) Fuse(in []int, rows int) Kernel { return copyKernel{} }

// copyKernel is the kernel of layers that only rename the shape.
type copyKernel struct{}

func (copyKernel) Forward(y, x []float32, _ int, _ Mode) { copy(y, x) }

func (copyKernel) Backward(dx, dy, _, _ []float32, _ int) {
	if dx == nil {
		return
	}
	dy = dy[:len(dx)]
	for i := range dx {
		dx[i] += dy[i]
	}
}

func init() {
	Register("flatten", "", func(o Options, _ []int, _ *tensor.RNG) (Layer, error) {
		return Flatten{}, o.Allow()
	})
	Register("unflatten", "", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
		if err := o.Allow("shape"); err != nil {
			return nil, err
		}
		var n int
		switch list := o["shape"].(type) {
		case []any:
			n = len(list)
		case []int:
			n = len(list)
		}
		if n == 0 {
			return nil, fmt.Errorf("shape: want a list of positive integers, such as [8, 7, 7]")
		}
		shape, err := o.Ints("shape", n, nil)
		if err != nil {
			return nil, err
		}
		for _, d := range shape {
			if d < 1 {
				return nil, fmt.Errorf("shape: want positive integers, got %v", shape)
			}
		}
		u := Unflatten{Shape: shape}
		if _, err := u.OutShape(in); err != nil {
			return nil, err
		}
		return u, nil
	})
}
