package data_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/bigfunc/bigfunc/data"
)

func ExampleDecodePNG() {
	// A 3×2 gray image, as a PNG file would hold it.
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(img.Pix, []byte{0, 51, 255, 102, 0, 0})
	var file bytes.Buffer
	if err := png.Encode(&file, img); err != nil {
		fmt.Println(err)
		return
	}
	x, err := data.DecodePNG(bytes.NewReader(file.Bytes()), "digit.png", []int{1, 2, 3})
	fmt.Println(x, err)
	_, err = data.DecodePNG(bytes.NewReader(file.Bytes()), "digit.png", []int{1, 28, 28})
	fmt.Println(err)
	// Output:
	// [0 0.2 1 0.4 0 0] <nil>
	// digit.png: image is 3×2 (width×height), want 28×28 for input shape [1 28 28]; resize it first
}
