package data

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gray returns a w×h gray image whose pixel (x, y) is pix[y*w+x].
func gray(w, h int, pix ...byte) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	copy(g.Pix, pix)
	return g
}

func nearAll(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i])-float64(b[i])) > tol {
			return false
		}
	}
	return true
}

func TestDecodePNG(t *testing.T) {
	rgb := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	rgb.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	rgb.SetNRGBA(1, 0, color.NRGBA{0, 51, 255, 255})
	faded := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	faded.SetNRGBA(0, 0, color.NRGBA{255, 255, 255, 51}) // a fifth opaque
	g16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	g16.SetGray16(0, 0, color.Gray16{0xffff})
	g16.SetGray16(1, 0, color.Gray16{0x8000})
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.Gray{0}, color.Gray{102}})
	pal.Pix = []byte{1, 0}
	tests := []struct {
		name  string
		img   image.Image
		shape []int
		want  []float32
		tol   float64
	}{
		// 8-bit values are v/255, exactly as MNIST's loader gives them.
		{"gray [1,H,W]", gray(3, 2, 0, 51, 255, 102, 1, 254), []int{1, 2, 3}, []float32{0, 51. / 255, 1, 102. / 255, 1. / 255, 254. / 255}, 0},
		{"gray [H,W]", gray(2, 2, 0, 255, 255, 0), []int{2, 2}, []float32{0, 1, 1, 0}, 0},
		{"gray as RGB", gray(2, 1, 51, 255), []int{3, 1, 2}, []float32{0.2, 1, 0.2, 1, 0.2, 1}, 0},
		{"RGB planes", rgb, []int{3, 1, 2}, []float32{1, 0, 0, 0.2, 0, 1}, 0},
		// ITU-R 601 luma: 0.299 R + 0.587 G + 0.114 B.
		{"RGB as gray", rgb, []int{1, 1, 2}, []float32{0.299, 0.587*0.2 + 0.114}, 1e-4},
		{"transparent over black", faded, []int{1, 1, 1}, []float32{0.2}, 1e-4},
		{"16-bit", g16, []int{1, 1, 2}, []float32{1, 0x8000 / 65535.}, 0},
		{"paletted", pal, []int{2, 1, 2}[1:], []float32{0.4, 0}, 0},
	}
	for _, tt := range tests {
		got, err := DecodePNG(bytes.NewReader(encodePNG(t, tt.img)), "x.png", tt.shape)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !nearAll(got, tt.want, tt.tol) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDecodePNGErrors(t *testing.T) {
	digit := encodePNG(t, gray(3, 2))
	tests := []struct {
		name  string
		data  []byte
		shape []int
		want  string
	}{
		{"size", digit, []int{1, 28, 28}, "d.png: image is 3×2 (width×height), want 28×28 for input shape [1 28 28]; resize it first"},
		{"transposed", digit, []int{1, 3, 2}, "d.png: image is 3×2 (width×height), want 2×3 for input shape [1 3 2]; resize it first"},
		{"channels", digit, []int{4, 2, 3}, "d.png: input shape [4 2 3] has 4 channels, want 1 (gray) or 3 (RGB)"},
		{"rank", digit, []int{6}, "d.png: input shape [6], want [1, H, W] or [H, W] (gray) or [3, H, W] (RGB)"},
		{"huge shape", digit, []int{1, 1 << 20, 1 << 20}, "d.png: input shape [1 1048576 1048576], want a height and width from 1 to 67108864 values in all"},
		{"not PNG", []byte("GIF89a, and more"), []int{2, 3}, "d.png: png: invalid format: not a PNG file"},
		{"short", []byte("GIF89a"), []int{2, 3}, "d.png: PNG data ends early, after 6 bytes"},
		{"truncated", digit[:len(digit)-20], []int{2, 3}, "d.png: "},
		{"empty", nil, []int{2, 3}, "d.png: PNG data ends early, after 0 bytes"},
	}
	for _, tt := range tests {
		_, err := DecodePNG(bytes.NewReader(tt.data), "d.png", tt.shape)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || (!strings.HasSuffix(tt.want, ": ") && err.Error() != tt.want) {
			t.Errorf("%s: error %v\nwant %s", tt.name, err, tt.want)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Errorf("%s: error spans lines", tt.name)
		}
	}
}

func TestReadImages(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, img image.Image) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, encodePNG(t, img), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	b := write("b.png", gray(2, 2, 4, 4, 4, 4))
	a := write("a.png", gray(2, 2, 1, 2, 3, 4))
	c := write("c.PNG", gray(2, 2, 9, 9, 9, 9))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.png"), 0o755)
	extra := filepath.Join(t.TempDir(), "z.png")
	os.WriteFile(extra, encodePNG(t, gray(2, 2, 255, 0, 0, 255)), 0o644)

	ds, files, err := ReadImages([]string{dir, extra}, []int{1, 2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{a, b, c, extra}; !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if ds.Len() != 4 || ds.Features() != 4 || !slices.Equal(ds.Shape, []int{1, 2, 2}) || ds.Validate() != nil {
		t.Fatalf("dataset %d×%d shape %v: %v", ds.Len(), ds.Features(), ds.Shape, ds.Validate())
	}
	for i, f := range files {
		one, err := ReadPNG(f, []int{1, 2, 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := ds.Rows(nil, i, i+1); !slices.Equal(got, one) {
			t.Errorf("row %d = %v, want %v from %s", i, got, one, f)
		}
	}
	if got := ds.Rows(nil, 0, 1); !slices.Equal(got, []float32{1. / 255, 2. / 255, 3. / 255, 4. / 255}) {
		t.Errorf("a.png = %v", got)
	}

	empty := t.TempDir()
	for _, tt := range []struct {
		paths []string
		shape []int
		want  string
	}{
		{[]string{empty}, []int{1, 2, 2}, empty + ": no .png files in the folder"},
		{nil, []int{1, 2, 2}, "data: no images given"},
		{[]string{dir}, []int{5}, "data: input shape [5], want [1, H, W] or [H, W] (gray) or [3, H, W] (RGB)"},
		{[]string{dir}, []int{1, 3, 3}, a + ": image is 2×2 (width×height), want 3×3 for input shape [1 3 3]; resize it first"},
		{[]string{filepath.Join(dir, "nope.png")}, []int{1, 2, 2}, "stat " + filepath.Join(dir, "nope.png") + ": no such file or directory"},
	} {
		if _, _, err := ReadImages(tt.paths, tt.shape); err == nil || err.Error() != tt.want {
			t.Errorf("ReadImages(%v, %v): %v\nwant %s", tt.paths, tt.shape, err, tt.want)
		}
	}
}

func FuzzDecodePNG(f *testing.F) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range rgba.Pix {
		rgba.Pix[i] = byte(i * 37)
	}
	g16 := image.NewGray16(image.Rect(0, 0, 4, 4))
	for i := range g16.Pix {
		g16.Pix[i] = byte(i * 11)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White, color.RGBA{200, 10, 10, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = byte(i % 3)
	}
	seeds := [][]byte{
		encodePNG(f, gray(4, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)),
		encodePNG(f, rgba), encodePNG(f, g16), encodePNG(f, pal),
		encodePNG(f, gray(3, 5)), encodePNG(f, gray(4000, 1)),
	}
	for _, s := range seeds {
		f.Add(s, uint8(1))
		f.Add(s, uint8(3))
		f.Add(s[:len(s)/2], uint8(1))
	}
	// A header claiming 65535×65535 pixels, with a fixed checksum.
	big := slices.Clone(seeds[0])
	copy(big[16:24], []byte{0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff})
	f.Add(big, uint8(1))
	f.Add([]byte("\x89PNG\r\n\x1a\n"), uint8(1))
	f.Add([]byte{}, uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, c uint8) {
		shape := []int{int(c), 4, 4}
		got, err := DecodePNG(bytes.NewReader(in), "f.png", shape)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "f.png: ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		if len(got) != int(c)*16 {
			t.Fatalf("%d values for shape %v", len(got), shape)
		}
		for _, v := range got {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("value %v outside [0, 1]", v)
			}
		}
	})
}
