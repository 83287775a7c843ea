package data

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bigfunc/bigfunc/tensor"
)

// CSVOptions chooses the columns ReadCSV turns into a Dataset. Columns are
// named as in the header row.
type CSVOptions struct {
	// Features lists the input columns, in the order they take in X. When
	// empty, every column that is not a target or the label is a feature,
	// in header order, except columns with an empty name (such as the
	// unnamed index column pandas writes).
	Features []string
	// Targets lists the regression target columns, in the order they take
	// in Y.
	Targets []string
	// Label names the class label column. Set Targets or Label, not both;
	// with neither, the set has features only (for prediction).
	Label string
	// Comma is the field separator; 0 means ','.
	Comma rune
}

// maxClassIndex is the largest label read as a bare class index; a larger
// integer is more likely an identifier than a class, and as an index it
// would ask for an absurdly wide output layer.
const maxClassIndex = 1<<16 - 1

// ReadCSV reads a CSV file whose first row is a header and returns the
// chosen columns as a Dataset. See ParseCSV for the format.
func ReadCSV(path string, opts CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseCSV(f, path, opts)
}

// ParseCSV reads CSV from r as ReadCSV does; name is the file name its
// errors start with.
//
// The first row must be a header. Feature and target cells must be finite
// numbers (surrounding spaces are ignored); NaN, infinities and values
// beyond float32's range are errors. Every row must have as many fields as
// the header. A UTF-8 byte-order mark, CRLF line ends, quoted fields, empty
// lines and rows whose fields are all blank (as spreadsheets export) are
// accepted.
//
// Labels that are all non-negative integers up to 65535 are taken as
// class indices, and Classes is left nil. Otherwise the labels are names:
// the distinct names, sorted (byte-wise, so the numbering does not depend
// on row order), become Classes and each label is its name's index there.
func ParseCSV(r io.Reader, name string, opts CSVOptions) (*Dataset, error) {
	if opts.Label != "" && len(opts.Targets) > 0 {
		return nil, fmt.Errorf("%s: options name both targets and a label column, want one", name)
	}
	br := bufio.NewReader(r)
	// encoding/csv would keep a byte-order mark as part of the first
	// column's name, so that "x1" would not be found.
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked here, for a clearer message
	cr.ReuseRecord = true
	if opts.Comma != 0 {
		if opts.Comma == '"' || opts.Comma == '\r' || opts.Comma == '\n' || opts.Comma == utf8.RuneError || !utf8.ValidRune(opts.Comma) {
			return nil, fmt.Errorf("%s: field separator %q is not allowed", name, opts.Comma)
		}
		cr.Comma = opts.Comma
	}

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file, want a header row", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		header[i] = strings.TrimSpace(h)
	}
	cols, err := chooseColumns(name, header, opts)
	if err != nil {
		return nil, err
	}

	var (
		x, y   []float32
		raw    []int          // each row's label, as an index into names
		names  []string       // distinct labels, in order of appearance
		nameIx map[string]int // names' inverse
		rows   int
	)
	if cols.label >= 0 {
		nameIx = map[string]int{}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d (header has %d)", name, line, len(rec), len(header), len(header))
		}
		for _, c := range cols.features {
			v, err := parseCell(rec[c])
			if err != nil {
				line, _ := cr.FieldPos(c)
				return nil, fmt.Errorf("%s:%d: column %s: %v", name, line, quote(header[c]), err)
			}
			x = append(x, v)
		}
		for _, c := range cols.targets {
			v, err := parseCell(rec[c])
			if err != nil {
				line, _ := cr.FieldPos(c)
				return nil, fmt.Errorf("%s:%d: column %s: %v", name, line, quote(header[c]), err)
			}
			y = append(y, v)
		}
		if c := cols.label; c >= 0 {
			s := strings.TrimSpace(rec[c])
			if s == "" {
				line, _ := cr.FieldPos(c)
				return nil, fmt.Errorf("%s:%d: column %s: empty cell, want a class", name, line, quote(header[c]))
			}
			k, ok := nameIx[s]
			if !ok {
				// A clone, so that the label does not keep the whole
				// record's memory alive.
				k = len(names)
				names = append(names, strings.Clone(s))
				nameIx[names[k]] = k
			}
			raw = append(raw, k)
		}
		rows++
	}
	if rows == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header", name)
	}

	ds := &Dataset{
		X:            tensor.New(x, rows, len(cols.features)),
		FeatureNames: pick(header, cols.features),
	}
	if len(cols.targets) > 0 {
		ds.Y = tensor.New(y, rows, len(cols.targets))
		ds.TargetNames = pick(header, cols.targets)
	}
	if cols.label >= 0 {
		ds.Labels, ds.Classes = encodeRawLabels(raw, names)
		ds.TargetNames = []string{header[cols.label]}
	}
	return ds, nil
}

// columns holds the header positions ParseCSV reads.
type columns struct {
	features, targets []int
	label             int
}

func chooseColumns(name string, header []string, opts CSVOptions) (columns, error) {
	at := make(map[string][]int, len(header))
	for i, h := range header {
		at[h] = append(at[h], i)
	}
	find := func(col string) (int, error) {
		col = strings.TrimSpace(col)
		switch p := at[col]; len(p) {
		case 0:
			return 0, missingColumn(name, col, header)
		case 1:
			return p[0], nil
		default:
			return 0, fmt.Errorf("%s: column %s appears %d times in the header (fields %s)", name, quote(col), len(p), joinInts(p))
		}
	}
	cols := columns{label: -1}
	used := map[int]string{}
	use := func(role, col string) (int, error) {
		i, err := find(col)
		if err != nil {
			return 0, err
		}
		if prev, ok := used[i]; ok {
			if prev == role {
				return 0, fmt.Errorf("%s: column %s is listed twice as a %s", name, quote(header[i]), role)
			}
			return 0, fmt.Errorf("%s: column %s is both a %s and a %s", name, quote(header[i]), prev, role)
		}
		used[i] = role
		return i, nil
	}
	for _, t := range opts.Targets {
		i, err := use("target", t)
		if err != nil {
			return cols, err
		}
		cols.targets = append(cols.targets, i)
	}
	if opts.Label != "" {
		i, err := use("label", opts.Label)
		if err != nil {
			return cols, err
		}
		cols.label = i
	}
	if len(opts.Features) > 0 {
		for _, f := range opts.Features {
			i, err := use("feature", f)
			if err != nil {
				return cols, err
			}
			cols.features = append(cols.features, i)
		}
		return cols, nil
	}
	for i, h := range header {
		if _, ok := used[i]; ok || h == "" {
			continue
		}
		if p := at[h]; len(p) > 1 {
			return cols, fmt.Errorf("%s: column %s appears %d times in the header (fields %s)", name, quote(h), len(p), joinInts(p))
		}
		cols.features = append(cols.features, i)
	}
	if len(cols.features) == 0 {
		return cols, fmt.Errorf("%s: no feature columns left; columns are %s", name, listNames(header))
	}
	return cols, nil
}

// missingColumn is the error for a column the header lacks. It lists the
// header and, when one header name is within two edits, suggests it.
func missingColumn(name, col string, header []string) error {
	msg := fmt.Sprintf("%s: no column %s; columns are %s", name, quote(col), listNames(header))
	if best := suggest.Closest(col, header); best != "" {
		msg += fmt.Sprintf("; did you mean %s?", quote(best))
	}
	return errors.New(msg)
}

// parseCell reads one numeric cell.
func parseCell(s string) (float32, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("empty cell, want a number")
	}
	v, err := strconv.ParseFloat(t, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s is out of float32's range", quote(t))
		}
		return 0, fmt.Errorf("%s is not a number", quote(t))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is not a finite number", quote(t))
	}
	return float32(v), nil
}

// encodeRawLabels turns the distinct labels into class indices: the labels
// themselves when they are all small non-negative integers, else their
// positions in the sorted list of names.
func encodeRawLabels(raw []int, names []string) (labels []int, classes []string) {
	idx := make([]int, len(names))
	numeric := true
	for i, s := range names {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v > maxClassIndex {
			numeric = false
			break
		}
		idx[i] = int(v)
	}
	if !numeric {
		classes = slices.Clone(names)
		slices.Sort(classes)
		for i, s := range names {
			idx[i], _ = slices.BinarySearch(classes, s)
		}
	}
	labels = make([]int, len(raw))
	for i, k := range raw {
		labels[i] = idx[k]
	}
	return labels, classes
}

// EncodeLabels maps class names to indices into the sorted list of distinct
// names, which it returns as classes: the numbering ParseCSV uses.
func EncodeLabels(names []string) (labels []int, classes []string) {
	classes = slices.Clone(names)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	labels = make([]int, len(names))
	for i, s := range names {
		labels[i], _ = slices.BinarySearch(classes, s)
	}
	return labels, classes
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func pick(header []string, cols []int) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = header[c]
	}
	return out
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x + 1)
	}
	return strings.Join(s, ", ")
}

// listNames lists header names for a message: plain when they read
// unambiguously, quoted otherwise, and only the first few of a wide header.
func listNames(header []string) string {
	const most = 20
	var b strings.Builder
	for i, h := range header {
		if i == most {
			fmt.Fprintf(&b, ", … (%d more)", len(header)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		h = shorten(h)
		if plain(h) {
			b.WriteString(h)
		} else {
			b.WriteString(strconv.Quote(h))
		}
	}
	return b.String()
}

func plain(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if r == ',' || r == '"' || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// quote returns s quoted for a message, shortened if long, so that an
// absurd cell cannot swamp the message or break it across lines.
func quote(s string) string { return strconv.Quote(shorten(s)) }

func shorten(s string) string {
	const most = 40
	if utf8.RuneCountInString(s) <= most {
		return s
	}
	n := 0
	for i := range s {
		if n == most {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
