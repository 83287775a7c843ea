package playground

import (
	"encoding/base64"
	"math"
	"slices"
	"strconv"

	"github.com/bigfunc/bigfunc/tensor"
)

// Resolutions of what a frame carries. They are coarse on purpose: the
// page scales the maps up, and a frame must stay small enough to arrive
// tens of times a second.
const (
	outputGrid  = 40  // the output heat map is outputGrid × outputGrid
	fineGrid    = 100 // … and fineGrid × fineGrid when discretized, whose edge shows every step
	neuronGrid  = 16  // each neuron's heat map (2-D data)
	smallGrid   = 8   // the same for wide layers, whose neurons the page draws small
	wideLayer   = 16  // a layer wider than this makes every neuron map small
	neuronCurve = 48  // samples of each neuron's curve (1-D data)
	curveLen    = 241 // samples of the output curve
	maxKinks    = 512
)

// floats marshals as a JSON array of numbers with four significant digits
// (enough for drawing and reading off weights), NaN and infinities as null.
type floats []float32

// MarshalJSON implements json.Marshaler.
func (f floats) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+8*len(f))
	b = append(b, '[')
	for i, v := range f {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNum(b, float64(v))
	}
	return append(b, ']'), nil
}

// num is a float64 that marshals NaN and infinities as null.
type num float64

// MarshalJSON implements json.Marshaler.
func (n num) MarshalJSON() ([]byte, error) { return appendNum(nil, float64(n)), nil }

func appendNum(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', 4, 32)
}

// frame is what the page draws. Config and Data come only when they
// changed since the versions the page reported.
type frame struct {
	V       uint64 `json:"v"`
	CV      uint64 `json:"cv"`
	DV      uint64 `json:"dv"`
	Epoch   int    `json:"epoch"`
	Playing bool   `json:"playing"`
	Message string `json:"message"`
	// Diverged says the loss stopped being finite: Epoch, Loss and History
	// are those of the last epoch whose losses were finite.
	Diverged bool        `json:"diverged"`
	Loss     lossInfo    `json:"loss"`
	History  historyInfo `json:"history"`
	Layers   []layerInfo `json:"layers"`
	Output   string      `json:"output,omitempty"` // OutGrid² bytes, base64; 2-D data
	OutGrid  int         `json:"outGrid,omitempty"`
	Nodes    [][]string  `json:"nodes"`  // per hidden layer, per unit: base64 bytes
	Grid     int         `json:"grid"`   // side of the neuron maps (2-D) or samples of their curves (1-D)
	Scales   [][]num     `json:"scales"` // what ±1 (byte 0 and 255) stands for in each node map
	Curve    *curveInfo  `json:"curve,omitempty"`
	Params   int         `json:"params"`
	Config   *Config     `json:"config,omitempty"`
	Query    string      `json:"query,omitempty"`
	Data     *dataInfo   `json:"data,omitempty"`
}

type lossInfo struct {
	Train    num `json:"train"`
	Test     num `json:"test"`
	TrainAcc num `json:"trainAcc"`
	TestAcc  num `json:"testAcc"`
}

type historyInfo struct {
	Epochs []int  `json:"epochs"`
	Train  floats `json:"train"`
	Test   floats `json:"test"`
}

// layerInfo is one linear layer: its shape, weights [Out·In] row-major and
// biases [Out]. Pieces > 1 marks a maxout layer, whose unit u owns rows
// u·Pieces … u·Pieces+Pieces−1.
type layerInfo struct {
	In         int    `json:"in"`
	Out        int    `json:"out"`
	Pieces     int    `json:"pieces"`
	Activation string `json:"activation"`
	Weights    floats `json:"w"`
	Biases     floats `json:"b"`
}

// curveInfo is the output along x (1-D data) or along the slice x2 = const
// (2-D regression), with the kinks of the hidden units on it.
type curveInfo struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Slice *num    `json:"slice,omitempty"`
	Fit   floats  `json:"fit"`
	Truth floats  `json:"truth,omitempty"`
	Kinks []kink  `json:"kinks"`
}

// kink is where a hidden unit switches: its pre-activation crosses a
// breakpoint of its activation (0 for ReLU: x = −b/w in the first layer).
type kink struct {
	X     float32 `json:"x"`
	Layer int     `json:"layer"`
	Unit  int     `json:"unit"`
	At    float32 `json:"at"` // the breakpoint crossed
}

// dataInfo is the points and the static pictures of the inputs.
type dataInfo struct {
	Set       *dataSet  `json:"set"`
	Train     floats    `json:"train"` // per point: coordinates, then label or value
	Test      floats    `json:"test"`
	Classes   []string  `json:"classes"`
	YScale    float64   `json:"yScale"`
	Features  []feature `json:"features"`  // every feature of the dimension
	InputMaps []string  `json:"inputMaps"` // per feature: base64 bytes
	Grid      int       `json:"grid"`      // side of neuron maps (2-D) or samples of neuron curves (1-D)
}

// frame builds a frame for a page that knows versions cv and dv. Callers
// hold mu.
func (s *session) frame(cv, dv uint64) *frame {
	p, n := s.prob, s.net
	f := &frame{V: s.version, CV: s.cversion, DV: s.dversion, Epoch: s.epoch, Playing: s.playing,
		Message: s.message, Diverged: s.diverged, Params: n.paramCount()}
	f.Loss = lossInfo{num(s.last.train), num(s.last.test), num(s.last.trainAcc), num(s.last.testAcc)}
	for _, h := range s.history {
		f.History.Epochs = append(f.History.Epochs, h.epoch)
		f.History.Train = append(f.History.Train, float32(h.train))
		f.History.Test = append(f.History.Test, float32(h.test))
	}
	for k, lin := range n.linears {
		li := layerInfo{In: lin.In, Out: lin.Out, Pieces: 1, Activation: "identity",
			Weights: slices.Clone(lin.Weight.Value.Data()), Biases: slices.Clone(lin.Bias.Value.Data())}
		if k < len(n.hidden) {
			li.Pieces = n.hidden[k].pieces
			li.Activation = s.cfg.Layers[k].Activation
		}
		f.Layers = append(f.Layers, li)
	}
	set := p.set
	if set.Dims == 2 {
		f.OutGrid = outputGrid
		if s.cfg.Discretize && !p.regression {
			f.OutGrid = fineGrid
		}
		a := n.forward(p.grid(f.OutGrid))
		f.Output = encodeMap(s.outputValues(a.out), 1)
		f.Grid = neuronGrid
		for _, l := range s.cfg.Layers {
			if l.Units > wideLayer {
				f.Grid = smallGrid
			}
		}
		a = n.forward(p.grid(f.Grid))
		f.Nodes, f.Scales = nodeMaps(n, a, f.Grid*f.Grid)
	} else {
		f.Grid = neuronCurve
		a := n.forward(p.line(neuronCurve, set.Domain[0], set.Domain[1], 0))
		f.Nodes, f.Scales = nodeMaps(n, a, neuronCurve)
	}
	if set.Dims == 1 || set.Regression {
		f.Curve = s.curve()
	}
	if cv != s.cversion {
		c := s.cfg.clone()
		f.Config, f.Query = &c, c.Encode()
	}
	if dv != s.dversion {
		f.Data = p.info()
	}
	return f
}

// outputValues maps the network's outputs to [−1, 1] for colouring: the
// probability of class 1 stretched to ±1 for classification, the value
// over the largest |target| for regression.
func (s *session) outputValues(out []float32) []float32 {
	v := make([]float32, len(out))
	for i, o := range out {
		if s.prob.regression {
			v[i] = float32(float64(o) / s.prob.yScale)
		} else {
			v[i] = float32(2/(1+math.Exp(-float64(o))) - 1)
		}
	}
	return v
}

// nodeMaps encodes every hidden unit's output over the n grid points. A
// unit's map is scaled by the largest |value| when that exceeds 1, so
// unbounded units (ReLU) keep their shape; its scale says so.
func nodeMaps(n *network, a activations, points int) ([][]string, [][]num) {
	maps := make([][]string, len(n.hidden))
	scales := make([][]num, len(n.hidden))
	for k, h := range n.hidden {
		vals := make([]float32, points)
		for u := 0; u < h.units; u++ {
			scale := 1.0
			for i := range points {
				v := a.post[k][i*h.units+u]
				vals[i] = v
				scale = math.Max(scale, math.Abs(float64(v)))
			}
			maps[k] = append(maps[k], encodeMap(vals, scale))
			scales[k] = append(scales[k], num(scale))
		}
	}
	return maps, scales
}

// encodeMap quantises values/scale, clamped to [−1, 1], to bytes 0 to 255
// and returns them in base64.
func encodeMap(vals []float32, scale float64) string {
	b := make([]byte, len(vals))
	for i, v := range vals {
		q := float64(v) / scale
		if math.IsNaN(q) {
			q = 0
		}
		q = math.Max(-1, math.Min(1, q))
		b[i] = byte(math.Round((q + 1) * 127.5))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// curve samples the output along x or the slice, with the kinks.
func (s *session) curve() *curveInfo {
	p, set := s.prob, s.prob.set
	lo, hi := set.Domain[0], set.Domain[1]
	c := &curveInfo{From: lo, To: hi, Kinks: []kink{}}
	slice := 0.0
	if set.Dims == 2 {
		slice = s.cfg.Slice
		v := num(slice)
		c.Slice = &v
	}
	a := s.net.forward(p.line(curveLen, lo, hi, slice))
	for _, o := range a.out {
		if !p.regression {
			// A classifier's curve is the probability of class 1, to
			// compare with labels 0 and 1.
			o = float32(1 / (1 + math.Exp(-float64(o))))
		}
		c.Fit = append(c.Fit, o)
	}
	if set.truth != nil {
		for i := range curveLen {
			c.Truth = append(c.Truth, float32(set.truth(lineX(i, curveLen, lo, hi), slice)))
		}
	}
	for k, h := range s.net.hidden {
		w := h.units * h.pieces
		pre := a.pre[k]
		for u := 0; u < h.units; u++ {
			// value(i) is the quantity whose sign change is a kink, minus
			// the breakpoint.
			check := func(value func(i int) float64, at float64) {
				for i := 0; i+1 < curveLen && len(c.Kinks) < maxKinks; i++ {
					va, vb := value(i), value(i+1)
					if (va < 0) != (vb < 0) && va != vb {
						x0, x1 := lineX(i, curveLen, lo, hi), lineX(i+1, curveLen, lo, hi)
						c.Kinks = append(c.Kinks, kink{X: float32(x0 + (x1-x0)*va/(va-vb)), Layer: k, Unit: u, At: float32(at)})
					}
				}
			}
			if h.pieces > 1 {
				// A maxout unit bends where its two pieces cross.
				check(func(i int) float64 {
					return float64(pre[i*w+u*h.pieces]) - float64(pre[i*w+u*h.pieces+1])
				}, 0)
				continue
			}
			for _, bp := range h.breaks {
				check(func(i int) float64 { return float64(pre[i*w+u]) - bp }, bp)
			}
		}
	}
	return c
}

// lineX is the i-th of n evenly spaced points from lo to hi.
func lineX(i, n int, lo, hi float64) float64 { return lo + (hi-lo)*float64(i)/float64(n-1) }

// grid returns the features of the g×g cell centres of the domain, row 0
// at the top (largest x2).
func (p *problem) grid(g int) *tensor.Tensor {
	d := p.set.Domain
	pts := make([]float32, 0, 2*g*g)
	for r := range g {
		x2 := d[3] - (d[3]-d[2])*(float64(r)+0.5)/float64(g)
		for c := range g {
			x1 := d[0] + (d[1]-d[0])*(float64(c)+0.5)/float64(g)
			pts = append(pts, float32(x1), float32(x2))
		}
	}
	return expand(pts, 2, p.featureFns)
}

// line returns the features of n points from lo to hi along x (1-D) or
// along x1 at x2 = slice (2-D).
func (p *problem) line(n int, lo, hi, slice float64) *tensor.Tensor {
	dims := p.set.Dims
	pts := make([]float32, 0, dims*n)
	for i := range n {
		pts = append(pts, float32(lineX(i, n, lo, hi)))
		if dims == 2 {
			pts = append(pts, float32(slice))
		}
	}
	return expand(pts, dims, p.featureFns)
}

// info returns the points and the input features' pictures.
func (p *problem) info() *dataInfo {
	set := p.set
	d := &dataInfo{Set: set, Classes: p.classes, YScale: p.yScale, Features: featuresFor(set.Dims)}
	if d.Classes == nil {
		d.Classes = []string{"0", "1"}
	}
	flat := func(ds interface {
		Len() int
	}, x, y []float32, labels []int) floats {
		var out floats
		for i := range ds.Len() {
			out = append(out, x[i*set.Dims:(i+1)*set.Dims]...)
			if labels != nil {
				out = append(out, float32(labels[i]))
			} else {
				out = append(out, y[i])
			}
		}
		return out
	}
	yOf := func(t *tensor.Tensor) []float32 {
		if t == nil {
			return nil
		}
		return t.Data()
	}
	d.Train = flat(p.rawTrain, p.rawTrain.X.Data(), yOf(p.rawTrain.Y), p.rawTrain.Labels)
	d.Test = flat(p.rawTest, p.rawTest.X.Data(), yOf(p.rawTest.Y), p.rawTest.Labels)
	var pts []float32
	if set.Dims == 2 {
		d.Grid = neuronGrid
		dm := set.Domain
		for r := range neuronGrid {
			x2 := dm[3] - (dm[3]-dm[2])*(float64(r)+0.5)/neuronGrid
			for c := range neuronGrid {
				pts = append(pts, float32(dm[0]+(dm[1]-dm[0])*(float64(c)+0.5)/neuronGrid), float32(x2))
			}
		}
	} else {
		d.Grid = neuronCurve
		for i := range neuronCurve {
			pts = append(pts, float32(lineX(i, neuronCurve, set.Domain[0], set.Domain[1])))
		}
	}
	for _, f := range d.Features {
		x := expand(pts, set.Dims, []func(x1, x2 float64) float64{f.f}).Data()
		scale := 0.0
		for _, v := range x {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		d.InputMaps = append(d.InputMaps, encodeMap(x, math.Max(scale, 1e-9)))
	}
	return d
}
