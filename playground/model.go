package playground

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// maxoutPieces is the number of linear pieces a maxout unit takes the
// maximum of; its layer's linear part is that many times wider.
const maxoutPieces = 2

// network is a train.Model together with where its parts sit in the
// Sequential, so that frames can read every layer's activations.
type network struct {
	model   *train.Model
	linears []*nn.Linear
	hidden  []hiddenLayer
	outIdx  int // index of the output Linear in Net.Layers
}

// hiddenLayer locates one hidden layer's modules in Net.Layers.
type hiddenLayer struct {
	lin, act int // indices of its Linear and its activation
	end      int // index after its last module (activation or dropout)
	units    int
	pieces   int       // linear outputs per unit: maxoutPieces for maxout, else 1
	breaks   []float64 // pre-activation values where the activation bends
}

// breakpoints returns the inputs at which an activation (with its default
// parameters) is not smooth: where a ReLU-like unit switches. Smooth
// activations have none.
func breakpoints(name string) []float64 {
	switch name {
	case "relu", "leaky_relu", "prelu", "rrelu":
		return []float64{0}
	case "relu6":
		return []float64{0, 6}
	case "hardtanh":
		return []float64{-1, 1}
	case "hardsigmoid", "hardswish":
		return []float64{-3, 3}
	case "softshrink", "hardshrink":
		return []float64{-0.5, 0.5}
	}
	return nil
}

// specText writes the spec of a set-up: the same text builds the network
// here and travels in an exported model, so the two cannot disagree.
// epochs is what the spec's train.epochs says.
func specText(c Config, set *dataSet, epochs int) string {
	var b strings.Builder
	if set.Name == "csv" {
		b.WriteString("# bigfunc playground: an uploaded CSV.\n")
	} else {
		fmt.Fprintf(&b, "# bigfunc playground: %s data, %d points, noise %d%%, seed %d.\n", set.Label, c.Points, c.Noise, c.Seed)
	}
	if c.Init != 0 {
		fmt.Fprintf(&b, "# Its starting weights were drawn with seed %d (the seed below draws the split).\n", c.Init)
	}
	if sc := set.Scaling; len(sc) > 0 {
		b.WriteString("# The uploaded columns were standardized; data.csv holds the standardized values:")
		for _, cs := range sc {
			fmt.Fprintf(&b, " %s = (raw − %s) / %s;", cs.Name, fmtFloat(roundTo(cs.Mean, 6)), fmtFloat(roundTo(cs.Std, 6)))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "input: {csv: data.csv, columns: [%s]}\n", strings.Join(c.Features, ", "))
	if set.Regression {
		b.WriteString("output: {columns: [y]}\n")
	} else {
		b.WriteString("output: {label: label}\n")
	}
	b.WriteString("architecture:\n")
	for _, l := range c.Layers {
		if l.Activation == "maxout" {
			fmt.Fprintf(&b, "  - {linear: %d}\n  - {maxout: %d}\n", l.Units*maxoutPieces, maxoutPieces)
		} else {
			fmt.Fprintf(&b, "  - {linear: %d}\n  - %s\n", l.Units, l.Activation)
		}
		if l.Dropout > 0 {
			fmt.Fprintf(&b, "  - {dropout: %s}\n", fmtFloat(l.Dropout))
		}
	}
	b.WriteString("  - {linear: 1}\n")
	if set.Regression {
		b.WriteString("loss: mse\n")
	} else {
		b.WriteString("loss: bce_with_logits\n")
	}
	reg := ""
	if p := penalty(c); p.L1 > 0 {
		reg = ", l1: " + fmtFloat(p.L1)
	} else if p.L2 > 0 {
		reg = ", l2: " + fmtFloat(p.L2)
	}
	fmt.Fprintf(&b, "optimizer: {name: %s, lr: %s%s}\n", c.Optimizer, fmtFloat(c.LR), reg)
	fmt.Fprintf(&b, "train: {epochs: %d, batch_size: %d, seed: %d, validation: %s}\n",
		max(epochs, 1), c.Batch, c.Seed, fmtFloat(float64(100-c.TrainRatio)/100))
	return b.String()
}

// buildNetwork builds the network of c for the problem p, initialised from
// c's init seed as `bigfunc train` would, then overwritten by the preset's weights
// and the hand edits.
func buildNetwork(c Config, p *problem) (*network, error) {
	s, err := spec.Parse("playground.yaml", []byte(specText(c, p.set, 1)))
	if err != nil {
		return nil, err
	}
	m, err := train.NewModel(s, []int{len(c.Features)}, c.initSeed())
	if err != nil {
		return nil, err
	}
	m.FeatureNames = append([]string(nil), c.Features...)
	kind := data.Identity
	m.TargetNames = []string{"y"}
	if !p.set.Regression {
		kind = data.Sigmoid
		m.TargetNames = []string{"label"}
	}
	if m.Decoder, err = data.NewDecoder(string(kind), p.classes); err != nil {
		return nil, err
	}
	n := &network{model: m}
	layers := m.Net.Layers
	i := 0
	for _, l := range c.Layers {
		h := hiddenLayer{lin: i, act: i + 1, units: l.Units, pieces: 1, breaks: breakpoints(l.Activation)}
		if _, ok := layers[h.act].(*activation.Maxout); ok {
			h.pieces = maxoutPieces
		}
		i += 2
		if l.Dropout > 0 {
			i++
		}
		h.end = i
		n.hidden = append(n.hidden, h)
	}
	n.outIdx = i
	for _, l := range layers {
		if lin, ok := l.(*nn.Linear); ok {
			n.linears = append(n.linears, lin)
		}
	}
	if len(n.linears) != len(c.Layers)+1 || n.outIdx != len(layers)-1 {
		return nil, fmt.Errorf("playground: unexpected network layout (%d linear layers of %d modules)", len(n.linears), len(layers))
	}
	if pr := presetByName(c.Preset); pr != nil && pr.fits(&c) {
		for k, lin := range n.linears {
			lin.Weight.Value.CopyFrom(tensor.New(append([]float32(nil), pr.weights[k]...), lin.Out, lin.In))
			lin.Bias.Value.CopyFrom(tensor.New(append([]float32(nil), pr.biases[k]...), lin.Out))
		}
	}
	for _, e := range c.Edits {
		_ = n.set(e)
	}
	return n, nil
}

// set writes one weight or bias.
func (n *network) set(e Edit) error {
	if e.Layer < 0 || e.Layer >= len(n.linears) {
		return fmt.Errorf("no linear layer %d (the network has %d)", e.Layer, len(n.linears))
	}
	if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) || math.Abs(e.Value) > 1e6 {
		return fmt.Errorf("value %v: want a finite number of magnitude at most 1e6", e.Value)
	}
	lin := n.linears[e.Layer]
	if e.Row < 0 || e.Row >= lin.Out {
		return fmt.Errorf("layer %d has units 0 to %d, not %d", e.Layer, lin.Out-1, e.Row)
	}
	if e.Bias {
		lin.Bias.Value.Data()[e.Row] = float32(e.Value)
		return nil
	}
	if e.Col < 0 || e.Col >= lin.In {
		return fmt.Errorf("layer %d has inputs 0 to %d, not %d", e.Layer, lin.In-1, e.Col)
	}
	lin.Weight.Value.Data()[e.Row*lin.In+e.Col] = float32(e.Value)
	return nil
}

// activations holds one forward pass over a batch of points: for every
// hidden layer its pre-activations [N, units·pieces] and outputs
// [N, units], and the network's output [N].
type activations struct {
	pre, post [][]float32
	out       []float32
}

// forward runs x through the network in evaluation mode, keeping every
// hidden layer's values.
func (n *network) forward(x *tensor.Tensor) activations {
	net := n.model.Net
	var a activations
	v := autograd.Const(x)
	for _, h := range n.hidden {
		v = net.Layers[h.lin].Forward(v, nn.Eval)
		a.pre = append(a.pre, v.Value.Data())
		for j := h.act; j < h.end; j++ {
			v = net.Layers[j].Forward(v, nn.Eval)
		}
		a.post = append(a.post, v.Value.Data())
	}
	v = net.Layers[n.outIdx].Forward(v, nn.Eval)
	a.out = v.Value.Data()
	return a
}

// output returns the network's output for x, in evaluation mode.
func (n *network) output(x *tensor.Tensor) *autograd.Var {
	return n.model.Net.Forward(autograd.Const(x), nn.Eval)
}

// paramCount returns the number of trainable values.
func (n *network) paramCount() int {
	t := 0
	for _, p := range n.model.Params() {
		t += p.Value.Len()
	}
	return t
}
