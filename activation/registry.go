package activation

import (
	"encoding/json"
	"fmt"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/nn"
)

// Layer is implemented by every layer that New returns: besides running,
// it can name itself and report its parameters, defaults filled in, so a
// model can be described or written back to a spec that New reads again.
type Layer interface {
	nn.Layer
	// Name returns the registry name, such as "leaky_relu".
	Name() string
	// Config returns the parameters under PyTorch's names.
	Config() map[string]any
}

type paramKind int

const (
	floatParam paramKind = iota
	intParam
	stringParam
)

// paramSpec describes one parameter an activation accepts.
type paramSpec struct {
	key  string
	kind paramKind
	def  any // nil marks a required parameter
}

// entry is how the registry builds one activation from its checked
// parameters.
type entry struct {
	params []paramSpec
	build  func(a args) (Layer, error)
}

// args holds parameter values already converted to float64, int or string.
type args map[string]any

func (a args) num(key string) float64 { return a[key].(float64) }
func (a args) integer(key string) int { return a[key].(int) }
func (a args) text(key string) string { return a[key].(string) }

// plain is the entry of an activation without parameters.
func plain(mk func() Layer) entry {
	return entry{build: func(args) (Layer, error) { return mk(), nil }}
}

// number declares a float parameter with its default.
func number(key string, def float64) paramSpec {
	return paramSpec{key: key, kind: floatParam, def: def}
}

// invalid reports a parameter whose value has the right type but is out of
// range.
func invalid(key, want string, got any) error {
	return fmt.Errorf("%s: want %s, got %v", key, want, got)
}

var registry = map[string]entry{
	"identity": plain(func() Layer { return &IdentityLayer{} }),
	"relu":     plain(func() Layer { return &ReLULayer{} }),
	"leaky_relu": {
		params: []paramSpec{number("negative_slope", 0.01)},
		build: func(a args) (Layer, error) {
			return &LeakyReLULayer{NegativeSlope: a.num("negative_slope")}, nil
		},
	},
	"prelu": {
		params: []paramSpec{{key: "num_parameters", kind: intParam, def: 1}, number("init", 0.25)},
		build: func(a args) (Layer, error) {
			// The upper bound keeps a typo from allocating gigabytes; no
			// layer has that many channels.
			if n := a.integer("num_parameters"); n < 1 || n > 1<<24 {
				return nil, invalid("num_parameters", "an integer from 1 to 16777216 (1, or the number of input channels)", n)
			}
			return NewPReLU(a.integer("num_parameters"), a.num("init")), nil
		},
	},
	"rrelu": {
		params: []paramSpec{number("lower", 1.0/8), number("upper", 1.0/3)},
		build: func(a args) (Layer, error) {
			lower, upper := a.num("lower"), a.num("upper")
			if lower > upper {
				return nil, invalid("lower", fmt.Sprintf("a number <= upper (%g)", upper), lower)
			}
			return NewRReLU(lower, upper), nil
		},
	},
	"elu": {
		params: []paramSpec{number("alpha", 1.0)},
		build: func(a args) (Layer, error) {
			return &ELULayer{Alpha: a.num("alpha")}, nil
		},
	},
	"selu": plain(func() Layer { return &SELULayer{} }),
	"celu": {
		params: []paramSpec{number("alpha", 1.0)},
		build: func(a args) (Layer, error) {
			if a.num("alpha") == 0 {
				return nil, invalid("alpha", "a non-zero number", 0)
			}
			return &CELULayer{Alpha: a.num("alpha")}, nil
		},
	},
	"gelu": {
		params: []paramSpec{{key: "approximate", kind: stringParam, def: string(GELUNone)}},
		build: func(a args) (Layer, error) {
			switch s := GELUApprox(a.text("approximate")); s {
			case GELUNone, GELUTanh:
				return &GELULayer{Approximate: s}, nil
			}
			return nil, invalid("approximate", `"none" or "tanh"`, strconv.Quote(a.text("approximate")))
		},
	},
	"sigmoid": plain(func() Layer { return &SigmoidLayer{} }),
	"tanh":    plain(func() Layer { return &TanhLayer{} }),
	"softplus": {
		params: []paramSpec{number("beta", 1.0), number("threshold", 20.0)},
		build: func(a args) (Layer, error) {
			if a.num("beta") == 0 {
				return nil, invalid("beta", "a non-zero number", 0)
			}
			return &SoftplusLayer{Beta: a.num("beta"), Threshold: a.num("threshold")}, nil
		},
	},
	"softsign": plain(func() Layer { return &SoftsignLayer{} }),
	"silu":     plain(func() Layer { return &SiLULayer{} }),
	"mish":     plain(func() Layer { return &MishLayer{} }),
	"hardtanh": {
		params: []paramSpec{number("min_val", -1.0), number("max_val", 1.0)},
		build: func(a args) (Layer, error) {
			lo, hi := a.num("min_val"), a.num("max_val")
			if lo >= hi {
				return nil, invalid("min_val", fmt.Sprintf("a number below max_val (%g)", hi), lo)
			}
			return &HardtanhLayer{MinVal: lo, MaxVal: hi}, nil
		},
	},
	"relu6":       plain(func() Layer { return &ReLU6Layer{} }),
	"hardsigmoid": plain(func() Layer { return &HardsigmoidLayer{} }),
	"hardswish":   plain(func() Layer { return &HardswishLayer{} }),
	"logsigmoid":  plain(func() Layer { return &LogSigmoidLayer{} }),
	"tanhshrink":  plain(func() Layer { return &TanhshrinkLayer{} }),
	"softshrink": {
		params: []paramSpec{number("lambd", 0.5)},
		build: func(a args) (Layer, error) {
			if l := a.num("lambd"); l < 0 {
				return nil, invalid("lambd", "a number >= 0", l)
			}
			return &SoftshrinkLayer{Lambd: a.num("lambd")}, nil
		},
	},
	"hardshrink": {
		params: []paramSpec{number("lambd", 0.5)},
		build: func(a args) (Layer, error) {
			if l := a.num("lambd"); l < 0 {
				return nil, invalid("lambd", "a number >= 0", l)
			}
			return &HardshrinkLayer{Lambd: a.num("lambd")}, nil
		},
	},
	"softmax": {
		params: []paramSpec{{key: "dim", kind: intParam, def: -1}},
		build: func(a args) (Layer, error) {
			return &SoftmaxLayer{Dim: a.integer("dim")}, nil
		},
	},
	"log_softmax": {
		params: []paramSpec{{key: "dim", kind: intParam, def: -1}},
		build: func(a args) (Layer, error) {
			return &LogSoftmaxLayer{Dim: a.integer("dim")}, nil
		},
	},
	"maxout": {
		params: []paramSpec{{key: "pieces", kind: intParam}},
		build: func(a args) (Layer, error) {
			if k := a.integer("pieces"); k < 1 {
				return nil, invalid("pieces", "an integer >= 1", k)
			}
			return &Maxout{Pieces: a.integer("pieces")}, nil
		},
	},
}

// names is the sorted list of registry names.
var names = func() []string {
	ns := make([]string, 0, len(registry))
	for n := range registry {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}()

// Names returns the names New accepts, sorted.
func Names() []string { return append([]string(nil), names...) }

// New builds the activation layer called name, PyTorch's functional name
// ("relu", "leaky_relu", "gelu", …; see Names), from params keyed by
// PyTorch's argument names ("negative_slope", "approximate", …). Missing
// parameters take PyTorch's defaults. Values may be any Go number type,
// json.Number, or a string where a string is expected, as JSON and YAML
// decoders produce them; integer parameters accept integral floats.
//
// Every layer New returns implements Layer, and PReLU also
// nn.Parameterized and RReLU nn.Moded. New reports an unknown name, an
// unknown parameter, a value of the wrong type or out of range with an
// error that names it and says what is expected.
func New(name string, params map[string]any) (Layer, error) {
	e, ok := registry[name]
	if !ok {
		msg := fmt.Sprintf("activation: unknown activation %q", name)
		if s := suggest.Closest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, fmt.Errorf("%s; allowed: %s", msg, strings.Join(names, ", "))
	}
	a, err := e.parse(params)
	if err == nil {
		var l Layer
		if l, err = e.build(a); err == nil {
			return l, nil
		}
	}
	return nil, fmt.Errorf("activation %q: %w", name, err)
}

// parse checks params against e's parameters and fills in defaults.
func (e entry) parse(params map[string]any) (args, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	allowed := make([]string, len(e.params))
	for i, p := range e.params {
		allowed[i] = p.key
	}
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			msg := fmt.Sprintf("unknown parameter %q", k)
			if len(allowed) == 0 {
				return nil, fmt.Errorf("%s; it takes no parameters", msg)
			}
			if s := suggest.Closest(k, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, fmt.Errorf("%s; allowed: %s", msg, strings.Join(allowed, ", "))
		}
	}
	a := make(args, len(e.params))
	for _, p := range e.params {
		v, ok := params[p.key]
		if !ok {
			if p.def == nil {
				return nil, fmt.Errorf("missing param %q (%s)", p.key, kindWant[p.kind])
			}
			a[p.key] = p.def
			continue
		}
		c, err := convert(p.kind, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.key, err)
		}
		a[p.key] = c
	}
	return a, nil
}

var kindWant = map[paramKind]string{floatParam: "a number", intParam: "an integer", stringParam: "a string"}

// convert turns a decoded value into the float64, int or string that kind
// asks for.
func convert(kind paramKind, v any) (any, error) {
	wrong := fmt.Errorf("want %s, got %s", kindWant[kind], describe(v))
	if n, ok := v.(json.Number); ok {
		if kind == stringParam {
			return nil, wrong
		}
		f, err := n.Float64()
		if err != nil {
			return nil, wrong
		}
		v = f
	}
	rv := reflect.ValueOf(v)
	if kind == stringParam {
		if rv.Kind() == reflect.String {
			return rv.String(), nil
		}
		return nil, wrong
	}
	var f float64
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		f = rv.Float()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if kind == intParam {
			return int(rv.Int()), nil
		}
		f = float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if kind == intParam && rv.Uint() <= math.MaxInt32 {
			return int(rv.Uint()), nil
		}
		f = float64(rv.Uint())
	default:
		return nil, wrong
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("want a finite number, got %v", f)
	}
	if kind == intParam {
		if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
			return nil, wrong
		}
		return int(f), nil
	}
	return f, nil
}

// describe formats a decoded value with its type for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(v)
	}
	return fmt.Sprintf("%T %v", v, v)
}
