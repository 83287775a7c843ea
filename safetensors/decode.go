package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bigfunc/bigfunc/tensor"
)

// entry is one tensor's header entry after parsing.
type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64
}

// Decode parses a complete safetensors file held in b. The returned tensors
// do not share memory with b.
//
// Decode never panics and never allocates much more than len(b), whatever b
// holds: every size in the header is checked against the bytes actually
// present before it is used. Any malformed, hostile or unsupported input
// gives a *FormatError naming the tensor and field at fault and what was
// expected.
func Decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, formatErr("file is %d bytes, too short for the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	rest := uint64(len(b) - 8)
	if n > MaxHeaderSize {
		return nil, formatErr("header length %d is over the %d-byte limit", n, MaxHeaderSize)
	}
	if n > rest {
		return nil, formatErr("header length %d runs past the end of the file (%d bytes follow the length)", n, rest)
	}
	entries, meta, err := parseHeader(b[8 : 8+n])
	if err != nil {
		return nil, err
	}
	buf := b[8+n:]
	if err := checkLayout(entries, uint64(len(buf))); err != nil {
		return nil, err
	}

	f := &File{
		Tensors:  make(map[string]*tensor.Tensor, len(entries)),
		Order:    make([]string, len(entries)),
		Metadata: meta,
	}
	for i, e := range entries {
		data := make([]float32, (e.end-e.begin)*8/dtypeBits[e.dtype])
		converters[e.dtype](data, buf[e.begin:e.end])
		f.Tensors[e.name] = tensor.New(data, e.shape...)
		switch e.dtype {
		case "I64":
			if f.Int64 == nil {
				f.Int64 = map[string]bool{}
			}
			f.Int64[e.name] = true
		case "I8":
			if f.Int8 == nil {
				f.Int8 = map[string]bool{}
			}
			f.Int8[e.name] = true
		}
		f.Order[i] = e.name
	}
	return f, nil
}

// Load reads and decodes the safetensors file at path. Errors name the file.
// Files larger than MaxFileSize are rejected before anything is read.
func Load(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &FormatError{Path: path, Msg: "not a regular file"}
	}
	size := fi.Size()
	if size > MaxFileSize {
		return nil, &FormatError{Path: path, Msg: fmt.Sprintf("file is %d bytes, over the %d-byte limit", size, MaxFileSize)}
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(fd, b); err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	// A file that grew after the Stat would be silently truncated; a
	// safetensors file must be read whole to be validated.
	var extra [1]byte
	if k, _ := fd.Read(extra[:]); k > 0 {
		return nil, fmt.Errorf("safetensors: %s: file changed while being read", path)
	}
	f, err := Decode(b)
	return f, withPath(err, path)
}

// parseHeader parses the JSON header. It walks the tokens instead of
// unmarshalling into a map so that it can reject duplicate names, which
// encoding/json would resolve by keeping the last, and report the exact
// field that has the wrong type.
func parseHeader(h []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(h) {
		return nil, nil, formatErr("header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, nil, formatErr("header is empty, want a JSON object")
	}
	if err != nil {
		return nil, nil, jsonErr(err)
	}
	if tok != json.Delim('{') {
		return nil, nil, formatErr("header is %s, want a JSON object", describe(tok))
	}
	var (
		entries []entry
		meta    map[string]string
		seen    = make(map[string]bool)
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonErr(err)
		}
		name := tok.(string) // the decoder only yields strings as object keys
		if seen[name] {
			return nil, nil, formatErr("header has %s twice", q(name))
		}
		seen[name] = true
		if name == metadataKey {
			if meta, err = parseMetadata(dec); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(dec, name)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, jsonErr(err)
	}
	// Only the padding spaces may follow the object.
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, nil, jsonErr(err)
		}
		return nil, nil, formatErr("header has %s after the JSON object", describe(tok))
	}
	return entries, meta, nil
}

// parseMetadata parses the value of "__metadata__": a map of strings to
// strings, or null for none.
func parseMetadata(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('{') {
		return nil, formatErr("%s is %s, want an object of strings", metadataKey, describe(tok))
	}
	meta := make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key := tok.(string)
		if _, dup := meta[key]; dup {
			return nil, formatErr("%s has %s twice", metadataKey, q(key))
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		v, ok := tok.(string)
		if !ok {
			return nil, formatErr("%s[%s] is %s, want a string", metadataKey, q(key), describe(tok))
		}
		meta[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	return meta, nil
}

// parseEntry parses one tensor's header entry and checks each field on its
// own; checks that relate the fields to the data come later.
func parseEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	tok, err := dec.Token()
	if err != nil {
		return e, jsonErr(err)
	}
	if tok != json.Delim('{') {
		return e, tensorErr(name, "entry is %s, want an object with dtype, shape and data_offsets", describe(tok))
	}
	var offsets []uint64
	var shape []uint64
	have := make(map[string]bool, 3)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return e, jsonErr(err)
		}
		field := tok.(string)
		if have[field] {
			return e, tensorErr(name, "field %s appears twice", q(field))
		}
		have[field] = true
		switch field {
		case "dtype":
			tok, err := dec.Token()
			if err != nil {
				return e, jsonErr(err)
			}
			s, ok := tok.(string)
			if !ok {
				return e, tensorErr(name, "dtype is %s, want a string such as \"F32\"", describe(tok))
			}
			e.dtype = s
		case "shape":
			if shape, err = parseUints(dec, name, field); err != nil {
				return e, err
			}
		case "data_offsets":
			if offsets, err = parseUints(dec, name, field); err != nil {
				return e, err
			}
		default:
			// The reference implementation ignores unknown fields, so
			// files from newer writers still load.
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return e, jsonErr(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return e, jsonErr(err)
	}
	for _, field := range []string{"dtype", "shape", "data_offsets"} {
		if !have[field] {
			return e, tensorErr(name, "missing %q", field)
		}
	}

	bitsPer, known := dtypeBits[e.dtype]
	if !known {
		return e, tensorErr(name, "unknown dtype %s", q(e.dtype))
	}
	if converters[e.dtype] == nil {
		return e, tensorErr(name, "dtype %s cannot be loaded as float32 (want F32, F64, F16, BF16, I64 or I8)", e.dtype)
	}

	// Multiply left to right and fail on overflow, as the reference
	// implementation does, with int rather than uint64 as the bound because
	// the shape becomes a []int.
	elems := uint64(1)
	e.shape = make([]int, len(shape))
	for i, d := range shape {
		hi, lo := bits.Mul64(elems, d)
		if hi != 0 || lo > math.MaxInt {
			return e, tensorErr(name, "shape %s overflows the element count", clip(fmt.Sprint(shape)))
		}
		elems = lo
		e.shape[i] = int(d)
	}
	hi, need := bits.Mul64(elems, bitsPer)
	if hi != 0 {
		return e, tensorErr(name, "shape %s overflows the byte count", clip(fmt.Sprint(shape)))
	}
	if need%8 != 0 {
		return e, tensorErr(name, "%s %s does not fill a whole number of bytes", e.dtype, clip(fmt.Sprint(shape)))
	}
	need /= 8

	if len(offsets) != 2 {
		return e, tensorErr(name, "data_offsets has %d values, want [begin, end]", len(offsets))
	}
	e.begin, e.end = offsets[0], offsets[1]
	if e.begin > e.end {
		return e, tensorErr(name, "data_offsets [%d %d] begin after they end", e.begin, e.end)
	}
	if got := e.end - e.begin; got != need {
		return e, tensorErr(name, "data_offsets [%d %d] hold %d bytes, but %s %s needs %d", e.begin, e.end, got, e.dtype, clip(fmt.Sprint(shape)), need)
	}
	return e, nil
}

// parseUints parses a JSON array of non-negative integers, the form of both
// shape and data_offsets.
func parseUints(dec *json.Decoder, name, field string) ([]uint64, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	if tok != json.Delim('[') {
		return nil, tensorErr(name, "%s is %s, want an array of integers", field, describe(tok))
	}
	vs := []uint64{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, tensorErr(name, "%s[%d] is %s, want a non-negative integer", field, len(vs), describe(tok))
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			why := "is too large"
			switch {
			case strings.HasPrefix(string(num), "-"):
				why = "is negative"
			case strings.ContainsAny(string(num), ".eE"):
				why = "is not an integer"
			}
			return nil, tensorErr(name, "%s[%d] = %s %s, want a non-negative integer", field, len(vs), clip(string(num)), why)
		}
		vs = append(vs, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	return vs, nil
}

// checkLayout sorts entries by offset and checks that they tile the data
// buffer exactly. The reference implementation requires this, and it is what
// makes the format safe: no byte is read as two tensors and no byte is
// unaccounted for.
func checkLayout(entries []entry, size uint64) error {
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), strings.Compare(a.name, b.name))
	})
	var pos uint64
	for i, e := range entries {
		if e.end > size {
			return tensorErr(e.name, "data_offsets [%d %d] run past the end of the %d-byte data buffer", e.begin, e.end, size)
		}
		switch {
		case e.begin < pos:
			p := entries[i-1]
			return tensorErr(e.name, "data_offsets [%d %d] overlap tensor %s at [%d %d]", e.begin, e.end, q(p.name), p.begin, p.end)
		case e.begin > pos:
			return tensorErr(e.name, "data_offsets [%d %d] leave bytes [%d %d] of the data buffer unused", e.begin, e.end, pos, e.begin)
		}
		pos = e.end
	}
	if pos != size {
		return formatErr("data buffer has %d bytes, but the tensors cover only [0 %d]", size, pos)
	}
	return nil
}

// jsonErr reports a JSON syntax error in the header.
func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr("header is not valid JSON: unexpected end")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return formatErr("header is not valid JSON: %v (at byte %d)", err, se.Offset)
	}
	return formatErr("header is not valid JSON: %v", err)
}

// describe names the kind of a JSON token for error messages.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "the string " + q(v)
	case json.Number:
		return "the number " + clip(string(v))
	case bool:
		return fmt.Sprintf("%t", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// tensorErr reports a problem with one tensor's entry.
func tensorErr(name, format string, args ...any) error {
	return formatErr("tensor %s: "+format, append([]any{q(name)}, args...)...)
}

// maxShown bounds the bytes of a name or value that an error message quotes,
// so that a hostile header cannot turn an error into megabytes of text.
const maxShown = 80

// q quotes s for an error message, shortened if it is long.
func q(s string) string {
	if len(s) <= maxShown {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s (%d bytes)", strconv.Quote(strings.ToValidUTF8(s[:maxShown], "")+"…"), len(s))
}

// clip shortens s to about maxShown bytes, saying how long it was.
func clip(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", strings.ToValidUTF8(s[:maxShown], ""), len(s))
}
