package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

// TestGoldenText pins the text a user reads: the usage, a command's help
// and inspect's table (which shows shapes and counts, not trained values,
// so it is the same in every build).
func TestGoldenText(t *testing.T) {
	_, out, _ := runCLI(t, "help")
	golden(t, "help.txt", out)
	_, out, _ = runCLI(t, "train", "--help")
	golden(t, "train-help.txt", out)
	_, out, _ = runCLI(t, "predict", "--help")
	golden(t, "predict-help.txt", out)
	_, out, _ = runCLI(t, "eval", "--help")
	golden(t, "eval-help.txt", out)
	_, _, errs := runCLI(t, "fit")
	golden(t, "unknown-command.txt", errs)

	dir := writeFiles(t, map[string]string{"xor.yaml": xorSpec, "xor.csv": xorCSV})
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "xor.yaml"), "--quiet"); code != 0 {
		t.Fatal(errs)
	}
	_, out, _ = runCLI(t, "inspect", filepath.Join(dir, "xor.safetensors"))
	golden(t, "inspect.txt", strings.ReplaceAll(out, dir, "DIR"))
}
