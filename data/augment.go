package data

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// Augment describes random image augmentation for samples of shape
// [C, H, W] (or [H, W]): every image of every training batch is shifted,
// rotated and flipped by amounts drawn afresh, so that the network sees a
// slightly different digit each epoch and learns what does not change.
// The zero Augment leaves images as they are.
//
// The three parts follow torchvision's RandomCrop(size, padding),
// RandomRotation(degrees) and RandomHorizontalFlip(), applied in that order
// and computed in one pass: each output pixel samples the input at the
// point the inverse transform gives, bilinearly, with zeros outside.
type Augment struct {
	// CropPadding pads the image with this many zero pixels on every side
	// and crops a window of the original size back out at a random place:
	// a shift by a whole number of pixels, up to CropPadding each way.
	CropPadding int
	// Rotation turns the image about its centre by an angle drawn
	// uniformly from [−Rotation, Rotation] degrees, positive anticlockwise.
	Rotation float64
	// HFlip mirrors the image left to right with probability ½.
	HFlip bool
	// Seed seeds the random draws (a Loader's own RNG).
	Seed uint64
}

// Off reports whether a leaves images unchanged.
func (a *Augment) Off() bool {
	return a == nil || (a.CropPadding == 0 && a.Rotation == 0 && !a.HFlip)
}

// check reports whether a can augment samples of the given shape.
func (a *Augment) check(shape []int) error {
	if len(shape) != 2 && len(shape) != 3 {
		return fmt.Errorf("data: augmentation works on images of shape [C, H, W] or [H, W], not samples of shape %v", shape)
	}
	h, w := shape[len(shape)-2], shape[len(shape)-1]
	if a.CropPadding < 0 || a.CropPadding > max(h, w) {
		return fmt.Errorf("data: augmentation crop padding %d, want 0 to %d for %d×%d images", a.CropPadding, max(h, w), h, w)
	}
	if !(a.Rotation >= 0 && a.Rotation <= 180) {
		return fmt.Errorf("data: augmentation rotation %v degrees, want 0 to 180", a.Rotation)
	}
	return nil
}

// Warp is one draw of augmentation for one image.
type Warp struct {
	// DX and DY move the content right and down by whole pixels.
	DX, DY int
	// Degrees turns the content anticlockwise about the image's centre.
	Degrees float64
	// Flip mirrors the result left to right.
	Flip bool
}

// Draw returns a random Warp within a's ranges. It draws, in this order
// and only for the parts that are on: the shift across, the shift down,
// the angle, and the flip.
func (a *Augment) Draw(rng *tensor.RNG) Warp {
	var w Warp
	if p := a.CropPadding; p > 0 {
		w.DX = rng.Intn(2*p+1) - p
		w.DY = rng.Intn(2*p+1) - p
	}
	if a.Rotation > 0 {
		w.Degrees = rng.Uniform(-a.Rotation, a.Rotation)
	}
	if a.HFlip {
		w.Flip = rng.Uint64()&1 == 1
	}
	return w
}

// Apply writes src, an image of the given shape ([C, H, W] or [H, W],
// row-major), warped by w into dst: output pixel (y, x) of each channel
// samples src bilinearly at the point that the shift, the rotation and the
// flip carry to (y, x), and is 0 where that point lies outside. Whole-pixel
// shifts, flips and multiples of 90° on square images move pixels exactly.
// dst and src must not overlap. Apply panics if their lengths do not match
// the shape.
func (w Warp) Apply(dst, src []float32, shape []int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("data: Warp.Apply: shape %v, want [C, H, W] or [H, W]", shape))
	}
	h, wd := shape[len(shape)-2], shape[len(shape)-1]
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(dst) != n || len(src) != n {
		panic(fmt.Sprintf("data: Warp.Apply: %d and %d values for shape %v", len(dst), len(src), shape))
	}
	plane := h * wd
	if w.Degrees == 0 {
		// Whole pixels only: a copy with shifted, possibly mirrored,
		// indices.
		// Output columns lo..hi-1 read source columns x−DX (flipped:
		// W−1−x−DX), which lie inside the image.
		lo, hi := max(0, w.DX), min(wd, wd+w.DX)
		if w.Flip {
			lo, hi = max(0, -w.DX), min(wd, wd-w.DX)
		}
		for c := 0; c < n; c += plane {
			out, in := dst[c:c+plane], src[c:c+plane]
			for y := range h {
				row := out[y*wd : (y+1)*wd]
				sy := y - w.DY
				if sy < 0 || sy >= h || lo >= hi {
					clear(row)
					continue
				}
				srow := in[sy*wd : (sy+1)*wd]
				clear(row[:lo])
				clear(row[hi:])
				if !w.Flip {
					copy(row[lo:hi], srow[lo-w.DX:hi-w.DX])
					continue
				}
				for x := lo; x < hi; x++ {
					row[x] = srow[wd-1-x-w.DX]
				}
			}
		}
		return
	}
	sin, cos := sincosDegrees(w.Degrees)
	// Pixel centres sit at whole coordinates, so the centre of rotation
	// is ((W−1)/2, (H−1)/2).
	cx, cy := float64(wd-1)/2, float64(h-1)/2
	for c := 0; c < n; c += plane {
		out, in := dst[c:c+plane], src[c:c+plane]
		for y := range h {
			v := float64(y) - cy
			for x := range wd {
				xf := x
				if w.Flip {
					xf = wd - 1 - x
				}
				u := float64(xf) - cx
				// The inverse rotation, with y pointing down: a point
				// turned anticlockwise by θ came from R(−θ) of where it
				// is; then undo the shift.
				sx := cos*u - sin*v + cx - float64(w.DX)
				sy := sin*u + cos*v + cy - float64(w.DY)
				out[y*wd+x] = bilinear(in, h, wd, sx, sy)
			}
		}
	}
}

// bilinear samples the h×w plane at (x, y), counting pixels outside the
// plane as 0. At whole coordinates it returns the pixel itself exactly.
func bilinear(in []float32, h, w int, x, y float64) float32 {
	fx0, fy0 := math.Floor(x), math.Floor(y)
	if fx0 < -1 || fy0 < -1 || fx0 >= float64(w) || fy0 >= float64(h) {
		return 0
	}
	x0, y0 := int(fx0), int(fy0)
	ax, ay := float32(x-fx0), float32(y-fy0)
	var p00, p01, p10, p11 float32
	if x0 >= 0 && y0 >= 0 && x0+1 < w && y0+1 < h {
		// Inside, the common case: no bounds to test per neighbour.
		i := y0*w + x0
		p00, p01, p10, p11 = in[i], in[i+1], in[i+w], in[i+w+1]
	} else {
		p00, p01 = pixel(in, h, w, y0, x0), pixel(in, h, w, y0, x0+1)
		p10, p11 = pixel(in, h, w, y0+1, x0), pixel(in, h, w, y0+1, x0+1)
	}
	top := (1-ax)*p00 + ax*p01
	bottom := (1-ax)*p10 + ax*p11
	return (1-ay)*top + ay*bottom
}

// pixel returns in[y, x] of the h×w plane, or 0 outside it.
func pixel(in []float32, h, w, y, x int) float32 {
	if y < 0 || y >= h || x < 0 || x >= w {
		return 0
	}
	return in[y*w+x]
}

// sincosDegrees returns the sine and cosine of an angle in degrees, exact
// at multiples of 90°, where math.Sincos of the radian value is off by
// about 1e-16: that would blend a neighbour into pixels a quarter turn
// should only move.
func sincosDegrees(deg float64) (sin, cos float64) {
	if r := math.Mod(deg, 360); r == math.Trunc(r) && int(r)%90 == 0 {
		switch (int(r) + 360) % 360 {
		case 0:
			return 0, 1
		case 90:
			return 1, 0
		case 180:
			return 0, -1
		case 270:
			return -1, 0
		}
	}
	return math.Sincos(deg * math.Pi / 180)
}
