package data

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

// byteDataset returns n rows of f bytes, byte j of row i being (7i+j) mod
// 256, labelled i mod 10.
func byteDataset(n, f int) *Dataset {
	pix := make([]byte, n*f)
	for i := range n {
		for j := range f {
			pix[i*f+j] = byte(7*i + j)
		}
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 10
	}
	return &Dataset{Pixels: &Bytes{Data: pix, Rows: n, Cols: f, Divisor: 255}, Labels: labels}
}

// floatTwin returns ds's features decoded the slow, obvious way.
func floatTwin(ds *Dataset) *Dataset {
	p := ds.Pixels
	x := make([]float32, len(p.Data))
	for i, b := range p.Data {
		x[i] = float32(b) / p.Divisor
	}
	return &Dataset{X: tensor.New(x, p.Rows, p.Cols), Labels: ds.Labels, Shape: ds.Shape}
}

func TestBytesRowsAndGather(t *testing.T) {
	ds := byteDataset(9, 5)
	twin := floatTwin(ds)
	if ds.Len() != 9 || ds.Features() != 5 {
		t.Fatalf("Len, Features = %d, %d; want 9, 5", ds.Len(), ds.Features())
	}
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*Dataset{ds, twin} {
		got := d.Rows(nil, 2, 5)
		if want := twin.X.Data()[2*5 : 5*5]; !slices.Equal(got, want) {
			t.Errorf("Rows(2, 5) = %v, want %v", got, want)
		}
		rows := []int{8, 0, 3, 3}
		got = d.Gather(make([]float32, 100), rows)
		var want []float32
		for _, r := range rows {
			want = append(want, twin.X.Data()[r*5:(r+1)*5]...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Gather(%v) = %v, want %v", rows, got, want)
		}
	}
	// A buffer with room is reused, not replaced.
	buf := make([]float32, 0, 50)
	if got := ds.Rows(buf, 0, 9); &got[0] != &buf[:1][0] {
		t.Error("Rows allocated although dst had room")
	}
	if n := testing.AllocsPerRun(100, func() { buf = ds.Rows(buf, 1, 9) }); n != 0 {
		t.Errorf("Rows into a reused buffer allocates %v times", n)
	}
}

func TestBytesSubsetSplitExpand(t *testing.T) {
	ds := byteDataset(20, 3)
	ds.Shape = []int{1, 1, 3}
	sub, err := ds.Subset([]int{4, 1})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Pixels == nil || sub.X != nil {
		t.Fatal("Subset of compact rows is not compact")
	}
	if got, want := sub.Pixels.Data, append(slices.Clone(ds.Pixels.Data[12:15]), ds.Pixels.Data[3:6]...); !slices.Equal(got, want) {
		t.Errorf("Subset pixels = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(sub.Labels, []int{4, 1}) || !reflect.DeepEqual(sub.Shape, ds.Shape) {
		t.Errorf("Subset labels %v shape %v", sub.Labels, sub.Shape)
	}
	sub.Pixels.Data[0] = 99
	if ds.Pixels.Data[12] == 99 {
		t.Error("Subset shares pixels with its input")
	}

	train, val, err := Split(ds, 0.25, 3)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len()+val.Len() != 20 || train.Pixels == nil || val.Pixels == nil {
		t.Fatalf("Split: %d + %d rows, compact %v %v", train.Len(), val.Len(), train.Pixels != nil, val.Pixels != nil)
	}

	want := floatTwin(ds).X.Data()
	ds.Expand()
	if ds.Pixels != nil || ds.X == nil || !slices.Equal(ds.X.Data(), want) || !reflect.DeepEqual(ds.X.Shape(), []int{20, 3}) {
		t.Errorf("Expand gave X %v, Pixels %v", ds.X, ds.Pixels)
	}
	ds.Expand() // a no-op now
	if !slices.Equal(ds.X.Data(), want) {
		t.Error("a second Expand changed X")
	}
}

func TestBytesValidate(t *testing.T) {
	good := func() *Dataset { return byteDataset(2, 3) }
	tests := []struct {
		name string
		edit func(*Dataset)
		want string
	}{
		{"both", func(d *Dataset) { d.X = tensor.Zeros(2, 3) }, "data: dataset has features in both X and Pixels, want one"},
		{"short", func(d *Dataset) { d.Pixels.Data = d.Pixels.Data[:5] }, "data: 5 pixel bytes for 2 rows of 3, want 6"},
		{"divisor", func(d *Dataset) { d.Pixels.Divisor = 0 }, "data: pixel divisor 0, want a finite number > 0"},
		{"shape", func(d *Dataset) { d.Shape = []int{2, 2} }, "data: sample shape [2 2] does not hold the 3 features"},
		{"huge shape", func(d *Dataset) { d.Shape = []int{1 << 40, 1 << 40, 0} }, "data: sample shape [1099511627776 1099511627776 0] does not hold the 3 features"},
		{"labels", func(d *Dataset) { d.Labels = d.Labels[:1] }, "data: 1 labels for 2 rows"},
	}
	for _, tt := range tests {
		d := good()
		tt.edit(d)
		err := d.Validate()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Validate = %v, want %s", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error has several lines", tt.name)
		}
	}
}

// The loader serves compact rows exactly as it serves the same rows in
// float32, and allocates nothing per batch doing so.
func TestLoaderBytes(t *testing.T) {
	ds := byteDataset(50, 6)
	twin := floatTwin(ds)
	a, err := NewLoader(ds, 8, tensor.NewRNG(4))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewLoader(twin, 8, tensor.NewRNG(4))
	for range 20 {
		ba, oka := a.Next()
		bb, okb := b.Next()
		if oka != okb {
			t.Fatal("the loaders disagree on the end of the epoch")
		}
		if !oka {
			continue
		}
		if !slices.Equal(ba.X.Data(), bb.X.Data()) || !slices.Equal(ba.Labels, bb.Labels) || !slices.Equal(ba.Rows, bb.Rows) {
			t.Fatalf("compact batch %v (rows %v), float batch %v (rows %v)", ba.X.Data(), ba.Rows, bb.X.Data(), bb.Rows)
		}
	}
	if n := testing.AllocsPerRun(300, func() {
		if _, ok := a.Next(); !ok {
			a.Next()
		}
	}); n != 0 {
		t.Errorf("Next on compact rows allocates %v times per batch", n)
	}
}

func BenchmarkLoaderMNISTShaped(b *testing.B) {
	for _, aug := range []*Augment{nil, {CropPadding: 2}, {CropPadding: 2, Rotation: 10, HFlip: true}} {
		name := "plain"
		if aug != nil {
			name = "shift"
			if aug.Rotation > 0 {
				name = "shift+rotate+flip"
			}
		}
		b.Run(name, func(b *testing.B) {
			ds := byteDataset(1024, 784)
			ds.Shape, ds.Augment = []int{1, 28, 28}, aug
			l, err := NewLoader(ds, 128, tensor.NewRNG(1))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := l.Next(); !ok {
					l.Next()
				}
			}
		})
	}
}
