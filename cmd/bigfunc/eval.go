package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// report is what eval measures; it marshals to the --json output. Metrics
// that do not apply are omitted, and undefined values (the precision of a
// class never predicted) are null.
type report struct {
	Rows     int     `json:"rows"`
	Loss     float64 `json:"loss"`
	LossName string  `json:"loss_function"`

	// Classification.
	Accuracy  *float64      `json:"accuracy,omitempty"`
	Classes   []classReport `json:"classes,omitempty"`
	Confusion [][]int       `json:"confusion,omitempty"`

	// Regression, over every target value; per column in Columns.
	MSE     *float64       `json:"mse,omitempty"`
	MAE     *float64       `json:"mae,omitempty"`
	R2      *float64       `json:"r2,omitempty"`
	Columns []columnReport `json:"columns,omitempty"`
}

// classReport is one class's line: precision is undefined when the class
// was never predicted, recall when it never occurs.
type classReport struct {
	Class     string   `json:"class"`
	Precision *float64 `json:"precision"`
	Recall    *float64 `json:"recall"`
	F1        *float64 `json:"f1"`
	Support   int      `json:"support"`
}

type columnReport struct {
	Column string  `json:"column"`
	MSE    float64 `json:"mse"`
	MAE    float64 `json:"mae"`
	R2     float64 `json:"r2"`
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func cmdEval(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "eval", "--model MODEL --data CSV [--json]",
		"report the model's loss and metrics on a labelled CSV: accuracy, per-class precision and recall\nand the confusion matrix for a classifier; MSE, MAE and R² for regression")
	model, dataPath := modelFlags(fs, "data", "`CSV` with the model's input and target columns")
	asJSON := fs.Bool("json", false, "write the report as one JSON object, for programs")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	m, ds, err := loadModelAndCSV(fs, pos, *model, "data", *dataPath, true)
	if err != nil {
		return err
	}
	rep, err := evaluate(m, ds)
	if err != nil {
		return fmt.Errorf("%s: %w", *dataPath, err)
	}
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	return rep.write(e.stdout)
}

// evaluate scores m on ds (raw features, labels encoded with the model's
// classes). Class metrics come from the decoded predictions, the very
// answers predict writes.
func evaluate(m *train.Model, ds *data.Dataset) (*report, error) {
	out, err := m.Predict(ds.X)
	if err != nil {
		return nil, err
	}
	enc := *ds
	if m.Scaler != nil {
		if enc.X, err = m.Scaler.Transform(ds.X); err != nil {
			return nil, err
		}
	}
	if err := train.CheckData(m, &enc); err != nil {
		return nil, err
	}
	l, _ := train.Evaluate(m, &enc)
	rep := &report{Rows: ds.Len(), Loss: l, LossName: m.Loss.Name()}
	switch {
	case ds.IsClassification() && isClassifier(m):
		rep.classification(modelClasses(m), ds.Labels, m.Decoder.Indices(out))
	case ds.Y != nil:
		rep.regression(ds.TargetNames, ds.Y, out)
	}
	return rep, nil
}

func (rep *report) classification(names []string, labels, pred []int) {
	k := len(names)
	for _, p := range pred {
		k = max(k, p+1)
	}
	for len(names) < k {
		names = append(names, fmt.Sprint(len(names)))
	}
	rep.Confusion = make([][]int, k)
	for i := range rep.Confusion {
		rep.Confusion[i] = make([]int, k)
	}
	correct := 0
	for i, y := range labels {
		p := pred[i]
		if p < 0 {
			continue // an empty row decodes to no class
		}
		rep.Confusion[y][p]++
		if p == y {
			correct++
		}
	}
	rep.Accuracy = ptr(float64(correct) / float64(len(labels)))
	for c := range k {
		tp, predicted, support := rep.Confusion[c][c], 0, 0
		for j := range k {
			predicted += rep.Confusion[j][c]
			support += rep.Confusion[c][j]
		}
		prec := float64(tp) / float64(predicted) // NaN when never predicted
		rec := float64(tp) / float64(support)
		f1 := 2 * prec * rec / (prec + rec)
		if prec+rec == 0 {
			f1 = 0
		}
		rep.Classes = append(rep.Classes, classReport{Class: names[c], Precision: ptr(prec), Recall: ptr(rec), F1: ptr(f1), Support: support})
	}
}

// regression computes MSE, MAE and R² per target column and over all of
// them. R² is 1 − SS_res/SS_tot per column, averaged over the columns as
// scikit-learn's r2_score does; a constant column scores 1 if predicted
// exactly and 0 otherwise, scikit-learn's choice too.
func (rep *report) regression(names []string, y, out *tensor.Tensor) {
	n, w := y.Dim(0), y.Dim(1)
	var se, ae, r2 float64
	for j := range w {
		var mean float64
		for r := range n {
			mean += float64(y.At(r, j))
		}
		mean /= float64(n)
		var res, tot, abs float64
		for r := range n {
			t, p := float64(y.At(r, j)), float64(out.At(r, j))
			res += (t - p) * (t - p)
			abs += math.Abs(t - p)
			tot += (t - mean) * (t - mean)
		}
		c := columnReport{MSE: res / float64(n), MAE: abs / float64(n)}
		if j < len(names) {
			c.Column = names[j]
		}
		switch {
		case tot != 0:
			c.R2 = 1 - res/tot
		case res == 0:
			c.R2 = 1
		}
		rep.Columns = append(rep.Columns, c)
		se += res
		ae += abs
		r2 += c.R2
	}
	all := float64(n * w)
	rep.MSE, rep.MAE, rep.R2 = ptr(se/all), ptr(ae/all), ptr(r2/float64(w))
	if w == 1 {
		rep.Columns = nil // the totals say it all
	}
}

func (rep *report) write(w io.Writer) error {
	fmt.Fprintf(w, "rows      %d\nloss      %.6g (%s)\n", rep.Rows, rep.Loss, rep.LossName)
	num := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f", *p)
	}
	if rep.MSE != nil {
		fmt.Fprintf(w, "mse       %.6g\nmae       %.6g\nr2        %.4f\n", *rep.MSE, *rep.MAE, *rep.R2)
		if len(rep.Columns) > 0 {
			fmt.Fprintln(w)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "column\tmse\tmae\tr2")
			for _, c := range rep.Columns {
				fmt.Fprintf(tw, "%s\t%.6g\t%.6g\t%.4f\n", c.Column, c.MSE, c.MAE, c.R2)
			}
			tw.Flush()
		}
	}
	if rep.Accuracy == nil {
		return nil
	}
	fmt.Fprintf(w, "accuracy  %.4f\n\n", *rep.Accuracy)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "class\tprecision\trecall\tf1\tsupport")
	for _, c := range rep.Classes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", c.Class, num(c.Precision), num(c.Recall), num(c.F1), c.Support)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nconfusion matrix (rows: true class, columns: predicted class)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{""}
	for _, c := range rep.Classes {
		head = append(head, c.Class)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i, row := range rep.Confusion {
		cells := []string{rep.Classes[i].Class}
		for _, v := range row {
			cells = append(cells, fmt.Sprint(v))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

// writeFileAtomic writes b to path through a temporary file in the same
// directory, synced before it is renamed over path, so that readers see
// the old file or the whole new one, never a part.
func writeFileAtomic(path string, b []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: exists and is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		// Sync the directory so that the rename itself survives a crash.
		_ = d.Sync()
		d.Close()
	}
	return nil
}
