package data

import (
	"reflect"
	"slices"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// rowsDataset returns n rows whose features are (i, -i) and whose target
// is 10·i, so every batch row shows which dataset row it came from.
func rowsDataset(n int, classify bool) *Dataset {
	x := make([]float32, 2*n)
	for i := range n {
		x[2*i], x[2*i+1] = float32(i), float32(-i)
	}
	ds := &Dataset{X: tensor.New(x, n, 2)}
	if classify {
		ds.Labels = make([]int, n)
		for i := range n {
			ds.Labels[i] = i % 3
		}
	} else {
		y := make([]float32, n)
		for i := range n {
			y[i] = float32(10 * i)
		}
		ds.Y = tensor.New(y, n, 1)
	}
	return ds
}

// epoch collects one epoch's batches, checking each against the dataset.
func epoch(t *testing.T, l *Loader, ds *Dataset) (sizes, rows []int) {
	t.Helper()
	for b, ok := l.Next(); ok; b, ok = l.Next() {
		sizes = append(sizes, b.Len())
		if got := b.X.Shape(); !reflect.DeepEqual(got, []int{b.Len(), 2}) {
			t.Fatalf("batch X shape %v", got)
		}
		for i, r := range b.Rows {
			if b.X.At(i, 0) != float32(r) || b.X.At(i, 1) != float32(-r) {
				t.Fatalf("batch row %d = %v, want dataset row %d", i, b.X.Data()[2*i:2*i+2], r)
			}
			if b.Y != nil && b.Y.At(i, 0) != float32(10*r) {
				t.Fatalf("batch target %d = %v, want %v", i, b.Y.At(i, 0), 10*r)
			}
			if b.Labels != nil && b.Labels[i] != ds.Labels[r] {
				t.Fatalf("batch label %d = %v, want %v", i, b.Labels[i], ds.Labels[r])
			}
		}
		rows = append(rows, b.Rows...)
	}
	return sizes, rows
}

func TestLoaderCoversEveryRowOnce(t *testing.T) {
	tests := []struct {
		n, batch  int
		wantSizes []int
	}{
		{10, 3, []int{3, 3, 3, 1}},
		{10, 5, []int{5, 5}},
		{10, 0, []int{10}},
		{10, 64, []int{10}},
		{1, 1, []int{1}},
	}
	for _, tt := range tests {
		for _, classify := range []bool{false, true} {
			ds := rowsDataset(tt.n, classify)
			l, err := NewLoader(ds, tt.batch, tensor.NewRNG(1))
			if err != nil {
				t.Fatal(err)
			}
			if l.BatchSize() != tt.wantSizes[0] {
				t.Errorf("n=%d batch=%d: BatchSize = %d, want %d", tt.n, tt.batch, l.BatchSize(), tt.wantSizes[0])
			}
			if l.NumBatches() != len(tt.wantSizes) {
				t.Errorf("n=%d batch=%d: NumBatches = %d, want %d", tt.n, tt.batch, l.NumBatches(), len(tt.wantSizes))
			}
			for e := 1; e <= 3; e++ {
				sizes, rows := epoch(t, l, ds)
				if !reflect.DeepEqual(sizes, tt.wantSizes) {
					t.Errorf("n=%d batch=%d epoch %d: sizes %v, want %v", tt.n, tt.batch, e, sizes, tt.wantSizes)
				}
				slices.Sort(rows)
				for i, r := range rows {
					if r != i {
						t.Fatalf("n=%d batch=%d epoch %d: rows %v are not each row once", tt.n, tt.batch, e, rows)
					}
				}
				if l.Epoch() != e {
					t.Errorf("Epoch() = %d, want %d", l.Epoch(), e)
				}
			}
		}
	}
}

func TestLoaderShuffle(t *testing.T) {
	ds := rowsDataset(50, false)
	order := func(seed uint64, epochs int) [][]int {
		l, _ := NewLoader(ds, 7, tensor.NewRNG(seed))
		var out [][]int
		for range epochs {
			_, rows := epoch(t, l, ds)
			out = append(out, rows)
		}
		return out
	}
	a, b, c := order(5, 3), order(5, 3), order(6, 3)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different orders")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same orders")
	}
	if reflect.DeepEqual(a[0], a[1]) {
		t.Error("two epochs had the same order")
	}
	// An epoch's order is a Fisher–Yates permutation drawn from the RNG.
	if want := tensor.NewRNG(5).Perm(50); !reflect.DeepEqual(a[0], want) {
		t.Errorf("first epoch = %v, want RNG.Perm's %v", a[0], want)
	}
	// Without an RNG the rows come in order.
	l, _ := NewLoader(ds, 7, nil)
	if _, rows := epoch(t, l, ds); !slices.IsSorted(rows) {
		t.Errorf("unshuffled order %v", rows)
	}
}

func TestLoaderResume(t *testing.T) {
	ds := rowsDataset(23, true)
	rng := tensor.NewRNG(9)
	l, _ := NewLoader(ds, 4, rng)
	epoch(t, l, ds)
	l.Next()
	l.Next()
	state := l.State()
	rngState, _ := rng.MarshalBinary()
	var want [][]int
	for range 10 {
		b, ok := l.Next()
		want = append(want, slices.Clone(b.Rows))
		if !ok {
			want[len(want)-1] = nil
		}
	}

	rng2 := tensor.NewRNG(0)
	if err := rng2.UnmarshalBinary(rngState); err != nil {
		t.Fatal(err)
	}
	l2, _ := NewLoader(ds, 4, rng2)
	if err := l2.Restore(state); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		b, ok := l2.Next()
		got := slices.Clone(b.Rows)
		if !ok {
			got = nil
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("batch %d after restore = %v, want %v", i, got, want[i])
		}
	}
	if l2.Epoch() != l.Epoch() {
		t.Errorf("Epoch = %d, want %d", l2.Epoch(), l.Epoch())
	}

	for _, bad := range []LoaderState{
		{Epoch: 1, Pos: 0, Order: []int{0, 1}},
		{Epoch: 1, Pos: 30, Order: tensor.NewRNG(1).Perm(23)},
		{Epoch: 1, Order: append(make([]int, 22), 1)},
		{Epoch: -1},
	} {
		if err := l2.Restore(bad); err == nil {
			t.Errorf("Restore(%v) accepted", bad)
		}
	}
}

func TestLoaderNoAllocations(t *testing.T) {
	for _, classify := range []bool{false, true} {
		ds := rowsDataset(100, classify)
		l, _ := NewLoader(ds, 16, tensor.NewRNG(1))
		l.Next()
		allocs := testing.AllocsPerRun(500, func() {
			if _, ok := l.Next(); !ok {
				l.Next()
			}
		})
		if allocs != 0 {
			t.Errorf("classify=%v: Next allocates %v times per batch", classify, allocs)
		}
	}
}

func TestLoaderErrors(t *testing.T) {
	tests := []struct {
		name  string
		ds    *Dataset
		batch int
		want  string
	}{
		{"negative batch", rowsDataset(3, false), -1, "data: batch size -1, want 0 (whole set) or more"},
		{"nil", nil, 1, "data: dataset has no features"},
		{"1-D", &Dataset{X: tensor.Zeros(3)}, 1, "data: features have shape [3], want [rows, features]"},
		{"target rows", &Dataset{X: tensor.Zeros(3, 1), Y: tensor.Zeros(2, 1)}, 1, "data: targets have shape [2 1], want [3, outputs]"},
		{"label count", &Dataset{X: tensor.Zeros(3, 1), Labels: []int{0}}, 1, "data: 1 labels for 3 rows"},
		{"label range", &Dataset{X: tensor.Zeros(2, 1), Labels: []int{0, 2}, Classes: []string{"a", "b"}}, 1, "data: row 1: label 2 is not a class index (2 classes)"},
		{"negative label", &Dataset{X: tensor.Zeros(2, 1), Labels: []int{0, -1}}, 1, "data: row 1: label -1 is not a class index (1 classes)"},
		{"both targets", &Dataset{X: tensor.Zeros(1, 1), Y: tensor.Zeros(1, 1), Labels: []int{0}}, 1, "data: dataset has both regression targets and class labels, want one"},
	}
	for _, tt := range tests {
		_, err := NewLoader(tt.ds, tt.batch, nil)
		if err == nil {
			t.Errorf("%s: no error, want %s", tt.name, tt.want)
		} else if got := err.Error(); got != tt.want {
			t.Errorf("%s: error\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	// An empty set gives no batches, and does not loop.
	l, err := NewLoader(&Dataset{X: tensor.Zeros(0, 2)}, 4, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if b, ok := l.Next(); ok {
			t.Fatalf("empty set gave a batch %+v", b)
		}
	}
}
