package data_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/data"
)

func ExampleWarp() {
	src := []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}
	dst := make([]float32, len(src))
	for _, w := range []data.Warp{{DX: 1}, {Degrees: 90}, {Flip: true}} {
		w.Apply(dst, src, []int{1, 3, 3})
		fmt.Printf("%+v: %v\n", w, dst)
	}
	// Output:
	// {DX:1 DY:0 Degrees:0 Flip:false}: [0 1 2 0 4 5 0 7 8]
	// {DX:0 DY:0 Degrees:90 Flip:false}: [3 6 9 2 5 8 1 4 7]
	// {DX:0 DY:0 Degrees:0 Flip:true}: [3 2 1 6 5 4 9 8 7]
}

// A training set that carries an Augment gets each image of each batch
// warped afresh, here mirrored or not at random ([0 1 0 0] is image 0,
// [1 0 0 0] its mirror); the labels stay with their images.
func ExampleAugment() {
	ds := &data.Dataset{
		Pixels: &data.Bytes{Data: []byte{
			0, 255, 0, 0,
			0, 0, 255, 0,
		}, Rows: 2, Cols: 4, Divisor: 255},
		Labels:  []int{0, 1},
		Shape:   []int{1, 2, 2},
		Augment: &data.Augment{HFlip: true, Seed: 1},
	}
	l, err := data.NewLoader(ds, 2, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 3 {
		b, _ := l.Next()
		fmt.Println(b.X.Data(), b.Labels)
		l.Next() // the end of the epoch
	}
	// Output:
	// [1 0 0 0 0 0 1 0] [0 1]
	// [1 0 0 0 0 0 1 0] [0 1]
	// [0 1 0 0 0 0 0 1] [0 1]
}
