package data

import (
	"fmt"
	"math"
	"slices"

	"github.com/bigfunc/bigfunc/tensor"
)

// Dataset is a table of examples: one row of features per example and, for
// training, one target per example.
//
// A regression set has Y; a classification set has Labels (and Classes when
// the labels had names); a set read only to be predicted has neither.
type Dataset struct {
	// X holds the features, shape [N, features].
	X *tensor.Tensor
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
}

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
	if ds == nil || ds.X == nil || ds.X.Dims() != 2 {
		return 0
	}
	return ds.X.Dim(0)
}

// Features returns the number of feature columns.
func (ds *Dataset) Features() int {
	if ds == nil || ds.X == nil || ds.X.Dims() != 2 {
		return 0
	}
	return ds.X.Dim(1)
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

// Validate checks that the parts of ds agree: X is [N, features], Y is
// [N, outputs], there is one label per row and every label is a class.
func (ds *Dataset) Validate() error {
	if ds == nil || ds.X == nil {
		return fmt.Errorf("data: dataset has no features")
	}
	if ds.X.Dims() != 2 {
		return fmt.Errorf("data: features have shape %v, want [rows, features]", ds.X.Shape())
	}
	n := ds.X.Dim(0)
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
	if ds.FeatureNames != nil && len(ds.FeatureNames) != ds.X.Dim(1) {
		return fmt.Errorf("data: %d feature names for %d features", len(ds.FeatureNames), ds.X.Dim(1))
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
		X:            gatherRows(ds.X.Data(), f, rows),
		Classes:      slices.Clone(ds.Classes),
		FeatureNames: slices.Clone(ds.FeatureNames),
		TargetNames:  slices.Clone(ds.TargetNames),
		Shape:        slices.Clone(ds.Shape),
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
