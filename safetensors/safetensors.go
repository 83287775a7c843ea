package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bigfunc/bigfunc/tensor"
)

// MaxHeaderSize is the largest header, in bytes, that Decode accepts and
// Encode writes. It is the reference implementation's limit: a larger header
// is rejected there, so writing one would produce a file PyTorch cannot load,
// and reading one is more likely an attack than a model.
const MaxHeaderSize = 100_000_000

// MaxFileSize is the largest file Load reads. Load reads the whole file into
// memory, so the limit keeps a wrong path (a disk image, a dataset) from
// exhausting memory before the header is even looked at.
const MaxFileSize int64 = 4 << 30

// metadataKey is the header entry that holds the free-form string metadata
// instead of a tensor.
const metadataKey = "__metadata__"

// File is the content of a safetensors file: named float32 tensors and the
// optional string metadata.
type File struct {
	// Tensors maps each name to its tensor.
	Tensors map[string]*tensor.Tensor

	// Order lists the names of Tensors in the order of their data in the
	// file. Decode fills it in offset order. For Encode it is optional: when
	// nil, the tensors are written sorted by name, which is what the
	// reference implementation does, so the output depends on nothing but
	// the tensors themselves.
	Order []string

	// Metadata is the header's "__metadata__" map. Decode leaves it nil when
	// the header has none; Encode omits it when it is empty.
	Metadata map[string]string

	// Int64 names the tensors stored as I64 (PyTorch's integer buffers,
	// such as BatchNorm's num_batches_tracked); their values are whole
	// numbers held as float32. Decode fills it; Encode writes each such
	// tensor as I64, rounding toward zero. Every other tensor is F32.
	Int64 map[string]bool

	// Int8 names the tensors stored as I8 (the weights of an int8
	// quantized model); their values are whole numbers in −128…127 held
	// as float32. Decode fills it; Encode writes each such tensor as I8
	// and fails on a value that is not such a number.
	Int8 map[string]bool
}

// FormatError reports a file that is malformed, unsupported, or cannot be
// represented in the format. Callers can tell it apart from I/O errors with
// errors.As.
type FormatError struct {
	// Path is the file's name when the error comes from Load or Save, and
	// empty otherwise.
	Path string
	// Msg describes the problem: the tensor, the field and what was
	// expected.
	Msg string
}

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "safetensors: " + e.Msg
	}
	return "safetensors: " + e.Path + ": " + e.Msg
}

func formatErr(format string, args ...any) error {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}

// withPath adds the file name to a FormatError and to other errors, so that a
// failure while loading many files says which one was bad.
func withPath(err error, path string) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if errors.As(err, &fe) && fe.Path == "" {
		return &FormatError{Path: path, Msg: fe.Msg}
	}
	return err
}

// plan is a validated, ready-to-write file: the header bytes, padding
// included, and the tensors in data order.
type plan struct {
	header  []byte
	tensors []*tensor.Tensor
	dtypes  []string // "F32", "I64" or "I8" for each of tensors
}

// dtypeOf returns the dtype Encode writes the tensor name as.
func (f *File) dtypeOf(name string) string {
	switch {
	case f.Int64[name]:
		return "I64"
	case f.Int8[name]:
		return "I8"
	}
	return "F32"
}

// prepare checks f and builds its header. It does all the validation before
// any byte is written, so that Save never leaves a half-written file and
// Encode fails without output.
func prepare(f *File) (*plan, error) {
	if f == nil {
		return nil, formatErr("nil File")
	}
	order := f.Order
	if order == nil {
		// The reference writer puts wider dtypes first: I64, F32, I8.
		order = slices.SortedFunc(maps.Keys(f.Tensors), func(a, b string) int {
			if wa, wb := dtypeBits[f.dtypeOf(a)], dtypeBits[f.dtypeOf(b)]; wa != wb {
				if wa > wb {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
	} else if len(order) != len(f.Tensors) {
		seen := make(map[string]bool, len(order))
		for _, name := range order {
			seen[name] = true
		}
		for _, name := range slices.Sorted(maps.Keys(f.Tensors)) {
			if !seen[name] {
				return nil, formatErr("tensor %q is missing from Order", name)
			}
		}
	}

	type entry struct {
		name   string
		shape  []int
		offset [2]uint64
		dtype  string
	}
	entries := make([]entry, 0, len(order))
	ts := make([]*tensor.Tensor, 0, len(order))
	seen := make(map[string]bool, len(order))
	var offset uint64
	for _, name := range order {
		if seen[name] {
			return nil, formatErr("tensor %q appears twice in Order", name)
		}
		seen[name] = true
		if name == metadataKey {
			return nil, formatErr("tensor name %q is reserved for the metadata", name)
		}
		if !utf8.ValidString(name) {
			return nil, formatErr("tensor name %q is not valid UTF-8", name)
		}
		t, ok := f.Tensors[name]
		if !ok {
			return nil, formatErr("tensor %q is in Order but not in Tensors", name)
		}
		if t == nil {
			return nil, formatErr("tensor %q is nil", name)
		}
		dtype := f.dtypeOf(name)
		if f.Int64[name] && f.Int8[name] {
			return nil, formatErr("tensor %q is marked both I64 and I8", name)
		}
		if dtype == "I8" {
			for i, v := range t.Data() {
				if v < -128 || v > 127 || v != float32(int8(v)) {
					return nil, formatErr("tensor %q: element %d is %v, which I8 cannot hold (want a whole number in -128…127)", name, i, v)
				}
			}
		}
		n := uint64(t.Len()) * dtypeBits[dtype] / 8
		entries = append(entries, entry{name, t.Shape(), [2]uint64{offset, offset + n}, dtype})
		ts = append(ts, t)
		offset += n
	}
	keys := slices.Sorted(maps.Keys(f.Metadata))
	for _, k := range keys {
		if !utf8.ValidString(k) || !utf8.ValidString(f.Metadata[k]) {
			return nil, formatErr("metadata %q: key and value must be valid UTF-8", k)
		}
	}

	// The reference implementation writes the metadata first and then the
	// tensors sorted by dtype alignment and name. Every tensor here is F32,
	// so that is name order. Metadata keys are sorted too (the reference
	// leaves them in hash order), so that equal input gives equal bytes.
	byName := make([]int, len(entries))
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(a, b int) int { return strings.Compare(entries[a].name, entries[b].name) })

	var h bytes.Buffer
	h.WriteByte('{')
	first := true
	comma := func() {
		if !first {
			h.WriteByte(',')
		}
		first = false
	}
	if len(f.Metadata) > 0 {
		comma()
		writeJSONString(&h, metadataKey)
		h.WriteString(":{")
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, f.Metadata[k])
		}
		h.WriteByte('}')
	}
	for _, i := range byName {
		e := entries[i]
		comma()
		writeJSONString(&h, e.name)
		h.WriteString(`:{"dtype":"` + e.dtype + `","shape":[`)
		for j, d := range e.shape {
			if j > 0 {
				h.WriteByte(',')
			}
			fmt.Fprint(&h, d)
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, e.offset[0], e.offset[1])
	}
	h.WriteByte('}')
	// Pad with spaces to a multiple of 8 so that the data buffer starts
	// 8-byte aligned, which lets readers that map the file view it in place.
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > MaxHeaderSize {
		return nil, formatErr("header would be %d bytes, over the %d-byte limit", h.Len(), MaxHeaderSize)
	}
	dtypes := make([]string, len(entries))
	for i, e := range entries {
		dtypes[i] = e.dtype
	}
	return &plan{header: h.Bytes(), tensors: ts, dtypes: dtypes}, nil
}

// writeJSONString writes s as a JSON string. It does not escape <, > and &
// the way json.Marshal does by default, matching the reference writer for
// names such as "a<b".
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// write writes the planned file to w.
func (p *plan) write(w io.Writer) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(p.header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(p.header); err != nil {
		return err
	}
	// Convert in chunks so that writing a large model needs no second copy
	// of it in memory.
	var buf [4096]byte
	for ti, t := range p.tensors {
		data := t.Data()
		if p.dtypes[ti] == "I8" {
			for len(data) > 0 {
				k := min(len(data), len(buf))
				for i, v := range data[:k] {
					buf[i] = byte(int8(v))
				}
				if _, err := w.Write(buf[:k]); err != nil {
					return err
				}
				data = data[k:]
			}
			continue
		}
		if p.dtypes[ti] == "I64" {
			for _, v := range data {
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], uint64(int64(v)))
				if _, err := w.Write(b[:]); err != nil {
					return err
				}
			}
			continue
		}
		for len(data) > 0 {
			k := min(len(data), len(buf)/4)
			for i, v := range data[:k] {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
			}
			if _, err := w.Write(buf[:4*k]); err != nil {
				return err
			}
			data = data[k:]
		}
	}
	return nil
}

// Encode writes f to w in the safetensors format, every tensor as F32. The
// data is laid out in f.Order (sorted by name when Order is nil) and the
// header lists the tensors by name, so the same File always gives the same
// bytes. When Order is sorted, the output is byte for byte what the
// reference implementation writes for the same tensors, except that the
// reference leaves metadata keys in hash-map order where Encode sorts them.
//
// Encode checks f before writing anything: on a nil tensor, a name that is
// not valid UTF-8 or is "__metadata__", or an Order that does not list each
// tensor exactly once, it returns a *FormatError and w is untouched.
func Encode(w io.Writer, f *File) error {
	p, err := prepare(f)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := p.write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// Save writes f to the file at path, as Encode does, and replaces the file
// atomically: the data goes to a temporary file in the same directory, which
// is synced and then renamed over path. A crash or an error therefore leaves
// either the old file or the complete new one, never a truncated model, and
// no temporary file is left behind on error. A file that already exists at
// path keeps its permissions; a new one gets 0644.
func Save(path string, f *File) error {
	p, err := prepare(f)
	if err != nil {
		return withPath(err, path)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("safetensors: %s: exists and is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}

	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmpName, err := writeTemp(dir, base, p, mode)
	if err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if err := renameFile(tmpName, path); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	// Sync the directory so that the rename itself survives a crash. The
	// new file is in place by now, so a failure here is only reported.
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		if cerr := d.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("safetensors: %s: syncing directory: %w", path, err)
	}
	return nil
}

// renameFile is os.Rename, kept in a variable so that tests can make the
// last step of Save fail and check that nothing is left behind.
var renameFile = os.Rename

// writeTemp writes p to a new temporary file in dir, syncs and closes it,
// and returns its name. On error it removes the file.
func writeTemp(dir, base string, p *plan, mode os.FileMode) (name string, err error) {
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := p.write(bw); err != nil {
		return "", err
	}
	if err := bw.Flush(); err != nil {
		return "", err
	}
	if err := tmp.Chmod(mode); err != nil {
		return "", err
	}
	// Sync before the rename: otherwise a crash can leave the new name
	// pointing at a file whose data never reached the disk.
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}
