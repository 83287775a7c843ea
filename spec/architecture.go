package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// LayerSpec is one entry of a model's architecture list: a layer or
// activation name and its parameters, with PyTorch's parameter names.
type LayerSpec struct {
	Name   string
	Params map[string]any
	// Inner holds the body of a residual block, and Shortcut its
	// projection shortcut (empty: the identity).
	Inner, Shortcut []LayerSpec
	// Where locates the entry in its source for error messages
	// ("model.yaml:12:5"); it may be empty.
	Where string
}

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
				if name == "residual" {
					return parseResidual(a)
				}
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
				key, ok := shortKey(name)
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

// parseResidual reads the form {body: […], shortcut: […]}.
func parseResidual(m map[string]any) (LayerSpec, error) {
	ls := LayerSpec{Name: "residual"}
	for k, v := range m {
		list, ok := v.([]any)
		if !ok || (k != "body" && k != "shortcut") {
			if k != "body" && k != "shortcut" {
				return ls, fmt.Errorf("residual: unknown key %q; allowed: body, shortcut", k)
			}
			return ls, fmt.Errorf("residual: %s: want a list of layers, got %v", k, v)
		}
		inner, err := ParseArchitecture(list)
		if err != nil {
			return ls, fmt.Errorf("residual: %s: %w", k, err)
		}
		if k == "body" {
			ls.Inner = inner
		} else {
			ls.Shortcut = inner
		}
	}
	if len(ls.Inner) == 0 {
		return ls, fmt.Errorf("residual: body is required and must list at least one layer")
	}
	return ls, nil
}

// activationShort names the parameter a bare value sets for activations,
// as in {maxout: 2}; layers register theirs with package nn.
var activationShort = map[string]string{"maxout": "pieces", "prelu": "num_parameters"}

func shortKey(name string) (string, bool) {
	if k, ok := nn.ShortKey(name); ok {
		return k, true
	}
	k, ok := activationShort[name]
	return k, ok
}

// MaxLayerParams bounds the weights of one layer; see nn.MaxLayerParams.
const MaxLayerParams = nn.MaxLayerParams

// BuildArchitecture builds layers into a Sequential for samples of the
// per-sample shape in ([features] for a table, [C, H, W] for images),
// drawing initial weights from rng. It returns the network and the
// per-sample shape of its output. Errors name the entry and what was
// expected.
func BuildArchitecture(in []int, layers []LayerSpec, rng *tensor.RNG) (*nn.Sequential, []int, error) {
	if len(in) == 0 || nn.Size(in) <= 0 {
		return nil, nil, fmt.Errorf("architecture: input shape must be positive, got %v", in)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, nil, fmt.Errorf("architecture: input shape must be positive, got %v", in)
		}
	}
	seq := &nn.Sequential{}
	shape := in
	for i, ls := range layers {
		l, out, err := buildLayer(shape, ls, rng)
		if err != nil {
			where := ""
			if ls.Where != "" {
				where = ls.Where + ": "
			}
			return nil, nil, fmt.Errorf("%sarchitecture[%d] (%s): %w", where, i, ls.Name, err)
		}
		seq.Layers = append(seq.Layers, l)
		shape = out
	}
	return seq, shape, nil
}

func buildLayer(in []int, ls LayerSpec, rng *tensor.RNG) (nn.Layer, []int, error) {
	var l nn.Layer
	var err error
	switch {
	case ls.Name == "residual":
		l, err = buildResidual(in, ls, rng)
	case nn.Registered(ls.Name):
		l, err = nn.Build(ls.Name, nn.Options(ls.Params), in, rng)
	default:
		l, err = activation.New(ls.Name, ls.Params)
		if err != nil && !slices.Contains(activation.Names(), ls.Name) {
			return nil, nil, unknownLayer(ls.Name)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	out, err := l.OutShape(in)
	if err != nil {
		return nil, nil, err
	}
	return l, out, nil
}

func buildResidual(in []int, ls LayerSpec, rng *tensor.RNG) (nn.Layer, error) {
	if len(ls.Params) > 0 {
		return nil, fmt.Errorf("residual: want a list of layers or {body: […], shortcut: […]}")
	}
	body, bodyOut, err := BuildArchitecture(in, ls.Inner, rng)
	if err != nil {
		return nil, err
	}
	r := &nn.Residual{F: body}
	if len(ls.Shortcut) == 0 {
		if !slices.Equal(bodyOut, in) {
			return nil, fmt.Errorf("the block must keep its input shape %v, but ends with %v; add a shortcut that projects", in, bodyOut)
		}
		return r, nil
	}
	sc, scOut, err := BuildArchitecture(in, ls.Shortcut, rng)
	if err != nil {
		return nil, fmt.Errorf("shortcut: %w", err)
	}
	if !slices.Equal(bodyOut, scOut) {
		return nil, fmt.Errorf("the body ends with shape %v but the shortcut with %v", bodyOut, scOut)
	}
	r.Shortcut = sc
	return r, nil
}

// LayerNames returns every name an architecture entry may have, sorted.
func LayerNames() []string {
	all := append(append([]string{"residual"}, nn.Ops()...), activation.Names()...)
	sort.Strings(all)
	return all
}

func unknownLayer(name string) error {
	all := LayerNames()
	return fmt.Errorf("unknown layer %q%s; allowed: %s", name, suggest.DidYouMean(name, all), strings.Join(all, ", "))
}
