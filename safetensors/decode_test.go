package safetensors

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// withLength returns 8 bytes of header length n followed by rest, for inputs
// whose length field disagrees with what follows.
func withLength(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

// f32 returns a header entry for an F32 tensor.
func f32(name, shape string, begin, end int) string {
	return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":[` +
		strconv.Itoa(begin) + `,` + strconv.Itoa(end) + `]}`
}

// malformed lists inputs that Decode must reject, each with words its error
// must contain. The fuzz test starts from them too.
var malformed = []struct {
	name string
	in   []byte
	want string
}{
	{"empty input", nil, "file is 0 bytes, too short for the 8-byte header length"},
	{"7 bytes", []byte{1, 2, 3, 4, 5, 6, 7}, "file is 7 bytes, too short"},
	{"header over the limit", withLength(100_000_001, "{}"), "header length 100000001 is over the 100000000-byte limit"},
	{"header length max uint64", withLength(1<<64-1, "{}"), "over the 100000000-byte limit"},
	{"header past end of file", withLength(50, "{}"), "header length 50 runs past the end of the file (2 bytes follow the length)"},
	{"zero-length header", withLength(0, ""), "header is empty, want a JSON object"},
	{"only spaces", rawFile("        ", nil), "header is empty"},
	{"truncated JSON", rawFile(`{"a":`, nil), "header is not valid JSON"},
	{"syntax error", rawFile(`{"a" 1}`, nil), "header is not valid JSON"},
	{"trailing garbage", rawFile(`{} x`, nil), "header is not valid JSON"},
	{"second object", rawFile(`{}{}`, nil), "header has an object after the JSON object"},
	{"header is an array", rawFile(`[1,2]`, nil), "header is an array, want a JSON object"},
	{"header is a string", rawFile(`"hi"`, nil), `header is the string "hi", want a JSON object`},
	{"header is a number", rawFile(`42`, nil), "header is the number 42"},
	{"header not UTF-8", rawFile("{\"\xff\":1}", nil), "header is not valid UTF-8"},
	{"trailing comma", rawFile(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},}`, f32le(1)), "header is not valid JSON"},

	{"entry is a number", rawFile(`{"a":5}`, nil), `tensor "a": entry is the number 5, want an object`},
	{"entry is null", rawFile(`{"a":null}`, nil), `tensor "a": entry is null`},
	{"entry is an array", rawFile(`{"a":[]}`, nil), `tensor "a": entry is an array`},
	{"missing dtype", rawFile(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": missing "dtype"`},
	{"missing shape", rawFile(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, f32le(1)), `tensor "a": missing "shape"`},
	{"missing data_offsets", rawFile(`{"a":{"dtype":"F32","shape":[1]}}`, f32le(1)), `tensor "a": missing "data_offsets"`},
	{"duplicate field", rawFile(`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": field "dtype" appears twice`},
	{"dtype not a string", rawFile(`{"a":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": dtype is the number 32, want a string`},
	{"dtype is an object", rawFile(`{"a":{"dtype":{},"shape":[1],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": dtype is an object`},
	{"unknown dtype", rawFile(`{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": unknown dtype "F31"`},
	{"lower-case dtype", rawFile(`{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, f32le(1)), `unknown dtype "f32"`},
	{"I32 dtype", rawFile(`{"step":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "step": dtype I32 cannot be loaded as float32 (want F32, F64, F16, BF16, I64 or I8)`},
	{"U8 dtype", rawFile(`{"m":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, make([]byte, 2)), `tensor "m": dtype U8 cannot be loaded as float32`},
	{"BOOL dtype", rawFile(`{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, make([]byte, 2)), `tensor "m": dtype BOOL cannot be loaded`},
	{"F4 dtype", rawFile(`{"m":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, make([]byte, 1)), `tensor "m": dtype F4 cannot be loaded`},

	{"shape not an array", rawFile(`{"a":{"dtype":"F32","shape":"5","data_offsets":[0,20]}}`, make([]byte, 20)), `tensor "a": shape is the string "5", want an array of integers`},
	{"shape null", rawFile(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape is null`},
	{"shape of strings", rawFile(`{"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape[0] is the string "1", want a non-negative integer`},
	{"nested shape", rawFile(`{"a":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape[0] is an array`},
	{"negative dim", rawFile(`{"a":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape[1] = -1 is negative`},
	{"fractional dim", rawFile(`{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape[0] = 2.5 is not an integer`},
	{"exponent dim", rawFile(`{"a":{"dtype":"F32","shape":[1e2],"data_offsets":[0,400]}}`, make([]byte, 400)), `shape[0] = 1e2 is not an integer`},
	{"dim beyond uint64", rawFile(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}`, f32le(1)), `shape[0] = 99999999999999999999 is too large`},
	{"dim beyond int", rawFile(`{"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape [9223372036854775808] overflows the element count`},
	{"element count overflow", rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, f32le(1)), `tensor "a": shape [4294967296 4294967296] overflows the element count`},
	{"overflow before a zero", rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`, nil), `overflows the element count`},
	{"byte count overflow", rawFile(`{"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "a": shape [4611686018427387904] overflows the byte count`},
	{"huge tensor", rawFile(`{"a":{"dtype":"F32","shape":[1000000000,1000],"data_offsets":[0,4]}}`, f32le(1)), `data_offsets [0 4] hold 4 bytes, but F32 [1000000000 1000] needs 4000000000000`},

	{"offsets not an array", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":0}}`, f32le(1)), `tensor "a": data_offsets is the number 0, want an array of integers`},
	{"one offset", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}`, f32le(1)), `tensor "a": data_offsets has 1 values, want [begin, end]`},
	{"three offsets", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, f32le(1, 2)), `tensor "a": data_offsets has 3 values`},
	{"no offsets", rawFile(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[]}}`, nil), `tensor "a": data_offsets has 0 values`},
	{"negative offset", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, f32le(1)), `tensor "a": data_offsets[0] = -4 is negative`},
	{"float offset", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}}`, f32le(1)), `tensor "a": data_offsets[1] = 4.0 is not an integer`},
	{"string offset", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":["0",4]}}`, f32le(1)), `tensor "a": data_offsets[0] is the string "0"`},
	{"begin after end", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, f32le(1, 2)), `tensor "a": data_offsets [8 4] begin after they end`},
	{"size mismatch", rawFile(`{"0.weight":{"dtype":"F32","shape":[4,5],"data_offsets":[0,96]}}`, make([]byte, 96)), `tensor "0.weight": data_offsets [0 96] hold 96 bytes, but F32 [4 5] needs 80`},
	{"F16 size mismatch", rawFile(`{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,12]}}`, make([]byte, 12)), `tensor "h": data_offsets [0 12] hold 12 bytes, but F16 [3] needs 6`},
	{"end beyond buffer", rawFile(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, f32le(1, 2)), `tensor "a": data_offsets [0 16] run past the end of the 8-byte data buffer`},
	{"end far beyond buffer", rawFile(`{"a":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}`, f32le(1, 2)), `tensor "a": data_offsets [0 4000000000] run past the end of the 8-byte data buffer`},
	{"no data at all", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, nil), `run past the end of the 0-byte data buffer`},

	{"overlap", rawFile(`{`+f32("a", "[4]", 0, 16)+`,`+f32("b", "[4]", 8, 24)+`}`, make([]byte, 24)), `tensor "b": data_offsets [8 24] overlap tensor "a" at [0 16]`},
	{"same offsets", rawFile(`{`+f32("a", "[4]", 0, 16)+`,`+f32("b", "[4]", 0, 16)+`}`, make([]byte, 16)), `tensor "b": data_offsets [0 16] overlap tensor "a" at [0 16]`},
	{"contained", rawFile(`{`+f32("a", "[4]", 0, 16)+`,`+f32("b", "[1]", 4, 8)+`}`, make([]byte, 16)), `tensor "b": data_offsets [4 8] overlap tensor "a" at [0 16]`},
	{"hole between", rawFile(`{`+f32("a", "[4]", 0, 16)+`,`+f32("b", "[4]", 24, 40)+`}`, make([]byte, 40)), `tensor "b": data_offsets [24 40] leave bytes [16 24] of the data buffer unused`},
	{"hole at start", rawFile(`{`+f32("a", "[4]", 8, 24)+`}`, make([]byte, 24)), `tensor "a": data_offsets [8 24] leave bytes [0 8] of the data buffer unused`},
	{"bytes after the tensors", rawFile(`{`+f32("a", "[4]", 0, 16)+`}`, make([]byte, 20)), `data buffer has 20 bytes, but the tensors cover only [0 16]`},
	{"data but no tensors", rawFile(`{}`, make([]byte, 4)), `data buffer has 4 bytes, but the tensors cover only [0 0]`},

	{"duplicate name", rawFile(`{`+f32("a", "[1]", 0, 4)+`,`+f32("a", "[1]", 4, 8)+`}`, f32le(1, 2)), `header has "a" twice`},
	{"duplicate name, same offsets", rawFile(`{`+f32("a", "[1]", 0, 4)+`,`+f32("a", "[1]", 0, 4)+`}`, f32le(1)), `header has "a" twice`},
	{"duplicate metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), `header has "__metadata__" twice`},
	{"metadata a number", rawFile(`{"__metadata__":5}`, nil), `__metadata__ is the number 5, want an object of strings`},
	{"metadata an array", rawFile(`{"__metadata__":["a"]}`, nil), `__metadata__ is an array`},
	{"metadata a string", rawFile(`{"__metadata__":"pt"}`, nil), `__metadata__ is the string "pt"`},
	{"metadata number value", rawFile(`{"__metadata__":{"epoch":3}}`, nil), `__metadata__["epoch"] is the number 3, want a string`},
	{"metadata null value", rawFile(`{"__metadata__":{"k":null}}`, nil), `__metadata__["k"] is null, want a string`},
	{"metadata nested value", rawFile(`{"__metadata__":{"k":{"x":"y"}}}`, nil), `__metadata__["k"] is an object`},
	{"metadata duplicate key", rawFile(`{"__metadata__":{"k":"1","k":"2"}}`, nil), `__metadata__ has "k" twice`},
	{"deeply nested unknown field", rawFile(`{"a":{"x":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`,"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, f32le(1)), "header is not valid JSON"},
	{"long name is clipped", rawFile(`{"`+strings.Repeat("n", 1000)+`":5}`, nil), `…" (1000 bytes): entry is the number 5`},
}

func TestDecodeMalformed(t *testing.T) {
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.in)
			if err == nil {
				t.Fatalf("Decode succeeded with %d tensors, want error containing %q", len(f.Tensors), tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("err = %s\nwant it to contain %s", msg, tt.want)
			}
			if !strings.HasPrefix(msg, "safetensors: ") {
				t.Errorf("err = %s, want the package prefix", msg)
			}
			if strings.Contains(msg, "\n") || len(msg) > 400 {
				t.Errorf("err is not one short line: %q", msg)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("err is %T, want *FormatError", err)
			}
		})
	}
}

// wellFormed lists unusual inputs that Decode must accept.
var wellFormed = []struct {
	name  string
	in    []byte
	order []string
}{
	{"no tensors", rawFile(`{}`, nil), nil},
	{"no padding, odd length", rawFile(`{ }`, nil), nil},
	{"whitespace around the object", rawFile(" \n\t{}\r\n  ", nil), nil},
	{"scalar", rawFile(`{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, f32le(3)), []string{"s"}},
	{"zero-size tensors", rawFile(`{`+f32("z", "[0,3]", 0, 0)+`,`+f32("y", "[2,0]", 0, 0)+`,`+f32("a", "[1]", 0, 4)+`,`+f32("w", "[0]", 4, 4)+`}`, f32le(1)), []string{"y", "z", "a", "w"}},
	{"huge dims of an empty tensor", rawFile(`{`+f32("z", "[0,4294967296,4294967296]", 0, 0)+`}`, nil), []string{"z"}},
	{"entries out of offset order", rawFile(`{`+f32("b", "[1]", 4, 8)+`,`+f32("a", "[1]", 0, 4)+`}`, f32le(1, 2)), []string{"a", "b"}},
	{"unknown fields are ignored", rawFile(`{"a":{"x":{"y":[1,null]},"dtype":"F32","shape":[1],"data_offsets":[0,4],"z":"q"}}`, f32le(1)), []string{"a"}},
	{"null metadata", rawFile(`{"__metadata__":null}`, nil), nil},
	{"metadata last", rawFile(`{`+f32("a", "[1]", 0, 4)+`,"__metadata__":{"k":"v"}}`, f32le(1)), []string{"a"}},
	{"escaped names", rawFile(`{"a\"b\u00e9\n":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32le(1)), []string{"a\"bé\n"}},
	{"empty name", rawFile(`{"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32le(1)), []string{""}},
	{"mixed dtypes", rawFile(`{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]}}`, make([]byte, 16)), []string{"d", "h", "b"}},
}

func TestDecodeWellFormed(t *testing.T) {
	for _, tt := range wellFormed {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.Order, tt.order) {
				t.Errorf("Order = %q, want %q", f.Order, tt.order)
			}
			if len(f.Tensors) != len(tt.order) {
				t.Errorf("%d tensors, want %d", len(f.Tensors), len(tt.order))
			}
		})
	}
}

func TestDecodeMetadata(t *testing.T) {
	f, err := Decode(rawFile(`{"__metadata__":{"format":"pt","b":""}}`, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Metadata) != 2 || f.Metadata["format"] != "pt" || f.Metadata["b"] != "" {
		t.Errorf("Metadata = %v", f.Metadata)
	}
}

func TestDecodeDoesNotAlias(t *testing.T) {
	b := rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32le(1))
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0xff
	}
	if v := f.Tensors["a"].Data()[0]; v != 1 {
		t.Errorf("tensor changed with the input buffer: %v", v)
	}
}
