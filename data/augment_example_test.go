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
	for _, c := range []struct {
		what string
		w    data.Warp
	}{
		{"shift right", data.Warp{DX: 1}},
		{"quarter turn", data.Warp{Degrees: 90}},
		{"mirror", data.Warp{Flip: true}},
		{"the right half stretched (zeros beyond the edge blend in)", data.Warp{CropX: 1.5, CropY: 0, CropW: 1.5, CropH: 3}},
	} {
		c.w.Apply(dst, src, []int{1, 3, 3})
		fmt.Printf("%s: %v\n", c.what, dst)
	}
	// Output:
	// shift right: [0 1 2 0 4 5 0 7 8]
	// quarter turn: [3 6 9 2 5 8 1 4 7]
	// mirror: [3 2 1 6 5 4 9 8 7]
	// the right half stretched (zeros beyond the edge blend in): [2.25 2.75 2.25 5.25 5.75 4.5 8.25 8.75 6.75]
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
