package data

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// DecoderKind names how a Decoder reads a network's output.
type DecoderKind string

// The decoder kinds.
const (
	// Identity reads the outputs as the answers themselves (regression).
	Identity DecoderKind = "identity"
	// ArgMax reads each row as one score per class and answers the class
	// with the largest score.
	ArgMax DecoderKind = "argmax"
	// Threshold reads a single output as the probability of class 1 and
	// answers class 1 when it is at least 0.5.
	Threshold DecoderKind = "threshold"
	// Sigmoid reads a single output as a logit z and answers class 1 when
	// sigmoid(z) ≥ 0.5, that is when z ≥ 0 (decided on z itself, which
	// rounding cannot blur).
	Sigmoid DecoderKind = "sigmoid"
)

// DecoderKinds returns the names NewDecoder accepts.
func DecoderKinds() []string {
	return []string{string(Identity), string(ArgMax), string(Threshold), string(Sigmoid)}
}

// Decoder turns a network's output into answers: the Output element.
//
// The output's first dimension counts rows; the rest of each row is its
// values (a 1-D output has one value per row). A Decoder marshals to JSON as
// {"kind":"argmax","classes":["cat","dog"]} for a model's metadata.
type Decoder struct {
	// Kind is how the output is read.
	Kind DecoderKind `json:"kind"`
	// Classes names the classes for ArgMax, Threshold and Sigmoid: class i
	// decodes to Classes[i]. A class without a name decodes to its index.
	Classes []string `json:"classes,omitempty"`
}

// NewDecoder returns a decoder of the named kind; classes may be nil.
func NewDecoder(kind string, classes []string) (*Decoder, error) {
	k := DecoderKind(kind)
	if err := k.check(); err != nil {
		return nil, err
	}
	return &Decoder{Kind: k, Classes: classes}, nil
}

func (k DecoderKind) check() error {
	switch k {
	case Identity, ArgMax, Threshold, Sigmoid:
		return nil
	}
	return fmt.Errorf("data: unknown decoder %q; allowed: %s", string(k), strings.Join(DecoderKinds(), ", "))
}

// UnmarshalJSON decodes a saved decoder, rejecting an unknown kind.
func (d *Decoder) UnmarshalJSON(b []byte) error {
	type plain Decoder // without this method, to avoid recursion
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("data: decoder: %v", err)
	}
	if err := p.Kind.check(); err != nil {
		return err
	}
	*d = Decoder(p)
	return nil
}

// rowsOf returns the number of rows of out and the values in each.
func rowsOf(out *tensor.Tensor) (rows, width int) {
	if out == nil {
		return 0, 0
	}
	if out.Dims() == 0 {
		return 1, 1
	}
	rows = out.Dim(0)
	if rows == 0 {
		return 0, 0
	}
	return rows, out.Len() / rows
}

// Decode returns one answer per row of out, as text for a CSV column: the
// value (values separated by spaces when a row has several) for Identity,
// the class name or index for the others. Threshold and Sigmoid decode
// every value of a row with several outputs, separated by spaces.
func (d *Decoder) Decode(out *tensor.Tensor) []string {
	rows, width := rowsOf(out)
	res := make([]string, rows)
	if rows == 0 {
		return res
	}
	data := out.Data()
	var b strings.Builder
	for r := range res {
		row := data[r*width : (r+1)*width]
		switch d.Kind {
		case ArgMax:
			if width == 0 {
				continue
			}
			res[r] = d.className(argmax(row))
			continue
		case Threshold, Sigmoid:
			b.Reset()
			for j, v := range row {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(d.className(d.decide(v)))
			}
		default:
			b.Reset()
			for j, v := range row {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
			}
		}
		res[r] = b.String()
	}
	return res
}

// Indices returns the decoded class indices: one per row for ArgMax (-1
// for an empty row), one per value for Threshold and Sigmoid (so one per
// row for a single output), and nil for Identity.
func (d *Decoder) Indices(out *tensor.Tensor) []int {
	rows, width := rowsOf(out)
	switch d.Kind {
	case ArgMax:
		res := make([]int, rows)
		data := out.Data()
		for r := range res {
			if width == 0 {
				res[r] = -1
				continue
			}
			res[r] = argmax(data[r*width : (r+1)*width])
		}
		return res
	case Threshold, Sigmoid:
		if rows == 0 {
			return []int{}
		}
		data := out.Data()
		res := make([]int, len(data))
		for i, v := range data {
			res[i] = d.decide(v)
		}
		return res
	}
	return nil
}

func (d *Decoder) decide(v float32) int {
	cut := float32(0.5)
	if d.Kind == Sigmoid {
		cut = 0
	}
	if v >= cut {
		return 1
	}
	return 0
}

func (d *Decoder) className(i int) string {
	if i >= 0 && i < len(d.Classes) {
		return d.Classes[i]
	}
	return strconv.Itoa(i)
}

// argmax returns the index of the largest value, the first on ties; NaNs
// never win.
func argmax(row []float32) int {
	best := 0
	for i, v := range row {
		if v > row[best] || (isNaN(row[best]) && !isNaN(v)) {
			best = i
		}
	}
	return best
}

func isNaN(v float32) bool { return math.IsNaN(float64(v)) }
