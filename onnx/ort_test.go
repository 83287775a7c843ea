package onnx_test

import (
	"fmt"
	"testing"
)

// TestExportRunsInORT exports every zoo model at several opsets, checks
// each file with the ONNX checker, runs them all in ONNX Runtime and
// compares with Predict (and the decoder) within 1e-5 relative.
func TestExportRunsInORT(t *testing.T) {
	modules := requireORT(t)
	dir := t.TempDir()
	var all []zooModel
	var paths []string
	for _, opset := range []int{13, 14, 17, 18, 20, 21} {
		z := zoo(t, opset)
		all = append(all, z...)
		paths = append(paths, exportAll(t, z, dir)...)
	}
	checkWithPython(t, paths)
	cases := make([]ortCase, len(all))
	for i, z := range all {
		x := graphInput(t, z)
		cases[i] = ortCase{Model: paths[i], Input: jsonArray{Shape: append([]int{x.Dim(0)}, z.model.InputShape...), Data: x.Data()}}
	}
	res := runORT(t, modules, cases)
	worst, worstAt := 0.0, ""
	for i, z := range all {
		want := expected(t, z, z.x)
		got := res[i].Data
		name := fmt.Sprintf("%s opset %d", z.name, z.opts.Opset)
		if len(got) != len(want) {
			t.Errorf("%s: ORT gave %d values %v, want %d", name, len(got), res[i].Shape, len(want))
			continue
		}
		for j := range want {
			d := abs(got[j]-want[j]) / max(1, abs(want[j]))
			if d > worst {
				worst, worstAt = d, name
			}
			if !closeEnough(got[j], want[j], 1e-5) {
				t.Errorf("%s: output %d: ORT %v, Predict %v", name, j, got[j], want[j])
				break
			}
		}
	}
	t.Logf("%d models in ONNX Runtime; largest difference from Predict %.3g (relative to max(1, |y|)) in %s", len(all), worst, worstAt)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
