package loss

import (
	"fmt"
	"github.com/bigfunc/bigfunc/internal/param"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/tensor"
)

// Target is the ground truth that a Loss compares a prediction with.
// Regression and binary losses read Values, a tensor of the prediction's
// shape; classification losses (those whose Classification method reports
// true) read Classes, one class index per sample. Targets take no gradient.
type Target struct {
	// Values holds the targets of regression and binary losses.
	Values *tensor.Tensor
	// Classes holds the class index of each sample for classification
	// losses.
	Classes []int
}

// Loss is a training objective chosen by name, as a model specification
// names it. New returns the built-in ones; other packages may implement it
// for objectives of their own.
type Loss interface {
	// Name returns the name under which New knows the loss.
	Name() string
	// Classification reports whether targets are class indices
	// (Target.Classes) rather than values (Target.Values).
	Classification() bool
	// Compute returns the loss of pred against target, reduced as
	// configured. It panics on a target of the wrong kind or shape, as the
	// underlying function (MSE, CrossEntropy, …) does.
	Compute(pred *autograd.Var, target Target) *autograd.Var
}

// kind describes one built-in loss: its name, its single hyperparameter
// besides the reduction (if any) with PyTorch's default and valid range,
// and how to compute it.
type kind struct {
	name           string
	classification bool
	param          string  // PyTorch's keyword, "" if none
	def            float64 // PyTorch's default for param
	rule           string  // the valid range of param, for error messages
	valid          func(v float64) bool
	ignore         bool // takes ignore_index (default IgnoreIndex)
	compute        func(pred *autograd.Var, t Target, param float64, r Reduction) *autograd.Var
}

var kinds = []kind{
	{name: "mse", compute: func(p *autograd.Var, t Target, _ float64, r Reduction) *autograd.Var {
		return MSE(p, t.Values, r)
	}},
	{name: "l1", compute: func(p *autograd.Var, t Target, _ float64, r Reduction) *autograd.Var {
		return L1(p, t.Values, r)
	}},
	{name: "huber", param: "delta", def: 1, rule: "a number > 0",
		valid: func(v float64) bool { return v > 0 },
		compute: func(p *autograd.Var, t Target, delta float64, r Reduction) *autograd.Var {
			return Huber(p, t.Values, delta, r)
		}},
	{name: "smooth_l1", param: "beta", def: 1, rule: "a number >= 0",
		valid: func(v float64) bool { return v >= 0 },
		compute: func(p *autograd.Var, t Target, beta float64, r Reduction) *autograd.Var {
			return SmoothL1(p, t.Values, beta, r)
		}},
	{name: "bce", compute: func(p *autograd.Var, t Target, _ float64, r Reduction) *autograd.Var {
		return BCE(p, t.Values, r)
	}},
	{name: "bce_with_logits", compute: func(p *autograd.Var, t Target, _ float64, r Reduction) *autograd.Var {
		return BCEWithLogits(p, t.Values, r)
	}},
	{name: "cross_entropy", classification: true, param: "label_smoothing", def: 0, rule: "a number in [0, 1]", ignore: true,
		valid: func(v float64) bool { return v >= 0 && v <= 1 },
		compute: func(p *autograd.Var, t Target, eps float64, r Reduction) *autograd.Var {
			return CrossEntropy(p, t.Classes, eps, r)
		}},
	{name: "nll", classification: true, compute: func(p *autograd.Var, t Target, _ float64, r Reduction) *autograd.Var {
		return NLL(p, t.Classes, r)
	}},
}

// Names returns the names that New accepts, in a fixed order suitable for
// help text.
func Names() []string {
	names := make([]string, len(kinds))
	for i := range kinds {
		names[i] = kinds[i].name
	}
	return names
}

// keys returns the parameter names that k accepts, sorted.
func (k *kind) keys() []string {
	if k.param == "" {
		return []string{"reduction"}
	}
	keys := []string{k.param, "reduction"}
	if k.ignore {
		keys = append(keys, "ignore_index")
	}
	slices.Sort(keys)
	return keys
}

// New returns the loss called name (one of Names) configured with params,
// whose keys are PyTorch's keyword arguments: "reduction" ("mean", the
// default, "sum" or "none") for every loss, "delta" for huber, "beta" for
// smooth_l1 and "label_smoothing" for cross_entropy, with PyTorch's
// defaults when absent. Values may be of the types a JSON or YAML decoder
// produces (float64, int, string). params may be nil.
//
// The error for an unknown name lists the known ones and suggests the
// closest; the error for an unknown key or an invalid value names the key
// and what it allows.
func New(name string, params map[string]any) (Loss, error) {
	i := slices.IndexFunc(kinds, func(k kind) bool { return k.name == name })
	if i < 0 {
		names := Names()
		return nil, fmt.Errorf("loss: unknown loss %q%s; allowed: %s", name, suggest.DidYouMean(name, names), strings.Join(names, ", "))
	}
	k := &kinds[i]
	l := &builtin{kind: k, param: k.def, ignore: noIgnore}
	if k.ignore {
		l.ignore = IgnoreIndex
	}
	keys := make([]string, 0, len(params))
	for key := range params {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		v := params[key]
		switch {
		case key == "reduction":
			s, ok := v.(string)
			r, err := ParseReduction(s)
			if !ok || err != nil {
				return nil, fmt.Errorf("loss %s: reduction must be \"mean\", \"sum\" or \"none\", got %#v", name, v)
			}
			l.reduction = r
		case key == "ignore_index" && k.ignore:
			f, ok := param.Number(v)
			if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
				return nil, fmt.Errorf("loss %s: ignore_index must be an integer, got %#v", name, v)
			}
			l.ignore = int(f)
		case key == k.param:
			f, ok := param.Number(v)
			if !ok || !k.valid(f) {
				return nil, fmt.Errorf("loss %s: %s must be %s, got %#v", name, key, k.rule, v)
			}
			l.param = f
		default:
			allowed := k.keys()
			return nil, fmt.Errorf("loss %s: unknown parameter %q%s; allowed: %s", name, key, suggest.DidYouMean(key, allowed), strings.Join(allowed, ", "))
		}
	}
	return l, nil
}

// builtin is a Loss that New configured.
type builtin struct {
	kind      *kind
	reduction Reduction
	param     float64
	ignore    int       // the target that counts for nothing (cross_entropy)
	scratch   []float64 // ValueGrad's local derivatives, kept between calls
}

// Name returns the loss's name as New knows it.
func (l *builtin) Name() string { return l.kind.name }

// Classification reports whether the loss takes class indices.
func (l *builtin) Classification() bool { return l.kind.classification }

// Compute checks that target is of the kind the loss reads, so that a
// mix-up reports the loss by name rather than as a nil dereference.
func (l *builtin) Compute(pred *autograd.Var, target Target) *autograd.Var {
	if l.kind.classification {
		if target.Classes == nil && target.Values != nil {
			panic(fmt.Errorf("loss %s: needs class indices (Target.Classes), got a tensor target", l.kind.name))
		}
	} else if target.Values == nil {
		panic(fmt.Errorf("loss %s: needs a tensor target (Target.Values)", l.kind.name))
	}
	if l.kind.ignore {
		return CrossEntropyIgnore(pred, target.Classes, l.ignore, l.param, l.reduction)
	}
	return l.kind.compute(pred, target, l.param, l.reduction)
}

// String formats l as its name and parameters, such as
// "huber(delta=1, reduction=mean)", for logs.
func (l *builtin) String() string {
	var b strings.Builder
	b.WriteString(l.kind.name)
	b.WriteByte('(')
	if l.kind.param != "" {
		b.WriteString(l.kind.param)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(l.param, 'g', -1, 64))
		b.WriteString(", ")
	}
	if l.kind.ignore && l.ignore != IgnoreIndex {
		b.WriteString("ignore_index=")
		b.WriteString(strconv.Itoa(l.ignore))
		b.WriteString(", ")
	}
	b.WriteString("reduction=")
	b.WriteString(l.reduction.String())
	b.WriteByte(')')
	return b.String()
}
