package data

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// SeqTasks lists the synthetic sequence tasks SeqTask makes.
func SeqTasks() []string { return []string{"add", "reverse", "sort"} }

// SeqVocab is the vocabulary of the synthetic sequence tasks: the digits,
// "+", "=", and "." which ends an answer and pads a sequence.
const SeqVocab = "0123456789+=."

// SeqTaskOptions describes a synthetic sequence task.
type SeqTaskOptions struct {
	// Task is "add", "reverse" or "sort".
	Task string
	// Digits is the number of digits of each addend for add (default 3),
	// and the longest digit string for reverse and sort (default 8).
	Digits int
	// MinDigits is the shortest digit string for reverse and sort
	// (default Digits: all the same length). Shorter problems are padded.
	MinDigits int
	// Size and Valid are the numbers of training and held-out problems;
	// no held-out problem appears in training.
	Size, Valid int
	Seed        uint64
}

// SeqTask returns a synthetic sequence task as a training and a held-out
// set of token sequences for a GPT-style model, which reads the prompt and
// writes the answer one token at a time:
//
//	add      "123+456=" → "9750."  the sum with Digits+1 digits, written
//	                               least significant digit first (as
//	                               minGPT's adder), so each digit needs
//	                               only the carry from the one before
//	reverse  "31415=" → "51413."
//	sort     "31415=" → "11345."
//
// Each problem is prompt + answer + "." as tokens of SeqVocab; X holds it
// without its last token and Y the tokens that follow, with IgnoreTarget
// at the prompt's positions (nothing to predict there) and at padding, so
// the loss and the accuracy count the answer alone. Sequences shorter
// than the longest are padded with "." at the end, which causal attention
// never lets earlier positions see.
func SeqTask(o SeqTaskOptions) (train, valid *Dataset, err error) {
	if !slices.Contains(SeqTasks(), o.Task) {
		return nil, nil, fmt.Errorf("sequence: unknown task %q; allowed: %s", o.Task, strings.Join(SeqTasks(), ", "))
	}
	if o.Digits == 0 {
		o.Digits = 3
		if o.Task != "add" {
			o.Digits = 8
		}
	}
	if o.MinDigits == 0 {
		o.MinDigits = o.Digits
	}
	switch {
	case o.Digits < 1 || o.Digits > 18:
		return nil, nil, fmt.Errorf("sequence: digits must be in [1, 18], got %d", o.Digits)
	case o.MinDigits < 1 || o.MinDigits > o.Digits:
		return nil, nil, fmt.Errorf("sequence: min_digits must be in [1, digits = %d], got %d", o.Digits, o.MinDigits)
	case o.Task == "add" && o.MinDigits != o.Digits:
		return nil, nil, fmt.Errorf("sequence: add takes digits only; min_digits is for reverse and sort")
	case o.Size < 1 || o.Valid < 0:
		return nil, nil, fmt.Errorf("sequence: want size ≥ 1 and valid ≥ 0, got %d and %d", o.Size, o.Valid)
	}
	// Count the distinct problems, so asking for more is an error rather
	// than an endless search.
	space := 1.0
	if o.Task == "add" {
		for i := 0; i < 2*o.Digits; i++ {
			space *= 10
		}
	} else {
		space = 0
		p := 1.0
		for l := 1; l <= o.Digits; l++ {
			p *= 10
			if l >= o.MinDigits {
				space += p
			}
		}
	}
	if want := float64(o.Size + o.Valid); want > space*0.9 {
		return nil, nil, fmt.Errorf("sequence: %d problems asked, but the task has only %.0f distinct ones; lower size or valid", o.Size+o.Valid, space)
	}
	rng := tensor.NewRNG(o.Seed)
	seen := map[string]bool{}
	draw := func() (prompt, answer string) {
		for {
			prompt, answer = o.problem(rng)
			if !seen[prompt] {
				seen[prompt] = true
				return prompt, answer
			}
		}
	}
	vocab := NewCharVocab(SeqVocab, strings.IndexByte(SeqVocab, '.'))
	maxLen := o.problemLen(o.Digits)
	build := func(n int) *Dataset {
		x, y := tensor.Zeros(n, maxLen-1), tensor.Zeros(n, maxLen-1)
		for i := 0; i < n; i++ {
			prompt, answer := draw()
			encodeProblem(x.Data()[i*(maxLen-1):(i+1)*(maxLen-1)], y.Data()[i*(maxLen-1):(i+1)*(maxLen-1)], vocab, prompt, answer)
		}
		return &Dataset{X: x, Y: y, Vocab: vocab}
	}
	// Held-out problems are drawn first, so the training set does not
	// change their draw when its size changes.
	if o.Valid > 0 {
		valid = build(o.Valid)
	}
	return build(o.Size), valid, nil
}

// problemLen returns the tokens in a problem with n digits, end mark
// included.
func (o SeqTaskOptions) problemLen(n int) int {
	if o.Task == "add" {
		return 2*n + 2 + n + 1 + 1
	}
	return 2*n + 2
}

// problem draws one problem.
func (o SeqTaskOptions) problem(rng *tensor.RNG) (prompt, answer string) {
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.Intn(10))
		}
		return string(b)
	}
	if o.Task == "add" {
		a, b := digits(o.Digits), digits(o.Digits)
		return a + "+" + b + "=", AddAnswer(a, b)
	}
	s := digits(o.MinDigits + rng.Intn(o.Digits-o.MinDigits+1))
	r := []byte(s)
	if o.Task == "reverse" {
		slices.Reverse(r)
	} else {
		slices.Sort(r)
	}
	return s + "=", string(r)
}

// AddAnswer returns the sum of the digit strings a and b as the add task
// writes it: len(a)+1 digits, least significant first.
func AddAnswer(a, b string) string {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	s := fmt.Sprintf("%0*d", len(a)+1, x+y)
	r := []byte(s)
	slices.Reverse(r)
	return string(r)
}

// encodeProblem writes the inputs and targets of prompt + answer + "."
// into x and y, padding both to their length.
func encodeProblem(x, y []float32, v *Vocab, prompt, answer string) {
	ids, _ := v.Encode(prompt + answer + ".")
	for i := range x {
		x[i], y[i] = float32(v.Pad), IgnoreTarget
		if i < len(ids)-1 {
			x[i] = float32(ids[i])
		}
		if i >= len(prompt)-1 && i < len(ids)-1 {
			y[i] = float32(ids[i+1])
		}
	}
}
