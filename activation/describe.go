package activation

import (
	"fmt"

	"github.com/bigfunc/bigfunc/nn"
)

// The layer protocol for every activation: Describe reads Name and Config,
// and an activation keeps its input's shape unless it says otherwise
// (Maxout, PReLU).

// Describe returns the activation's name and parameters.
func (l *IdentityLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*IdentityLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *ReLULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*ReLULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *LeakyReLULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*LeakyReLULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *ELULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*ELULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SELULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SELULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *CELULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*CELULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *GELULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*GELULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SigmoidLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SigmoidLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *TanhLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*TanhLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SoftplusLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SoftplusLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SoftsignLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SoftsignLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SiLULayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SiLULayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *MishLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*MishLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *HardtanhLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*HardtanhLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *ReLU6Layer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*ReLU6Layer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *HardsigmoidLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*HardsigmoidLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *HardswishLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*HardswishLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *LogSigmoidLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*LogSigmoidLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *TanhshrinkLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*TanhshrinkLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SoftshrinkLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SoftshrinkLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *HardshrinkLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*HardshrinkLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *SoftmaxLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*SoftmaxLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *LogSoftmaxLayer) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*LogSoftmaxLayer) OutShape(in []int) ([]int, error) { return in, nil }

// Describe returns the activation's name and parameters.
func (l *Maxout) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// Describe returns the activation's name and parameters.
func (l *PReLU) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// Describe returns the activation's name and parameters.
func (l *RReLU) Describe() nn.Desc { return nn.Desc{Op: l.Name(), Config: l.Config()} }

// OutShape returns in: the activation keeps the shape.
func (*RReLU) OutShape(in []int) ([]int, error) { return in, nil }

// OutShape divides the last dimension by Pieces, which must divide it.
func (m *Maxout) OutShape(in []int) ([]int, error) {
	if len(in) == 0 || in[len(in)-1]%m.Pieces != 0 {
		return nil, fmt.Errorf("maxout: the last dimension of %v is not a multiple of pieces %d", in, m.Pieces)
	}
	out := append([]int(nil), in...)
	out[len(out)-1] /= m.Pieces
	return out, nil
}

// OutShape returns in, whose channel dimension (the first of a sample)
// must match the number of slopes unless there is one.
func (p *PReLU) OutShape(in []int) ([]int, error) {
	if n := p.Weight.Value.Len(); n != 1 && (len(in) == 0 || in[0] != n) {
		return nil, fmt.Errorf("prelu: num_parameters must be 1 or the channel count of %v, got %d", in, n)
	}
	return in, nil
}
