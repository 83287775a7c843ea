package autograd

import "github.com/bigfunc/bigfunc/tensor"

// Backward computes the gradient of v, which must hold a single element,
// with respect to every Var it depends on that requires a gradient. Leaf
// gradients add to what they held before (call ZeroGrad between steps);
// gradients of intermediate Vars are recomputed from zero on each call.
// Backward panics if v is not a single element.
func (v *Var) Backward() {
	if v.Value.Len() != 1 {
		panic(&tensor.ShapeError{Op: "Backward", Detail: "want a single-element output, got", Shapes: [][]int{v.Value.Shape()}})
	}
	v.BackwardWith(tensor.Full(1, v.Value.Shape()...))
}

// BackwardWith runs the backward pass seeded with ∂loss/∂v = seed, which
// must have v's shape: the vector-Jacobian product. It panics otherwise.
func (v *Var) BackwardWith(seed *tensor.Tensor) {
	if !tensor.SameShape(seed, v.Value) {
		panic(&tensor.ShapeError{Op: "BackwardWith", Shapes: [][]int{v.Value.Shape(), seed.Shape()}})
	}
	if !v.requiresGrad {
		return
	}
	order := topoOrder(v)
	for _, n := range order {
		if !n.IsLeaf() {
			n.Grad = nil
		}
	}
	v.AccumulateGrad(seed)
	for i := len(order) - 1; i >= 0; i-- {
		if n := order[i]; n.backward != nil && n.Grad != nil {
			n.backward(n.Grad)
		}
	}
}

// topoOrder lists the Vars that v depends on, each after all of its
// parents. It walks iteratively so that deep graphs cannot overflow the
// stack.
func topoOrder(v *Var) []*Var {
	type frame struct {
		v    *Var
		next int
	}
	var order []*Var
	seen := map[*Var]bool{v: true}
	stack := []frame{{v: v}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < len(top.v.parents) {
			p := top.v.parents[top.next]
			top.next++
			if !seen[p] && p.requiresGrad {
				seen[p] = true
				stack = append(stack, frame{v: p})
			}
			continue
		}
		order = append(order, top.v)
		stack = stack[:len(stack)-1]
	}
	return order
}
