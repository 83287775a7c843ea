package onnx

import (
	"fmt"
	"slices"

	pb "github.com/bigfunc/bigfunc/onnx/internal/onnxpb"
)

// fold computes a node whose inputs are all constants, for the few ops
// PyTorch leaves on weights when it exports without constant folding
// (Unsqueeze of a scale, Neg of a threshold, Transpose of a weight). It
// reports false for any other node. The result is never larger than the
// node's inputs.
func (im *importer) fold(n *pb.NodeProto) (*constant, bool, error) {
	switch n.GetOpType() {
	case "Identity", "Neg", "Unsqueeze", "Squeeze", "Reshape", "Transpose":
	default:
		return nil, false, nil
	}
	var ins []*constant
	for _, in := range n.GetInput() {
		if in == "" {
			continue
		}
		c, ok := im.consts[in]
		if !ok {
			return nil, false, nil
		}
		ins = append(ins, c)
	}
	if len(ins) == 0 || len(n.GetOutput()) != 1 {
		return nil, false, nil
	}
	x := ins[0]
	out := &constant{dims: slices.Clone(x.dims), f: x.f, i: x.i}
	switch n.GetOpType() {
	case "Identity":
	case "Neg":
		if x.f == nil {
			return nil, false, nil
		}
		out.f = make([]float32, len(x.f))
		for i, v := range x.f {
			out.f[i] = -v
		}
	case "Unsqueeze", "Squeeze":
		axes, err := attrIs(n, "axes", nil)
		if err != nil {
			return nil, false, err
		}
		if len(ins) > 1 {
			v, ok := ins[1].ints()
			if !ok {
				return nil, false, fmt.Errorf("axes: want int64 values")
			}
			for _, a := range v {
				if a < -maxRank || a > maxRank {
					return nil, false, fmt.Errorf("axis %d out of range", a)
				}
				axes = append(axes, int(a))
			}
		}
		if out.dims, err = squeeze(n.GetOpType() == "Unsqueeze", x.dims, axes); err != nil {
			return nil, false, err
		}
	case "Reshape":
		if len(ins) != 2 {
			return nil, false, nil
		}
		shape, ok := ins[1].ints()
		if !ok || len(shape) > maxRank {
			return nil, false, fmt.Errorf("shape: want at most %d int64 values", maxRank)
		}
		dims, err := reshape(x.dims, shape)
		if err != nil {
			return nil, false, err
		}
		out.dims = dims
	case "Transpose":
		perm, err := attrIs(n, "perm", nil)
		if err != nil {
			return nil, false, err
		}
		if perm == nil {
			for i := len(x.dims) - 1; i >= 0; i-- {
				perm = append(perm, i)
			}
		}
		if out, err = transposeConst(x, perm); err != nil {
			return nil, false, err
		}
	}
	return out, true, nil
}

// squeeze inserts (unsqueeze) or removes size-1 axes.
func squeeze(insert bool, dims, axes []int) ([]int, error) {
	if insert {
		rank := len(dims) + len(axes)
		if rank > maxRank {
			return nil, fmt.Errorf("rank %d: at most %d supported", rank, maxRank)
		}
		at := make([]bool, rank)
		for _, a := range axes {
			if a < 0 {
				a += rank
			}
			if a < 0 || a >= rank || at[a] {
				return nil, fmt.Errorf("axes %v do not fit rank %d", axes, rank)
			}
			at[a] = true
		}
		out := make([]int, 0, rank)
		k := 0
		for i := range rank {
			if at[i] {
				out = append(out, 1)
			} else {
				out = append(out, dims[k])
				k++
			}
		}
		return out, nil
	}
	drop := make([]bool, len(dims))
	for _, a := range axes {
		if a < 0 {
			a += len(dims)
		}
		if a < 0 || a >= len(dims) || dims[a] != 1 {
			return nil, fmt.Errorf("axes %v do not fit shape %v", axes, dims)
		}
		drop[a] = true
	}
	var out []int
	for i, d := range dims {
		if !drop[i] && (len(axes) > 0 || d != 1) {
			out = append(out, d)
		}
	}
	return out, nil
}

// reshape resolves an ONNX Reshape target for a constant of shape dims.
func reshape(dims []int, shape []int64) ([]int, error) {
	size := prod(dims)
	out := make([]int, len(shape))
	unknown, known := -1, 1
	for i, d := range shape {
		switch {
		case d == 0 && i < len(dims):
			out[i] = dims[i]
		case d == -1 && unknown < 0:
			unknown = i
			continue
		case d >= 1 && d <= int64(size):
			out[i] = int(d)
		default:
			return nil, fmt.Errorf("shape %v does not fit %v", shape, dims)
		}
		known *= out[i]
		if known > size {
			return nil, fmt.Errorf("shape %v does not fit %v", shape, dims)
		}
	}
	if unknown >= 0 {
		if known == 0 || size%known != 0 {
			return nil, fmt.Errorf("shape %v does not fit %v", shape, dims)
		}
		out[unknown] = size / known
	} else if known != size {
		return nil, fmt.Errorf("shape %v does not fit %v", shape, dims)
	}
	return out, nil
}

// transposeConst permutes the axes of a constant.
func transposeConst(x *constant, perm []int) (*constant, error) {
	n := len(x.dims)
	if len(perm) != n {
		return nil, fmt.Errorf("perm %v for rank %d", perm, n)
	}
	seen := make([]bool, n)
	dims := make([]int, n)
	for i, p := range perm {
		if p < 0 || p >= n || seen[p] {
			return nil, fmt.Errorf("perm %v is not a permutation", perm)
		}
		seen[p] = true
		dims[i] = x.dims[p]
	}
	// Strides of the source, then walk the destination in order.
	stride := make([]int, n)
	s := 1
	for i := n - 1; i >= 0; i-- {
		stride[i] = s
		s *= x.dims[i]
	}
	size := x.size()
	out := &constant{dims: dims}
	if x.f != nil {
		out.f = make([]float32, size)
	} else {
		out.i = make([]int64, size)
	}
	idx := make([]int, n)
	for k := range size {
		src := 0
		for i := range n {
			src += idx[i] * stride[perm[i]]
		}
		if x.f != nil {
			out.f[k] = x.f[src]
		} else {
			out.i[k] = x.i[src]
		}
		for i := n - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < dims[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}
