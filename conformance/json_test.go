package conformance

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// jsonTensor is a tensor as the reference files store it.
type jsonTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// tensor converts j to a float32 tensor.
func (j jsonTensor) tensor() *tensor.Tensor {
	d := make([]float32, len(j.Data))
	for i, v := range j.Data {
		d[i] = float32(v)
	}
	return tensor.New(d, j.Shape...)
}

// ints returns j's data as class indices.
func (j jsonTensor) ints() []int {
	out := make([]int, len(j.Data))
	for i, v := range j.Data {
		out[i] = int(v)
	}
	return out
}

// conformanceDir is the directory of reference files: $BIGFUNC_CONFORMANCE,
// else the shared copy beside the repository, else the copy in testdata.
func conformanceDirs() []string {
	if d := os.Getenv("BIGFUNC_CONFORMANCE"); d != "" {
		return []string{d}
	}
	dirs := []string{"testdata"}
	shared := filepath.Join("..", "..", "shared", "conformance")
	if _, err := os.Stat(shared); err == nil {
		dirs = append(dirs, shared)
	}
	return dirs
}

// readJSON decodes path into v, failing the test on error.
func readJSON(t *testing.T, path string, v any) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("conformance: %v", err)
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Errorf("conformance: %s: %v", path, err)
		return false
	}
	return true
}

// within reports whether got is within abs + rel·|want| of want.
func within(got, want, abs, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

// compareTensor reports each element of got outside tolerance of want,
// got before want, and returns whether all matched.
func compareTensor(t *testing.T, what string, got *tensor.Tensor, want jsonTensor, abs, rel float64) bool {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got no tensor, want shape %v", what, want.Shape)
		return false
	}
	if !equalInts(got.Shape(), want.Shape) {
		t.Errorf("%s: got shape %v, want %v", what, got.Shape(), want.Shape)
		return false
	}
	// The first few mismatches, then a count, keep a broken op readable.
	const maxReports = 5
	bad := 0
	for i, w := range want.Data {
		if g := float64(got.Data()[i]); !within(g, w, abs, rel) {
			if bad < maxReports {
				t.Errorf("%s: element %d: got %.9g, want %.9g (difference %.3g)", what, i, g, w, math.Abs(g-w))
			}
			bad++
		}
	}
	if bad > maxReports {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(want.Data))
	}
	return bad == 0
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
