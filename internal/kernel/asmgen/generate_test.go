package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate checks that the assembly checked in to package
// kernel is exactly what this generator writes, so that an edit to either
// one alone fails. Run go generate in internal/kernel to bring them back
// together.
func TestGeneratedUpToDate(t *testing.T) {
	for name, want := range generate() {
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what asmgen generates: run go generate in internal/kernel", name)
		}
	}
}
