package optim

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// param returns a trainable 1-D parameter holding v.
func param(v ...float32) *autograd.Var { return autograd.Param(tensor.FromSlice(v, len(v))) }

var (
	start = []float32{1, -2, 0.5}
	grads = [][]float32{{0.5, -1, 2}, {-0.25, 0.75, 1}, {1, 1, -0.5}}
	// Gradients whose squares shrink, so that AMSGrad's maximum matters.
	fading = [][]float32{{3, -3, 1}, {0.1, 0.1, 0.1}, {0.1, -0.1, 0.2}}
)

// The expected trajectories were worked out in float64 from the update
// rules in the optimizers' documentation.
var trajectories = []struct {
	name  string
	hp    map[string]any
	grads [][]float32
	want  [][]float64
}{
	{"sgd", map[string]any{"lr": 0.1}, grads, [][]float64{
		{0.95, -1.9, 0.3},
		{0.975, -1.975, 0.2},
		{0.875, -2.075, 0.25},
	}},
	{"sgd", map[string]any{"lr": 0.1, "momentum": 0.9}, grads, [][]float64{
		{0.95, -1.9, 0.3},
		{0.93, -1.885, 0.02},
		{0.812, -1.9715, -0.182},
	}},
	{"sgd", map[string]any{"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, grads, [][]float64{
		{0.95, -1.9, 0.3},
		{0.9175, -1.8475, 0.07},
		{0.83825, -1.85025, -0.112},
	}},
	{"sgd", map[string]any{"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "nesterov": true}, grads, [][]float64{
		{0.91, -1.82, 0.1925},
		{0.91885, -1.8752, -0.0116375},
		{0.75154225, -1.996272, 0.0124308125},
	}},
	{"adam", map[string]any{"lr": 0.1}, grads, [][]float64{
		{0.900000002, -1.900000001, 0.4000000005},
		{0.8733662987078463, -1.8910675003605355, 0.30678203720851044},
		{0.8075551396770898, -1.9256037750468482, 0.25041589998043867},
	}},
	{"adam", map[string]any{"lr": 0.1, "betas": []any{0.8, 0.9}, "eps": 1e-3, "weight_decay": 0.1}, grads, [][]float64{
		{0.9001663893510815, -1.9000832639467111, 0.4000487567040468},
		{0.8588156607322621, -1.8759651129384542, 0.30704981914337615},
		{0.7848404345808699, -1.8988167702674823, 0.2543959891571994},
	}},
	{"adam", map[string]any{"lr": 0.1, "betas": []float64{0.9, 0.5}}, fading, [][]float64{
		{0.9000000003333333, -1.9000000003333333, 0.400000001},
		{0.8150111828746056, -1.821081812693086, 0.3097375893150882},
		{0.7300311454924805, -1.7419400984898856, 0.21087513222258764},
	}},
	{"adam", map[string]any{"lr": 0.1, "betas": []float64{0.9, 0.5}, "amsgrad": true}, fading, [][]float64{
		{0.9000000003333333, -1.9000000003333333, 0.400000001},
		{0.8398370946158517, -1.8441344450242432, 0.3355397454004427},
		{0.7972056776144829, -1.8044319040000676, 0.2818436862921207},
	}},
	{"adamw", map[string]any{"lr": 0.1, "weight_decay": 0.5}, grads, [][]float64{
		{0.8500000019999999, -1.800000001, 0.3750000005},
		{0.7808662986078463, -1.7010675003105353, 0.2630320371835104},
		{0.6760118246466974, -1.6505503999813211, 0.19351429809626317},
	}},
	{"rmsprop", map[string]any{"lr": 0.01}, grads, [][]float64{
		{0.900000019999996, -1.900000009999999, 0.40000000499999977},
		{0.9449013374421751, -1.960192931711966, 0.355098681509435},
		{0.8574273783928595, -2.022975904954414, 0.377109100098154},
	}},
	{"rmsprop", map[string]any{"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": true, "weight_decay": 0.1}, grads, [][]float64{
		{0.9666666685185185, -1.9666666675925926, 0.46666666720867206},
		{0.958408173998616, -1.9639451698459185, 0.43353611316632173},
		{0.9239459053075623, -1.9802178758255962, 0.42406959732306293},
	}},
	{"adagrad", map[string]any{"lr": 0.1}, grads, [][]float64{
		{0.90000000002, -1.90000000001, 0.400000000005},
		{0.9447213595619958, -1.9600000000052, 0.35527864045700425},
		{0.8574342034752178, -2.02246950475674, 0.3771004294796511},
	}},
	{"adagrad", map[string]any{"lr": 0.1, "lr_decay": 0.5, "weight_decay": 0.1, "initial_accumulator_value": 0.5}, grads, [][]float64{
		{0.9353003360849137, -1.913845020972057, 0.4054656899426625},
		{0.9463919570985084, -1.9386610668937982, 0.3766247321590904},
		{0.9084669402163181, -1.9623222104283902, 0.3860629493432999},
	}},
}

func TestTrajectories(t *testing.T) {
	for _, tc := range trajectories {
		t.Run(fmt.Sprintf("%s%v", tc.name, tc.hp), func(t *testing.T) {
			p := param(start...)
			opt, err := New(tc.name, []*autograd.Var{p}, tc.hp)
			if err != nil {
				t.Fatal(err)
			}
			for s, g := range tc.grads {
				p.Grad = tensor.FromSlice(g, len(g))
				opt.Step()
				for j, want := range tc.want[s] {
					got := float64(p.Value.Data()[j])
					if math.Abs(got-want) > 2e-6+1e-6*math.Abs(want) {
						t.Errorf("step %d element %d: got %.9g, want %.9g", s+1, j, got, want)
					}
				}
			}
		})
	}
}

// TestTypedMatchesNew checks that the typed constructors and New agree,
// bit for bit, for equivalent configurations.
func TestTypedMatchesNew(t *testing.T) {
	adamW := DefaultAdamWConfig()
	adamW.LR = 0.1
	rms := DefaultRMSpropConfig()
	rms.Centered = true
	ada := DefaultAdagradConfig()
	ada.LRDecay = 0.1
	for _, tc := range []struct {
		name  string
		hp    map[string]any
		typed func(p []*autograd.Var) (Optimizer, error)
	}{
		{"sgd", map[string]any{"lr": 0.1, "momentum": 0.9, "nesterov": true}, func(p []*autograd.Var) (Optimizer, error) {
			return NewSGD(p, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
		}},
		{"adam", nil, func(p []*autograd.Var) (Optimizer, error) { return NewAdam(p, DefaultAdamConfig()) }},
		{"adamw", map[string]any{"lr": 0.1}, func(p []*autograd.Var) (Optimizer, error) { return NewAdamW(p, adamW) }},
		{"rmsprop", map[string]any{"centered": true}, func(p []*autograd.Var) (Optimizer, error) { return NewRMSprop(p, rms) }},
		{"adagrad", map[string]any{"lr_decay": 0.1}, func(p []*autograd.Var) (Optimizer, error) { return NewAdagrad(p, ada) }},
	} {
		p1, p2 := param(start...), param(start...)
		o1, err := New(tc.name, []*autograd.Var{p1}, tc.hp)
		if err != nil {
			t.Fatal(err)
		}
		o2, err := tc.typed([]*autograd.Var{p2})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grads {
			p1.Grad, p2.Grad = tensor.FromSlice(g, 3), tensor.FromSlice(g, 3)
			o1.Step()
			o2.Step()
		}
		if got, want := p1.Value.Data(), p2.Value.Data(); !sameBits(got, want) {
			t.Errorf("%s: New gives %v, typed constructor %v", tc.name, got, want)
		}
	}
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"adam", DefaultAdamConfig(), AdamConfig{LR: 1e-3, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8}},
		{"adamw", DefaultAdamWConfig(), AdamConfig{LR: 1e-3, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8, WeightDecay: 1e-2}},
		{"rmsprop", DefaultRMSpropConfig(), RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8}},
		{"adagrad", DefaultAdagradConfig(), AdagradConfig{LR: 1e-2, Eps: 1e-10}},
		{"plateau", DefaultPlateauConfig(), PlateauConfig{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
	// New fills in the same defaults.
	opt, err := New("adamw", []*autograd.Var{param(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := opt.(*AdamW).Config(), DefaultAdamWConfig(); got != want {
		t.Errorf("New(adamw) config: got %+v, want %+v", got, want)
	}
}

func TestConfigErrors(t *testing.T) {
	p := func() []*autograd.Var { return []*autograd.Var{param(1, 2)} }
	adam := func(f func(*AdamConfig)) error {
		c := DefaultAdamConfig()
		f(&c)
		_, err := NewAdam(p(), c)
		return err
	}
	rms := func(f func(*RMSpropConfig)) error {
		c := DefaultRMSpropConfig()
		f(&c)
		_, err := NewRMSprop(p(), c)
		return err
	}
	ada := func(f func(*AdagradConfig)) error {
		c := DefaultAdagradConfig()
		f(&c)
		_, err := NewAdagrad(p(), c)
		return err
	}
	sgd := func(c SGDConfig) error {
		_, err := NewSGD(p(), c)
		return err
	}
	leaf := param(1)
	nonLeaf := autograd.Add(leaf, leaf)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{sgd(SGDConfig{LR: -1}), "optim: sgd: lr = -1, want lr ≥ 0"},
		{sgd(SGDConfig{LR: math.NaN()}), "optim: sgd: lr = NaN, want lr ≥ 0"},
		{sgd(SGDConfig{LR: math.Inf(1)}), "optim: sgd: lr = +Inf, want lr ≥ 0"},
		{sgd(SGDConfig{LR: 0.1, Momentum: -0.5}), "optim: sgd: momentum = -0.5, want momentum ≥ 0"},
		{sgd(SGDConfig{LR: 0.1, Dampening: 1.5}), "optim: sgd: dampening = 1.5, want 0 ≤ dampening ≤ 1"},
		{sgd(SGDConfig{LR: 0.1, WeightDecay: -1e-4}), "optim: sgd: weight_decay = -0.0001, want weight_decay ≥ 0"},
		{sgd(SGDConfig{LR: 0.1, Nesterov: true}), "optim: sgd: nesterov needs momentum > 0 and dampening = 0 (momentum = 0, dampening = 0)"},
		{sgd(SGDConfig{LR: 0.1, Nesterov: true, Momentum: 0.9, Dampening: 0.1}), "optim: sgd: nesterov needs momentum > 0 and dampening = 0 (momentum = 0.9, dampening = 0.1)"},
		{adam(func(c *AdamConfig) { c.LR = -0.1 }), "optim: adam: lr = -0.1, want lr ≥ 0"},
		{adam(func(c *AdamConfig) { c.Betas[0] = 1.2 }), "optim: adam: betas[0] = 1.2, want 0 ≤ beta < 1"},
		{adam(func(c *AdamConfig) { c.Betas[0] = -0.1 }), "optim: adam: betas[0] = -0.1, want 0 ≤ beta < 1"},
		{adam(func(c *AdamConfig) { c.Betas[1] = 1 }), "optim: adam: betas[1] = 1, want 0 ≤ beta < 1"},
		{adam(func(c *AdamConfig) { c.Eps = 0 }), "optim: adam: eps = 0, want eps > 0"},
		{adam(func(c *AdamConfig) { c.Eps = -1e-8 }), "optim: adam: eps = -1e-08, want eps > 0"},
		{adam(func(c *AdamConfig) { c.WeightDecay = -1 }), "optim: adam: weight_decay = -1, want weight_decay ≥ 0"},
		{func() error { _, err := NewAdamW(p(), AdamConfig{LR: 1}); return err }(), "optim: adamw: eps = 0, want eps > 0"},
		{rms(func(c *RMSpropConfig) { c.LR = -1 }), "optim: rmsprop: lr = -1, want lr ≥ 0"},
		{rms(func(c *RMSpropConfig) { c.Alpha = -0.1 }), "optim: rmsprop: alpha = -0.1, want 0 ≤ alpha ≤ 1"},
		{rms(func(c *RMSpropConfig) { c.Alpha = 1.1 }), "optim: rmsprop: alpha = 1.1, want 0 ≤ alpha ≤ 1"},
		{rms(func(c *RMSpropConfig) { c.Eps = 0 }), "optim: rmsprop: eps = 0, want eps > 0"},
		{rms(func(c *RMSpropConfig) { c.WeightDecay = -1 }), "optim: rmsprop: weight_decay = -1, want weight_decay ≥ 0"},
		{rms(func(c *RMSpropConfig) { c.Momentum = -1 }), "optim: rmsprop: momentum = -1, want momentum ≥ 0"},
		{ada(func(c *AdagradConfig) { c.LR = -1 }), "optim: adagrad: lr = -1, want lr ≥ 0"},
		{ada(func(c *AdagradConfig) { c.LRDecay = -1 }), "optim: adagrad: lr_decay = -1, want lr_decay ≥ 0"},
		{ada(func(c *AdagradConfig) { c.WeightDecay = -1 }), "optim: adagrad: weight_decay = -1, want weight_decay ≥ 0"},
		{ada(func(c *AdagradConfig) { c.InitialAccumulatorValue = -1 }), "optim: adagrad: initial_accumulator_value = -1, want initial_accumulator_value ≥ 0"},
		{ada(func(c *AdagradConfig) { c.Eps = 0 }), "optim: adagrad: eps = 0, want eps > 0"},
		{func() error { _, err := NewSGD(nil, SGDConfig{LR: 1}); return err }(), "optim: sgd: empty parameter list"},
		{func() error { _, err := NewSGD([]*autograd.Var{leaf, nil}, SGDConfig{LR: 1}); return err }(), "optim: sgd: parameter 1 is nil"},
		{func() error { _, err := NewSGD([]*autograd.Var{leaf, leaf}, SGDConfig{LR: 1}); return err }(), "optim: sgd: parameter 1 is parameter 0 again"},
		{func() error { _, err := NewSGD([]*autograd.Var{nonLeaf}, SGDConfig{LR: 1}); return err }(), "optim: sgd: parameter 0 is not a leaf (add)"},
	} {
		if tc.err == nil {
			t.Errorf("got no error, want %q", tc.want)
			continue
		}
		if !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("got %q, want %q", tc.err, tc.want)
		}
		if !errors.Is(tc.err, ErrConfig) {
			t.Errorf("%q does not wrap ErrConfig", tc.err)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		hp   map[string]any
		want string
		key  string
	}{
		{"lbgfs", nil, `optim: unknown optimizer "lbgfs" (did you mean "lbfgs"?); allowed: sgd, adam, adamw, rmsprop, adagrad, lbfgs`, ""},
		{"sgd", map[string]any{"momentum": 0.9}, "optim: sgd: lr is required", "lr"},
		{"sgd", map[string]any{"lr": 0.1, "beta": 0.9}, `optim: sgd: unknown hyperparameter "beta" (allowed: lr, momentum, dampening, weight_decay, nesterov, maximize)`, "beta"},
		{"adam", map[string]any{"momentum": 0.9, "amsgrad": false}, `optim: adam: unknown hyperparameter "momentum" (allowed: lr, betas, eps, weight_decay, amsgrad, maximize)`, "momentum"},
		{"adam", map[string]any{"lr": "fast"}, "optim: adam: lr is string (fast), want a number", "lr"},
		{"adam", map[string]any{"amsgrad": 1}, "optim: adam: amsgrad is int (1), want a bool", "amsgrad"},
		{"adam", map[string]any{"betas": []any{0.9}}, "optim: adam: betas is []interface {} ([0.9]), want a list of two numbers", "betas"},
		{"adam", map[string]any{"betas": []any{0.9, "x"}}, "optim: adam: betas is []interface {} ([0.9 x]), want a list of two numbers", "betas"},
		{"adam", map[string]any{"betas": 0.9}, "optim: adam: betas is float64 (0.9), want a list of two numbers", "betas"},
		{"adamw", map[string]any{"betas": []any{1.2, 0.999}}, "optim: adamw: betas[0] = 1.2, want 0 ≤ beta < 1", "betas[0]"},
		{"rmsprop", map[string]any{"centered": "yes"}, "optim: rmsprop: centered is string (yes), want a bool", "centered"},
		{"rmsprop", map[string]any{"alpha": 2}, "optim: rmsprop: alpha = 2, want 0 ≤ alpha ≤ 1", "alpha"},
		{"adagrad", map[string]any{"eps": 0}, "optim: adagrad: eps = 0, want eps > 0", "eps"},
		{"adagrad", map[string]any{"initial_accumulator_value": nil}, "optim: adagrad: initial_accumulator_value is <nil> (<nil>), want a number", "initial_accumulator_value"},
	} {
		_, err := New(tc.name, []*autograd.Var{param(1)}, tc.hp)
		if err == nil {
			t.Errorf("New(%q, %v): got no error, want %q", tc.name, tc.hp, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("New(%q, %v):\ngot  %q\nwant %q", tc.name, tc.hp, err, tc.want)
		}
		var e *Error
		if !errors.As(err, &e) || e.Key != tc.key || !errors.Is(err, ErrConfig) {
			t.Errorf("New(%q, %v): got error %#v, want an *Error with key %q wrapping ErrConfig", tc.name, tc.hp, err, tc.key)
		}
	}
}

// TestNewValueTypes checks the value types that JSON and YAML decoders
// produce.
func TestNewValueTypes(t *testing.T) {
	for _, hp := range []map[string]any{
		{"lr": 1, "betas": []any{0.5, 0.75}, "eps": float32(0.5), "weight_decay": int64(0)},
		{"lr": 1.0, "betas": [2]float64{0.5, 0.75}, "eps": 0.5, "amsgrad": false},
		{"lr": uint8(1), "betas": []float32{0.5, 0.75}, "eps": 0.5},
	} {
		opt, err := New("adam", []*autograd.Var{param(1)}, hp)
		if err != nil {
			t.Errorf("New(adam, %v): %v", hp, err)
			continue
		}
		want := AdamConfig{LR: 1, Betas: [2]float64{0.5, 0.75}, Eps: 0.5}
		if got := opt.(*Adam).Config(); got != want {
			t.Errorf("New(adam, %v): got %+v, want %+v", hp, got, want)
		}
	}
}

// optimizerVariants builds one of each optimizer and hyperparameter shape
// whose state differs.
var optimizerVariants = []struct {
	name string
	hp   map[string]any
	keys []string
}{
	{"sgd", map[string]any{"lr": 0.1}, nil},
	{"sgd", map[string]any{"lr": 0.1, "momentum": 0.9, "dampening": 0.2}, []string{"momentum_buffer"}},
	{"adam", map[string]any{"weight_decay": 0.1}, []string{"step", "exp_avg", "exp_avg_sq"}},
	{"adam", map[string]any{"amsgrad": true}, []string{"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}},
	{"adamw", map[string]any{"amsgrad": true}, []string{"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}},
	{"rmsprop", nil, []string{"step", "square_avg"}},
	{"rmsprop", map[string]any{"momentum": 0.5, "centered": true}, []string{"step", "square_avg", "momentum_buffer", "grad_avg"}},
	{"adagrad", map[string]any{"lr_decay": 0.1, "initial_accumulator_value": 0.1}, []string{"step", "sum"}},
}

// randomGrads returns n gradient sets for parameters of sizes 3 and 4.
func randomGrads(r *rand.Rand, n int) [][2][]float32 {
	out := make([][2][]float32, n)
	for i := range out {
		for k, size := range []int{3, 4} {
			g := make([]float32, size)
			for j := range g {
				g[j] = float32(r.NormFloat64())
			}
			out[i][k] = g
		}
	}
	return out
}

func twoParams() []*autograd.Var {
	return []*autograd.Var{param(1, -2, 0.5), autograd.Param(tensor.FromSlice([]float32{0.1, 0.2, -0.3, 0.4}, 2, 2))}
}

func applyGrads(opt Optimizer, gs [][2][]float32) {
	for _, g := range gs {
		for k, p := range opt.Params() {
			p.Grad = tensor.FromSlice(g[k], p.Value.Shape()...)
		}
		opt.Step()
	}
}

func TestStateRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, v := range optimizerVariants {
		t.Run(fmt.Sprintf("%s%v", v.name, v.hp), func(t *testing.T) {
			gs := randomGrads(r, 8)
			a, err := New(v.name, twoParams(), v.hp)
			if err != nil {
				t.Fatal(err)
			}
			applyGrads(a, gs[:4])
			state := a.State()
			var wantKeys int
			if v.keys != nil {
				wantKeys = 2 * len(v.keys)
			}
			if len(state) != wantKeys {
				t.Errorf("State has %d keys, want %d: %v", len(state), wantKeys, state)
			}
			for _, k := range v.keys {
				if state["0."+k] == nil || state["1."+k] == nil {
					t.Errorf("State lacks %q for a parameter: %v", k, state)
				}
			}

			// Resume in a new optimizer over copies of the parameters.
			params := make([]*autograd.Var, 2)
			for i, p := range a.Params() {
				params[i] = autograd.Param(p.Value.Clone())
			}
			b, err := New(v.name, params, v.hp)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.LoadState(state); err != nil {
				t.Fatal(err)
			}
			// The exported state is a copy: scribbling on it changes nothing.
			for _, s := range state {
				s.Fill(42)
			}
			applyGrads(a, gs[4:])
			applyGrads(b, gs[4:])
			for i := range params {
				got, want := b.Params()[i].Value.Data(), a.Params()[i].Value.Data()
				if !sameBits(got, want) {
					t.Errorf("parameter %d after resuming: got %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestLoadStateErrors(t *testing.T) {
	newAdam := func() Optimizer {
		opt, err := New("adam", twoParams(), nil)
		if err != nil {
			t.Fatal(err)
		}
		applyGrads(opt, randomGrads(rand.New(rand.NewPCG(3, 4)), 2))
		return opt
	}
	good := newAdam().State()
	with := func(key string, v *tensor.Tensor) map[string]*tensor.Tensor {
		m := make(map[string]*tensor.Tensor)
		for k, t := range good {
			m[k] = t
		}
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
		return m
	}
	for _, tc := range []struct {
		m    map[string]*tensor.Tensor
		want string
	}{
		{with("2.exp_avg", tensor.Zeros(3)), `optim: adam: unknown state key "2.exp_avg", want <index>.<name> with index < 2`},
		{with("exp_avg", tensor.Zeros(3)), `optim: adam: unknown state key "exp_avg", want <index>.<name> with index < 2`},
		{with("00.exp_avg", tensor.Zeros(3)), `optim: adam: unknown state key "00.exp_avg", want <index>.<name> with index < 2`},
		{with("0.momentum_buffer", tensor.Zeros(3)), `optim: adam: unknown state key "0.momentum_buffer" (names: step, exp_avg, exp_avg_sq)`},
		{with("0.exp_avg", tensor.Zeros(4)), "optim: adam: 0.exp_avg has shape [4], want [3]"},
		{with("1.exp_avg_sq", tensor.Zeros(4)), "optim: adam: 1.exp_avg_sq has shape [4], want [2 2]"},
		{with("0.step", tensor.Zeros(2)), "optim: adam: 0.step has shape [2], want a single value"},
		{with("0.step", tensor.Scalar(1.5)), "optim: adam: 0.step = 1.5, want a whole number ≥ 0"},
		{with("0.step", tensor.Scalar(-1)), "optim: adam: 0.step = -1, want a whole number ≥ 0"},
		{with("1.exp_avg", nil), "optim: adam: state of parameter 1 has 2 of its 3 keys (step, exp_avg, exp_avg_sq)"},
		{map[string]*tensor.Tensor{"0.step": nil}, `optim: adam: state key "0.step" has a nil tensor`},
	} {
		opt := newAdam()
		before := opt.State()
		err := opt.LoadState(tc.m)
		if err == nil {
			t.Errorf("got no error, want %q", tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("got %q, want %q", err, tc.want)
		}
		if !errors.Is(err, ErrState) {
			t.Errorf("%q does not wrap ErrState", err)
		}
		if after := opt.State(); !sameState(after, before) {
			t.Errorf("state changed by a failed LoadState")
		}
	}
	sgd, err := NewSGD(twoParams(), SGDConfig{LR: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = sgd.LoadState(map[string]*tensor.Tensor{"0.momentum_buffer": tensor.Zeros(3)})
	if want := `optim: sgd: unknown state key "0.momentum_buffer" (no state is kept in this configuration)`; err == nil || err.Error() != want {
		t.Errorf("SGD without momentum: got %v, want %q", err, want)
	}
}

func sameState(a, b map[string]*tensor.Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for k, t := range a {
		if u, ok := b[k]; !ok || !tensor.SameShape(t, u) || !sameBits(t.Data(), u.Data()) {
			return false
		}
	}
	return true
}

// TestLoadStatePartial checks that parameters absent from the loaded state
// start afresh: lazily for most optimizers, at the initial accumulator for
// Adagrad.
func TestLoadStatePartial(t *testing.T) {
	adam, err := New("adam", twoParams(), nil)
	if err != nil {
		t.Fatal(err)
	}
	applyGrads(adam, randomGrads(rand.New(rand.NewPCG(5, 6)), 2))
	if err := adam.LoadState(nil); err != nil {
		t.Fatal(err)
	}
	if s := adam.State(); len(s) != 0 {
		t.Errorf("Adam after loading an empty state: got %v, want no state", s)
	}
	ada, err := NewAdagrad(twoParams(), AdagradConfig{LR: 0.1, Eps: 1e-10, InitialAccumulatorValue: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	applyGrads(ada, randomGrads(rand.New(rand.NewPCG(5, 6)), 2))
	if err := ada.LoadState(map[string]*tensor.Tensor{}); err != nil {
		t.Fatal(err)
	}
	s := ada.State()
	if got := s["0.step"].Item(); got != 0 {
		t.Errorf("Adagrad step after loading an empty state: got %v, want 0", got)
	}
	if got := s["1.sum"].Data(); !sameBits(got, []float32{0.25, 0.25, 0.25, 0.25}) {
		t.Errorf("Adagrad sum after loading an empty state: got %v, want all 0.25", got)
	}
}

// TestNilGradSkipped checks that a parameter without a gradient is neither
// moved nor given state, while its neighbours are stepped.
func TestNilGradSkipped(t *testing.T) {
	for _, v := range optimizerVariants {
		params := twoParams()
		opt, err := New(v.name, params, v.hp)
		if err != nil {
			t.Fatal(err)
		}
		before := params[1].Value.Clone().Data()
		params[0].Grad = tensor.FromSlice([]float32{1, 1, 1}, 3)
		opt.Step()
		if got := params[1].Value.Data(); !sameBits(got, before) {
			t.Errorf("%s%v: parameter without gradient: got %v, want %v", v.name, v.hp, got, before)
		}
		if got := params[0].Value.Data(); got[0] == 1 {
			t.Errorf("%s%v: parameter with gradient not moved: %v", v.name, v.hp, got)
		}
		s := opt.State()
		if v.name == "adagrad" {
			if got := s["1.step"].Item(); got != 0 {
				t.Errorf("%s%v: step of parameter without gradient: got %v, want 0", v.name, v.hp, got)
			}
			continue
		}
		for k := range s {
			if strings.HasPrefix(k, "1.") {
				t.Errorf("%s%v: parameter without gradient has state %q", v.name, v.hp, k)
			}
		}
	}
}

func TestZeroGradAndLR(t *testing.T) {
	params := twoParams()
	opt, err := New("sgd", params, map[string]any{"lr": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	params[0].Grad = tensor.FromSlice([]float32{1, 2, 3}, 3)
	grad := params[0].Grad
	opt.ZeroGrad()
	if got := grad.Data(); !sameBits(got, []float32{0, 0, 0}) || params[0].Grad != grad {
		t.Errorf("ZeroGrad: got %v, want the same zeroed tensor", got)
	}
	if params[1].Grad != nil {
		t.Errorf("ZeroGrad created a gradient")
	}
	if got := opt.LR(); got != 0.5 {
		t.Errorf("LR: got %v, want 0.5", got)
	}
	opt.SetLR(0.25)
	if got := opt.LR(); got != 0.25 {
		t.Errorf("LR after SetLR(0.25): got %v, want 0.25", got)
	}
	if got := opt.(*SGD).Config().LR; got != 0.25 {
		t.Errorf("Config().LR after SetLR(0.25): got %v, want 0.25", got)
	}
	for _, lr := range []float64{-1, math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetLR(%v) did not panic", lr)
				}
			}()
			opt.SetLR(lr)
		}()
	}
	ps := opt.Params()
	ps[0] = nil
	if opt.Params()[0] == nil {
		t.Errorf("Params returned the optimizer's own slice")
	}
}

func TestGradShapeMismatchPanics(t *testing.T) {
	p := param(1, 2, 3)
	opt, err := NewSGD([]*autograd.Var{p}, SGDConfig{LR: 1})
	if err != nil {
		t.Fatal(err)
	}
	p.Grad = tensor.Zeros(2)
	defer func() {
		if recover() == nil {
			t.Errorf("Step with a gradient of the wrong size did not panic")
		}
	}()
	opt.Step()
}

// TestFMA32 compares fma32 with the exact result rounded once.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := [][3]float32{
		{1, 1, 0},
		{0.1, 0.1, -0.01},
		{1 + 1.0/(1<<23), 1 - 1.0/(1<<23), -1},
		{3, float32(math.Inf(1)), 1},
		{0, 0, -0},
		// 1 + 2⁻²³ + 2⁻²⁴ − 2⁻⁷⁰: rounding first to float64 gives a false
		// float32 tie.
		{(1 - 1.0/(1<<23)) / (1 << 24), 1 + 1.0/(1<<23), 1 + 1.0/(1<<23)},
	}
	for range 100000 {
		e := func() float32 { return float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20))) }
		cases = append(cases, [3]float32{e(), e(), e()})
		// Sums that nearly cancel, where a double rounding would show.
		a, b := e(), e()
		cases = append(cases, [3]float32{a, b, -(a * b)})
	}
	for _, c := range cases {
		got := fma32(c[0], c[1], c[2])
		var want float32
		if math.IsInf(float64(c[0])*float64(c[1])+float64(c[2]), 0) {
			want = float32(float64(c[0])*float64(c[1]) + float64(c[2]))
		} else {
			x := new(big.Float).SetPrec(200).SetFloat64(float64(c[0]))
			x.Mul(x, new(big.Float).SetFloat64(float64(c[1])))
			x.Add(x, new(big.Float).SetFloat64(float64(c[2])))
			want, _ = x.Float32()
		}
		if math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
			t.Errorf("fma32(%g, %g, %g): got %g, want %g", c[0], c[1], c[2], got, want)
		}
	}
}

// TestStepDoesNotAllocate checks that once its state exists, Step works in
// place.
func TestStepDoesNotAllocate(t *testing.T) {
	for _, v := range optimizerVariants {
		params := twoParams()
		opt, err := New(v.name, params, v.hp)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range params {
			p.Grad = tensor.Full(0.5, p.Value.Shape()...)
		}
		opt.Step()
		if n := testing.AllocsPerRun(10, opt.Step); n != 0 {
			t.Errorf("%s%v: Step allocates %v times, want 0", v.name, v.hp, n)
		}
	}
}

// TestMaximize checks that maximize with gradient g moves the parameters
// exactly as minimizing with −g does.
func TestMaximize(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, v := range optimizerVariants {
		gs := randomGrads(r, 4)
		neg := make([][2][]float32, len(gs))
		for i, g := range gs {
			for k := range g {
				neg[i][k] = make([]float32, len(g[k]))
				for j, x := range g[k] {
					neg[i][k][j] = -x
				}
			}
		}
		hp := map[string]any{"maximize": true}
		for k, x := range v.hp {
			hp[k] = x
		}
		up, err := New(v.name, twoParams(), hp)
		if err != nil {
			t.Fatal(err)
		}
		down, err := New(v.name, twoParams(), v.hp)
		if err != nil {
			t.Fatal(err)
		}
		applyGrads(up, gs)
		applyGrads(down, neg)
		for i := range 2 {
			if got, want := up.Params()[i].Value.Data(), down.Params()[i].Value.Data(); !sameBits(got, want) {
				t.Errorf("%s%v: parameter %d: got %v, want %v", v.name, hp, i, got, want)
			}
		}
	}
}
