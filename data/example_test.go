package data_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/tensor"
)

func ExampleParseCSV() {
	const csv = "height,weight,species\n" +
		"30,4.5,cat\n" +
		"60,30,dog\n" +
		"25,3.8,cat\n"
	ds, err := data.ParseCSV(strings.NewReader(csv), "pets.csv", data.CSVOptions{
		Features: []string{"height", "weight"},
		Label:    "species",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.X.Shape(), ds.Labels, ds.Classes)
	// Output: [3 2] [0 1 0] [cat dog]
}

// A file with only some of the classes is read with the classes a model
// was trained on, so that its labels keep the model's numbering.
func ExampleParseCSV_knownClasses() {
	const csv = "petal_length,species\n6.0,virginica\n1.4,setosa\n"
	ds, err := data.ParseCSV(strings.NewReader(csv), "test.csv", data.CSVOptions{
		Label:   "species",
		Classes: []string{"setosa", "versicolor", "virginica"},
	})
	fmt.Println(ds.Labels, err)
	_, err = data.ParseCSV(strings.NewReader(csv+"5.1,virginca\n"), "test.csv", data.CSVOptions{
		Label:   "species",
		Classes: []string{"setosa", "versicolor", "virginica"},
	})
	fmt.Println(err)
	// Output:
	// [2 0] <nil>
	// test.csv:4: column "species": unknown class "virginca" (did you mean "virginica"?); allowed: setosa, versicolor, virginica
}

func ExampleParseCSV_error() {
	const csv = "x1,x2,y\n1,2,3\n4,five,6\n"
	_, err := data.ParseCSV(strings.NewReader(csv), "train.csv", data.CSVOptions{Targets: []string{"y"}})
	fmt.Println(err)
	_, err = data.ParseCSV(strings.NewReader(csv), "train.csv", data.CSVOptions{Features: []string{"x3"}, Targets: []string{"y"}})
	fmt.Println(err)
	// Output:
	// train.csv:3: column "x2": "five" is not a number
	// train.csv: no column "x3" (did you mean "x1"?); columns are x1, x2, y
}

func ExampleScaler() {
	train := tensor.FromSlice([]float32{1, 100, 2, 200, 3, 300}, 3, 2)
	s, _ := data.NewScaler("standardize")
	scaled, _ := s.FitTransform(train) // statistics from the training rows only
	fmt.Printf("%.3f\n", scaled.Data())
	saved, _ := json.Marshal(s)
	fmt.Println(string(saved))
	// Output:
	// [-1.225 -1.225 0.000 0.000 1.225 1.225]
	// {"kind":"standardize","mean":[2,200],"std":[0.8164966,81.64966]}
}

func ExampleLoader() {
	ds, _ := data.Synthetic("xor", 10, 0, 1)
	loader, _ := data.NewLoader(ds, 4, tensor.NewRNG(7))
	for b, ok := loader.Next(); ok; b, ok = loader.Next() {
		fmt.Println(b.X.Shape(), len(b.Labels))
	}
	// Output:
	// [4 2] 4
	// [4 2] 4
	// [2 2] 2
}

func ExampleSplit() {
	ds, _ := data.Synthetic("circle", 200, 0.1, 1)
	train, val, _ := data.Split(ds, 0.2, 42)
	fmt.Println(train.Len(), val.Len())
	// Output: 160 40
}

func ExampleSynthetic() {
	ds, _ := data.Synthetic("abs", 5, 0, 2)
	for i := range ds.Len() {
		fmt.Printf("|%+.2f| = %.2f\n", ds.X.At(i, 0), ds.Y.At(i, 0))
	}
	_, err := data.Synthetic("swissroll", 5, 0, 1)
	fmt.Println(err)
	// Output:
	// |+0.30| = 0.30
	// |-0.44| = 0.44
	// |-0.54| = 0.54
	// |-0.45| = 0.45
	// |-0.85| = 0.85
	// data: unknown synthetic set "swissroll"; allowed: abs, square, max, and, or, xor, circle, quadrants, gauss, spiral, plane, gaussian, moons, ring8
}

func ExampleDecoder() {
	out := tensor.FromSlice([]float32{
		0.1, 2.5, -1,
		3.0, 0.2, 0.1,
	}, 2, 3)
	dec, _ := data.NewDecoder("argmax", []string{"cat", "dog", "emu"})
	fmt.Println(dec.Decode(out), dec.Indices(out))

	logits := tensor.FromSlice([]float32{1.3, -0.4}, 2, 1)
	bin, _ := data.NewDecoder("sigmoid", []string{"no", "yes"})
	fmt.Println(bin.Decode(logits))
	// Output:
	// [dog cat] [1 0]
	// [yes no]
}

func ExampleOneHot() {
	y, _ := data.OneHot([]int{2, 0}, 3)
	fmt.Println(y)
	// Output: Tensor[2 3][0 0 1 1 0 0]
}

func ExampleReadIDX() {
	// A 2×2 image of unsigned bytes.
	idx := []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 85, 170, 255}
	dims, pixels, err := data.ReadIDX(strings.NewReader(string(idx)))
	fmt.Println(dims, pixels, err)
	// Output: [2 2] [0 85 170 255] <nil>
}

// The synthetic add task: a prompt, then the sum written least
// significant digit first and an end mark; only the answer is a target.
func ExampleSeqTask() {
	train, _, err := data.SeqTask(data.SeqTaskOptions{Task: "add", Digits: 2, Size: 1, Seed: 7})
	if err != nil {
		panic(err)
	}
	x, y := train.X.Data(), train.Y.Data()
	var in, target []int
	for i := range x {
		in = append(in, int(x[i]))
		if y[i] != data.IgnoreTarget {
			target = append(target, int(y[i]))
		}
	}
	fmt.Printf("input %q\ntarget %q\n", train.Vocab.Decode(in), train.Vocab.Decode(target))
	a, b := train.Vocab.Decode(in[:2]), train.Vocab.Decode(in[3:5])
	fmt.Println(data.AddAnswer(a, b) == train.Vocab.Decode(target[:3]))
	// Output:
	// input "26+63=980"
	// target "980."
	// true
}
