package activation

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

var (
	_ Layer            = (*PReLU)(nil)
	_ Layer            = (*RReLU)(nil)
	_ Layer            = (*Maxout)(nil)
	_ nn.Parameterized = (*PReLU)(nil)
)

func TestNames(t *testing.T) {
	want := []string{
		"celu", "elu", "gelu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "identity",
		"leaky_relu", "log_softmax", "logsigmoid", "maxout", "mish", "prelu", "relu", "relu6",
		"rrelu", "selu", "sigmoid", "silu", "softmax", "softplus", "softshrink", "softsign",
		"tanh", "tanhshrink",
	}
	got := Names()
	if !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if Names()[0] != "celu" {
		t.Error("Names returns the registry's own slice")
	}
}

// TestConfigRoundTrip checks defaults, Name, and that Config rebuilds an
// equal layer through New.
func TestConfigRoundTrip(t *testing.T) {
	defaults := map[string]map[string]any{
		"leaky_relu":  {"negative_slope": 0.01},
		"prelu":       {"num_parameters": 1, "init": 0.25},
		"rrelu":       {"lower": 1.0 / 8, "upper": 1.0 / 3},
		"elu":         {"alpha": 1.0},
		"celu":        {"alpha": 1.0},
		"gelu":        {"approximate": "none"},
		"softplus":    {"beta": 1.0, "threshold": 20.0},
		"hardtanh":    {"min_val": -1.0, "max_val": 1.0},
		"softshrink":  {"lambd": 0.5},
		"hardshrink":  {"lambd": 0.5},
		"softmax":     {"dim": -1},
		"log_softmax": {"dim": -1},
		"maxout":      {"pieces": 3},
	}
	for _, name := range Names() {
		var params map[string]any
		if name == "maxout" {
			params = map[string]any{"pieces": 3}
		}
		l, err := New(name, params)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		al := l
		if al.Name() != name {
			t.Errorf("New(%q).Name() = %q", name, al.Name())
		}
		want := defaults[name]
		if want == nil {
			want = map[string]any{}
		}
		cfg := al.Config()
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("%s: Config() = %v, want %v", name, cfg, want)
		}
		// Through JSON, as a saved spec would be read back.
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var decoded map[string]any
		if err := json.Unmarshal(b, &decoded); err != nil {
			t.Fatal(err)
		}
		again, err := New(name, decoded)
		if err != nil {
			t.Errorf("%s: New from its own Config %s: %v", name, b, err)
			continue
		}
		if got := again.Config(); !reflect.DeepEqual(got, cfg) {
			t.Errorf("%s: round trip Config() = %v, want %v", name, got, cfg)
		}
	}
}

func TestNewConvertsValues(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		want   map[string]any
	}{
		{"leaky_relu", map[string]any{"negative_slope": 1}, map[string]any{"negative_slope": 1.0}},
		{"leaky_relu", map[string]any{"negative_slope": float32(0.5)}, map[string]any{"negative_slope": 0.5}},
		{"elu", map[string]any{"alpha": json.Number("0.25")}, map[string]any{"alpha": 0.25}},
		{"maxout", map[string]any{"pieces": 2.0}, map[string]any{"pieces": 2}},
		{"maxout", map[string]any{"pieces": uint64(5)}, map[string]any{"pieces": 5}},
		{"softmax", map[string]any{"dim": int64(0)}, map[string]any{"dim": 0}},
		{"prelu", map[string]any{"num_parameters": json.Number("3"), "init": 0}, map[string]any{"num_parameters": 3, "init": 0.0}},
		{"gelu", map[string]any{"approximate": GELUTanh}, map[string]any{"approximate": "tanh"}},
		{"hardtanh", map[string]any{"min_val": 0, "max_val": 6}, map[string]any{"min_val": 0.0, "max_val": 6.0}},
	}
	for _, tc := range tests {
		l, err := New(tc.name, tc.params)
		if err != nil {
			t.Errorf("New(%q, %v): %v", tc.name, tc.params, err)
			continue
		}
		if got := l.Config(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("New(%q, %v).Config() = %v, want %v", tc.name, tc.params, got, tc.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	rng := tensor.NewRNG(0)
	tests := []struct {
		name   string
		params map[string]any
		rng    *tensor.RNG
		want   []string // substrings of the error
	}{
		{"rellu", nil, rng, []string{`unknown activation "rellu"`, `did you mean "relu"?`, "allowed: celu, elu,"}},
		{"LeakyReLU", nil, rng, []string{`did you mean "leaky_relu"?`}},
		{"gelu6", nil, rng, []string{`did you mean "gelu"?`}},
		{"swishy_thing", nil, rng, []string{`unknown activation "swishy_thing"; allowed: `, "tanhshrink"}},
		{"relu", map[string]any{"inplace": false}, rng, []string{`"relu"`, `unknown parameter "inplace"`, "takes no parameters"}},
		{"elu", map[string]any{"alpah": 1.0}, rng, []string{`unknown parameter "alpah"`, `did you mean "alpha"?`, "allowed: alpha"}},
		{"softplus", map[string]any{"bta": 1.0}, rng, []string{`unknown parameter "bta"`, "allowed: beta, threshold"}},
		{"leaky_relu", map[string]any{"negative_slope": "0.1"}, rng, []string{"negative_slope", "want a number", `string "0.1"`}},
		{"leaky_relu", map[string]any{"negative_slope": true}, rng, []string{"negative_slope", "want a number", "bool true"}},
		{"elu", map[string]any{"alpha": nil}, rng, []string{"alpha", "want a number", "null"}},
		{"softshrink", map[string]any{"lambd": -0.5}, rng, []string{`"softshrink"`, "lambd", ">= 0", "-0.5"}},
		{"hardshrink", map[string]any{"lambd": -1}, rng, []string{"lambd", ">= 0"}},
		{"hardtanh", map[string]any{"min_val": 1.0, "max_val": 1.0}, rng, []string{"min_val", "below max_val"}},
		{"hardtanh", map[string]any{"min_val": 2.0}, rng, []string{"min_val", "below max_val (1)", "got 2"}},
		{"rrelu", map[string]any{"lower": 0.5, "upper": 0.1}, rng, []string{"lower", "<= upper"}},
		{"maxout", map[string]any{"pieces": 0}, rng, []string{"pieces", ">= 1", "got 0"}},
		{"maxout", nil, rng, []string{`missing param "pieces"`, "an integer"}},
		{"maxout", map[string]any{"pieces": 2.5}, rng, []string{"pieces", "want an integer", "2.5"}},
		{"gelu", map[string]any{"approximate": "erf"}, rng, []string{"approximate", `"none" or "tanh"`, `"erf"`}},
		{"gelu", map[string]any{"approximate": 1}, rng, []string{"approximate", "want a string"}},
		{"prelu", map[string]any{"num_parameters": 0}, rng, []string{"num_parameters", "from 1 to 16777216"}},
		{"prelu", map[string]any{"num_parameters": 1 << 30}, rng, []string{"num_parameters", "from 1 to 16777216", "got 1073741824"}},
		{"prelu", map[string]any{"num_parameters": "3"}, rng, []string{"num_parameters", "want an integer"}},
		{"celu", map[string]any{"alpha": 0}, rng, []string{"alpha", "non-zero"}},
		{"softplus", map[string]any{"beta": 0}, rng, []string{"beta", "non-zero"}},
		{"softmax", map[string]any{"dim": json.Number("x")}, rng, []string{"dim", "want an integer"}},
	}
	for _, tc := range tests {
		l, err := New(tc.name, tc.params)
		if err == nil {
			t.Errorf("New(%q, %v) = %T, want an error", tc.name, tc.params, l)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%q, %v) error %q, want it to contain %q", tc.name, tc.params, err, w)
			}
		}
	}
}

// TestPReLUInSequential checks PyTorch's state_dict naming of the slope.
func TestPReLUInSequential(t *testing.T) {
	l, err := New("prelu", map[string]any{"num_parameters": 3})
	if err != nil {
		t.Fatal(err)
	}
	relu, _ := New("relu", nil)
	seq := nn.NewSequential(relu, l)
	ps := seq.Params()
	if len(ps) != 1 || ps[0].Name != "1.weight" {
		t.Fatalf("Sequential(relu, prelu).Params() = %v, want one named 1.weight", ps)
	}
	if got := ps[0].Value.Shape(); len(got) != 1 || got[0] != 3 {
		t.Errorf("weight shape %v, want [3]", got)
	}
	for _, v := range ps[0].Value.Data() {
		if v != 0.25 {
			t.Errorf("weight %v, want all 0.25", ps[0].Value.Data())
			break
		}
	}
}
