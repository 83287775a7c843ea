package data

import (
	"reflect"
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	ds := rowsDataset(20, true)
	ds.Classes = []string{"a", "b", "c"}
	train, val, err := Split(ds, 0.25, 7)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 15 || val.Len() != 5 {
		t.Fatalf("sizes %d + %d, want 15 + 5", train.Len(), val.Len())
	}
	// Every row lands in exactly one part, in its original order.
	var rows []int
	for _, part := range []*Dataset{train, val} {
		var partRows []int
		for i := range part.Len() {
			r := int(part.X.At(i, 0))
			partRows = append(partRows, r)
			if part.Labels[i] != ds.Labels[r] {
				t.Errorf("row %d label %d, want %d", r, part.Labels[i], ds.Labels[r])
			}
		}
		if !slices.IsSorted(partRows) {
			t.Errorf("part rows %v are out of order", partRows)
		}
		rows = append(rows, partRows...)
		if !reflect.DeepEqual(part.Classes, ds.Classes) {
			t.Errorf("classes %q", part.Classes)
		}
	}
	slices.Sort(rows)
	for i, r := range rows {
		if r != i {
			t.Fatalf("rows %v", rows)
		}
	}
	// The same seed, the same split; another seed, another.
	_, val2, _ := Split(ds, 0.25, 7)
	_, val3, _ := Split(ds, 0.25, 8)
	if !reflect.DeepEqual(val.X.Data(), val2.X.Data()) {
		t.Error("the same seed split differently")
	}
	if reflect.DeepEqual(val.X.Data(), val3.X.Data()) {
		t.Error("different seeds split the same")
	}
	// The parts are copies.
	val.X.Data()[0] = -100
	if slices.Contains(ds.X.Data(), -100) {
		t.Error("Split shares storage with its input")
	}
}

func TestSplitSizes(t *testing.T) {
	ds := rowsDataset(10, false)
	for _, tt := range []struct {
		frac float64
		want int
	}{{0, 0}, {0.01, 1}, {0.14, 1}, {0.15, 2}, {0.5, 5}, {0.9, 9}} {
		train, val, err := Split(ds, tt.frac, 1)
		if err != nil {
			t.Fatalf("Split(%v): %v", tt.frac, err)
		}
		if val.Len() != tt.want || train.Len() != 10-tt.want || val.Features() != 2 || val.Outputs() != 1 {
			t.Errorf("Split(%v) = %d + %d, want %d validation rows", tt.frac, train.Len(), val.Len(), tt.want)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		ds   *Dataset
		frac float64
		want string
	}{
		{rowsDataset(10, false), 1, "data: validation fraction 1, want 0 ≤ fraction < 1"},
		{rowsDataset(10, false), -0.1, "data: validation fraction -0.1, want 0 ≤ fraction < 1"},
		{rowsDataset(1, false), 0.5, "data: validation fraction 0.5 of 1 rows leaves no training rows"},
		{rowsDataset(10, false), 0.96, "data: validation fraction 0.96 of 10 rows leaves no training rows"},
		{nil, 0.2, "data: dataset has no features"},
	}
	for _, tt := range tests {
		_, _, err := Split(tt.ds, tt.frac, 1)
		if err == nil {
			t.Errorf("Split(%v): no error, want %s", tt.frac, tt.want)
		} else if got := err.Error(); got != tt.want {
			t.Errorf("Split(%v) error\n got %s\nwant %s", tt.frac, got, tt.want)
		}
	}
}

func TestSubset(t *testing.T) {
	ds := rowsDataset(5, false)
	sub, err := ds.Subset([]int{4, 0, 4})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sub.Y.Data(), []float32{40, 0, 40}; !reflect.DeepEqual(got, want) {
		t.Errorf("Subset Y = %v, want %v", got, want)
	}
	if _, err := ds.Subset([]int{5}); err == nil || err.Error() != "data: row 5 out of range [0, 5)" {
		t.Errorf("Subset out of range: %v", err)
	}
}

func TestNumClasses(t *testing.T) {
	ds := rowsDataset(5, true) // labels 0 1 2 0 1
	if !ds.IsClassification() || ds.NumClasses() != 3 {
		t.Errorf("NumClasses = %d", ds.NumClasses())
	}
	ds.Classes = []string{"a", "b", "c", "d"}
	if ds.NumClasses() != 4 {
		t.Errorf("NumClasses with names = %d, want 4", ds.NumClasses())
	}
	if r := rowsDataset(2, false); r.IsClassification() || r.NumClasses() != 0 {
		t.Error("regression set counts classes")
	}
}
