package conformance

import (
	"fmt"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

func init() { checkers["kan.json"] = checkKAN }

// checkKAN checks kan_linear against kan.json, efficient-kan's formulas in
// PyTorch: forward, the gradients of the input and of every parameter,
// the regulariser, and the grid and coefficients after UpdateGrid.
func checkKAN(t *testing.T, path string) int {
	var f struct {
		Cases []struct {
			Options             map[string]any `json:"options"`
			Grid                jsonTensor     `json:"grid"`
			BaseWeight          jsonTensor     `json:"base_weight"`
			SplineWeight        jsonTensor     `json:"spline_weight"`
			SplineScaler        *jsonTensor    `json:"spline_scaler"`
			X                   jsonTensor     `json:"x"`
			Y                   jsonTensor     `json:"y"`
			Dy                  jsonTensor     `json:"dy"`
			Dx                  jsonTensor     `json:"dx"`
			DBaseWeight         jsonTensor     `json:"dbase_weight"`
			DSplineWeight       jsonTensor     `json:"dspline_weight"`
			DSplineScaler       *jsonTensor    `json:"dspline_scaler"`
			RegActivation       *float64       `json:"reg_activation"`
			RegEntropy          *float64       `json:"reg_entropy"`
			Regularization      *float64       `json:"regularization"`
			XUpdate             jsonTensor     `json:"x_update"`
			UpdatedGrid         jsonTensor     `json:"updated_grid"`
			UpdatedSplineWeight jsonTensor     `json:"updated_spline_weight"`
		} `json:"cases"`
	}
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("kan[%d] %v", i, c.Options)
		if len(c.X.Shape) < 2 || len(c.Y.Data) == 0 || c.RegActivation == nil || c.RegEntropy == nil || c.Regularization == nil ||
			len(c.UpdatedGrid.Data) == 0 || (c.SplineScaler == nil) != (c.DSplineScaler == nil) {
			t.Errorf("%s: unrecognised case: a field is missing", name)
			continue
		}
		in := c.X.Shape[len(c.X.Shape)-1]
		layer, err := nn.Build("kan_linear", nn.Options(c.Options), []int{in}, tensor.NewRNG(0))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		l := layer.(*nn.KANLinear)
		if (l.SplineScaler == nil) != (c.SplineScaler == nil) {
			t.Errorf("%s: spline_scaler present in the case: %v, in the layer: %v", name, c.SplineScaler != nil, l.SplineScaler != nil)
			continue
		}
		set := func(dst *tensor.Tensor, src jsonTensor, what string) bool {
			s := src.tensor()
			if !tensor.SameShape(dst, s) {
				t.Errorf("%s: %s has shape %v, the layer's %v", name, what, s.Shape(), dst.Shape())
				return false
			}
			dst.CopyFrom(s)
			return true
		}
		ok := set(l.Grid, c.Grid, "grid") && set(l.BaseWeight.Value, c.BaseWeight, "base_weight") &&
			set(l.SplineWeight.Value, c.SplineWeight, "spline_weight")
		if ok && c.SplineScaler != nil {
			ok = set(l.SplineScaler.Value, *c.SplineScaler, "spline_scaler")
		}
		if !ok {
			continue
		}

		x := autograd.Param(c.X.tensor())
		y := l.Forward(x, nn.Eval)
		y.BackwardWith(c.Dy.tensor())
		compareTensor(t, name+" y", y.Value, c.Y, 1e-5, 1e-5)
		// Gradients sum over the batch and the knots: 1e-4.
		compareTensor(t, name+" dx", x.Grad, c.Dx, 1e-5, 1e-4)
		compareTensor(t, name+" dbase_weight", l.BaseWeight.Grad, c.DBaseWeight, 1e-5, 1e-4)
		compareTensor(t, name+" dspline_weight", l.SplineWeight.Grad, c.DSplineWeight, 1e-5, 1e-4)
		if c.DSplineScaler != nil {
			compareTensor(t, name+" dspline_scaler", l.SplineScaler.Grad, *c.DSplineScaler, 1e-5, 1e-4)
		}

		reg := float64(l.RegularizationLoss(*c.RegActivation, *c.RegEntropy).Value.Item())
		if !within(reg, *c.Regularization, 1e-6, 1e-5) {
			t.Errorf("%s regularization: got %v, want %v", name, reg, *c.Regularization)
		}

		if err := l.UpdateGrid(c.XUpdate.tensor()); err != nil {
			t.Errorf("%s UpdateGrid: %v", name, err)
			continue
		}
		compareTensor(t, name+" updated grid", l.Grid, c.UpdatedGrid, 1e-6, 1e-5)
		// A least-squares fit: the solution is as exact as the problem's
		// conditioning allows, in float64 on both sides.
		compareTensor(t, name+" updated spline_weight", l.SplineWeight.Value, c.UpdatedSplineWeight, 1e-4, 1e-4)
		n++
	}
	return n
}
