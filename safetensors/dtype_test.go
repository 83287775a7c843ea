package safetensors

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestHalfToFloat32(t *testing.T) {
	tests := []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xbc00, -1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x3e00, 1.5},
		{0x7bff, 65504},              // largest half
		{0x0400, 1.0 / (1 << 14)},    // smallest normal
		{0x0001, 1.0 / (1 << 24)},    // smallest subnormal
		{0x03ff, 1023.0 / (1 << 24)}, // largest subnormal
		{0x8001, -1.0 / (1 << 24)},   // negative subnormal
		{0x4248, 3.140625},           // π rounded to half
		{0x57b4, 123.25},             // 123.25 = 0b1111011.01
		{0xd7b7, -123.4375},          // a negative normal
	}
	for _, tt := range tests {
		if got := halfToFloat32(tt.h); got != tt.want {
			t.Errorf("halfToFloat32(%#04x) = %v, want %v", tt.h, got, tt.want)
		}
	}

	bits := func(h uint16) uint32 { return math.Float32bits(halfToFloat32(h)) }
	if got := bits(0x8000); got != 0x80000000 {
		t.Errorf("-0 converts to bits %#08x, want -0", got)
	}
	if got := halfToFloat32(0x7c00); !math.IsInf(float64(got), 1) {
		t.Errorf("+Inf converts to %v", got)
	}
	if got := halfToFloat32(0xfc00); !math.IsInf(float64(got), -1) {
		t.Errorf("-Inf converts to %v", got)
	}
	// A NaN keeps its sign and payload, shifted into the top mantissa bits.
	if got := bits(0x7e01); got != 0x7fc02000 {
		t.Errorf("NaN 0x7e01 converts to bits %#08x, want 0x7fc02000", got)
	}
	if got := bits(0xfd00); got != 0xffa00000 {
		t.Errorf("signalling NaN 0xfd00 converts to bits %#08x, want 0xffa00000", got)
	}
}

// TestHalfToFloat32Exhaustive checks every half value against a conversion
// by arithmetic: sign × mantissa × 2^exponent.
func TestHalfToFloat32Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		got := halfToFloat32(uint16(h))
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		exp := (h >> 10) & 0x1f
		mant := float64(h & 0x3ff)
		var want float64
		switch exp {
		case 0x1f:
			if mant == 0 {
				want = math.Inf(int(sign))
			} else {
				want = math.NaN()
			}
		case 0:
			want = sign * math.Ldexp(mant, -24)
		default:
			want = sign * math.Ldexp(1024+mant, exp-25)
		}
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: got %v, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
	}
}

func TestConverters(t *testing.T) {
	le16 := func(vs ...uint16) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		return b
	}
	le64 := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	tests := []struct {
		dtype string
		src   []byte
		want  []float32
	}{
		{"F32", f32le(1, -2.5, 3e-40), []float32{1, -2.5, 3e-40}},
		{"F16", le16(0x3c00, 0xc000, 0x7bff, 0x0001), []float32{1, -2, 65504, 1.0 / (1 << 24)}},
		{"BF16", le16(0x3f80, 0xc000, 0x4049, 0xc2f7, 0x0001), []float32{1, -2, 3.140625, -123.5, math.Float32frombits(0x00010000)}},
		{"F64", le64(1, -0.1, 1e-50, 1.0/3), []float32{1, -0.1, 0, float32(1.0 / 3)}},
	}
	for _, tt := range tests {
		got := make([]float32, len(tt.want))
		converters[tt.dtype](got, tt.src)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s[%d] = %v, want %v", tt.dtype, i, got[i], tt.want[i])
			}
		}
	}

	f64 := make([]float32, 3)
	converters["F64"](f64, le64(1e300, -1e300, math.NaN()))
	if !math.IsInf(float64(f64[0]), 1) || !math.IsInf(float64(f64[1]), -1) || !math.IsNaN(float64(f64[2])) {
		t.Errorf("F64 out of range: %v", f64)
	}
	bf := make([]float32, 2)
	converters["BF16"](bf, le16(0x7f80, 0x7fc1))
	if !math.IsInf(float64(bf[0]), 1) || math.Float32bits(bf[1]) != 0x7fc10000 {
		t.Errorf("BF16 Inf/NaN: %v", bf)
	}
}

// TestDecodeDtypes checks that every supported dtype goes through Decode,
// with each tensor's shape.
func TestDecodeDtypes(t *testing.T) {
	data := binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.5))
	data = binary.LittleEndian.AppendUint16(data, 0x3c00) // F16 1
	data = binary.LittleEndian.AppendUint16(data, 0xc000) // F16 -2
	data = binary.LittleEndian.AppendUint16(data, 0x4049) // BF16 3.140625
	data = append(data, f32le(7)...)
	header := `{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},` +
		`"h":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},` +
		`"b":{"dtype":"BF16","shape":[],"data_offsets":[12,14]},` +
		`"f":{"dtype":"F32","shape":[1],"data_offsets":[14,18]}}`
	f, err := Decode(rawFile(header, data))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, want ...float32) {
		t.Helper()
		got := f.Tensors[name].Data()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		}
	}
	check("d", 0.5)
	check("h", 1, -2)
	check("b", 3.140625)
	check("f", 7)
	if s := f.Tensors["h"].Shape(); len(s) != 2 || s[0] != 1 || s[1] != 2 {
		t.Errorf("h shape %v", s)
	}
}
