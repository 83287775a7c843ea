package nn

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/tensor"
)

// Builder makes a layer from its spec options for the per-sample input
// shape in, drawing initial weights from rng. Sizes that in determines
// (in_features, in_channels, num_features) are inferred, never given.
type Builder func(o Options, in []int, rng *tensor.RNG) (Layer, error)

type registration struct {
	short string
	build Builder
}

var registry = map[string]registration{}

// Register makes op buildable by Build. short names the option that a bare
// value sets in the spec's short form ({linear: 16} sets out_features), or
// is "" if the layer has none. Each layer registers itself in its own
// file, so a new layer needs no change anywhere else. Register panics if
// op is taken.
func Register(op, short string, build Builder) {
	if _, dup := registry[op]; dup {
		panic("nn: Register: " + op + " registered twice")
	}
	registry[op] = registration{short, build}
}

// Ops returns the registered op names, sorted.
func Ops() []string {
	ops := make([]string, 0, len(registry))
	for op := range registry {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// ShortKey returns the option a bare value sets for op, and whether op
// has a short form.
func ShortKey(op string) (string, bool) {
	r, ok := registry[op]
	return r.short, ok && r.short != ""
}

// Registered reports whether Build knows op.
func Registered(op string) bool {
	_, ok := registry[op]
	return ok
}

// Build makes the layer op from its options for the per-sample input
// shape in. Errors name the option at fault and what was expected.
func Build(op string, o Options, in []int, rng *tensor.RNG) (Layer, error) {
	r, ok := registry[op]
	if !ok {
		return nil, fmt.Errorf("unknown layer %q", op)
	}
	return r.build(o, in, rng)
}

// MaxLayerParams bounds the weights of one layer (1 GiB of float32), so
// that a typo such as linear: 10000000 is an error rather than an attempt
// to allocate and initialise tens of gigabytes.
const MaxLayerParams = 1 << 28

// checkParams returns an error if a layer would have more than
// MaxLayerParams weights.
func checkParams(what string, dims ...int) error {
	n := 1.0
	for _, d := range dims {
		n *= float64(d)
	}
	if n > MaxLayerParams {
		parts := make([]string, len(dims))
		for i, d := range dims {
			parts[i] = fmt.Sprint(d)
		}
		return fmt.Errorf("%s %s is %.0f weights, more than the %d a layer may have", what, strings.Join(parts, " × "), n, MaxLayerParams)
	}
	return nil
}

// Options are a layer's options from a spec, as a YAML or JSON decoder
// produced them. Its getters convert and check values, and their errors
// name the option and what was expected.
type Options map[string]any

// Allow returns an error naming the first option not in allowed.
func (o Options) Allow(allowed ...string) error {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return fmt.Errorf("unknown parameter %q: this layer takes none", k)
			}
			return fmt.Errorf("unknown parameter %q; allowed: %s", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// Float returns the number under key, or def if it is absent.
func (o Options) Float(key string, def float64) (float64, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	if f, ok := param.Number(v); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%s: want a number, got %v", key, v)
}

// Int returns the integer under key, or def if it is absent.
func (o Options) Int(key string, def int) (int, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	f, ok := param.Number(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<40 {
		return 0, fmt.Errorf("%s: want an integer, got %v", key, v)
	}
	return int(f), nil
}

// Positive returns the integer under key, which must be present and at
// least 1.
func (o Options) Positive(key string) (int, error) {
	if _, ok := o[key]; !ok {
		return 0, fmt.Errorf("%s is required", key)
	}
	n, err := o.Int(key, 0)
	if err == nil && n < 1 {
		err = fmt.Errorf("%s must be a positive integer, got %d", key, n)
	}
	return n, err
}

// Bool returns the boolean under key, or def if it is absent.
func (o Options) Bool(key string, def bool) (bool, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s: want true or false, got %v", key, v)
	}
	return b, nil
}

// String returns the string under key, or def if it is absent; it must be
// one of allowed when any are given.
func (o Options) String(key, def string, allowed ...string) (string, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok || (len(allowed) > 0 && !slices.Contains(allowed, s)) {
		if len(allowed) > 0 {
			return "", fmt.Errorf("%s: want one of %s, got %v", key, strings.Join(allowed, ", "), v)
		}
		return "", fmt.Errorf("%s: want a string, got %v", key, v)
	}
	return s, nil
}

// Ints returns n integers under key: a list of n, or a single integer
// repeated n times (kernel_size: 3 is 3×3), or def if absent.
func (o Options) Ints(key string, n int, def []int) ([]int, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	if list, ok := v.([]any); ok {
		if len(list) != n {
			return nil, fmt.Errorf("%s: want %d integers, got %d", key, n, len(list))
		}
		out := make([]int, n)
		for i, e := range list {
			x, err := Options{key: e}.Int(key, 0)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	if list, ok := v.([]int); ok {
		if len(list) != n {
			return nil, fmt.Errorf("%s: want %d integers, got %d", key, n, len(list))
		}
		return append([]int(nil), list...), nil
	}
	x, err := o.Int(key, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: want an integer or a list of %d, got %v", key, n, v)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = x
	}
	return out, nil
}

// Architecture returns layers as a spec architecture list, the form the
// spec file and the model file's metadata use: "relu" for a layer without
// options, {linear: {out_features: 16, bias: true}} for one with options,
// and {residual: {body: […], shortcut: […]}} for composites. Building it
// back gives layers equal to these.
func Architecture(layers []Layer) []any {
	out := make([]any, len(layers))
	for i, l := range layers {
		out[i] = describeItem(l.Describe())
	}
	return out
}

func describeItem(d Desc) any {
	if len(d.Config) == 0 && len(d.Blocks) == 0 {
		return d.Op
	}
	cfg := map[string]any{}
	for k, v := range d.Config {
		cfg[k] = v
	}
	for _, b := range d.Blocks {
		cfg[b.Name] = Architecture(b.Layers)
	}
	return map[string]any{d.Op: cfg}
}
