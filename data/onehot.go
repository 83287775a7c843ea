package data

import (
	"fmt"

	"github.com/bigfunc/bigfunc/tensor"
)

// OneHot encodes class labels as rows of a [len(labels), numClasses] tensor
// holding 1 in the label's column and 0 elsewhere: the target a network
// with one output per class is trained towards.
func OneHot(labels []int, numClasses int) (*tensor.Tensor, error) {
	if numClasses <= 0 {
		return nil, fmt.Errorf("data: one-hot with %d classes, want at least 1", numClasses)
	}
	out := tensor.Zeros(len(labels), numClasses)
	if err := OneHotInto(out, labels); err != nil {
		return nil, err
	}
	return out, nil
}

// OneHotInto writes the one-hot encoding of labels into dst, shape
// [len(labels), classes], without allocating: for encoding each batch's
// labels in a training step.
func OneHotInto(dst *tensor.Tensor, labels []int) error {
	if dst == nil || dst.Dims() != 2 || dst.Dim(0) != len(labels) {
		var shape []int
		if dst != nil {
			shape = dst.Shape()
		}
		return fmt.Errorf("data: one-hot into shape %v, want [%d, classes]", shape, len(labels))
	}
	k := dst.Dim(1)
	d := dst.Data()
	for i, l := range labels {
		if l < 0 || l >= k {
			return fmt.Errorf("data: one-hot: row %d: label %d is not a class index (%d classes)", i, l, k)
		}
	}
	clear(d)
	for i, l := range labels {
		d[i*k+l] = 1
	}
	return nil
}

// OneHotNames encodes class names as one-hot rows over classes, the class
// list in index order (such as Dataset.Classes). An unknown name is an
// error naming it.
func OneHotNames(names, classes []string) (*tensor.Tensor, error) {
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		if _, dup := index[c]; dup {
			return nil, fmt.Errorf("data: one-hot: class %s is listed twice", quote(c))
		}
		index[c] = i
	}
	labels := make([]int, len(names))
	for i, n := range names {
		l, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("data: one-hot: row %d: %s is not a class; allowed: %s", i, quote(n), listNames(classes))
		}
		labels[i] = l
	}
	return OneHot(labels, len(classes))
}
