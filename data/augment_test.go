package data

import (
	"math"
	"slices"
	"testing"

	"github.com/bigfunc/bigfunc/tensor"
)

func warp(w Warp, src []float32, shape ...int) []float32 {
	dst := make([]float32, len(src))
	for i := range dst {
		dst[i] = -1 // every pixel must be written
	}
	w.Apply(dst, src, shape)
	return dst
}

// Expected images are written out by hand.
func TestWarpExact(t *testing.T) {
	im34 := []float32{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
	}
	im33 := []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}
	im44 := []float32{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}
	tests := []struct {
		name  string
		w     Warp
		src   []float32
		shape []int
		want  []float32
	}{
		{"identity", Warp{}, im34, []int{3, 4}, im34},
		{"right 1", Warp{DX: 1}, im34, []int{1, 3, 4}, []float32{
			0, 1, 2, 3,
			0, 5, 6, 7,
			0, 9, 10, 11,
		}},
		{"down 1", Warp{DY: 1}, im34, []int{3, 4}, []float32{
			0, 0, 0, 0,
			1, 2, 3, 4,
			5, 6, 7, 8,
		}},
		{"left 1, up 1", Warp{DX: -1, DY: -1}, im34, []int{3, 4}, []float32{
			6, 7, 8, 0,
			10, 11, 12, 0,
			0, 0, 0, 0,
		}},
		{"flip", Warp{Flip: true}, im34, []int{3, 4}, []float32{
			4, 3, 2, 1,
			8, 7, 6, 5,
			12, 11, 10, 9,
		}},
		{"right 1 then flip", Warp{DX: 1, Flip: true}, im34, []int{3, 4}, []float32{
			3, 2, 1, 0,
			7, 6, 5, 0,
			11, 10, 9, 0,
		}},
		{"90° anticlockwise", Warp{Degrees: 90}, im33, []int{1, 3, 3}, []float32{
			3, 6, 9,
			2, 5, 8,
			1, 4, 7,
		}},
		{"90° clockwise", Warp{Degrees: -90}, im33, []int{3, 3}, []float32{
			7, 4, 1,
			8, 5, 2,
			9, 6, 3,
		}},
		{"180°", Warp{Degrees: 180}, im33, []int{3, 3}, []float32{
			9, 8, 7,
			6, 5, 4,
			3, 2, 1,
		}},
		{"450° is 90°", Warp{Degrees: 450}, im33, []int{3, 3}, []float32{
			3, 6, 9,
			2, 5, 8,
			1, 4, 7,
		}},
		{"90° on an even size", Warp{Degrees: 90}, im44, []int{4, 4}, []float32{
			4, 8, 12, 16,
			3, 7, 11, 15,
			2, 6, 10, 14,
			1, 5, 9, 13,
		}},
		{"right 1 then 90°", Warp{DX: 1, Degrees: 90}, im33, []int{3, 3}, []float32{
			2, 5, 8,
			1, 4, 7,
			0, 0, 0,
		}},
		{"90° then flip", Warp{Degrees: 90, Flip: true}, im33, []int{3, 3}, []float32{
			9, 6, 3,
			8, 5, 2,
			7, 4, 1,
		}},
		{"two channels", Warp{DX: 1}, append(slices.Clone(im33), 10, 20, 30, 40, 50, 60, 70, 80, 90), []int{2, 3, 3}, []float32{
			0, 1, 2,
			0, 4, 5,
			0, 7, 8,
			0, 10, 20,
			0, 40, 50,
			0, 70, 80,
		}},
	}
	for _, tt := range tests {
		if got := warp(tt.w, tt.src, tt.shape...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Bilinear sampling reproduces a linear function exactly wherever the four
// neighbours are inside the image, so a rotated ramp is known in closed
// form. The expectation is written in polar terms (a pixel at angle φ
// from the centre, anticlockwise on screen, came from angle φ − θ), apart
// from the matrix the code uses.
func TestWarpRotateRamp(t *testing.T) {
	const h, w = 9, 11
	ramp := func(x, y float64) float64 { return 0.25*x - 0.5*y + 3 }
	src := make([]float32, h*w)
	for y := range h {
		for x := range w {
			src[y*w+x] = float32(ramp(float64(x), float64(y)))
		}
	}
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for _, deg := range []float64{10, -7.5, 33, 135} {
		got := warp(Warp{Degrees: deg}, src, 1, h, w)
		checked := 0
		for y := range h {
			for x := range w {
				// Screen y points down: the anticlockwise angle uses −dy.
				r := math.Hypot(float64(x)-cx, float64(y)-cy)
				phi := math.Atan2(-(float64(y) - cy), float64(x)-cx)
				from := phi - deg*math.Pi/180
				sx, sy := cx+r*math.Cos(from), cy-r*math.Sin(from)
				if sx < 0 || sy < 0 || sx > w-1 || sy > h-1 {
					continue
				}
				checked++
				if want := ramp(sx, sy); math.Abs(float64(got[y*w+x])-want) > 1e-4 {
					t.Errorf("%v°: pixel (%d, %d) = %v, want %v", deg, y, x, got[y*w+x], want)
				}
			}
		}
		if checked < h*w/3 {
			t.Errorf("%v°: only %d pixels checked", deg, checked)
		}
	}
	// Points far outside become 0, and a point just outside blends with 0.
	one := []float32{1}
	if got := warp(Warp{DX: 5}, one, 1, 1); got[0] != 0 {
		t.Errorf("shifted out: %v", got)
	}
	if v := bilinear([]float32{1, 1, 1, 1}, 2, 2, -0.25, 0); v != 0.75 {
		t.Errorf("a quarter pixel outside: %v, want 0.75", v)
	}
}

func TestAugmentDraw(t *testing.T) {
	a := &Augment{CropPadding: 2, Rotation: 10, HFlip: true}
	rng := tensor.NewRNG(1)
	seen := map[int]bool{}
	flips := 0
	for range 2000 {
		w := a.Draw(rng, 28, 28)
		if w.DX < -2 || w.DX > 2 || w.DY < -2 || w.DY > 2 || math.Abs(w.Degrees) > 10 {
			t.Fatalf("draw out of range: %+v", w)
		}
		seen[w.DX] = true
		if w.Flip {
			flips++
		}
	}
	if len(seen) != 5 || flips < 900 || flips > 1100 {
		t.Errorf("shifts seen %v, flips %d of 2000", seen, flips)
	}
	if w := (&Augment{Seed: 3}).Draw(rng, 28, 28); w != (Warp{}) {
		t.Errorf("the zero Augment drew %+v", w)
	}
}

// digits returns n images of shape [1, 7, 7], every pixel of image i
// holding the byte label+1, with label i mod 10.
func digits(n int) *Dataset {
	const f = 49
	ds := &Dataset{Pixels: &Bytes{Data: make([]byte, n*f), Rows: n, Cols: f, Divisor: 255}, Labels: make([]int, n), Shape: []int{1, 7, 7}}
	for i := range n {
		ds.Labels[i] = i % 10
		for j := range f {
			ds.Pixels.Data[i*f+j] = byte(ds.Labels[i] + 1)
		}
	}
	return ds
}

// batches returns copies of the first n batches' features and labels.
func batches(t *testing.T, ds *Dataset, n int) (xs [][]float32, labels [][]int) {
	t.Helper()
	l, err := NewLoader(ds, 8, tensor.NewRNG(5))
	if err != nil {
		t.Fatal(err)
	}
	for len(xs) < n {
		b, ok := l.Next()
		if !ok {
			continue
		}
		xs = append(xs, slices.Clone(b.X.Data()))
		labels = append(labels, slices.Clone(b.Labels))
	}
	return xs, labels
}

func TestAugmentLoader(t *testing.T) {
	on := &Augment{CropPadding: 1, Rotation: 15, HFlip: true, Seed: 7}
	plain, plainLabels := batches(t, digits(30), 10)

	// Off (nil or zero) is the identity.
	off := digits(30)
	off.Augment = &Augment{Seed: 7}
	if got, _ := batches(t, off, 10); !slices.EqualFunc(got, plain, slices.Equal) {
		t.Error("a zero Augment changed the batches")
	}

	// The same seed gives the same batches; another seed, others.
	ds := digits(30)
	ds.Augment = on
	got, labels := batches(t, ds, 10)
	again, _ := batches(t, ds, 10)
	if !slices.EqualFunc(got, again, slices.Equal) {
		t.Error("the same seed augmented differently")
	}
	if slices.EqualFunc(got, plain, slices.Equal) {
		t.Error("augmentation changed nothing")
	}
	other := *on
	other.Seed = 8
	ds.Augment = &other
	if got8, _ := batches(t, ds, 10); slices.EqualFunc(got, got8, slices.Equal) {
		t.Error("different seeds augmented the same")
	}

	// Labels stay with their images: the centre pixel of a constant image
	// survives any shift of one pixel, any rotation about it and a flip.
	for i, b := range got {
		if !slices.Equal(labels[i], plainLabels[i]) {
			t.Fatalf("batch %d labels %v, want %v", i, labels[i], plainLabels[i])
		}
		for r, label := range labels[i] {
			if centre := b[r*49+24]; centre != float32(label+1)/255 {
				t.Fatalf("batch %d row %d: centre %v, want %v for label %d", i, r, centre*255, label+1, label)
			}
		}
	}
}

func TestAugmentResume(t *testing.T) {
	ds := digits(20)
	ds.Augment = &Augment{CropPadding: 2, Rotation: 10, Seed: 1}
	rng := tensor.NewRNG(2)
	l, _ := NewLoader(ds, 6, rng)
	l.Next()
	l.Next()
	state := l.State()
	if state.AugmentRNG == nil {
		t.Fatal("State lacks the augmentation RNG")
	}
	rngState, _ := rng.MarshalBinary()
	var want [][]float32
	for range 6 {
		if b, ok := l.Next(); ok {
			want = append(want, slices.Clone(b.X.Data()))
		}
	}
	rng2 := tensor.NewRNG(0)
	if err := rng2.UnmarshalBinary(rngState); err != nil {
		t.Fatal(err)
	}
	l2, _ := NewLoader(ds, 6, rng2)
	if err := l2.Restore(state); err != nil {
		t.Fatal(err)
	}
	var got [][]float32
	for range 6 {
		if b, ok := l2.Next(); ok {
			got = append(got, slices.Clone(b.X.Data()))
		}
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Error("batches after Restore differ from those the loader would have served")
	}
	if err := l2.Restore(LoaderState{Epoch: 1, AugmentRNG: []byte{1}}); err == nil {
		t.Error("Restore accepted a broken augmentation RNG state")
	}
}

func TestAugmentErrors(t *testing.T) {
	tests := []struct {
		shape []int
		a     Augment
		want  string
	}{
		{nil, Augment{HFlip: true}, "data: augmentation works on images of shape [C, H, W] or [H, W], not samples of shape [49]"},
		{[]int{1, 7, 7}, Augment{CropPadding: 8}, "data: augmentation crop padding 8, want 0 to 7 for 7×7 images"},
		{[]int{7, 7}, Augment{Rotation: 181}, "data: augmentation rotation 181 degrees, want 0 to 180"},
		{[]int{7, 7}, Augment{Rotation: math.NaN()}, "data: augmentation rotation NaN degrees, want 0 to 180"},
	}
	for _, tt := range tests {
		ds := digits(2)
		ds.Shape, ds.Augment = tt.shape, &tt.a
		if _, err := NewLoader(ds, 1, nil); err == nil || err.Error() != tt.want {
			t.Errorf("%+v on %v: error %v, want %s", tt.a, tt.shape, err, tt.want)
		}
	}
}

func TestAugmentNoAllocations(t *testing.T) {
	ds := digits(40)
	ds.Augment = &Augment{CropPadding: 1, Rotation: 5, HFlip: true}
	l, _ := NewLoader(ds, 16, tensor.NewRNG(1))
	l.Next()
	if n := testing.AllocsPerRun(200, func() {
		if _, ok := l.Next(); !ok {
			l.Next()
		}
	}); n != 0 {
		t.Errorf("Next with augmentation allocates %v times per batch", n)
	}
}

// The whole-pixel path (row copies) agrees with the general bilinear path,
// which a full turn takes, for shifts within and beyond the image.
func TestWarpWholePixelPaths(t *testing.T) {
	const h, w = 5, 7
	src := make([]float32, 2*h*w)
	for i := range src {
		src[i] = float32(i + 1)
	}
	for dx := -8; dx <= 8; dx++ {
		for dy := -6; dy <= 6; dy += 3 {
			for _, flip := range []bool{false, true} {
				fast := warp(Warp{DX: dx, DY: dy, Flip: flip}, src, 2, h, w)
				slow := warp(Warp{DX: dx, DY: dy, Flip: flip, Degrees: 360}, src, 2, h, w)
				if !slices.Equal(fast, slow) {
					t.Fatalf("DX %d DY %d flip %v: whole-pixel path %v, bilinear path %v", dx, dy, flip, fast, slow)
				}
			}
		}
	}
}

// TestWarpResizedCrop stretches windows of a ramp, on which bilinear
// sampling is exact, and checks each pixel against where the window puts
// it.
func TestWarpResizedCrop(t *testing.T) {
	const h, w = 6, 8
	ramp := make([]float32, h*w)
	for y := range h {
		for x := range w {
			ramp[y*w+x] = float32(3*x + 50*y)
		}
	}
	if got := warp(Warp{CropW: w, CropH: h}, ramp, h, w); !slices.Equal(got, ramp) {
		t.Errorf("the whole image as the window: got %v, want the image", got)
	}
	for _, c := range []Warp{
		{CropX: 4, CropY: 0, CropW: 4, CropH: 6},
		{CropX: 1.5, CropY: 2, CropW: 5, CropH: 3.5},
		{CropX: 2, CropY: 1, CropW: 4, CropH: 3, Degrees: 90},
	} {
		got := warp(c, ramp, h, w)
		for y := range h {
			for x := range w {
				u, v := float64(x), float64(y)
				if c.Degrees == 90 {
					// Turned a quarter anticlockwise about the centre:
					// (x, y) shows the stretched window at
					// (cx − (y − cy), cy + (x − cx)), y down.
					cx, cy := float64(w-1)/2, float64(h-1)/2
					u, v = cx-(v-cy), cy+(u-cx)
					if u < -0.5 || u > w-0.5 || v < -0.5 || v > h-0.5 {
						continue
					}
				}
				sx := c.CropX + (u+0.5)*c.CropW/w - 0.5
				sy := c.CropY + (v+0.5)*c.CropH/h - 0.5
				if sx < 0 || sx > w-1 || sy < 0 || sy > h-1 {
					continue // the ramp is exact only inside
				}
				want := 3*sx + 50*sy
				if g := float64(got[y*w+x]); math.Abs(g-want) > 1e-3 {
					t.Fatalf("window %+v: pixel (%d, %d) = %v, want %v", c, x, y, g, want)
				}
			}
		}
	}
}

func TestWarpNoise(t *testing.T) {
	src := make([]float32, 64*64)
	w := Warp{Noise: 0.3, NoiseSeed: 9}
	a, b := warp(w, src, 64, 64), warp(w, src, 64, 64)
	if !slices.Equal(a, b) {
		t.Fatal("the same warp gave two different images")
	}
	var sum, sq float64
	for _, v := range a {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	n := float64(len(a))
	mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	if math.Abs(mean) > 0.03 || math.Abs(std-0.3) > 0.02 {
		t.Errorf("noise mean %v, std %v; want about 0 and 0.3", mean, std)
	}
}

func TestAugmentDrawCrop(t *testing.T) {
	a := &Augment{CropScale: [2]float64{0.3, 0.8}}
	rng := tensor.NewRNG(5)
	for range 200 {
		c := a.Draw(rng, 28, 20)
		area := c.CropW * c.CropH / (28 * 20)
		ratio := c.CropW / c.CropH
		if c.CropW == 0 {
			continue // no window fitted: the whole image
		}
		if area < 0.3-1e-9 || area > 0.8+1e-9 || ratio < 0.75-1e-9 || ratio > 4.0/3+1e-9 {
			t.Fatalf("window %+v: area fraction %v, ratio %v; want [0.3, 0.8] and [3/4, 4/3]", c, area, ratio)
		}
		if c.CropX < 0 || c.CropY < 0 || c.CropX+c.CropW > 20+1e-9 || c.CropY+c.CropH > 28+1e-9 {
			t.Fatalf("window %+v lies outside the 28×20 image", c)
		}
	}
	if err := (&Augment{CropScale: [2]float64{0.9, 0.5}}).check([]int{1, 28, 28}); err == nil {
		t.Error("crop scale [0.9, 0.5]: no error")
	}
	if err := (&Augment{Noise: -1}).check([]int{1, 28, 28}); err == nil {
		t.Error("noise −1: no error")
	}
}
