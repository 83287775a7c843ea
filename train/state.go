package train

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

// The helpers here are the parts of a checkpoint that every loop which
// saves one (this package's, the GAN trainer's, the contrastive one's)
// writes the same way: a generator of randomness as text, a network's
// tensors and an optimizer's state under a name prefix, and the learning
// rate schedule a spec asks for.

// RNGText returns r's state as text (base64 of RNG.MarshalBinary), fit for
// a checkpoint's JSON metadata.
func RNGText(r *tensor.RNG) (string, error) {
	b, err := r.MarshalBinary()
	return base64.StdEncoding.EncodeToString(b), err
}

// SetRNGText restores into r a state RNGText wrote.
func SetRNGText(r *tensor.RNG, s string) error {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return r.UnmarshalBinary(b)
}

// AddTensor appends v to f under name, keeping f's order of writing, and
// marks it int64 on disk when i64 is set.
func AddTensor(f *safetensors.File, name string, v *tensor.Tensor, i64 bool) {
	if f.Tensors == nil {
		f.Tensors = map[string]*tensor.Tensor{}
	}
	f.Tensors[name] = v
	f.Order = append(f.Order, name)
	if i64 {
		if f.Int64 == nil {
			f.Int64 = map[string]bool{}
		}
		f.Int64[name] = true
	}
}

// AddNetwork appends net's parameters and then its buffers to f, each
// under prefix and its state_dict name.
func AddNetwork(f *safetensors.File, prefix string, net *nn.Sequential) {
	for _, p := range net.Params() {
		AddTensor(f, prefix+p.Name, p.Value, false)
	}
	for _, b := range net.Buffers() {
		AddTensor(f, prefix+b.Name, b.Value, b.Int64)
	}
}

// AddOptimizerState appends opt's state to f under prefix, in sorted
// order of its keys, so that the same state writes the same file.
func AddOptimizerState(f *safetensors.File, prefix string, opt optim.Optimizer) {
	state := opt.State()
	keys := make([]string, 0, len(state))
	for k := range state {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		AddTensor(f, prefix+k, state[k], false)
	}
}

// TakeState restores net and opt from the tensors of f under prefix:
// names under prefix+optPrefix are the optimizer's state, the rest the
// network's weights and buffers. It removes what it took from f.Tensors, so
// that a caller can refuse what no network claimed. what names the file
// (and part) in errors.
func TakeState(f *safetensors.File, prefix, optPrefix string, net *nn.Sequential, opt optim.Optimizer, what string) error {
	weights := &safetensors.File{Tensors: map[string]*tensor.Tensor{}}
	state := map[string]*tensor.Tensor{}
	for name, v := range f.Tensors {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		if k, ok := strings.CutPrefix(rest, optPrefix); ok {
			state[k] = v
		} else {
			weights.Tensors[rest] = v
		}
		delete(f.Tensors, name)
	}
	if err := LoadWeights(net, weights, what); err != nil {
		return err
	}
	if err := opt.LoadState(state); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// SpecSchedule returns the learning rate schedule that s's
// train.schedule names, nil when it names none. reduce_on_plateau, which
// watches a loss and steps one optimizer, is built only when opt is not
// nil, and returned as the second result; with opt nil it is an error that
// says so. Errors name the spec's line.
func SpecSchedule(s *spec.Spec, opt optim.Optimizer) (optim.Schedule, *optim.ReduceLROnPlateau, error) {
	sc := s.Train.Schedule
	if sc == nil {
		return nil, nil, nil
	}
	if sc.Name == "reduce_on_plateau" {
		if opt == nil {
			return nil, nil, fmt.Errorf("%s: train.schedule: reduce_on_plateau watches one network's loss and is not supported here; use a schedule by epoch", where(s.Path, sc.Where))
		}
		pc, err := optim.ParsePlateauConfig(sc.Params)
		var p *optim.ReduceLROnPlateau
		if err == nil {
			p, err = optim.NewReduceLROnPlateau(opt, pc)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: train.schedule: %w", where(s.Path, sc.Where), err)
		}
		return nil, p, nil
	}
	sched, err := optim.NewSchedule(sc.Name, sc.Params)
	if err != nil {
		alt := ""
		if opt != nil {
			alt = " (or reduce_on_plateau)"
		}
		return nil, nil, fmt.Errorf("%s: train.schedule: %w%s", where(s.Path, sc.Where), err, alt)
	}
	return sched, nil, nil
}

// LoaderJSON is a loader's position (epoch order and next batch) as a
// checkpoint stores it.
func LoaderJSON(l *data.Loader) (json.RawMessage, error) {
	return json.Marshal(l.State())
}

// RestoreLoader puts l back where the checkpoint at path left it, from
// what LoaderJSON wrote.
func RestoreLoader(l *data.Loader, raw json.RawMessage, path string) error {
	var ls data.LoaderState
	if err := json.Unmarshal(raw, &ls); err != nil {
		return fmt.Errorf("%s: loader state: %v", path, err)
	}
	if err := l.Restore(ls); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
