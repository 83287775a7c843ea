package data

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/internal/suggest"
)

// labelReader collects a CSV label column and encodes it by the rule
// ParseCSV documents. It remembers the first line of every distinct label,
// so that an error about a label names where it first appears.
type labelReader struct {
	file, column string
	known        []string       // CSVOptions.Classes
	knownIx      map[string]int // known's inverse
	knownNum     map[float64]int
	numClasses   int

	raw   []int          // each row's label, as an index into names
	names []string       // distinct labels, in order of appearance
	lines []int          // the line where each name first appears
	ix    map[string]int // names' inverse
}

func newLabelReader(file, column string, opts CSVOptions) *labelReader {
	lr := &labelReader{file: file, column: column, numClasses: opts.NumClasses, ix: map[string]int{}}
	if opts.Classes != nil {
		lr.known = slices.Clone(opts.Classes)
		lr.knownIx = make(map[string]int, len(lr.known))
		lr.knownNum = map[float64]int{}
		dup := map[float64]bool{}
		for i, c := range lr.known {
			if _, ok := lr.knownIx[c]; !ok {
				lr.knownIx[c] = i
			}
			if v, ok := number(c); ok {
				if _, seen := lr.knownNum[v]; seen {
					dup[v] = true
				}
				lr.knownNum[v] = i
			}
		}
		// A number two classes share matches neither: the exact text must.
		for v := range dup {
			delete(lr.knownNum, v)
		}
	}
	return lr
}

func (lr *labelReader) where(line int) string {
	return fmt.Sprintf("%s:%d: column %s", lr.file, line, quote(lr.column))
}

// add records one row's label cell, read at line.
func (lr *labelReader) add(cell string, line int) error {
	s := strings.TrimSpace(cell)
	if s == "" {
		return fmt.Errorf("%s: empty cell, want a class", lr.where(line))
	}
	k, ok := lr.ix[s]
	if !ok {
		if lr.known != nil {
			if _, err := lr.lookup(s, line); err != nil {
				return err
			}
		}
		// A clone, so that the label does not keep the whole record's
		// memory alive.
		k = len(lr.names)
		lr.names = append(lr.names, strings.Clone(s))
		lr.lines = append(lr.lines, line)
		lr.ix[lr.names[k]] = k
	}
	lr.raw = append(lr.raw, k)
	return nil
}

// lookup finds label s among the known classes.
func (lr *labelReader) lookup(s string, line int) (int, error) {
	if i, ok := lr.knownIx[s]; ok {
		return i, nil
	}
	if v, ok := number(s); ok {
		if i, ok := lr.knownNum[v]; ok {
			return i, nil
		}
	}
	msg := fmt.Sprintf("%s: unknown class %s", lr.where(line), quote(s))
	if best := suggest.Closest(s, lr.known); best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", quote(best))
	}
	return 0, fmt.Errorf("%s; allowed: %s", msg, listNames(lr.known))
}

// encode returns the rows' class indices and the class names (nil for
// bare indices).
func (lr *labelReader) encode() (labels []int, classes []string, err error) {
	idx := make([]int, len(lr.names))
	switch {
	case lr.known != nil:
		for i, s := range lr.names {
			idx[i], _ = lr.lookup(s, lr.lines[i]) // checked in add
		}
		classes = slices.Clone(lr.known)
	case lr.numClasses > 0:
		if classes, err = lr.indicesOrNames(idx); err != nil {
			return nil, nil, err
		}
	default:
		if classes, err = lr.sortedNames(idx); err != nil {
			return nil, nil, err
		}
	}
	labels = make([]int, len(lr.raw))
	for i, k := range lr.raw {
		labels[i] = idx[k]
	}
	return labels, classes, nil
}

// indicesOrNames encodes labels when the number of classes is given:
// integers are indices, names are names, a mix is refused.
func (lr *labelReader) indicesOrNames(idx []int) ([]string, error) {
	firstInt, firstName := -1, -1
	for i, s := range lr.names {
		if isIndex(s) {
			if firstInt < 0 || lr.lines[i] < lr.lines[firstInt] {
				firstInt = i
			}
		} else if firstName < 0 || lr.lines[i] < lr.lines[firstName] {
			firstName = i
		}
	}
	n := lr.numClasses
	switch {
	case firstInt >= 0 && firstName >= 0:
		return nil, fmt.Errorf("%s: label %s is a name, but line %d has the class index %s; with %d classes given, labels are either all indices (0 to %d) or all names",
			lr.where(lr.lines[firstName]), quote(lr.names[firstName]), lr.lines[firstInt], quote(lr.names[firstInt]), n, n-1)
	case firstName >= 0:
		classes, err := lr.sortedNames(idx)
		if err == nil && len(classes) > n {
			err = fmt.Errorf("%s: column %s has %d distinct labels (%s), more than the %d classes given",
				lr.file, quote(lr.column), len(classes), listNames(classes), n)
		}
		return classes, err
	}
	seen := map[int]int{} // index → name, to catch "1" and "01"
	for i, s := range lr.names {
		v, err := strconv.Atoi(s)
		if err != nil || v >= n {
			return nil, fmt.Errorf("%s: class index %s is out of range; with %d classes, indices are 0 to %d", lr.where(lr.lines[i]), quote(s), n, n-1)
		}
		if j, ok := seen[v]; ok {
			return nil, lr.sameNumber(j, i)
		}
		seen[v] = i
		idx[i] = v
	}
	return nil, nil
}

// sortedNames numbers the labels as names: numerically when all are
// numbers, byte-wise otherwise.
func (lr *labelReader) sortedNames(idx []int) ([]string, error) {
	order := make([]int, len(lr.names))
	for i := range order {
		order[i] = i
	}
	vals := make([]float64, len(lr.names))
	numeric := true
	for i, s := range lr.names {
		v, ok := number(s)
		if !ok {
			numeric = false
			break
		}
		vals[i] = v
	}
	if numeric {
		slices.SortFunc(order, func(a, b int) int { return cmp.Or(cmp.Compare(vals[a], vals[b]), lr.lines[a]-lr.lines[b]) })
		for i := 1; i < len(order); i++ {
			if a, b := order[i-1], order[i]; vals[a] == vals[b] {
				return nil, lr.sameNumber(a, b)
			}
		}
	} else {
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(lr.names[a], lr.names[b]) })
	}
	classes := make([]string, len(order))
	for k, i := range order {
		classes[k] = lr.names[i]
		idx[i] = k
	}
	return classes, nil
}

// sameNumber is the error for two labels that are one number written two
// ways, which would otherwise be two classes or one depending on a rule
// nobody can guess.
func (lr *labelReader) sameNumber(a, b int) error {
	if lr.lines[b] < lr.lines[a] {
		a, b = b, a
	}
	return fmt.Errorf("%s: label %s is the number of line %d's %s written another way; write each class one way",
		lr.where(lr.lines[b]), quote(lr.names[b]), lr.lines[a], quote(lr.names[a]))
}

// isIndex reports whether s is written as a non-negative integer: decimal
// digits only, as a class index is.
func isIndex(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// number parses a label as a finite number.
func number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// EncodeLabels maps class names to indices into the sorted list of
// distinct names, which it returns as classes: the numbering ParseCSV
// gives names (numeric order when every name is a number, else byte-wise).
// Names that are the same number written differently stay distinct
// classes here, ordered by their text.
func EncodeLabels(names []string) (labels []int, classes []string) {
	classes = slices.Clone(names)
	numeric := true
	for _, s := range classes {
		if _, ok := number(s); !ok {
			numeric = false
			break
		}
	}
	if numeric {
		slices.SortFunc(classes, func(a, b string) int {
			va, _ := number(a)
			vb, _ := number(b)
			return cmp.Or(cmp.Compare(va, vb), strings.Compare(a, b))
		})
	} else {
		slices.Sort(classes)
	}
	classes = slices.Compact(classes)
	pos := make(map[string]int, len(classes))
	for i, c := range classes {
		pos[c] = i
	}
	labels = make([]int, len(names))
	for i, s := range names {
		labels[i] = pos[s]
	}
	return labels, classes
}
