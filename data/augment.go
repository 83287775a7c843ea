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
// The geometric parts follow torchvision's RandomResizedCrop(size, scale),
// RandomCrop(size, padding), RandomRotation(degrees) and
// RandomHorizontalFlip(), applied in that order and computed in one pass:
// each output pixel samples the input at the point the inverse transform
// gives, bilinearly, with zeros outside. Gaussian noise, when on, is added
// last. SimCLR's views are such augmentations: two draws of the same
// image.
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
	// CropScale, when its upper end is positive, crops a window whose area
	// is a fraction of the image's drawn uniformly from [CropScale[0],
	// CropScale[1]], with an aspect ratio drawn log-uniformly from
	// [3/4, 4/3], at a random place, and stretches it back to the
	// image's size (torchvision's RandomResizedCrop). A window that does
	// not fit in 10 draws leaves the image whole.
	CropScale [2]float64
	// Noise adds Gaussian noise of this standard deviation to every value.
	Noise float64
	// Seed seeds the random draws (a Loader's own RNG).
	Seed uint64
}

// Off reports whether a leaves images unchanged.
func (a *Augment) Off() bool {
	return a == nil || (a.CropPadding == 0 && a.Rotation == 0 && !a.HFlip && a.CropScale[1] == 0 && a.Noise == 0)
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
	if lo, hi := a.CropScale[0], a.CropScale[1]; hi != 0 && !(lo > 0 && lo <= hi && hi <= 1) {
		return fmt.Errorf("data: augmentation crop scale [%v, %v], want 0 < low ≤ high ≤ 1", lo, hi)
	}
	if !(a.Noise >= 0 && a.Noise <= 1e3) {
		return fmt.Errorf("data: augmentation noise %v, want a standard deviation from 0 to 1000", a.Noise)
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
	// CropW and CropH, when positive, are the size of the window at
	// (CropX, CropY), in source pixels from the image's top-left corner,
	// that is stretched to the whole image before the other parts apply.
	CropX, CropY, CropW, CropH float64
	// Noise is the standard deviation of the Gaussian noise added last,
	// drawn from a generator of randomness seeded with NoiseSeed.
	Noise     float64
	NoiseSeed uint64
}

// Draw returns a random Warp within a's ranges for images h×w. It draws,
// in this order and only for the parts that are on: the shift across, the
// shift down, the angle, the flip, the crop window (area, aspect ratio,
// place: up to 10 tries), and the noise's seed.
func (a *Augment) Draw(rng *tensor.RNG, h, w int) Warp {
	var wp Warp
	if p := a.CropPadding; p > 0 {
		wp.DX = rng.Intn(2*p+1) - p
		wp.DY = rng.Intn(2*p+1) - p
	}
	if a.Rotation > 0 {
		wp.Degrees = rng.Uniform(-a.Rotation, a.Rotation)
	}
	if a.HFlip {
		wp.Flip = rng.Uint64()&1 == 1
	}
	if lo, hi := a.CropScale[0], a.CropScale[1]; hi > 0 {
		area := float64(h * w)
		for range 10 {
			target := area * rng.Uniform(lo, hi)
			ratio := math.Exp(rng.Uniform(math.Log(3.0/4), math.Log(4.0/3)))
			cw, ch := math.Sqrt(target*ratio), math.Sqrt(target/ratio)
			if cw <= float64(w) && ch <= float64(h) {
				wp.CropW, wp.CropH = cw, ch
				wp.CropX = rng.Uniform(0, float64(w)-cw)
				wp.CropY = rng.Uniform(0, float64(h)-ch)
				break
			}
		}
	}
	if a.Noise > 0 {
		wp.Noise, wp.NoiseSeed = a.Noise, rng.Uint64()
	}
	return wp
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
	defer w.addNoise(dst)
	if w.Degrees == 0 && w.CropW == 0 {
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
	// The crop window stretched to the image: a point (x, y) of the
	// stretched image, pixel centres at whole coordinates, lies at
	// CropX + (x + ½)·CropW/W − ½ in the source.
	kx, ky, ox, oy := 1.0, 1.0, 0.0, 0.0
	if w.CropW > 0 {
		kx, ky = w.CropW/float64(wd), w.CropH/float64(h)
		ox, oy = w.CropX+kx/2-0.5, w.CropY+ky/2-0.5
	}
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
				out[y*wd+x] = bilinear(in, h, wd, ox+kx*sx, oy+ky*sy)
			}
		}
	}
}

// addNoise adds w's Gaussian noise to x, drawn afresh from NoiseSeed, so
// that the same Warp gives the same image.
func (w Warp) addNoise(x []float32) {
	if w.Noise == 0 {
		return
	}
	rng := tensor.NewRNG(w.NoiseSeed)
	for i := range x {
		x[i] += float32(w.Noise * rng.Normal())
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
