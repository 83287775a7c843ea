package data

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

func near(a, b, tol float32) bool { return math.Abs(float64(a-b)) <= float64(tol) }

func TestScalerStandardize(t *testing.T) {
	// Columns: spread 1..4, constant 7, large offset.
	train := tensor.FromSlice([]float32{
		1, 7, 1000,
		2, 7, 1002,
		3, 7, 1004,
		4, 7, 1006,
	}, 4, 3)
	s, err := NewScaler("standardize")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.FitTransform(train)
	if err != nil {
		t.Fatal(err)
	}
	// Population std of 1..4 is sqrt(1.25).
	sd := float32(math.Sqrt(1.25))
	want := []float32{
		-1.5 / sd, 0, -1.5 / sd,
		-0.5 / sd, 0, -0.5 / sd,
		0.5 / sd, 0, 0.5 / sd,
		1.5 / sd, 0, 1.5 / sd,
	}
	for i, v := range got.Data() {
		if !near(v, want[i], 1e-5) {
			t.Fatalf("Transform = %v, want %v", got.Data(), want)
		}
	}
	// Fitted on the training rows only: a test row far away is not
	// re-centred.
	test := tensor.FromSlice([]float32{11, 8, 1003}, 1, 3)
	out, err := s.Transform(test)
	if err != nil {
		t.Fatal(err)
	}
	if w := []float32{8.5 / sd, 1, 0}; !near(out.Data()[0], w[0], 1e-5) || out.Data()[1] != w[1] || !near(out.Data()[2], w[2], 1e-4) {
		t.Errorf("Transform(test) = %v, want %v", out.Data(), w)
	}
	back, err := s.Inverse(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range back.Data() {
		if !near(v, test.Data()[i], 1e-3) {
			t.Errorf("Inverse(Transform(x)) = %v, want %v", back.Data(), test.Data())
		}
	}
	if test.Data()[0] != 11 {
		t.Error("Transform changed its input")
	}
}

func TestScalerMinMax(t *testing.T) {
	train := tensor.FromSlice([]float32{-2, 5, 0, 5, 2, 5}, 3, 2)
	s, _ := NewScaler("minmax")
	got, err := s.FitTransform(train)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 0, 0.5, 0, 1, 0}; !reflect.DeepEqual(got.Data(), want) {
		t.Errorf("Transform = %v, want %v", got.Data(), want)
	}
	// A 1-D row works too, and values beyond the training range go beyond
	// [0, 1].
	out, _ := s.Transform(tensor.FromSlice([]float32{4, 6}, 2))
	if want := []float32{1.5, 1}; !reflect.DeepEqual(out.Data(), want) {
		t.Errorf("Transform(row) = %v, want %v", out.Data(), want)
	}
	back, _ := s.Inverse(got)
	if !reflect.DeepEqual(back.Data(), train.Data()) {
		t.Errorf("Inverse = %v, want %v", back.Data(), train.Data())
	}
}

func TestScalerNone(t *testing.T) {
	var s Scaler
	if s.Kind() != ScaleNone || s.Features() != -1 {
		t.Errorf("zero Scaler = %v, %d", s.Kind(), s.Features())
	}
	x := tensor.FromSlice([]float32{1, 2}, 1, 2)
	got, err := s.FitTransform(x)
	if err != nil || !reflect.DeepEqual(got.Data(), x.Data()) || s.Features() != 2 {
		t.Errorf("FitTransform = %v, %v", got, err)
	}
}

func TestScalerErrors(t *testing.T) {
	s, _ := NewScaler("standardize")
	x := tensor.Zeros(2, 3)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown", func() error { _, err := NewScaler("zscore"); return err }(),
			`data: unknown scaler "zscore"; allowed: none, standardize, minmax`},
		{"before fit", func() error { _, err := s.Transform(x); return err }(), "data: scaler Transform before Fit"},
		{"fit 1-D", s.Fit(tensor.Zeros(3)), "data: scaler fit on shape [3], want [rows, features]"},
		{"fit no rows", s.Fit(tensor.Zeros(0, 3)), "data: scaler fit on 0 rows"},
		{"fit nil", s.Fit(nil), "data: scaler fit on shape [], want [rows, features]"},
		{"wrong width", func() error {
			s.Fit(x)
			_, err := s.Inverse(tensor.Zeros(2, 4))
			return err
		}(), "data: scaler Inverse on shape [2 4], want [rows, 3]"},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error, want %s", tt.name, tt.want)
		} else if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: error\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestScalerJSON(t *testing.T) {
	x := tensor.FromSlice([]float32{1, 10, 2, 10, 4, 10}, 3, 2)
	for _, kind := range ScalerKinds() {
		s, _ := NewScaler(kind)
		if err := s.Fit(x); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var r Scaler
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: Unmarshal(%s): %v", kind, b, err)
		}
		if !reflect.DeepEqual(&r, s) {
			t.Errorf("%s: round trip of %s = %+v, want %+v", kind, b, r, *s)
		}
		a1, _ := s.Transform(x)
		a2, _ := r.Transform(x)
		if !reflect.DeepEqual(a1.Data(), a2.Data()) {
			t.Errorf("%s: restored scaler transforms differently", kind)
		}
	}
	s, _ := NewScaler("standardize")
	s.Fit(tensor.FromSlice([]float32{1, 2}, 2, 1))
	b, _ := json.Marshal(s)
	if got, want := string(b), `{"kind":"standardize","mean":[1.5],"std":[0.5]}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	unfit, _ := NewScaler("minmax")
	b, _ = json.Marshal(unfit)
	var r Scaler
	if err := json.Unmarshal(b, &r); err != nil || r.Features() != -1 || r.Kind() != MinMax {
		t.Errorf("unfitted round trip of %s: %+v, %v", b, r, err)
	}
}

func TestScalerUnmarshalErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"kind":"robust"}`, `data: unknown scaler "robust"; allowed: none, standardize, minmax`},
		{`{"kind":"standardize","mean":[1,2],"std":[1]}`, "data: standardize scaler has 2 mean values and 1 std values, want as many"},
		{`{"kind":"standardize","mean":[1],"std":[-1]}`, "data: standardize scaler: column 0: std -1, want ≥ 0"},
		{`{"kind":"minmax","min":[3],"max":[1]}`, "data: minmax scaler: column 0: max 1 is below min 3"},
		{`{"kind":"minmax","min":[0],"max":[1e39]}`, "data: scaler: json: cannot unmarshal …"},
		{`{"kind":"none","features":-2}`, "data: scaler: features -2, want ≥ 0"},
		{`[1]`, "data: scaler: json: cannot unmarshal …"},
	}
	for _, tt := range tests {
		var s Scaler
		err := json.Unmarshal([]byte(tt.in), &s)
		if err == nil {
			t.Errorf("Unmarshal(%s) = %+v, nil; want %s", tt.in, s, tt.want)
		} else if got := err.Error(); got != tt.want && !(strings.HasSuffix(tt.want, "…") && strings.HasPrefix(got, strings.TrimSuffix(tt.want, "…"))) {
			t.Errorf("Unmarshal(%s) error\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestScalerSavedFormula applies the saved statistics the way a user of
// the model file does, by the documented formulas (x − mean)/std and
// (x − min)/(max − min) with 1 for a zero range, and checks that this
// gives Transform's answer: finite on a constant column, not NaN.
func TestScalerSavedFormula(t *testing.T) {
	train := tensor.FromSlice([]float32{
		1, 0, 3,
		2, 0, 3,
		4, 0, 3,
	}, 3, 3)
	x := tensor.FromSlice([]float32{3, 0, 3, -1, 0, 5}, 2, 3)
	for _, kind := range []string{"standardize", "minmax"} {
		s, _ := NewScaler(kind)
		if err := s.Fit(train); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var saved map[string][]float64
		var probe map[string]any
		_ = json.Unmarshal(b, &probe)
		delete(probe, "kind")
		b2, _ := json.Marshal(probe)
		if err := json.Unmarshal(b2, &saved); err != nil {
			t.Fatal(err)
		}
		want, _ := s.Transform(x)
		for i, v := range x.Data() {
			j := i % 3
			var got float64
			if kind == "standardize" {
				if saved["std"][j] == 0 {
					t.Fatalf("%s: saved std %v has a zero (column %d)", kind, saved["std"], j)
				}
				got = (float64(v) - saved["mean"][j]) / saved["std"][j]
			} else {
				r := saved["max"][j] - saved["min"][j]
				if r == 0 {
					r = 1
				}
				got = (float64(v) - saved["min"][j]) / r
			}
			if math.IsNaN(got) || !near(float32(got), want.Data()[i], 1e-6) {
				t.Errorf("%s: formula on %s gives %v at %d, Transform %v", kind, b, got, i, want.Data()[i])
			}
		}
	}
}
