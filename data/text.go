package data

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bigfunc/bigfunc/tensor"
)

// IgnoreTarget marks a position of a sequence target with nothing to
// predict (a prompt or a padding token): PyTorch's ignore_index, −100,
// which the cross-entropy skips.
const IgnoreTarget = -100

// Vocab is a tokenizer with its vocabulary: how text becomes token ids and
// ids become text again. A model trained on sequences saves it, so that
// generation reads prompts and writes answers in the same tokens.
type Vocab struct {
	// Tokenizer is "char" (one token per character of Chars) or "byte"
	// (256 tokens, one per byte value).
	Tokenizer string `json:"tokenizer"`
	// Chars lists the characters of a char vocabulary in id order.
	Chars string `json:"chars,omitempty"`
	// Pad is the id of the padding token, or −1 when there is none.
	Pad int `json:"pad"`

	runes []rune
	index map[rune]int
}

// Tokenizers lists the tokenizer names a text input accepts.
func Tokenizers() []string { return []string{"char", "byte"} }

// NewCharVocab returns a char vocabulary of the distinct characters of
// chars, in the order given, with pad the padding character's id (−1 for
// none).
func NewCharVocab(chars string, pad int) *Vocab {
	v := &Vocab{Tokenizer: "char", Chars: chars, Pad: pad}
	v.init()
	return v
}

func (v *Vocab) init() {
	if v.Tokenizer != "char" || v.index != nil {
		return
	}
	v.runes = []rune(v.Chars)
	v.index = make(map[rune]int, len(v.runes))
	for i, r := range v.runes {
		v.index[r] = i
	}
}

// Size returns the number of tokens.
func (v *Vocab) Size() int {
	if v.Tokenizer == "byte" {
		return 256
	}
	v.init()
	return len(v.runes)
}

// Check reports whether v is a usable vocabulary, as read from a model
// file: a known tokenizer, distinct characters, a pad inside it.
func (v *Vocab) Check() error {
	switch v.Tokenizer {
	case "byte":
	case "char":
		v.init()
		if len(v.runes) == 0 || len(v.index) != len(v.runes) {
			return fmt.Errorf("vocabulary: want distinct characters, got %q", v.Chars)
		}
	default:
		return fmt.Errorf("vocabulary: unknown tokenizer %q; allowed: %s", v.Tokenizer, strings.Join(Tokenizers(), ", "))
	}
	if v.Pad < -1 || v.Pad >= v.Size() {
		return fmt.Errorf("vocabulary: pad %d is not a token id", v.Pad)
	}
	return nil
}

// Encode returns the token ids of s. The error names the first character
// the vocabulary lacks and where it is.
func (v *Vocab) Encode(s string) ([]int, error) {
	if v.Tokenizer == "byte" {
		ids := make([]int, len(s))
		for i := 0; i < len(s); i++ {
			ids[i] = int(s[i])
		}
		return ids, nil
	}
	v.init()
	ids := make([]int, 0, len(s))
	for i, r := range s {
		id, ok := v.index[r]
		if !ok {
			return nil, fmt.Errorf("character %q at byte %d is not in the vocabulary", r, i)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Token returns the text of token id.
func (v *Vocab) Token(id int) string {
	if v.Tokenizer == "byte" {
		return string([]byte{byte(id)})
	}
	v.init()
	return string(v.runes[id])
}

// Decode returns the text of ids.
func (v *Vocab) Decode(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(v.Token(id))
	}
	return b.String()
}

// TextOptions selects and cuts the text of a character- or byte-level
// language model.
type TextOptions struct {
	// Paths lists files, directories (walked recursively, skipping
	// folders named testdata and hidden ones) and glob patterns.
	Paths []string
	// Pattern keeps only the files found in directories whose base name
	// matches it ("*.go"); empty keeps all.
	Pattern string
	// Tokenizer is "char" (the default) or "byte".
	Tokenizer string
	// BlockSize is the context: each sample is BlockSize tokens, and its
	// target the same tokens shifted by one.
	BlockSize int
	// Stride is the distance between the starts of consecutive samples;
	// 0 means BlockSize (samples that do not overlap).
	Stride int
	// Validation is the fraction of files held out for validation, chosen
	// by Seed: the split is by file, so no validation text was seen in
	// training, not even a neighbouring line.
	Validation float64
	Seed       uint64
	// MaxBytes, when positive, stops reading files once this many bytes
	// are read (files are taken in the order of the seeded shuffle).
	MaxBytes int64
}

// ReadText reads the files o selects, holds out a fraction of them, and
// returns a training and a validation set (nil without validation) of
// token sequences: X [N, BlockSize] of token ids and Y [N, BlockSize] of
// the next token at each position. Both share one char vocabulary made
// of every character in the files, in code-point order.
func ReadText(o TextOptions) (train, valid *Dataset, err error) {
	if o.Tokenizer == "" {
		o.Tokenizer = "char"
	}
	if !slices.Contains(Tokenizers(), o.Tokenizer) {
		return nil, nil, fmt.Errorf("text: tokenizer %q; allowed: %s", o.Tokenizer, strings.Join(Tokenizers(), ", "))
	}
	if o.BlockSize < 1 {
		return nil, nil, fmt.Errorf("text: block_size must be a positive integer, got %d", o.BlockSize)
	}
	if o.Stride == 0 {
		o.Stride = o.BlockSize
	}
	if o.Stride < 1 {
		return nil, nil, fmt.Errorf("text: stride must be a positive integer, got %d", o.Stride)
	}
	files, err := textFiles(o.Paths, o.Pattern)
	if err != nil {
		return nil, nil, err
	}
	order := tensor.NewRNG(o.Seed).Perm(len(files))
	var texts []string
	var names []string
	var total int64
	for _, i := range order {
		if o.MaxBytes > 0 && total >= o.MaxBytes {
			break
		}
		b, err := os.ReadFile(files[i])
		if err != nil {
			return nil, nil, fmt.Errorf("text: %w", err)
		}
		if o.Tokenizer == "char" && !utf8.Valid(b) {
			b = []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
		}
		texts, names = append(texts, string(b)), append(names, files[i])
		total += int64(len(b))
	}
	nValid := 0
	if o.Validation > 0 {
		nValid = int(o.Validation*float64(len(texts)) + 0.5)
		nValid = max(nValid, 1)
		if nValid >= len(texts) {
			return nil, nil, fmt.Errorf("text: holding out %g of %d files leaves none to train on", o.Validation, len(texts))
		}
	}
	vocab := &Vocab{Tokenizer: o.Tokenizer, Pad: -1}
	if o.Tokenizer == "char" {
		seen := map[rune]bool{}
		for _, t := range texts {
			for _, r := range t {
				seen[r] = true
			}
		}
		rs := make([]rune, 0, len(seen))
		for r := range seen {
			rs = append(rs, r)
		}
		slices.Sort(rs)
		vocab = NewCharVocab(string(rs), -1)
	}
	build := func(texts, names []string, what string) (*Dataset, error) {
		var toks []int
		for _, t := range texts {
			ids, err := vocab.Encode(t)
			if err != nil {
				return nil, err
			}
			toks = append(toks, ids...)
		}
		ds := windows(toks, o.BlockSize, o.Stride)
		if ds.Len() == 0 {
			return nil, fmt.Errorf("text: the %s files hold %d tokens, fewer than block_size + 1 = %d", what, len(toks), o.BlockSize+1)
		}
		ds.Vocab = vocab
		return ds, nil
	}
	// Validation files are the first of the shuffled order; each part is
	// read in path order so that it does not depend on the seed.
	vt, vn := texts[:nValid], names[:nValid]
	tt, tn := texts[nValid:], names[nValid:]
	sortByName(tt, tn)
	sortByName(vt, vn)
	if train, err = build(tt, tn, "training"); err != nil {
		return nil, nil, err
	}
	if nValid > 0 {
		if valid, err = build(vt, vn, "validation"); err != nil {
			return nil, nil, err
		}
	}
	return train, valid, nil
}

func sortByName(texts, names []string) {
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return names[idx[a]] < names[idx[b]] })
	t2, n2 := slices.Clone(texts), slices.Clone(names)
	for i, j := range idx {
		texts[i], names[i] = t2[j], n2[j]
	}
}

// windows cuts toks into samples of block tokens starting every stride
// tokens, each with its next-token targets.
func windows(toks []int, block, stride int) *Dataset {
	n := 0
	if len(toks) > block {
		n = (len(toks)-block-1)/stride + 1
	}
	x, y := tensor.Zeros(n, block), tensor.Zeros(n, block)
	xd, yd := x.Data(), y.Data()
	for i := 0; i < n; i++ {
		s := i * stride
		for j := 0; j < block; j++ {
			xd[i*block+j] = float32(toks[s+j])
			yd[i*block+j] = float32(toks[s+j+1])
		}
	}
	return &Dataset{X: x, Y: y}
}

// textFiles expands paths into a sorted list of distinct regular files.
func textFiles(paths []string, pattern string) ([]string, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("text: no path given")
	}
	if pattern != "" {
		if _, err := filepath.Match(pattern, ""); err != nil {
			return nil, fmt.Errorf("text: pattern %q: %v", pattern, err)
		}
	}
	seen := map[string]bool{}
	var files []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, p := range paths {
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			var err error
			if matches, err = filepath.Glob(p); err != nil {
				return nil, fmt.Errorf("text: %q: %v", p, err)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("text: %q matches no file", p)
			}
		}
		for _, m := range matches {
			info, err := os.Stat(m)
			if err != nil {
				return nil, fmt.Errorf("text: %w", err)
			}
			if !info.IsDir() {
				add(m)
				continue
			}
			err = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				name := d.Name()
				if d.IsDir() {
					if path != m && (name == "testdata" || strings.HasPrefix(name, ".")) {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.Type().IsRegular() {
					return nil
				}
				if pattern != "" {
					if ok, _ := filepath.Match(pattern, name); !ok {
						return nil
					}
				}
				add(path)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("text: %w", err)
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("text: %s holds no file matching %q", strings.Join(paths, ", "), pattern)
	}
	sort.Strings(files)
	return files, nil
}
