package gan

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"

	"github.com/bigfunc/bigfunc/tensor"
)

// Grid draws samples x, [N, C·H·W] of per-sample shape [C, H, W] (C is 1
// or 3) or [H, W], as one image: cols images to a row, a pixel of
// background between them. Values are read as intensities in [0, 1], or
// in [−1, 1] when any is negative (a generator ending in tanh), and
// clamped.
func Grid(x *tensor.Tensor, shape []int, cols int) (image.Image, error) {
	c, h, w := 1, 0, 0
	switch len(shape) {
	case 2:
		h, w = shape[0], shape[1]
	case 3:
		c, h, w = shape[0], shape[1], shape[2]
	}
	if h == 0 || (c != 1 && c != 3) {
		return nil, fmt.Errorf("gan: samples of shape %v are not images; a grid needs [1, H, W], [3, H, W] or [H, W]", shape)
	}
	n := x.Dim(0)
	if x.Len() != n*c*h*w {
		return nil, fmt.Errorf("gan: %d values per sample, shape %v holds %d", x.Len()/max(n, 1), shape, c*h*w)
	}
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*(w+1)+1, rows*(h+1)+1))
	for i := range img.Pix {
		img.Pix[i] = 0x40 // background and border
	}
	lo := float32(0)
	for _, v := range x.Data() {
		if v < 0 {
			lo = -1
			break
		}
	}
	level := func(v float32) uint8 {
		f := (v - lo) / (1 - lo)
		return uint8(255*min(1, max(0, f)) + 0.5)
	}
	d := x.Data()
	for s := range n {
		ox, oy := 1+(s%cols)*(w+1), 1+(s/cols)*(h+1)
		px := d[s*c*h*w : (s+1)*c*h*w]
		for y := range h {
			for xx := range w {
				var col color.RGBA
				if c == 1 {
					g := level(px[y*w+xx])
					col = color.RGBA{g, g, g, 255}
				} else {
					col = color.RGBA{level(px[y*w+xx]), level(px[h*w+y*w+xx]), level(px[2*h*w+y*w+xx]), 255}
				}
				img.SetRGBA(ox+xx, oy+y, col)
			}
		}
	}
	return img, nil
}

// SavePNG writes img to path as PNG, atomically.
func SavePNG(path string, img image.Image) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	return WriteFileAtomic(path, b.Bytes())
}

// WriteFileAtomic writes b to path through a temporary file in the same
// directory, synced and then renamed over path, so that readers see the
// old file or the whole new one.
func WriteFileAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
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
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
