package gan

import (
	"image"
	"image/color"
	"math"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/tensor"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// framePalette: background, the modes' high-quality zones, samples, text.
var framePalette = color.Palette{
	color.RGBA{255, 255, 255, 255},
	color.RGBA{200, 200, 200, 255},
	color.RGBA{31, 90, 170, 255},
	color.RGBA{0, 0, 0, 255},
}

// Ring8Frame draws 2-D samples x, [N, 2], over ring8's modes on a
// size×size picture of the square [−2.6, 2.6]²: each mode's disc of
// radius 3 standard deviations (where a sample counts as high quality) in
// grey, the samples as blue dots, and caption in the top-left corner.
// Frames of one run share a palette, so they make a GIF as they are.
func Ring8Frame(x *tensor.Tensor, size int, caption string) *image.Paletted {
	const half = 2.6
	img := image.NewPaletted(image.Rect(0, 0, size, size), framePalette)
	scale := float64(size) / (2 * half)
	px := func(v float64) float64 { return (v + half) * scale }
	py := func(v float64) float64 { return (half - v) * scale }
	disc := func(cx, cy, r float64, ci uint8) {
		for y := int(cy - r - 1); y <= int(cy+r+1); y++ {
			for x := int(cx - r - 1); x <= int(cx+r+1); x++ {
				if x >= 0 && y >= 0 && x < size && y < size && math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) <= r {
					img.SetColorIndex(x, y, ci)
				}
			}
		}
	}
	for k := range data.RingModes {
		mx, my := data.RingMean(k)
		disc(px(mx), py(my), max(3*data.RingStd*scale, 1.5), 1)
	}
	for i := range x.Dim(0) {
		disc(px(float64(x.At(i, 0))), py(float64(x.At(i, 1))), 0.9, 2)
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(framePalette[3]), Face: basicfont.Face7x13, Dot: fixed.P(6, 16)}
	d.DrawString(caption)
	return img
}
