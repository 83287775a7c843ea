package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// idxBytes encodes an unsigned-byte IDX file.
func idxBytes(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestReadIDX(t *testing.T) {
	raw := idxBytes([]uint32{2, 2, 3}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255})
	for name, in := range map[string][]byte{"raw": raw, "gzip": gzipped(raw)} {
		dims, data, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(dims, []int{2, 2, 3}) || len(data) != 12 || data[11] != 255 {
			t.Errorf("%s: ReadIDX = %v, %v", name, dims, data)
		}
	}
	dims, data, err := ReadIDX(bytes.NewReader(idxBytes([]uint32{0, 28, 28}, nil)))
	if err != nil || !reflect.DeepEqual(dims, []int{0, 28, 28}) || len(data) != 0 {
		t.Errorf("empty set: %v, %v, %v", dims, data, err)
	}
	dims, data, err = ReadIDX(bytes.NewReader(append([]byte{0, 0, 8, 255}, make([]byte, 4*255)...)))
	if err != nil || len(dims) != 255 || len(data) != 0 {
		t.Errorf("255 empty dimensions: %d dims, %v, %v", len(dims), data, err)
	}
}

func TestReadIDXErrors(t *testing.T) {
	valid := idxBytes([]uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	corrupt := gzipped(valid)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "idx: empty file, want the magic 00 00 08 and a dimension count"},
		{"short magic", []byte{0, 0}, "idx: file is 2 bytes, too short for the 4-byte magic"},
		{"bad magic", []byte{0x50, 0x4b, 3, 4, 0, 0}, "idx: magic 50 4b 03 04, want 00 00 08 and a dimension count"},
		{"float type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "idx: data type 0x0d (float32), want 0x08 (unsigned byte)"},
		{"no dims", []byte{0, 0, 8, 0}, "idx: 0 dimensions, want at least 1"},
		{"truncated dims", []byte{0, 0, 8, 3, 0, 0, 0, 2, 0}, "idx: header ends after 5 of the 12 bytes of 3 dimensions"},
		{"short payload", valid[:len(valid)-2], "idx: payload is 4 bytes, want 6 for dimensions 2×3"},
		{"long payload", append(valid[:len(valid):len(valid)], 7), "idx: data continues after the 6 bytes of dimensions 2×3"},
		{"huge", idxBytes([]uint32{1 << 16, 1 << 16}, nil), "idx: dimensions 65536×65536 hold more than the 2147483648-byte limit"},
		{"overflow", idxBytes([]uint32{0xffffffff, 0xffffffff, 0xffffffff, 2}, nil), "idx: dimensions 4294967295×4294967295×4294967295×2 hold more than the 2147483648-byte limit"},
		{"gzip short payload", gzipped(valid[:len(valid)-1]), "idx: payload is 5 bytes, want 6 for dimensions 2×3"},
		{"gzip corrupt", corrupt, "idx: gzip: invalid checksum"},
		{"gzip truncated", gzipped(valid)[:20], "idx: unexpected EOF"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0}, "idx: gzip: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dims, data, err := ReadIDX(bytes.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ReadIDX = %v, %d bytes, nil; want error %q", dims, len(data), tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ReadIDX error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestReadIDXHugeHeaderAllocatesLittle(t *testing.T) {
	// A header claiming 2 GiB over a payload of a few bytes must fail
	// without reserving the claimed size.
	in := idxBytes([]uint32{1 << 15, 1 << 16}, []byte{1, 2, 3})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadIDX(bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("ReadIDX accepted a truncated file")
	}
	if allocs := after.TotalAlloc - before.TotalAlloc; allocs > 4<<20 {
		t.Errorf("ReadIDX allocated %d bytes for a truncated file", allocs)
	}
}

// writeMNIST writes a small MNIST-shaped set of n images of 2×2 pixels.
func writeMNIST(t *testing.T, dir, images, labels string, n int, gz bool) {
	t.Helper()
	pix := make([]byte, n*4)
	lab := make([]byte, n)
	for i := range pix {
		pix[i] = byte(i * 17)
	}
	for i := range lab {
		lab[i] = byte(i % 10)
	}
	img, lb := idxBytes([]uint32{uint32(n), 2, 2}, pix), idxBytes([]uint32{uint32(n)}, lab)
	if gz {
		img, lb, images, labels = gzipped(img), gzipped(lb), images+".gz", labels+".gz"
	}
	if err := os.WriteFile(filepath.Join(dir, images), img, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, labels), lb, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMNISTSmall(t *testing.T) {
	dir := t.TempDir()
	writeMNIST(t, dir, MNISTTrainImages, MNISTTrainLabels, 12, true)
	writeMNIST(t, dir, MNISTTestImages, MNISTTestLabels, 3, false)
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 12 || test.Len() != 3 || train.Features() != 4 {
		t.Fatalf("sizes %d, %d, features %d", train.Len(), test.Len(), train.Features())
	}
	if got := train.Rows(nil, 0, 1); got[0] != 0 || got[1] != 17.0/255 || got[3] != 51.0/255 {
		t.Errorf("first image = %v", got)
	}
	if train.X != nil || train.Pixels == nil || len(train.Pixels.Data) != 12*4 {
		t.Errorf("images not held compactly: X %v, Pixels %v", train.X, train.Pixels)
	}
	if !reflect.DeepEqual(train.Shape, []int{1, 2, 2}) {
		t.Errorf("shape %v, want [1 2 2]", train.Shape)
	}
	if train.Labels[11] != 1 || train.NumClasses() != 10 {
		t.Errorf("labels = %v", train.Labels)
	}
	if err := train.Validate(); err != nil {
		t.Error(err)
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		dir := t.TempDir()
		_, _, err := LoadMNIST(dir)
		want := filepath.Join(dir, MNISTTrainImages) + ": no such file, nor " + MNISTTrainImages + ".gz"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
	t.Run("count mismatch", func(t *testing.T) {
		dir := t.TempDir()
		writeMNIST(t, dir, MNISTTrainImages, MNISTTrainLabels, 5, false)
		os.WriteFile(filepath.Join(dir, MNISTTrainLabels), idxBytes([]uint32{4}, []byte{1, 2, 3, 4}), 0o644)
		_, _, err := LoadMNIST(dir)
		lp, ip := filepath.Join(dir, MNISTTrainLabels), filepath.Join(dir, MNISTTrainImages)
		if want := lp + ": 4 labels, want 5, one for each image in " + ip; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
	t.Run("bad label", func(t *testing.T) {
		dir := t.TempDir()
		writeMNIST(t, dir, MNISTTrainImages, MNISTTrainLabels, 2, false)
		os.WriteFile(filepath.Join(dir, MNISTTrainLabels), idxBytes([]uint32{2}, []byte{1, 12}), 0o644)
		_, _, err := LoadMNIST(dir)
		if want := filepath.Join(dir, MNISTTrainLabels) + ": label 12 of image 1, want a digit 0 to 9"; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, MNISTTrainImages+".gz"), []byte("not gzip"), 0o644)
		_, _, err := LoadMNIST(dir)
		if want := filepath.Join(dir, MNISTTrainImages+".gz") + ": magic 6e 6f 74 20, want 00 00 08 and a dimension count"; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
}

func FuzzReadIDX(f *testing.F) {
	valid := idxBytes([]uint32{2, 2, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add(valid)
	f.Add(gzipped(valid))
	f.Add(valid[:7])
	f.Add(valid[:len(valid)-1])
	f.Add(append(valid[:len(valid):len(valid)], 9))
	f.Add([]byte{0, 0, 0x0d, 1, 0, 0, 0, 1})
	f.Add([]byte{1, 2, 3, 4})
	f.Add(idxBytes([]uint32{0xffffffff, 0xffffffff}, nil))
	f.Add(idxBytes([]uint32{1 << 15, 1 << 16}, []byte{1}))
	f.Add(gzipped(idxBytes([]uint32{1 << 30}, []byte{1, 2})))
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		dims, data, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "idx: ") {
				t.Fatalf("error is not one line starting with idx: %q", msg)
			}
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if len(dims) == 0 || n != len(data) {
			t.Fatalf("dims %v with %d bytes", dims, len(data))
		}
	})
}

func TestMNISTDirUnregistered(t *testing.T) {
	// Nothing in package data's tests imports mnistdata.
	if _, err := MNISTDir(); err != ErrNoMNIST {
		t.Fatalf("MNISTDir without a locator: %v, want ErrNoMNIST", err)
	}
	RegisterMNIST(func() (string, error) { return "/somewhere", nil })
	defer RegisterMNIST(nil)
	if dir, err := MNISTDir(); dir != "/somewhere" || err != nil {
		t.Errorf("MNISTDir = %q, %v; want the locator's answer", dir, err)
	}
}
