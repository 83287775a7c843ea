package data

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// ScalerKind names how a Scaler maps each column.
type ScalerKind string

// The scaler kinds.
const (
	// ScaleNone leaves values as they are.
	ScaleNone ScalerKind = "none"
	// Standardize maps x to (x − mean)/std, with the population standard
	// deviation (as scikit-learn's StandardScaler). A constant column is
	// given std 1, as scikit-learn does, so that it is only centred and
	// the stored std never divides by zero.
	Standardize ScalerKind = "standardize"
	// MinMax maps x to (x − min)/(max − min), so that the training rows
	// span [0, 1]. A constant column (max = min) is divided by 1 instead,
	// so it maps to 0; the stored min and max are the column's own.
	MinMax ScalerKind = "minmax"
)

// ScalerKinds returns the names NewScaler accepts.
func ScalerKinds() []string {
	return []string{string(ScaleNone), string(Standardize), string(MinMax)}
}

// Scaler maps each feature column to a common scale, which makes gradient
// descent far better behaved when columns differ in size by orders of
// magnitude. Fit it on the training rows only, so that nothing about the
// validation or test rows leaks into training, then Transform every set
// with it.
//
// A fitted scaler marshals to JSON, for example
//
//	{"kind":"standardize","mean":[1.5],"std":[0.5]}
//
// so that it can be stored in a model's metadata and used on new inputs.
//
// The zero Scaler is an unfitted ScaleNone.
type Scaler struct {
	kind   ScalerKind
	fitted bool
	n      int // features, once fitted
	// For Standardize: mean and std. For MinMax: min and max.
	a, b []float32
}

// NewScaler returns an unfitted scaler of the named kind.
func NewScaler(kind string) (*Scaler, error) {
	switch k := ScalerKind(kind); k {
	case ScaleNone, Standardize, MinMax:
		return &Scaler{kind: k}, nil
	}
	return nil, fmt.Errorf("data: unknown scaler %q; allowed: %s", kind, strings.Join(ScalerKinds(), ", "))
}

// Kind returns the scaler's kind.
func (s *Scaler) Kind() ScalerKind {
	if s.kind == "" {
		return ScaleNone
	}
	return s.kind
}

// Features returns the number of columns the scaler was fitted on, or -1
// before Fit.
func (s *Scaler) Features() int {
	if !s.fitted {
		return -1
	}
	return s.n
}

// Fit computes the columns' statistics from x, shape [rows, features].
func (s *Scaler) Fit(x *tensor.Tensor) error {
	if x == nil || x.Dims() != 2 {
		var shape []int
		if x != nil {
			shape = x.Shape()
		}
		return fmt.Errorf("data: scaler fit on shape %v, want [rows, features]", shape)
	}
	rows, f := x.Dim(0), x.Dim(1)
	if rows == 0 {
		return fmt.Errorf("data: scaler fit on 0 rows")
	}
	data := x.Data()
	s.n, s.a, s.b, s.fitted = f, nil, nil, true
	switch s.kind {
	case Standardize:
		// Two passes in float64: the one-pass formula loses everything to
		// cancellation when the mean is large against the spread.
		sum := make([]float64, f)
		for r := range rows {
			for j, v := range data[r*f : (r+1)*f] {
				sum[j] += float64(v)
			}
		}
		mean := make([]float64, f)
		for j := range mean {
			mean[j] = sum[j] / float64(rows)
		}
		ss := make([]float64, f)
		for r := range rows {
			for j, v := range data[r*f : (r+1)*f] {
				d := float64(v) - mean[j]
				ss[j] += d * d
			}
		}
		s.a, s.b = make([]float32, f), make([]float32, f)
		for j := range f {
			s.a[j] = float32(mean[j])
			std := float32(math.Sqrt(ss[j] / float64(rows)))
			if std == 0 || isBad(std) {
				// A constant column: store 1, not 0, so that whoever
				// applies the saved statistics by the formula, as a
				// PyTorch user does, gets 0 rather than NaN.
				std = 1
			}
			s.b[j] = std
		}
	case MinMax:
		s.a, s.b = make([]float32, f), make([]float32, f)
		copy(s.a, data[:f])
		copy(s.b, data[:f])
		for r := 1; r < rows; r++ {
			for j, v := range data[r*f : (r+1)*f] {
				s.a[j] = min(s.a[j], v)
				s.b[j] = max(s.b[j], v)
			}
		}
	}
	return nil
}

// FitTransform fits the scaler on x and returns x transformed.
func (s *Scaler) FitTransform(x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := s.Fit(x); err != nil {
		return nil, err
	}
	return s.Transform(x)
}

// offsetScale returns the per-column offset and divisor the scaler applies.
func (s *Scaler) offsetScale(j int) (offset, scale float32) {
	switch s.kind {
	case Standardize:
		offset, scale = s.a[j], s.b[j]
	case MinMax:
		offset, scale = s.a[j], s.b[j]-s.a[j]
	default:
		return 0, 1
	}
	if scale == 0 || math.IsNaN(float64(scale)) || math.IsInf(float64(scale), 0) {
		scale = 1
	}
	return offset, scale
}

// Transform returns a scaled copy of x, whose last dimension must be the
// number of fitted features.
func (s *Scaler) Transform(x *tensor.Tensor) (*tensor.Tensor, error) {
	return s.apply("Transform", x, func(v, offset, scale float32) float32 { return (v - offset) / scale })
}

// Inverse undoes Transform: it maps scaled values back to the original
// units, as for a regression network's predictions of scaled targets.
func (s *Scaler) Inverse(x *tensor.Tensor) (*tensor.Tensor, error) {
	return s.apply("Inverse", x, func(v, offset, scale float32) float32 { return v*scale + offset })
}

func (s *Scaler) apply(op string, x *tensor.Tensor, f func(v, offset, scale float32) float32) (*tensor.Tensor, error) {
	if !s.fitted {
		return nil, fmt.Errorf("data: scaler %s before Fit", op)
	}
	if x == nil || x.Dims() == 0 || x.Dim(-1) != s.n {
		var shape []int
		if x != nil {
			shape = x.Shape()
		}
		return nil, fmt.Errorf("data: scaler %s on shape %v, want [rows, %d]", op, shape, s.n)
	}
	out := x.Clone()
	if s.n == 0 || s.Kind() == ScaleNone {
		return out, nil
	}
	d := out.Data()
	for j := range s.n {
		offset, scale := s.offsetScale(j)
		for i := j; i < len(d); i += s.n {
			d[i] = f(d[i], offset, scale)
		}
	}
	return out, nil
}

type scalerJSON struct {
	Kind     ScalerKind `json:"kind"`
	Features *int       `json:"features,omitempty"`
	Mean     []float32  `json:"mean,omitempty"`
	Std      []float32  `json:"std,omitempty"`
	Min      []float32  `json:"min,omitempty"`
	Max      []float32  `json:"max,omitempty"`
}

// MarshalJSON encodes the scaler's kind and fitted statistics.
func (s *Scaler) MarshalJSON() ([]byte, error) {
	j := scalerJSON{Kind: s.Kind()}
	if !s.fitted {
		return json.Marshal(j)
	}
	switch s.kind {
	case Standardize:
		j.Mean, j.Std = nonNil(s.a), nonNil(s.b)
	case MinMax:
		j.Min, j.Max = nonNil(s.a), nonNil(s.b)
	default:
		n := s.n
		j.Features = &n
	}
	return json.Marshal(j)
}

func nonNil(v []float32) []float32 {
	if v == nil {
		return []float32{}
	}
	return v
}

// UnmarshalJSON decodes a scaler saved by MarshalJSON, checking that its
// statistics fit its kind.
func (s *Scaler) UnmarshalJSON(b []byte) error {
	var j scalerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("data: scaler: %v", err)
	}
	t := Scaler{kind: j.Kind}
	var a, c []float32
	var an, cn string
	switch j.Kind {
	case ScaleNone:
		if j.Features != nil {
			if *j.Features < 0 {
				return fmt.Errorf("data: scaler: features %d, want ≥ 0", *j.Features)
			}
			t.n, t.fitted = *j.Features, true
		}
		*s = t
		return nil
	case Standardize:
		a, c, an, cn = j.Mean, j.Std, "mean", "std"
	case MinMax:
		a, c, an, cn = j.Min, j.Max, "min", "max"
	default:
		return fmt.Errorf("data: unknown scaler %q; allowed: %s", j.Kind, strings.Join(ScalerKinds(), ", "))
	}
	if a == nil && c == nil {
		*s = t // saved before Fit
		return nil
	}
	if len(a) != len(c) {
		return fmt.Errorf("data: %s scaler has %d %s values and %d %s values, want as many", j.Kind, len(a), an, len(c), cn)
	}
	for i := range a {
		if isBad(a[i]) || isBad(c[i]) {
			return fmt.Errorf("data: %s scaler: column %d: %s %v, %s %v, want finite values", j.Kind, i, an, a[i], cn, c[i])
		}
		if j.Kind == Standardize && c[i] < 0 {
			return fmt.Errorf("data: standardize scaler: column %d: std %v, want ≥ 0", i, c[i])
		}
		if j.Kind == MinMax && c[i] < a[i] {
			return fmt.Errorf("data: minmax scaler: column %d: max %v is below min %v", i, c[i], a[i])
		}
	}
	t.n, t.a, t.b, t.fitted = len(a), a, c, true
	*s = t
	return nil
}

func isBad(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }
