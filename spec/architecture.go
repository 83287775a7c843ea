package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// LayerSpec is one entry of a model's architecture list: a layer or
// activation name and its parameters, with PyTorch's parameter names.
type LayerSpec struct {
	Name   string
	Params map[string]any
	// Inner holds the body of a residual block.
	Inner []LayerSpec
	// Where locates the entry in its source for error messages
	// ("model.yaml:12:5"); it may be empty.
	Where string
}

// structural are the layer names that are not activations.
var structural = []string{"linear", "dropout", "flatten", "residual"}

// ParseArchitecture converts a decoded architecture list (YAML or JSON:
// each item a name such as "relu", or a one-key map such as {linear: 16} or
// {leaky_relu: {negative_slope: 0.2}}) into LayerSpecs.
func ParseArchitecture(items []any) ([]LayerSpec, error) {
	out := make([]LayerSpec, 0, len(items))
	for i, it := range items {
		ls, err := parseLayer(it)
		if err != nil {
			return nil, fmt.Errorf("architecture[%d]: %w", i, err)
		}
		out = append(out, ls)
	}
	return out, nil
}

func parseLayer(it any) (LayerSpec, error) {
	switch v := it.(type) {
	case string:
		return LayerSpec{Name: v}, nil
	case map[string]any:
		if len(v) != 1 {
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return LayerSpec{}, fmt.Errorf("want one layer name per item, got %d keys %v", len(v), keys)
		}
		for name, arg := range v {
			ls := LayerSpec{Name: name}
			switch a := arg.(type) {
			case nil:
			case map[string]any:
				ls.Params = a
			case []any:
				if name != "residual" {
					return LayerSpec{}, fmt.Errorf("%s: a list is only allowed for residual", name)
				}
				inner, err := ParseArchitecture(a)
				if err != nil {
					return LayerSpec{}, fmt.Errorf("residual: %w", err)
				}
				ls.Inner = inner
			default:
				// The short forms: {linear: 16}, {dropout: 0.5}, {maxout: 2}.
				key, ok := shortKey[name]
				if !ok {
					return LayerSpec{}, fmt.Errorf("%s: want a map of parameters, got %v", name, arg)
				}
				ls.Params = map[string]any{key: arg}
			}
			return ls, nil
		}
	}
	return LayerSpec{}, fmt.Errorf("want a layer name or a one-key map, got %T", it)
}

// shortKey names the parameter that a bare value sets, as in {linear: 16}.
var shortKey = map[string]string{"linear": "out_features", "dropout": "p", "maxout": "pieces", "prelu": "num_parameters"}

// MaxLayerParams bounds the weights of one Linear layer (1 GiB of
// float32), so that a typo such as linear: 10000000 is an error rather
// than an attempt to allocate and initialise tens of gigabytes.
const MaxLayerParams = 1 << 28

// BuildArchitecture builds layers into a Sequential for inputs of width in,
// drawing initial weights from rng. It returns the network and the width of
// its output. Errors name the entry and what was expected.
func BuildArchitecture(in int, layers []LayerSpec, rng *tensor.RNG) (*nn.Sequential, int, error) {
	if in <= 0 {
		return nil, 0, fmt.Errorf("architecture: input width must be positive, got %d", in)
	}
	seq := &nn.Sequential{}
	width := in
	for i, ls := range layers {
		l, w, err := buildLayer(width, ls, rng)
		if err != nil {
			where := ""
			if ls.Where != "" {
				where = ls.Where + ": "
			}
			return nil, 0, fmt.Errorf("%sarchitecture[%d] (%s): %w", where, i, ls.Name, err)
		}
		seq.Layers = append(seq.Layers, l)
		width = w
	}
	return seq, width, nil
}

func buildLayer(width int, ls LayerSpec, rng *tensor.RNG) (nn.Layer, int, error) {
	switch ls.Name {
	case "linear":
		if err := allowKeys(ls.Params, "out_features", "bias"); err != nil {
			return nil, 0, err
		}
		out, err := intParam(ls.Params, "out_features", 0)
		if err != nil {
			return nil, 0, err
		}
		if out <= 0 {
			return nil, 0, fmt.Errorf("out_features must be a positive integer, got %d", out)
		}
		if int64(width)*int64(out) > MaxLayerParams {
			return nil, 0, fmt.Errorf("%d inputs × %d outputs is %d weights, more than the %d a layer may have", width, out, int64(width)*int64(out), MaxLayerParams)
		}
		bias, err := boolParam(ls.Params, "bias", true)
		if err != nil {
			return nil, 0, err
		}
		return nn.NewLinear(width, out, bias, rng), out, nil
	case "dropout":
		if err := allowKeys(ls.Params, "p"); err != nil {
			return nil, 0, err
		}
		p, err := floatParam(ls.Params, "p", 0.5)
		if err != nil {
			return nil, 0, err
		}
		if !(p >= 0 && p <= 1) {
			return nil, 0, fmt.Errorf("p must be in [0, 1], got %g", p)
		}
		return nn.NewDropout(p, rng), width, nil
	case "flatten":
		if err := allowKeys(ls.Params); err != nil {
			return nil, 0, err
		}
		return nn.Flatten{}, width, nil
	case "residual":
		inner, w, err := BuildArchitecture(width, ls.Inner, rng)
		if err != nil {
			return nil, 0, err
		}
		if w != width {
			return nil, 0, fmt.Errorf("the block must keep the width %d, but ends with %d", width, w)
		}
		return &nn.Residual{F: inner}, width, nil
	}
	l, err := activation.New(ls.Name, ls.Params, rng)
	if err != nil {
		if !contains(activation.Names(), ls.Name) {
			return nil, 0, unknownLayer(ls.Name)
		}
		return nil, 0, err
	}
	switch a := l.(type) {
	case *activation.Maxout:
		if width%a.Pieces != 0 {
			return nil, 0, fmt.Errorf("input width %d is not a multiple of pieces %d", width, a.Pieces)
		}
		return l, width / a.Pieces, nil
	case *activation.PReLU:
		if n := a.Weight.Value.Len(); n != 1 && n != width {
			return nil, 0, fmt.Errorf("num_parameters must be 1 or the width %d, got %d", width, n)
		}
	}
	return l, width, nil
}

func unknownLayer(name string) error {
	all := append(append([]string(nil), structural...), activation.Names()...)
	sort.Strings(all)
	return fmt.Errorf("unknown layer %q%s; allowed: %s", name, suggest.DidYouMean(name, all), strings.Join(all, ", "))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func allowKeys(params map[string]any, allowed ...string) error {
	for k := range params {
		if !contains(allowed, k) {
			if len(allowed) == 0 {
				return fmt.Errorf("unknown parameter %q: this layer takes none", k)
			}
			return fmt.Errorf("unknown parameter %q; allowed: %s", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func floatParam(params map[string]any, key string, def float64) (float64, error) {
	v, ok := params[key]
	if !ok {
		return def, nil
	}
	if f, ok := param.Number(v); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%s: want a number, got %v", key, v)
}

func intParam(params map[string]any, key string, def int) (int, error) {
	v, ok := params[key]
	if !ok {
		if def == 0 {
			return 0, fmt.Errorf("%s is required", key)
		}
		return def, nil
	}
	f, err := floatParam(params, key, 0)
	if err != nil || f != float64(int(f)) {
		return 0, fmt.Errorf("%s: want an integer, got %v", key, v)
	}
	return int(f), nil
}

func boolParam(params map[string]any, key string, def bool) (bool, error) {
	v, ok := params[key]
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s: want true or false, got %v", key, v)
	}
	return b, nil
}
