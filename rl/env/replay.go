package env

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Replay starts e from state, applies actions in order, and writes one CSV
// row per step to w, stopping at termination or truncation:
//
//	step,obs_0,…,obs_{k-1},reward,terminated,truncated
//
// The given state is step 0, so the row of the first action has step 1 and
// a step counter equal to Gymnasium's TimeLimit count: truncated is true
// from step MaxSteps on. Observations are printed as the shortest decimal
// that reads back as the same float32, the reward as the shortest that reads
// back as the same float64, both in Python's repr format ("1.0", "1e-05");
// terminated and truncated are true or false.
//
// Each action is a slice of ActionSpace().Size() values; a discrete action
// must be an integer index. Errors name the offending action.
func Replay(w io.Writer, e Env, state []float64, actions [][]float32) error {
	if err := e.SetState(state); err != nil {
		return err
	}
	as := e.Actions()
	for i, a := range actions {
		if err := checkAction(as, a); err != nil {
			return fmt.Errorf("%s: action %d: %w", e.Name(), i+1, err)
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("step")
	for i := range e.ObsSize() {
		fmt.Fprintf(bw, ",obs_%d", i)
	}
	bw.WriteString(",reward,terminated,truncated\n")
	for i, a := range actions {
		step := i + 1
		obs, r, term := e.Step(a)
		trunc := step >= e.MaxSteps()
		bw.WriteString(strconv.Itoa(step))
		for _, o := range obs {
			bw.WriteByte(',')
			bw.WriteString(FormatFloat(float64(o), 32))
		}
		fmt.Fprintf(bw, ",%s,%t,%t\n", FormatFloat(r, 64), term, trunc)
		if term || trunc {
			break
		}
	}
	return bw.Flush()
}

func checkAction(as ActionSpace, a []float32) error {
	if len(a) != as.Size() {
		return fmt.Errorf("got %d values, want %d", len(a), as.Size())
	}
	if as.Discrete() {
		v := a[0]
		if v != float32(math.Trunc(float64(v))) || v < 0 || int(v) >= as.N {
			return fmt.Errorf("got %v, want an integer from 0 to %d", v, as.N-1)
		}
		return nil
	}
	for _, v := range a {
		if math.IsNaN(float64(v)) {
			return fmt.Errorf("got NaN")
		}
	}
	return nil
}

// FormatFloat formats v as Python's repr does for a float, with the
// shortest digits that read back as the same float32 (bits 32) or float64
// (bits 64): positional notation with at least one decimal ("1.0",
// "0.0001") when 1e-4 ≤ |v| < 1e16, otherwise scientific with a signed
// two-digit exponent ("1e-05", "1.5e+16"); "nan", "inf", "-inf".
func FormatFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	// 'e' with precision −1 gives the shortest digits d.ddd and exponent.
	s := strconv.FormatFloat(v, 'e', -1, bits)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if v == 0 {
		return sign + "0.0"
	}
	// Python's float_repr_style 'short': decpt is the position of the
	// decimal point after the first digit's place, exp+1.
	decpt := exp + 1
	if decpt <= -4 || decpt > 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	default:
		return sign + digits[:decpt] + "." + digits[decpt:]
	}
}
