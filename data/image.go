package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// maxPNGBytes bounds the PNG data read for one image: far beyond any
// image a network of this size takes, and small enough that a hostile or
// mistaken file cannot exhaust memory.
const maxPNGBytes = 64 << 20

// maxImageValues bounds C·H·W of an image shape, as the spec bounds a
// sample's shape.
const maxImageValues = 1 << 26

// ReadPNG reads the PNG file at path as one sample of the given shape, as
// DecodePNG does.
func ReadPNG(path string, shape []int) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodePNG(f, path, shape)
}

// DecodePNG reads a PNG image from r as one sample of the given shape:
// [1, H, W] or [H, W] for gray values, [3, H, W] for the red, green and
// blue planes, row-major. Values are scaled to [0, 1] as MNIST's are: an
// 8-bit value v becomes v/255 (exactly what MNIST's loader gives), a
// 16-bit one v/65535. Color images read as gray take the luma 0.299 R +
// 0.587 G + 0.114 B (as image/color's GrayModel and PIL's convert("L"));
// gray images read as RGB repeat the value in each plane; transparent
// pixels count as black, MNIST's background. MNIST's digits are white on
// black: a dark digit on light paper must be inverted first.
//
// The image must have exactly the shape's height and width: nothing is
// resized, since a network trained on 28×28 digits cannot read others.
// Errors name the image (name) and say what was expected; hostile data
// gives an error, never a panic, and memory stays within what the expected
// size needs.
func DecodePNG(r io.Reader, name string, shape []int) ([]float32, error) {
	c, h, w, err := imageShape(shape)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxPNGBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(b) > maxPNGBytes {
		return nil, fmt.Errorf("%s: more than %d MB, too large for a %d×%d image", name, maxPNGBytes>>20, w, h)
	}
	// The header first, so that a file claiming a huge size is refused
	// before any pixel memory is allocated.
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, pngError(name, b, err)
	}
	if cfg.Width != w || cfg.Height != h {
		return nil, fmt.Errorf("%s: image is %d×%d (width×height), want %d×%d for input shape %v; resize it first",
			name, cfg.Width, cfg.Height, w, h, shape)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, pngError(name, b, err)
	}
	return imageValues(img, c), nil
}

// imageShape checks a sample shape for images and returns its channels,
// height and width.
func imageShape(shape []int) (c, h, w int, err error) {
	switch len(shape) {
	case 2:
		c, h, w = 1, shape[0], shape[1]
	case 3:
		c, h, w = shape[0], shape[1], shape[2]
	default:
		return 0, 0, 0, fmt.Errorf("input shape %v, want [1, H, W] or [H, W] (gray) or [3, H, W] (RGB)", shape)
	}
	if c != 1 && c != 3 {
		return 0, 0, 0, fmt.Errorf("input shape %v has %d channels, want 1 (gray) or 3 (RGB)", shape, c)
	}
	if h < 1 || w < 1 || h > maxImageValues/w/c {
		return 0, 0, 0, fmt.Errorf("input shape %v, want a height and width from 1 to %d values in all", shape, maxImageValues)
	}
	return c, h, w, nil
}

// imageValues returns img's pixels as c planes of values in [0, 1].
func imageValues(img image.Image, c int) []float32 {
	bounds := img.Bounds()
	w, h := bounds.Dx(), bounds.Dy()
	out := make([]float32, c*h*w)
	if g, ok := img.(*image.Gray); ok && c == 1 {
		// The common case, without a color conversion per pixel.
		for y := range h {
			row := g.Pix[y*g.Stride : y*g.Stride+w]
			for x, v := range row {
				out[y*w+x] = float32(v) / 255
			}
		}
		return out
	}
	plane := h * w
	for y := range h {
		for x := range w {
			px := img.At(bounds.Min.X+x, bounds.Min.Y+y)
			i := y*w + x
			if c == 1 {
				out[i] = float32(color.Gray16Model.Convert(px).(color.Gray16).Y) / 0xffff
				continue
			}
			// RGBA is alpha-premultiplied: transparency darkens to black.
			r, g, b, _ := px.RGBA()
			out[i], out[plane+i], out[2*plane+i] = float32(r)/0xffff, float32(g)/0xffff, float32(b)/0xffff
		}
	}
	return out
}

// pngError words a decoding error as one line naming the file.
func pngError(name string, b []byte, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: PNG data ends early, after %d bytes", name, len(b))
	}
	return fmt.Errorf("%s: %s", name, strings.Join(strings.Fields(err.Error()), " "))
}

// ReadImages reads PNG images into a Dataset of features only (X, one row
// per image, and Shape), decoding each as DecodePNG does. Each path is a
// PNG file, or a folder whose files ending in .png (in any case) are read
// in name order; subfolders are not searched. It also returns the file of
// each row, in row order.
func ReadImages(paths []string, shape []int) (*Dataset, []string, error) {
	c, h, w, err := imageShape(shape)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %v", err)
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, nil, err
		}
		var found []string
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".png") {
				found = append(found, filepath.Join(p, e.Name()))
			}
		}
		if len(found) == 0 {
			return nil, nil, fmt.Errorf("%s: no .png files in the folder", p)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("data: no images given")
	}
	f := c * h * w
	x := make([]float32, 0, len(files)*f)
	for _, file := range files {
		v, err := ReadPNG(file, shape)
		if err != nil {
			return nil, nil, err
		}
		x = append(x, v...)
	}
	ds := &Dataset{X: tensor.New(x, len(files), f), Shape: slices.Clone(shape)}
	return ds, files, nil
}
