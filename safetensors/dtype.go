package safetensors

import (
	"encoding/binary"
	"math"
)

// dtypeBits gives the element size in bits of every dtype the reference
// implementation defines. Decode needs the sizes of the types it cannot load
// too, to tell "unsupported dtype" apart from "not a dtype at all".
var dtypeBits = map[string]uint64{
	"BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
	"U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
	"I16": 16, "U16": 16, "F16": 16, "BF16": 16,
	"I32": 32, "U32": 32, "F32": 32,
	"C64": 64, "F64": 64, "I64": 64, "U64": 64,
}

// converters turn the little-endian bytes of a tensor into float32 values,
// one function per dtype that has a float32 meaning. len(dst) elements are
// read from src.
var converters = map[string]func(dst []float32, src []byte){
	"F32":  f32ToFloat32,
	"F64":  f64ToFloat32,
	"F16":  f16ToFloat32,
	"BF16": bf16ToFloat32,
	"I64":  i64ToFloat32,
	"I8":   i8ToFloat32,
}

// i8ToFloat32 reads the int8 weights of a quantized model, exactly.
func i8ToFloat32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(int8(src[i]))
	}
}

// i64ToFloat32 reads integer buffers such as num_batches_tracked; counts
// beyond 2²⁴ round to the nearest float32.
func i64ToFloat32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(int64(binary.LittleEndian.Uint64(src[8*i:])))
	}
}

func f32ToFloat32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// f64ToFloat32 rounds to the nearest float32, as torch.Tensor.float() does;
// values beyond the float32 range become ±Inf.
func f64ToFloat32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
	}
}

func f16ToFloat32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = halfToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// bf16ToFloat32 widens bfloat16, which is the top half of a float32, so the
// conversion is a shift and is exact for every value, NaN payloads included.
func bf16ToFloat32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
	}
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32. Every half
// value is exactly representable as a float32, so there is no rounding;
// subnormal halves become normal float32s.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN: keep the payload in the top mantissa bits.
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127.
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	default: // zero or subnormal: mant × 2⁻²⁴, exact in float32.
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
}
