package train

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/loss"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// Metadata keys of a saved model. The spec travels with the weights so that
// a model file predicts on its own.
const (
	metaFormat   = "bigfunc.format"
	metaSpec     = "bigfunc.spec"
	metaInputs   = "bigfunc.inputs"
	metaScaler   = "bigfunc.scaler"
	metaDecoder  = "bigfunc.decoder"
	metaFeatures = "bigfunc.features"
	metaTargets  = "bigfunc.targets"
	formatV1     = "1"
)

// Model is a network together with everything needed to use it on raw
// data: the spec it came from, the fitted input scaler and the output
// decoder.
type Model struct {
	Spec *spec.Spec
	Net  *nn.Sequential
	// Inputs is the width of the network's input.
	Inputs int
	// Outputs is the width of its output.
	Outputs int
	Scaler  *data.Scaler
	Decoder *data.Decoder
	// FeatureNames and TargetNames are the CSV columns the model reads and
	// writes (TargetNames holds the label column for classification).
	FeatureNames, TargetNames []string
	Loss                      loss.Loss

	// rng drew the initial weights and goes on drawing dropout masks;
	// checkpoints save its state.
	rng *tensor.RNG

	// predict is the graph-free forward pass Predict reuses, guarded by mu.
	mu      sync.Mutex
	predict *fusedStep
}

// NewModel builds the network a spec describes for inputs of the given
// width, initialised from seed.
func NewModel(s *spec.Spec, inputs int, seed uint64) (*Model, error) {
	rng := tensor.NewRNG(seed)
	net, outputs, err := spec.BuildArchitecture(inputs, s.Architecture, rng)
	if err != nil {
		if !strings.HasPrefix(err.Error(), s.Path) {
			err = fmt.Errorf("%s: %w", s.Path, err)
		}
		return nil, err
	}
	lf, err := loss.New(s.Loss.Name, s.Loss.Params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where(s.Path, s.Loss.Where), err)
	}
	return &Model{Spec: s, Net: net, Inputs: inputs, Outputs: outputs, Loss: lf, rng: rng}, nil
}

func where(path, at string) string {
	if at != "" {
		return at
	}
	return path
}

// Predict runs the network on raw features x [N, Inputs] in evaluation
// mode without recording a graph, applying the fitted scaler first.
func (m *Model) Predict(x *tensor.Tensor) (*tensor.Tensor, error) {
	if x.Dims() != 2 || x.Dim(1) != m.Inputs {
		return nil, fmt.Errorf("model expects %d input columns, got shape %v", m.Inputs, x.Shape())
	}
	if m.Scaler != nil {
		var err error
		if x, err = m.Scaler.Transform(x); err != nil {
			return nil, err
		}
	}
	return m.forwardEncoded(x), nil
}

// forwardEncoded runs the network on encoded inputs in evaluation mode.
// It takes the graph-free forward pass where the layers allow, and
// otherwise builds a graph on Const inputs that nothing back-propagates
// through; either way it leaves autograd's process-wide NoGrad switch
// alone, so training in other goroutines is undisturbed.
func (m *Model) forwardEncoded(x *tensor.Tensor) *tensor.Tensor {
	nn.SetTraining(m.Net, false)
	defer nn.SetTraining(m.Net, true)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := x.Dim(0)
	// Large inputs go through in chunks, so the buffers stay small.
	const chunk = 4096
	rows := max(min(n, chunk), 1)
	if m.predict == nil || m.predict.rows < rows {
		m.predict = newForward(m, rows)
	}
	f := m.predict
	if f == nil {
		return m.Net.Forward(autograd.Const(x)).Value
	}
	// The same kernels as the graph, without building one: at batch size
	// 1 the graph's bookkeeping would cost as much as the math.
	out := tensor.Zeros(n, m.Outputs)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		part := x
		if lo > 0 || hi < n {
			part = x.Slice(0, lo, hi)
		}
		f.forward(part)
		copy(out.Data()[lo*m.Outputs:], f.output(hi-lo).Data())
	}
	return out
}

// Params returns the network's parameters under PyTorch state_dict names.
func (m *Model) Params() []nn.Param { return m.Net.Params() }

// file returns the model as a safetensors file: weights under state_dict
// names and the spec, scaler and decoder in the metadata.
func (m *Model) file() (*safetensors.File, error) {
	f := &safetensors.File{Tensors: map[string]*tensor.Tensor{}, Metadata: map[string]string{
		metaFormat: formatV1,
		metaInputs: strconv.Itoa(m.Inputs),
	}}
	for _, p := range m.Params() {
		f.Tensors[p.Name] = p.Value
		f.Order = append(f.Order, p.Name)
	}
	if m.Spec != nil {
		f.Metadata[metaSpec] = string(m.Spec.Raw)
	}
	for key, v := range map[string]any{metaScaler: m.Scaler, metaDecoder: m.Decoder} {
		if v == nil || (key == metaScaler && m.Scaler == nil) || (key == metaDecoder && m.Decoder == nil) {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		f.Metadata[key] = string(b)
	}
	if len(m.FeatureNames) > 0 {
		f.Metadata[metaFeatures] = strings.Join(m.FeatureNames, "\n")
	}
	if len(m.TargetNames) > 0 {
		f.Metadata[metaTargets] = strings.Join(m.TargetNames, "\n")
	}
	return f, nil
}

// Encode writes the model file to w: the bytes Save would write.
func (m *Model) Encode(w io.Writer) error {
	f, err := m.file()
	if err != nil {
		return err
	}
	return safetensors.Encode(w, f)
}

// Save writes the model to path atomically (temporary file, fsync,
// rename).
func (m *Model) Save(path string) error {
	f, err := m.file()
	if err != nil {
		return err
	}
	return safetensors.Save(path, f)
}

// LoadModel reads a model saved by Save: it rebuilds the network from the
// spec in the metadata and fills in the weights.
func LoadModel(path string) (*Model, error) {
	f, err := safetensors.Load(path)
	if err != nil {
		return nil, err
	}
	return modelFromFile(path, f)
}

func modelFromFile(path string, f *safetensors.File) (*Model, error) {
	src, ok := f.Metadata[metaSpec]
	if !ok {
		return nil, fmt.Errorf("%s: not a bigfunc model: the metadata holds no %q (weights alone cannot say what network they belong to)", path, metaSpec)
	}
	s, err := spec.Parse(path+" (embedded spec)", []byte(src))
	if err != nil {
		return nil, err
	}
	// Relative paths in the embedded spec keep meaning relative to the
	// model file.
	s.Path = path
	inputs, err := strconv.Atoi(f.Metadata[metaInputs])
	if err != nil || inputs <= 0 {
		return nil, fmt.Errorf("%s: metadata %q: want a positive integer, got %q", path, metaInputs, f.Metadata[metaInputs])
	}
	m, err := NewModel(s, inputs, 0)
	if err != nil {
		return nil, err
	}
	if err := LoadWeights(m.Net, f, path); err != nil {
		return nil, err
	}
	if js, ok := f.Metadata[metaScaler]; ok {
		m.Scaler = &data.Scaler{}
		if err := json.Unmarshal([]byte(js), m.Scaler); err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %v", path, metaScaler, err)
		}
	}
	if js, ok := f.Metadata[metaDecoder]; ok {
		m.Decoder = &data.Decoder{}
		if err := json.Unmarshal([]byte(js), m.Decoder); err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %v", path, metaDecoder, err)
		}
	}
	if v := f.Metadata[metaFeatures]; v != "" {
		m.FeatureNames = strings.Split(v, "\n")
	}
	if v := f.Metadata[metaTargets]; v != "" {
		m.TargetNames = strings.Split(v, "\n")
	}
	return m, nil
}

// LoadWeights copies the tensors of f into net's parameters, matching
// PyTorch state_dict names. Every parameter must be present with its exact
// shape, and f may hold no other tensors; path names the file in errors.
func LoadWeights(net *nn.Sequential, f *safetensors.File, path string) error {
	params := net.Params()
	want := map[string]bool{}
	for _, p := range params {
		want[p.Name] = true
		t, ok := f.Tensors[p.Name]
		if !ok {
			return fmt.Errorf("%s: missing tensor %q %v that the architecture needs", path, p.Name, p.Value.Shape())
		}
		if !tensor.SameShape(t, p.Value) {
			return fmt.Errorf("%s: tensor %q has shape %v, want %v", path, p.Name, t.Shape(), p.Value.Shape())
		}
	}
	for name := range f.Tensors {
		if !want[name] {
			names := make([]string, len(params))
			for i, p := range params {
				names[i] = p.Name
			}
			return fmt.Errorf("%s: unexpected tensor %q; the architecture has %s", path, name, strings.Join(names, ", "))
		}
	}
	for _, p := range params {
		p.Value.CopyFrom(f.Tensors[p.Name])
	}
	return nil
}
