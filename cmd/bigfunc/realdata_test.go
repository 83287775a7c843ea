package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// These tests run the command on real data nobody here wrote: iris,
// digits and diabetes as scikit-learn ships them (see testdata/DATA.md).

const irisSpec = `input: {csv: iris.csv, scale: standardize}   # every column but the label
output: {label: species}
architecture: [{linear: 16}, relu, {linear: 3}]
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 60, batch_size: 16, seed: 1}
`

// readCSV reads a CSV file or text into its header and rows.
func readCSV(t *testing.T, text string) ([]string, [][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("reading CSV: %v\n%s", err, text)
	}
	return recs[0], recs[1:]
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// subset writes the header and the rows of iris whose species is kept.
func subset(t *testing.T, dir, name string, keep ...string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(readFile(t, "testdata/iris.csv")), "\n")
	out := []string{lines[0]}
	for _, l := range lines[1:] {
		for _, k := range keep {
			if strings.HasSuffix(l, ","+k) {
				out = append(out, l)
			}
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// trainIris trains the iris model once for the tests that need it.
func trainIris(t *testing.T) (dir, model string) {
	t.Helper()
	dir = writeFiles(t, map[string]string{"iris.yaml": irisSpec, "iris.csv": readFile(t, "testdata/iris.csv")})
	code, out, errs := runCLI(t, "train", filepath.Join(dir, "iris.yaml"), "--quiet")
	if code != 0 {
		t.Fatalf("train: %s", errs)
	}
	if !strings.Contains(out, "accuracy 0.9") {
		t.Fatalf("iris should train to above 90%% accuracy: %s", out)
	}
	return dir, filepath.Join(dir, "iris.safetensors")
}

// TestIrisEvalMatchesPredict is the case users hit: eval on a file holding
// some of the classes must report exactly what predict shows. Before, an
// all-virginica file scored 0 and setosa with virginica about 0.5,
// because the file's own labels were renumbered.
func TestIrisEvalMatchesPredict(t *testing.T) {
	dir, model := trainIris(t)
	for _, c := range []struct {
		name string
		keep []string
	}{
		{"virginica.csv", []string{"virginica"}},
		{"setosa-virginica.csv", []string{"setosa", "virginica"}},
		{"versicolor.csv", []string{"versicolor"}},
		{"all.csv", []string{"setosa", "versicolor", "virginica"}},
	} {
		path := subset(t, dir, c.name, c.keep...)
		code, pred, errs := runCLI(t, "predict", "--model", model, "--input", path)
		if code != 0 {
			t.Fatalf("predict %s: %s", c.name, errs)
		}
		_, predRows := readCSV(t, pred)
		_, rows := readCSV(t, readFile(t, path))
		right := 0
		confusion := map[[2]string]int{}
		for i, r := range rows {
			truth := r[len(r)-1]
			if predRows[i][0] == truth {
				right++
			}
			confusion[[2]string{truth, predRows[i][0]}]++
		}
		want := float64(right) / float64(len(rows))

		code, js, errs := runCLI(t, "eval", "--model", model, "--data", path, "--json")
		if code != 0 {
			t.Fatalf("eval %s: %s", c.name, errs)
		}
		var rep report
		if err := json.Unmarshal([]byte(js), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Accuracy == nil || *rep.Accuracy != want || rep.Rows != len(rows) {
			t.Errorf("%s: eval accuracy %v over %d rows, predict shows %d of %d right (%v)", c.name, rep.Accuracy, rep.Rows, right, len(rows), want)
		}
		if want < 0.9 {
			t.Errorf("%s: predict gets only %d of %d right", c.name, right, len(rows))
		}
		// The confusion matrix counts the same pairs, in the model's class
		// order whatever the file holds.
		if len(rep.Classes) != 3 || rep.Classes[0].Class != "setosa" || rep.Classes[2].Class != "virginica" {
			t.Fatalf("%s: classes %+v", c.name, rep.Classes)
		}
		for i, ci := range rep.Classes {
			support := 0
			for j, cj := range rep.Classes {
				if got := rep.Confusion[i][j]; got != confusion[[2]string{ci.Class, cj.Class}] {
					t.Errorf("%s: confusion[%s][%s] = %d, predict shows %d", c.name, ci.Class, cj.Class, got, confusion[[2]string{ci.Class, cj.Class}])
				}
				support += confusion[[2]string{ci.Class, cj.Class}]
			}
			if ci.Support != support {
				t.Errorf("%s: %s support %d, want %d", c.name, ci.Class, ci.Support, support)
			}
		}
		// The text report shows the same accuracy and the table.
		_, text, _ := runCLI(t, "eval", "--model", model, "--data", path)
		for _, s := range []string{"accuracy  " + strconv.FormatFloat(want, 'f', 4, 64), "class", "precision", "recall", "confusion matrix"} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: eval text lacks %q:\n%s", c.name, s, text)
			}
		}
	}
}

// TestUnknownLabel: a typo four data rows down (line 5) is named with its
// file, line and the model's classes, not as some other row's class.
func TestUnknownLabel(t *testing.T) {
	dir, model := trainIris(t)
	lines := strings.Split(readFile(t, "testdata/iris.csv"), "\n")
	lines[4] = strings.Replace(lines[4], "setosa", "setosa_typo", 1)
	path := filepath.Join(dir, "typo.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "eval", "--model", model, "--data", path)
	want := "bigfunc: " + path + `:5: column "species": unknown class "setosa_typo"; allowed: setosa, versicolor, virginica` + "\n"
	if code != 1 || errs != want {
		t.Errorf("eval: code %d, stderr\n%s\nwant\n%s", code, errs, want)
	}
}

// TestPredictProbaKeepOutput checks the probabilities against the
// predicted classes, the kept ID column and the file output.
func TestPredictProbaKeepOutput(t *testing.T) {
	dir, model := trainIris(t)
	// An ID column in front, which the model does not read.
	lines := strings.Split(strings.TrimSpace(readFile(t, "testdata/iris.csv")), "\n")
	for i := range lines {
		id := "id"
		if i > 0 {
			id = "r" + strconv.Itoa(i)
		}
		lines[i] = id + "," + lines[i]
	}
	in := filepath.Join(dir, "with-id.csv")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, classes, _ := runCLI(t, "predict", "--model", model, "--input", in)
	_, classRows := readCSV(t, classes)
	code, out, errs := runCLI(t, "predict", "--model", model, "--input", in, "--proba", "--keep", "id")
	if code != 0 {
		t.Fatal(errs)
	}
	header, rows := readCSV(t, out)
	if strings.Join(header, ",") != "id,setosa,versicolor,virginica" || len(rows) != 150 {
		t.Fatalf("header %q, %d rows", header, len(rows))
	}
	for i, r := range rows {
		if r[0] != "r"+strconv.Itoa(i+1) {
			t.Fatalf("row %d: id %q", i, r[0])
		}
		sum, best := 0.0, 1
		for j := 1; j < len(r); j++ {
			p, err := strconv.ParseFloat(r[j], 64)
			if err != nil || p < 0 || p > 1 {
				t.Fatalf("row %d: probability %q", i, r[j])
			}
			sum += p
			if bp, _ := strconv.ParseFloat(r[best], 64); p > bp {
				best = j
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("row %d: probabilities sum to %v", i, sum)
		}
		if header[best] != classRows[i][0] {
			t.Errorf("row %d: most probable %s, predicted %s", i, header[best], classRows[i][0])
		}
	}
	// -o writes the same bytes to the file, nothing to stdout, and leaves
	// no temporary file behind.
	outFile := filepath.Join(dir, "out", "p.csv")
	if err := os.Mkdir(filepath.Dir(outFile), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := runCLI(t, "predict", "--model", model, "--input", in, "--proba", "--keep", "id", "-o", outFile)
	if code != 0 || stdout != "" || readFile(t, outFile) != out {
		t.Errorf("-o: code %d, stdout %q, stderr %s", code, stdout, errs)
	}
	if ents, _ := os.ReadDir(filepath.Dir(outFile)); len(ents) != 1 {
		t.Errorf("-o left %d files in its folder", len(ents))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--keep", "ID"}, `--keep: ` + in + `: no column "ID" (did you mean "id"?); columns are id, sepal_length, sepal_width, petal_length, petal_width, species`},
		{[]string{"--keep", "species,id", "--proba"}, ""}, // keeps the true class beside the probabilities
		{[]string{"--keep", "species"}, `--keep: column "species" would appear twice in the output`},
	} {
		code, _, errs := runCLI(t, append([]string{"predict", "--model", model, "--input", in}, c.args...)...)
		if (c.want == "") != (code == 0) || !strings.Contains(errs, c.want) {
			t.Errorf("predict %v: code %d, stderr %s", c.args, code, errs)
		}
	}
}

// TestDiabetesRegression checks eval's MSE, MAE and R² against the values
// computed here from predict's answers and the file's targets.
func TestDiabetesRegression(t *testing.T) {
	const spec = `input: {csv: diabetes.csv, scale: standardize}
output: {columns: [progression]}
architecture: [{linear: 16}, relu, {linear: 1}]
loss: mse
optimizer: {name: adam, lr: 0.05}
train: {epochs: 40, batch_size: 32, seed: 2}
`
	dir := writeFiles(t, map[string]string{"d.yaml": spec, "diabetes.csv": readFile(t, "testdata/diabetes.csv")})
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "d.yaml"), "--quiet"); code != 0 {
		t.Fatal(errs)
	}
	model, data := filepath.Join(dir, "d.safetensors"), filepath.Join(dir, "diabetes.csv")
	code, pred, errs := runCLI(t, "predict", "--model", model, "--input", data)
	if code != 0 {
		t.Fatal(errs)
	}
	header, predRows := readCSV(t, pred)
	_, rows := readCSV(t, readFile(t, data))
	if strings.Join(header, ",") != "progression" || len(predRows) != 442 {
		t.Fatalf("predict: header %q, %d rows", header, len(predRows))
	}
	var y, p []float64
	mean := 0.0
	for i, r := range rows {
		v, _ := strconv.ParseFloat(r[len(r)-1], 64)
		q, err := strconv.ParseFloat(predRows[i][0], 64)
		if err != nil {
			t.Fatal(err)
		}
		y, p = append(y, v), append(p, q)
		mean += v / float64(len(rows))
	}
	var se, ae, tot float64
	for i := range y {
		se += (y[i] - p[i]) * (y[i] - p[i])
		ae += math.Abs(y[i] - p[i])
		tot += (y[i] - mean) * (y[i] - mean)
	}
	n := float64(len(y))
	want := map[string]float64{"mse": se / n, "mae": ae / n, "r2": 1 - se/tot}
	_, js, errs := runCLI(t, "eval", "--model", model, "--data", data, "--json")
	var rep report
	if err := json.Unmarshal([]byte(js), &rep); err != nil || rep.MSE == nil {
		t.Fatalf("eval --json: %v\n%s%s", err, js, errs)
	}
	got := map[string]float64{"mse": *rep.MSE, "mae": *rep.MAE, "r2": *rep.R2}
	for k, w := range want {
		// predict prints float32 values, so agreement is to float32's
		// precision.
		if math.Abs(got[k]-w) > 1e-5*math.Max(1, math.Abs(w)) {
			t.Errorf("%s = %v, computed from predict %v", k, got[k], w)
		}
	}
	// The loss is the MSE here, computed by the loss package.
	if math.Abs(rep.Loss-want["mse"]) > 1e-3*want["mse"] {
		t.Errorf("loss %v, mse %v", rep.Loss, want["mse"])
	}
	// A network this small explains a good part of the variance, as a
	// linear model does (R² about 0.5 on this data).
	if want["r2"] < 0.4 {
		t.Errorf("R² %v: the network did not learn", want["r2"])
	}
	if rep.Accuracy != nil || rep.Classes != nil {
		t.Errorf("regression report has class metrics: %s", js)
	}
	if code, _, errs := runCLI(t, "predict", "--model", model, "--input", data, "--proba"); code != 2 || !strings.Contains(errs, "--proba needs a classifier") {
		t.Errorf("--proba on regression: code %d, %s", code, errs)
	}
}
