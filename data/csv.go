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
	// Classes, when not nil, is the class list the labels are encoded
	// with: the label Classes[i] is class i, and a label that is not in
	// the list is an error naming its line. Pass a trained model's classes
	// here, so that a file holding only some of them is numbered as the
	// model was trained, not by its own sorted set.
	Classes []string
	// NumClasses, when Classes is nil and NumClasses > 0, lets the labels
	// be class indices: labels that are all integers are the indices
	// themselves, 0 to NumClasses−1 (a spec's output.classes). See
	// ParseCSV for the whole rule.
	NumClasses int
	// Comma is the field separator; 0 means ','.
	Comma rune
}

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
// accepted. Errors count file lines, the header being line 1.
//
// Labels are encoded by one rule:
//   - With Classes, each label must be one of them (or, for numbers, equal
//     to one of them as a number, so "1.0" finds "1"), and Classes is the
//     set's class list.
//   - Otherwise, with NumClasses > 0, labels that are all integers are
//     class indices from 0 to NumClasses−1, and Classes is left nil;
//     labels that are all names are encoded as below, and there may be at
//     most NumClasses of them; a mix of integers and names is an error.
//   - Otherwise every label is a name, integers included: the distinct
//     labels, sorted, become Classes and each label is its index there.
//     They sort as numbers when they all are numbers (so "2" comes before
//     "10"), else byte-wise, so that the numbering never depends on row
//     order. Two labels that are the same number written differently
//     ("1" and "1.0") are an error.
func ParseCSV(r io.Reader, name string, opts CSVOptions) (*Dataset, error) {
	if opts.Label != "" && len(opts.Targets) > 0 {
		return nil, fmt.Errorf("%s: options name both targets and a label column, want one", name)
	}
	rr, err := newRowReader(r, name, opts.Comma)
	if err != nil {
		return nil, err
	}
	header := rr.header
	cols, err := chooseColumns(name, header, opts)
	if err != nil {
		return nil, err
	}

	var (
		x, y []float32
		lab  *labelReader
		rows int
	)
	if cols.label >= 0 {
		lab = newLabelReader(name, header[cols.label], opts)
	}
	for {
		rec, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for _, c := range cols.features {
			v, err := parseCell(rec[c])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: column %s: %v", name, rr.line(c), quote(header[c]), err)
			}
			x = append(x, v)
		}
		for _, c := range cols.targets {
			v, err := parseCell(rec[c])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: column %s: %v", name, rr.line(c), quote(header[c]), err)
			}
			y = append(y, v)
		}
		if c := cols.label; c >= 0 {
			if err := lab.add(rec[c], rr.line(c)); err != nil {
				return nil, err
			}
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
		if ds.Labels, ds.Classes, err = lab.encode(); err != nil {
			return nil, err
		}
		ds.TargetNames = []string{header[cols.label]}
	}
	return ds, nil
}

// ReadCSVText returns the named columns of a CSV file as text, one row for
// each data row ReadCSV would read, in the same order (blank rows are
// skipped alike), so that the rows line up with a Dataset read from the
// same file. It serves to pass columns such as IDs through to an output.
func ReadCSVText(path string, columns []string, comma rune) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rr, err := newRowReader(f, path, comma)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(columns))
	for i, col := range columns {
		found := -1
		for j, h := range rr.header {
			if h == strings.TrimSpace(col) {
				if found >= 0 {
					return nil, fmt.Errorf("%s: column %s appears more than once in the header", path, quote(h))
				}
				found = j
			}
		}
		if found < 0 {
			return nil, missingColumn(path, strings.TrimSpace(col), rr.header)
		}
		idx[i] = found
	}
	var out [][]string
	for {
		rec, err := rr.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		row := make([]string, len(idx))
		for i, j := range idx {
			row[i] = strings.Clone(rec[j])
		}
		out = append(out, row)
	}
}

// rowReader reads a headed CSV row by row: it strips a byte-order mark,
// skips blank rows and checks that every row is as wide as the header.
type rowReader struct {
	name   string
	cr     *csv.Reader
	header []string
}

func newRowReader(r io.Reader, name string, comma rune) (*rowReader, error) {
	br := bufio.NewReader(r)
	// encoding/csv would keep a byte-order mark as part of the first
	// column's name, so that "x1" would not be found.
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked here, for a clearer message
	cr.ReuseRecord = true
	if comma != 0 {
		if comma == '"' || comma == '\r' || comma == '\n' || comma == utf8.RuneError || !utf8.ValidRune(comma) {
			return nil, fmt.Errorf("%s: field separator %q is not allowed", name, comma)
		}
		cr.Comma = comma
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
	return &rowReader{name: name, cr: cr, header: header}, nil
}

// next returns the next non-blank row, or io.EOF after the last. The row
// is valid until the next call.
func (rr *rowReader) next() ([]string, error) {
	for {
		rec, err := rr.cr.Read()
		if err == io.EOF {
			return nil, err
		}
		if err != nil {
			return nil, csvError(rr.name, err)
		}
		if blank(rec) {
			continue
		}
		if len(rec) != len(rr.header) {
			return nil, fmt.Errorf("%s:%d: %s, want %d (header has %d)", rr.name, rr.line(0), plural(len(rec), "field"), len(rr.header), len(rr.header))
		}
		return rec, nil
	}
}

// line returns the file line of field c of the last row read (a quoted
// field may span lines).
func (rr *rowReader) line(c int) int {
	line, _ := rr.cr.FieldPos(c)
	return line
}

// plural returns "1 field" or "n fields".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
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
	msg := fmt.Sprintf("%s: no column %s", name, quote(col))
	if best := suggest.Closest(col, header); best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", quote(best))
	}
	return fmt.Errorf("%s; columns are %s", msg, listNames(header))
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
