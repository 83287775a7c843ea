package gan

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// Metadata keys of a generator file, beside the weights. The architecture
// and input shape use the keys of every bigfunc model file.
const (
	metaFormat       = "bigfunc.format"
	metaArchitecture = "bigfunc.architecture"
	metaInputShape   = "bigfunc.input_shape"
	metaGenerator    = "bigfunc.gan"
	metaScaler       = "bigfunc.scaler"
)

// Generator is a trained generator with what sampling from it takes: the
// latent size and distribution, the shape and names of the values it
// makes, and the data's fitted scaler, through which samples are mapped
// back to the data's units.
type Generator struct {
	Net          *nn.Sequential
	Latent       int
	Distribution Distribution
	// Shape is the per-sample shape of a sample: [2] for ring8,
	// [1, 28, 28] for MNIST.
	Shape []int
	// Columns names the values of a sample, as the data's feature
	// columns (x1, x2 for 2-D sets); it may be empty.
	Columns []string
	Scaler  *data.Scaler // nil: samples are in the data's units
	// Spec is the text of the spec the generator was trained from, if any.
	Spec []byte
}

// generatorMeta is the bigfunc.gan metadata.
type generatorMeta struct {
	Latent       int      `json:"latent"`
	Distribution string   `json:"distribution"`
	Shape        []int    `json:"shape"`
	Columns      []string `json:"columns,omitempty"`
	Spec         string   `json:"spec,omitempty"`
}

// Sample draws n samples in evaluation mode from latents drawn with rng,
// and returns them as [n, features] in the data's units.
func (g *Generator) Sample(n int, rng *tensor.RNG) (*tensor.Tensor, error) {
	if n < 1 {
		return nil, fmt.Errorf("gan: %d samples, want at least 1", n)
	}
	z := tensor.Zeros(n, g.Latent)
	g.Distribution.Draw(z.Data(), rng)
	x := forward(g.Net, []int{g.Latent}, z, nn.Eval).Reshape(n, nn.Size(g.Shape))
	if g.Scaler != nil {
		return g.Scaler.Inverse(x)
	}
	return x, nil
}

// forward runs net on x in mode m without recording a graph: through its
// kernels when it has them, else as a graph nothing back-propagates.
func forward(net *nn.Sequential, in []int, x *tensor.Tensor, m nn.Mode) *tensor.Tensor {
	n := x.Dim(0)
	out, _ := net.OutShape(in)
	if k := nn.Fuse(net, in, n); k != nil {
		y := tensor.Zeros(batch(n, out)...)
		k.Forward(y.Data(), x.Data(), n, m)
		return y
	}
	return net.Forward(autograd.Const(x.Reshape(batch(n, in)...)), m).Value
}

// Save writes the generator to path atomically: its weights under PyTorch
// state_dict names, its architecture, and the bigfunc.gan metadata.
func (g *Generator) Save(path string) error {
	arch, err := json.Marshal(nn.Architecture(g.Net.Layers))
	if err != nil {
		return err
	}
	shape, _ := json.Marshal([]int{g.Latent})
	meta, err := json.Marshal(generatorMeta{Latent: g.Latent, Distribution: string(g.Distribution), Shape: g.Shape, Columns: g.Columns, Spec: string(g.Spec)})
	if err != nil {
		return err
	}
	f := &safetensors.File{Tensors: map[string]*tensor.Tensor{}, Int64: map[string]bool{}, Metadata: map[string]string{
		metaFormat:       "1",
		metaArchitecture: string(arch),
		metaInputShape:   string(shape),
		metaGenerator:    string(meta),
	}}
	for _, p := range g.Net.Params() {
		f.Tensors[p.Name] = p.Value
		f.Order = append(f.Order, p.Name)
	}
	for _, b := range g.Net.Buffers() {
		f.Tensors[b.Name] = b.Value
		f.Order = append(f.Order, b.Name)
		f.Int64[b.Name] = b.Int64
	}
	if g.Scaler != nil {
		b, err := json.Marshal(g.Scaler)
		if err != nil {
			return err
		}
		f.Metadata[metaScaler] = string(b)
	}
	return safetensors.Save(path, f)
}

// LoadGenerator reads a generator saved by Save.
func LoadGenerator(path string) (*Generator, error) {
	f, err := safetensors.Load(path)
	if err != nil {
		return nil, err
	}
	raw, ok := f.Metadata[metaGenerator]
	if !ok {
		return nil, fmt.Errorf("%s: not a GAN generator (no %q metadata); train one from a spec with a gan section", path, metaGenerator)
	}
	var m generatorMeta
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("%s: metadata %q: %v", path, metaGenerator, err)
	}
	dist, err := ParseDistribution(m.Distribution)
	if err != nil {
		return nil, fmt.Errorf("%s: metadata %q: %v", path, metaGenerator, err)
	}
	if m.Latent < 1 || m.Latent > 1<<20 || len(m.Shape) == 0 || len(m.Shape) > 4 || (len(m.Columns) > 0 && len(m.Columns) != nn.Size(m.Shape)) {
		return nil, fmt.Errorf("%s: metadata %q: want a latent size ≥ 1, a sample shape of 1 to 4 sizes and a name per value, got %s", path, metaGenerator, raw)
	}
	for _, d := range m.Shape {
		if d < 1 || d > 1<<20 {
			return nil, fmt.Errorf("%s: metadata %q: sample shape %v, want positive sizes", path, metaGenerator, m.Shape)
		}
	}
	var items []any
	if err := json.Unmarshal([]byte(f.Metadata[metaArchitecture]), &items); err != nil {
		return nil, fmt.Errorf("%s: metadata %q: want a JSON list of layers: %v", path, metaArchitecture, err)
	}
	layers, err := spec.ParseArchitecture(items)
	if err != nil {
		return nil, fmt.Errorf("%s: metadata %q: %w", path, metaArchitecture, err)
	}
	net, out, err := spec.BuildArchitecture([]int{m.Latent}, layers, tensor.NewRNG(0))
	if err != nil {
		return nil, fmt.Errorf("%s: metadata %q: %w", path, metaArchitecture, err)
	}
	if !slices.Equal(out, m.Shape) {
		return nil, fmt.Errorf("%s: the architecture makes samples of shape %v, the metadata says %v", path, out, m.Shape)
	}
	if err := train.LoadWeights(net, f, path); err != nil {
		return nil, err
	}
	g := &Generator{Net: net, Latent: m.Latent, Distribution: dist, Shape: m.Shape, Columns: m.Columns}
	if m.Spec != "" {
		g.Spec = []byte(m.Spec)
	}
	if js, ok := f.Metadata[metaScaler]; ok {
		g.Scaler = &data.Scaler{}
		if err := json.Unmarshal([]byte(js), g.Scaler); err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %v", path, metaScaler, err)
		}
		if f := g.Scaler.Features(); f >= 0 && f != nn.Size(m.Shape) {
			return nil, fmt.Errorf("%s: metadata %q: the scaler has %d features, samples have %d values", path, metaScaler, g.Scaler.Features(), nn.Size(m.Shape))
		}
	}
	return g, nil
}
