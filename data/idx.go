package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// maxIDXBytes bounds an IDX payload. The header states the size before any
// data, so without a bound a corrupt or hostile header could make ReadIDX
// allocate gigabytes; MNIST's largest file holds 47 MB.
const maxIDXBytes = 1 << 31

// ReadIDX reads an IDX file of unsigned bytes (the format of the MNIST
// files), gzip-compressed or not: compression is recognised by the gzip
// magic bytes 0x1f 0x8b. It returns the dimensions and the data, row-major.
//
// The header must be the magic 0x00 0x00 0x08 and the number of dimensions
// (at least 1), then each dimension as a big-endian uint32. The payload must
// hold exactly the product of the dimensions, at most 2 GiB, and nothing
// may follow it. Memory grows with the data actually read, never with the
// size a header claims.
func ReadIDX(r io.Reader) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("idx: gzip: %v", err)
		}
		defer zr.Close()
		// Only the first member: MNIST's files have one, and reading on
		// would let trailing garbage pass for more data.
		zr.Multistream(false)
		dims, data, err = readIDX(bufio.NewReader(zr))
		if err != nil {
			return nil, nil, err
		}
		return dims, data, nil
	}
	return readIDX(br)
}

func readIDX(r *bufio.Reader) ([]int, []byte, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		switch {
		case err == io.EOF:
			return nil, nil, errors.New("idx: empty file, want the magic 00 00 08 and a dimension count")
		case err == io.ErrUnexpectedEOF:
			return nil, nil, fmt.Errorf("idx: file is %d bytes, too short for the 4-byte magic", n)
		}
		return nil, nil, fmt.Errorf("idx: %v", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, nil, fmt.Errorf("idx: magic % x, want 00 00 08 and a dimension count", magic[:])
	}
	if magic[2] != 0x08 {
		return nil, nil, fmt.Errorf("idx: data type 0x%02x (%s), want 0x08 (unsigned byte)", magic[2], idxType(magic[2]))
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, nil, errors.New("idx: 0 dimensions, want at least 1")
	}
	hdr := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, hdr); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, nil, fmt.Errorf("idx: header ends after %d of the %d bytes of %d dimensions", n, len(hdr), nd)
		}
		return nil, nil, fmt.Errorf("idx: %v", err)
	}
	dims := make([]int, nd)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(hdr[4*i:]))
	}
	size := uint64(1)
	if !slices.Contains(dims, 0) {
		for _, d := range dims {
			// Checked at each step, so that the product cannot overflow:
			// both factors are below 2³² while size is at most 2³¹.
			if size *= uint64(d); size > maxIDXBytes {
				return nil, nil, fmt.Errorf("idx: dimensions %s hold more than the %d-byte limit", dimString(dims), maxIDXBytes)
			}
		}
	} else {
		size = 0
	}
	data, err := readAtMost(r, int(size))
	if err != nil {
		return nil, nil, fmt.Errorf("idx: %v", err)
	}
	if len(data) < int(size) {
		return nil, nil, fmt.Errorf("idx: payload is %d bytes, want %d for dimensions %s", len(data), size, dimString(dims))
	}
	if _, err := r.ReadByte(); err == nil {
		return nil, nil, fmt.Errorf("idx: data continues after the %d bytes of dimensions %s", size, dimString(dims))
	} else if err != io.EOF {
		return nil, nil, fmt.Errorf("idx: %v", err)
	}
	return dims, data, nil
}

// readAtMost reads up to n bytes, growing its buffer as data arrives rather
// than trusting n, and returns fewer only at the end of the input. The
// buffer doubles but never past n, so a complete payload ends up in a slice
// of exactly n bytes: append's growth would leave up to a quarter more (11
// MB on MNIST's training images) allocated for as long as the data lives.
func readAtMost(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, 1<<20))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*cap(buf), n))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):min(cap(buf), n)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

func dimString(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, "×")
}

func idxType(t byte) string {
	switch t {
	case 0x09:
		return "signed byte"
	case 0x0B:
		return "int16"
	case 0x0C:
		return "int32"
	case 0x0D:
		return "float32"
	case 0x0E:
		return "float64"
	}
	return "unknown"
}
