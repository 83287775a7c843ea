package param

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestNumber(t *testing.T) {
	for _, v := range []any{2.5, float32(2.5), json.Number("2.5")} {
		if f, ok := Number(v); !ok || f != 2.5 {
			t.Errorf("Number(%T %v) = %v, %v; want 2.5, true", v, v, f, ok)
		}
	}
	for _, v := range []any{int(3), int8(3), int16(3), int32(3), int64(3), uint(3), uint8(3), uint16(3), uint32(3), uint64(3)} {
		if f, ok := Number(v); !ok || f != 3 {
			t.Errorf("Number(%T) = %v, %v; want 3, true", v, f, ok)
		}
	}
	for _, v := range []any{"3", true, nil, []any{1}, json.Number("x")} {
		if _, ok := Number(v); ok {
			t.Errorf("Number(%T %v) accepted", v, v)
		}
	}
}

func ExampleNumber() {
	f, ok := Number(json.Number("0.01"))
	fmt.Println(f, ok)
	// Output: 0.01 true
}
