package train

import (
	"fmt"
	"strings"

	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/nn"
)

// Penalty is L1 and L2 regularisation of the weights: before each update
// it adds L1·sign(w) + L2·w to the gradient of every weight (a parameter
// named "weight"; biases and other parameters are left alone), the
// gradients of L1·Σ|w| and ½·L2·Σw², as TensorFlow Playground applies
// them. It belongs to the optimizer element: the spec sets it with the
// optimizer's keys l1 and l2.
type Penalty struct {
	L1, L2 float64
}

// apply adds the penalty's gradient to the weights' gradients.
func (p Penalty) apply(params []nn.Param) {
	if p.L1 == 0 && p.L2 == 0 {
		return
	}
	l1, l2 := float32(p.L1), float32(p.L2)
	for _, q := range params {
		if q.Name != "weight" && !strings.HasSuffix(q.Name, ".weight") || q.Grad == nil {
			continue
		}
		g, w := q.Grad.Data(), q.Value.Data()
		for i, v := range w {
			if l2 != 0 {
				g[i] += l2 * v
			}
			switch {
			case l1 == 0:
			case v > 0:
				g[i] += l1
			case v < 0:
				g[i] -= l1
			}
		}
	}
}

// splitPenalty takes the keys l1 and l2 out of an optimizer's settings,
// leaving the rest for optim.New.
func splitPenalty(hp map[string]any) (Penalty, map[string]any, error) {
	var p Penalty
	rest := map[string]any{}
	for k, v := range hp {
		switch k {
		case "l1", "l2":
			f, ok := param.Number(v)
			if !ok || !(f >= 0) || f > 1e6 {
				return p, nil, fmt.Errorf("optimizer.%s: want a rate ≥ 0, got %v", k, v)
			}
			if k == "l1" {
				p.L1 = f
			} else {
				p.L2 = f
			}
		default:
			rest[k] = v
		}
	}
	return p, rest, nil
}
