package train

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
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

// Metadata keys of a saved model. The architecture travels with the
// weights so that a model file predicts on its own; the spec, when the
// model came from one, rides along.
const (
	metaFormat       = "bigfunc.format"
	metaSpec         = "bigfunc.spec"
	metaArchitecture = "bigfunc.architecture"
	metaInputShape   = "bigfunc.input_shape"
	metaLoss         = "bigfunc.loss"
	metaInputs       = "bigfunc.inputs"
	metaScaler       = "bigfunc.scaler"
	metaDecoder      = "bigfunc.decoder"
	metaFeatures     = "bigfunc.features"
	metaTargets      = "bigfunc.targets"
	metaVocab        = "bigfunc.vocab"
	metaQuantized    = "bigfunc.quantized"
	formatV1         = "1"
)

// Model is a network together with everything needed to use it on raw
// data: the fitted input scaler, the output decoder, the loss it trains
// with, and the spec it came from, if any.
type Model struct {
	Spec *spec.Spec // nil for a network built in Go
	Net  *nn.Sequential
	// InputShape is the per-sample shape the network takes: [features]
	// for a table, [C, H, W] for images. Inputs is its size.
	InputShape []int
	Inputs     int
	// Outputs is the size of the network's per-sample output.
	Outputs int
	Scaler  *data.Scaler
	Decoder *data.Decoder
	// FeatureNames and TargetNames are the CSV columns the model reads and
	// writes (TargetNames holds the label column for classification).
	FeatureNames, TargetNames []string
	Loss                      loss.Loss
	// LossName and LossParams say how to build Loss again on loading.
	LossName   string
	LossParams map[string]any
	// Vocab is the tokenizer of a sequence model, which maps a sequence of
	// Positions token ids to [Positions, vocabulary] scores for the next
	// token at each position; nil and 0 for other models.
	Vocab     *data.Vocab
	Positions int
	// Quantized is "int8" for a model whose weights were quantized
	// (package quant), which predicts but does not train, and "" for a
	// float32 model.
	Quantized string

	// rng drew the initial weights and goes on drawing dropout masks;
	// checkpoints save its state.
	rng *tensor.RNG

	// forwards holds graph-free forward passes for Predict, one per
	// concurrent caller.
	forwards sync.Pool
	fwdRows  int
}

// NewModel builds the network a spec describes for samples of the
// per-sample shape in, initialised from seed.
func NewModel(s *spec.Spec, in []int, seed uint64) (*Model, error) {
	rng := tensor.NewRNG(seed)
	net, _, err := spec.BuildArchitecture(in, s.Architecture, rng)
	if err != nil {
		if !strings.HasPrefix(err.Error(), s.Path) {
			err = fmt.Errorf("%s: %w", s.Path, err)
		}
		return nil, err
	}
	m, err := FromNet(net, in, s.Loss.Name, s.Loss.Params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where(s.Path, s.Loss.Where), err)
	}
	m.Spec, m.rng = s, rng
	return m, nil
}

// FromNet wraps a network built in Go as a Model for samples of the
// per-sample shape in, trained with the loss lossName (loss.New's names
// and parameters). Such a model saves, loads back, inspects and draws like
// one built from a spec.
func FromNet(net *nn.Sequential, in []int, lossName string, lossParams map[string]any) (*Model, error) {
	out, err := net.OutShape(in)
	if err != nil {
		return nil, fmt.Errorf("architecture: %w", err)
	}
	lf, err := loss.New(lossName, lossParams)
	if err != nil {
		return nil, err
	}
	if err := checkLossFits(net, lossName); err != nil {
		return nil, err
	}
	return &Model{
		Net: net, InputShape: append([]int(nil), in...), Inputs: nn.Size(in), Outputs: nn.Size(out),
		Loss: lf, LossName: lossName, LossParams: lossParams, rng: tensor.NewRNG(0),
	}, nil
}

// setVocab reads a saved vocabulary and makes m a sequence model, after
// checking that its network maps [T] token ids to [T, vocabulary].
func (m *Model) setVocab(js string) error {
	v := &data.Vocab{}
	if err := json.Unmarshal([]byte(js), v); err != nil {
		return err
	}
	if err := v.Check(); err != nil {
		return err
	}
	return m.makeSequence(v)
}

// makeSequence makes m the sequence model of vocabulary v.
func (m *Model) makeSequence(v *data.Vocab) error {
	out, err := m.Net.OutShape(m.InputShape)
	if err != nil {
		return err
	}
	if len(m.InputShape) != 1 || len(out) != 2 || out[0] != m.InputShape[0] || out[1] != v.Size() {
		return fmt.Errorf("a sequence model maps [T] token ids to [T, %d] scores (end it with linear: vocab), but this one maps %v to %v", v.Size(), m.InputShape, out)
	}
	m.Vocab, m.Positions = v, m.InputShape[0]
	return nil
}

// RNG returns the generator that drew the initial weights and draws the
// training-mode randomness (dropout masks) of the model's training loop.
func (m *Model) RNG() *tensor.RNG { return m.rng }

// probabilityOps are the layers whose outputs always lie in [0, 1].
var probabilityOps = []string{"sigmoid", "hardsigmoid", "softmax"}

// checkLossFits rejects a loss that the network's output cannot feed: bce
// takes probabilities, which an unbounded last layer does not give, and
// would otherwise fail in the middle of training.
func checkLossFits(net *nn.Sequential, lossName string) error {
	if lossName != "bce" {
		return nil
	}
	last := "nothing"
	if n := len(net.Layers); n > 0 {
		last = net.Layers[n-1].Describe().Op
	}
	if !slices.Contains(probabilityOps, last) {
		return fmt.Errorf("loss bce needs probabilities in [0, 1], but the architecture ends with %s; end it with sigmoid, or use loss bce_with_logits on the raw output", last)
	}
	return nil
}

func where(path, at string) string {
	if at != "" {
		return at
	}
	return path
}

// Predict runs the network on raw features x [N, Inputs] in evaluation
// mode without recording a graph, applying the fitted scaler first. It is
// safe for concurrent use: each call runs on buffers of its own, and the
// mode is passed in rather than set on the layers.
func (m *Model) Predict(x *tensor.Tensor) (*tensor.Tensor, error) {
	if x.Dims() != 2 || x.Dim(1) != m.Inputs {
		return nil, fmt.Errorf("model expects %d input columns, got shape %v", m.Inputs, x.Shape())
	}
	// A scaler of kind none would only copy x; the forward pass reads x
	// without writing it, so the copy is skipped.
	if m.Scaler != nil && m.Scaler.Kind() != data.ScaleNone {
		var err error
		if x, err = m.Scaler.Transform(x); err != nil {
			return nil, err
		}
	}
	return m.forwardEncoded(x), nil
}

// predictChunk returns how many samples one forward pass of Predict
// takes: up to 4096, fewer when the network's activations are large, so
// that the buffers stay near predictBudget, and no more than the batch of
// a Trainer built on m (see limitPredictChunk).
func (m *Model) predictChunk() int {
	if m.fwdRows == 0 {
		m.fwdRows = m.budgetRows()
	}
	return m.fwdRows
}

// predictBudget bounds, in floats, the activations one forward pass of
// Predict keeps: 16 MiB. Larger chunks run no faster (the layers' own
// products are blocked far below this) and only add to the peak memory.
const predictBudget = 4 << 20

// budgetRows is the chunk that fits the network's activations, one
// buffer per layer output (a forward-only pass holds no gradients), in
// predictBudget.
func (m *Model) budgetRows() int {
	per := 0
	if shapes, err := m.Net.Shapes(m.InputShape); err == nil {
		for _, s := range shapes {
			per += nn.Size(s)
		}
	}
	return max(1, min(4096, predictBudget/max(per, 1)))
}

// limitPredictChunk caps Predict's chunk at the training batch, so that
// evaluating while training holds no larger buffers than the training
// step does.
func (m *Model) limitPredictChunk(batch int) {
	if batch > 0 {
		m.fwdRows = min(m.predictChunk(), batch)
	}
}

// forwardEncoded runs the network on encoded inputs [N, Inputs] in
// evaluation mode and returns [N, Outputs]. It takes the graph-free
// kernels where the layers have them, and otherwise builds a graph that
// nothing back-propagates through.
func (m *Model) forwardEncoded(x *tensor.Tensor) *tensor.Tensor {
	n := x.Dim(0)
	chunk := m.predictChunk()
	f, _ := m.forwards.Get().(*fusedStep)
	if f == nil {
		f = newForward(m, chunk)
	}
	if f == nil {
		in := x.Reshape(append([]int{n}, m.InputShape...)...)
		return m.Net.Forward(autograd.Const(in), nn.Eval).Value.Reshape(n, m.Outputs)
	}
	defer m.forwards.Put(f)
	// The same kernels as the graph, without building one: at batch size
	// 1 the graph's bookkeeping would cost as much as the math.
	out := tensor.Zeros(n, m.Outputs)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		// The rows in place, not a copy made by Slice.
		f.net.Forward(f.y[:(hi-lo)*f.out], x.Data()[lo*m.Inputs:hi*m.Inputs], hi-lo, nn.Eval)
		copy(out.Data()[lo*m.Outputs:], f.output(hi-lo).Data())
	}
	return out
}

// Params returns the network's parameters under PyTorch state_dict names.
func (m *Model) Params() []nn.Param { return m.Net.Params() }

// file returns the model as a safetensors file: weights under state_dict
// names and the spec, scaler and decoder in the metadata.
func (m *Model) file() (*safetensors.File, error) {
	arch, err := json.Marshal(nn.Architecture(m.Net.Layers))
	if err != nil {
		return nil, err
	}
	shape, _ := json.Marshal(m.InputShape)
	lossJSON, err := json.Marshal(map[string]any{"name": m.LossName, "params": m.LossParams})
	if err != nil {
		return nil, err
	}
	f := &safetensors.File{Tensors: map[string]*tensor.Tensor{}, Metadata: map[string]string{
		metaFormat:       formatV1,
		metaInputs:       strconv.Itoa(m.Inputs),
		metaInputShape:   string(shape),
		metaArchitecture: string(arch),
		metaLoss:         string(lossJSON),
	}}
	for _, p := range m.Params() {
		f.Tensors[p.Name] = p.Value
		f.Order = append(f.Order, p.Name)
	}
	for _, b := range m.Net.Buffers() {
		f.Tensors[b.Name] = b.Value
		f.Order = append(f.Order, b.Name)
		if b.Int64 {
			if f.Int64 == nil {
				f.Int64 = map[string]bool{}
			}
			f.Int64[b.Name] = true
		}
		if b.Int8 {
			if f.Int8 == nil {
				f.Int8 = map[string]bool{}
			}
			f.Int8[b.Name] = true
		}
	}
	if m.Quantized != "" {
		f.Metadata[metaQuantized] = m.Quantized
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
	if m.Vocab != nil {
		b, err := json.Marshal(m.Vocab)
		if err != nil {
			return nil, err
		}
		f.Metadata[metaVocab] = string(b)
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
	var s *spec.Spec
	if src, ok := f.Metadata[metaSpec]; ok {
		var err error
		if s, err = spec.Parse(path+" (embedded spec)", []byte(src)); err != nil {
			return nil, err
		}
		// Relative paths in the embedded spec keep meaning relative to the
		// model file.
		s.Path = path
	}
	arch, hasArch := f.Metadata[metaArchitecture]
	if s == nil && !hasArch {
		return nil, fmt.Errorf("%s: not a bigfunc model: the metadata holds neither %q nor %q (weights alone cannot say what network they belong to)", path, metaArchitecture, metaSpec)
	}
	shape, err := inputShapeOf(path, f.Metadata)
	if err != nil {
		return nil, err
	}
	var m *Model
	if !hasArch {
		// Files written before the architecture was saved on its own.
		if m, err = NewModel(s, shape, 0); err != nil {
			return nil, err
		}
	} else {
		var items []any
		if err := json.Unmarshal([]byte(arch), &items); err != nil {
			return nil, fmt.Errorf("%s: metadata %q: want a JSON list of layers: %v", path, metaArchitecture, err)
		}
		layers, err := spec.ParseArchitecture(items)
		if err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %w", path, metaArchitecture, err)
		}
		net, _, err := spec.BuildArchitecture(shape, layers, tensor.NewRNG(0))
		if err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %w", path, metaArchitecture, err)
		}
		var lc struct {
			Name   string         `json:"name"`
			Params map[string]any `json:"params"`
		}
		if s != nil {
			lc.Name, lc.Params = s.Loss.Name, s.Loss.Params
		} else if err := json.Unmarshal([]byte(f.Metadata[metaLoss]), &lc); err != nil {
			return nil, fmt.Errorf("%s: metadata %q: want {\"name\": …, \"params\": …}: %v", path, metaLoss, err)
		}
		if m, err = FromNet(net, shape, lc.Name, lc.Params); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m.Spec = s
	}
	if err := LoadWeights(m.Net, f, path); err != nil {
		return nil, err
	}
	if q, ok := f.Metadata[metaQuantized]; ok {
		if q != "int8" {
			return nil, fmt.Errorf("%s: metadata %q: want \"int8\", got %q", path, metaQuantized, q)
		}
		m.Quantized = q
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
	if js, ok := f.Metadata[metaVocab]; ok {
		if err := m.setVocab(js); err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %w", path, metaVocab, err)
		}
	}
	return m, nil
}

// inputShapeOf reads the per-sample input shape from a model file's
// metadata: bigfunc.input_shape, or for older files the width
// bigfunc.inputs.
func inputShapeOf(path string, meta map[string]string) ([]int, error) {
	if js, ok := meta[metaInputShape]; ok {
		var shape []int
		err := json.Unmarshal([]byte(js), &shape)
		valid := err == nil && len(shape) > 0 && len(shape) <= 8
		for _, d := range shape {
			valid = valid && d > 0 && d <= 1<<24
		}
		if !valid {
			return nil, fmt.Errorf("%s: metadata %q: want a list of positive sizes such as [1, 28, 28], got %q", path, metaInputShape, js)
		}
		return shape, nil
	}
	inputs, err := strconv.Atoi(meta[metaInputs])
	if err != nil || inputs <= 0 {
		return nil, fmt.Errorf("%s: metadata %q: want a positive integer, got %q", path, metaInputs, meta[metaInputs])
	}
	return []int{inputs}, nil
}

// LoadWeights copies the tensors of f into net's parameters and buffers,
// matching PyTorch state_dict names. Every parameter and buffer must be
// present with its exact shape, and f may hold no other tensors; path
// names the file in errors.
func LoadWeights(net *nn.Sequential, f *safetensors.File, path string) error {
	type slot struct {
		name string
		t    *tensor.Tensor
	}
	var slots []slot
	for _, p := range net.Params() {
		slots = append(slots, slot{p.Name, p.Value})
	}
	for _, b := range net.Buffers() {
		slots = append(slots, slot{b.Name, b.Value})
	}
	want := map[string]bool{}
	for _, s := range slots {
		want[s.name] = true
		t, ok := f.Tensors[s.name]
		if !ok {
			return fmt.Errorf("%s: missing tensor %q %v that the architecture needs", path, s.name, s.t.Shape())
		}
		if !tensor.SameShape(t, s.t) {
			return fmt.Errorf("%s: tensor %q has shape %v, want %v", path, s.name, t.Shape(), s.t.Shape())
		}
	}
	for name := range f.Tensors {
		if !want[name] {
			names := make([]string, len(slots))
			for i, s := range slots {
				names[i] = s.name
			}
			return fmt.Errorf("%s: unexpected tensor %q; the architecture has %s", path, name, strings.Join(names, ", "))
		}
	}
	for _, s := range slots {
		s.t.CopyFrom(f.Tensors[s.name])
	}
	// Layers that pack their weights (int8) do so now, and check them.
	if err := nn.Prepare(net); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// IsQuantized reports whether the model file f holds a quantized model,
// and of which kind ("int8").
func IsQuantized(f *safetensors.File) (string, bool) {
	q, ok := f.Metadata[metaQuantized]
	return q, ok
}

// checkTrainable refuses a network with int8 layers: they have no
// gradients, so training would silently leave them as they are.
func checkTrainable(m *Model) error {
	if m.Quantized != "" {
		return fmt.Errorf("the model is quantized to %s: it predicts but does not train; train the float32 model and quantize it again", m.Quantized)
	}
	for _, b := range m.Net.Buffers() {
		if b.Int8 {
			return fmt.Errorf("tensor %q is int8: a network with int8 layers predicts but does not train; train the float32 model and quantize it", b.Name)
		}
	}
	return nil
}
