package data

import (
	"fmt"
	"math"
	"slices"

	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// Dataset is a table of examples: one row of features per example and, for
// training, one target per example.
//
// The features are held in one of two forms: X, float32, or Pixels, one
// byte per value, as images are stored (MNIST takes 47 MB so instead of
// 188 MB). Code that reads features whatever their form uses Rows and
// Gather, which decode into a buffer the caller reuses; code that needs X
// itself calls Expand first.
//
// A regression set has Y; a classification set has Labels (and Classes when
// the labels had names); a set read only to be predicted has neither.
type Dataset struct {
	// X holds the features, shape [N, features], or is nil when Pixels
	// holds them.
	X *tensor.Tensor
	// Pixels holds the features compactly when X is nil.
	Pixels *Bytes
	// Y holds the regression targets, shape [N, outputs]; nil for a
	// classification set.
	Y *tensor.Tensor
	// Labels holds each row's class index, 0 ≤ label < NumClasses(); nil
	// for a regression set.
	Labels []int
	// Classes names the classes: Classes[i] is the name of class i. It is
	// nil when the labels were read as bare indices.
	Classes []string
	// FeatureNames and TargetNames name the columns of X and Y (or the
	// label column); they may be nil.
	FeatureNames []string
	TargetNames  []string
	// Shape is the per-sample shape the features fill in row-major order
	// ([1, 28, 28] for MNIST); nil means [features].
	Shape []int
	// Augment, when set, is the random augmentation a Loader applies to
	// each batch it serves from this set. Only a training set should
	// carry it: evaluation reads the rows as they are. Subset and Split
	// do not copy it.
	Augment *Augment
	// Vocab is set for a set of token sequences (ReadText, SeqTask): X
	// holds token ids and Y the id to predict at each position, or
	// IgnoreTarget where there is none.
	Vocab *Vocab
}

// Bytes is a compact [Rows, Cols] matrix of features stored one byte per
// value, row-major: byte b stands for the value float32(b) / Divisor.
// Images come this way (MNIST's pixels 0..255 with Divisor 255 give values
// in [0, 1], as PyTorch's ToTensor does), and decoding a batch at a time
// keeps a data set at a quarter of its float32 size.
type Bytes struct {
	Data       []byte
	Rows, Cols int
	Divisor    float32
}

func (b *Bytes) validate() error {
	if b.Rows < 0 || b.Cols < 0 || len(b.Data) != b.Rows*b.Cols {
		return fmt.Errorf("data: %d pixel bytes for %d rows of %d, want %d", len(b.Data), b.Rows, b.Cols, b.Rows*b.Cols)
	}
	if !(b.Divisor > 0) || math.IsInf(float64(b.Divisor), 0) {
		return fmt.Errorf("data: pixel divisor %v, want a finite number > 0", b.Divisor)
	}
	return nil
}

// IsSequence reports whether ds holds token sequences.
func (ds *Dataset) IsSequence() bool { return ds != nil && ds.Vocab != nil }

// SampleShape returns the per-sample shape of the features: Shape, or
// [Features()] when it is not set.
func (ds *Dataset) SampleShape() []int {
	if len(ds.Shape) > 0 {
		return append([]int(nil), ds.Shape...)
	}
	return []int{ds.Features()}
}

// Len returns the number of rows.
func (ds *Dataset) Len() int {
	switch {
	case ds == nil:
		return 0
	case ds.X == nil && ds.Pixels != nil:
		return ds.Pixels.Rows
	case ds.X == nil || ds.X.Dims() != 2:
		return 0
	}
	return ds.X.Dim(0)
}

// Features returns the number of feature columns.
func (ds *Dataset) Features() int {
	switch {
	case ds == nil:
		return 0
	case ds.X == nil && ds.Pixels != nil:
		return ds.Pixels.Cols
	case ds.X == nil || ds.X.Dims() != 2:
		return 0
	}
	return ds.X.Dim(1)
}

// Rows decodes the features of rows lo to hi-1 into dst, which it grows
// when it is too short, and returns the (hi-lo)·Features() values written,
// row-major. Passing the result back in as dst reuses its memory. Rows
// panics if the range is outside [0, Len()].
func (ds *Dataset) Rows(dst []float32, lo, hi int) []float32 {
	n, f := ds.Len(), ds.Features()
	if lo < 0 || hi > n || lo > hi {
		panic(fmt.Sprintf("data: Dataset.Rows: range [%d:%d] outside %d rows", lo, hi, n))
	}
	dst = grow(dst, (hi-lo)*f)
	if ds.X == nil {
		kernel.DecodeBytes(dst, ds.Pixels.Data[lo*f:hi*f], ds.Pixels.Divisor)
	} else {
		copy(dst, ds.X.Data()[lo*f:hi*f])
	}
	return dst
}

// Gather decodes the features of the listed rows, in order, into dst like
// Rows. It panics if a row is out of range.
func (ds *Dataset) Gather(dst []float32, rows []int) []float32 {
	f := ds.Features()
	dst = grow(dst, len(rows)*f)
	if ds.X == nil {
		gatherBytes(dst, ds.Pixels.Data, f, rows, ds.Pixels.Divisor)
	} else {
		gather(dst, ds.X.Data(), f, rows)
	}
	return dst
}

func grow(dst []float32, n int) []float32 {
	if cap(dst) < n {
		return make([]float32, n)
	}
	return dst[:n]
}

// gatherAhead is how many rows ahead of the one being decoded gatherBytes
// asks for: rows drawn at random from a set larger than the caches come
// from memory, and decoding waited on each one's loads. (On the MNIST MLP
// two and four rows ahead measured alike.)
const gatherAhead = 4

// gatherBytes decodes the listed rows of the byte matrix src, width bytes
// a row, into consecutive rows of dst: byte b becomes float32(b) / divisor.
func gatherBytes(dst []float32, src []byte, width int, rows []int, divisor float32) {
	for _, r := range rows[:min(gatherAhead, len(rows))] {
		kernel.Prefetch(src[r*width : (r+1)*width])
	}
	for i, r := range rows {
		if i+gatherAhead < len(rows) {
			next := rows[i+gatherAhead]
			kernel.Prefetch(src[next*width : (next+1)*width])
		}
		kernel.DecodeBytes(dst[i*width:(i+1)*width], src[r*width:(r+1)*width], divisor)
	}
}

// Expand makes sure the features are in X: compact Pixels are decoded into
// a float32 X (four times the memory) and dropped. It is for code that
// needs X itself, such as fitting a per-column Scaler; it does nothing when
// X is already set.
func (ds *Dataset) Expand() {
	if ds.X != nil || ds.Pixels == nil {
		return
	}
	p := ds.Pixels
	ds.X = tensor.New(ds.Rows(nil, 0, p.Rows), p.Rows, p.Cols)
	ds.Pixels = nil
}

// Outputs returns the number of regression targets per row, or 0 for a set
// without Y.
func (ds *Dataset) Outputs() int {
	if ds == nil || ds.Y == nil || ds.Y.Dims() != 2 {
		return 0
	}
	return ds.Y.Dim(1)
}

// IsClassification reports whether the rows carry class labels.
func (ds *Dataset) IsClassification() bool { return ds != nil && ds.Labels != nil }

// NumClasses returns the number of classes: len(Classes) when the classes
// have names, else one more than the largest label.
func (ds *Dataset) NumClasses() int {
	if ds == nil || ds.Labels == nil {
		return 0
	}
	if ds.Classes != nil {
		return len(ds.Classes)
	}
	k := 0
	for _, l := range ds.Labels {
		k = max(k, l+1)
	}
	return k
}

// Validate checks that the parts of ds agree: the features are in X, shape
// [N, features], or in Pixels, not both; Y is [N, outputs]; there is one
// label per row and every label is a class.
func (ds *Dataset) Validate() error {
	if ds == nil || (ds.X == nil && ds.Pixels == nil) {
		return fmt.Errorf("data: dataset has no features")
	}
	if ds.X != nil && ds.Pixels != nil {
		return fmt.Errorf("data: dataset has features in both X and Pixels, want one")
	}
	if ds.X != nil && ds.X.Dims() != 2 {
		return fmt.Errorf("data: features have shape %v, want [rows, features]", ds.X.Shape())
	}
	if ds.Pixels != nil {
		if err := ds.Pixels.validate(); err != nil {
			return err
		}
	}
	n := ds.Len()
	if ds.Y != nil && ds.Labels != nil {
		return fmt.Errorf("data: dataset has both regression targets and class labels, want one")
	}
	if ds.Y != nil && (ds.Y.Dims() != 2 || ds.Y.Dim(0) != n) {
		return fmt.Errorf("data: targets have shape %v, want [%d, outputs]", ds.Y.Shape(), n)
	}
	if ds.Labels != nil {
		if len(ds.Labels) != n {
			return fmt.Errorf("data: %d labels for %d rows", len(ds.Labels), n)
		}
		for i, l := range ds.Labels {
			if l < 0 || (ds.Classes != nil && l >= len(ds.Classes)) {
				return fmt.Errorf("data: row %d: label %d is not a class index (%d classes)", i, l, ds.NumClasses())
			}
		}
	}
	if ds.FeatureNames != nil && len(ds.FeatureNames) != ds.Features() {
		return fmt.Errorf("data: %d feature names for %d features", len(ds.FeatureNames), ds.Features())
	}
	if len(ds.Shape) > 0 {
		size := 1
		for _, d := range ds.Shape {
			if d < 1 || d > ds.Features() || size > ds.Features() {
				size = -1
				break
			}
			size *= d
		}
		if size != ds.Features() {
			return fmt.Errorf("data: sample shape %v does not hold the %d features", ds.Shape, ds.Features())
		}
	}
	if ds.Augment != nil {
		if err := ds.Augment.check(ds.SampleShape()); err != nil {
			return err
		}
	}
	return nil
}

// Subset returns a new dataset holding copies of the given rows, in the
// given order. It returns an error if an index is out of range.
func (ds *Dataset) Subset(rows []int) (*Dataset, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	n, f := ds.Len(), ds.Features()
	for _, r := range rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("data: row %d out of range [0, %d)", r, n)
		}
	}
	out := &Dataset{
		Classes:      slices.Clone(ds.Classes),
		FeatureNames: slices.Clone(ds.FeatureNames),
		TargetNames:  slices.Clone(ds.TargetNames),
		Shape:        slices.Clone(ds.Shape),
	}
	if ds.X != nil {
		out.X = gatherRows(ds.X.Data(), f, rows)
	} else {
		p := ds.Pixels
		pix := make([]byte, len(rows)*f)
		for i, r := range rows {
			copy(pix[i*f:(i+1)*f], p.Data[r*f:(r+1)*f])
		}
		out.Pixels = &Bytes{Data: pix, Rows: len(rows), Cols: f, Divisor: p.Divisor}
	}
	if ds.Y != nil {
		out.Y = gatherRows(ds.Y.Data(), ds.Y.Dim(1), rows)
	}
	if ds.Labels != nil {
		out.Labels = make([]int, len(rows))
		for i, r := range rows {
			out.Labels[i] = ds.Labels[r]
		}
	}
	return out, nil
}

func gatherRows(src []float32, width int, rows []int) *tensor.Tensor {
	dst := make([]float32, len(rows)*width)
	for i, r := range rows {
		copy(dst[i*width:(i+1)*width], src[r*width:(r+1)*width])
	}
	return tensor.New(dst, len(rows), width)
}

// Split divides ds into a training set and a validation set holding
// round(validationFraction·N) rows (at least one when the fraction is
// positive). The rows are chosen by a permutation drawn from seed, so the
// same seed always gives the same split; within each part the rows keep
// their original order.
func Split(ds *Dataset, validationFraction float64, seed uint64) (train, validation *Dataset, err error) {
	if err := ds.Validate(); err != nil {
		return nil, nil, err
	}
	if !(validationFraction >= 0 && validationFraction < 1) {
		return nil, nil, fmt.Errorf("data: validation fraction %v, want 0 ≤ fraction < 1", validationFraction)
	}
	n := ds.Len()
	k := int(math.Round(validationFraction * float64(n)))
	if validationFraction > 0 && k == 0 {
		k = 1
	}
	if k > 0 && k >= n {
		return nil, nil, fmt.Errorf("data: validation fraction %v of %d rows leaves no training rows", validationFraction, n)
	}
	perm := tensor.NewRNG(seed).Perm(n)
	valRows, trainRows := perm[:k], perm[k:]
	slices.Sort(valRows)
	slices.Sort(trainRows)
	if train, err = ds.Subset(trainRows); err != nil {
		return nil, nil, err
	}
	if validation, err = ds.Subset(valRows); err != nil {
		return nil, nil, err
	}
	return train, validation, nil
}
