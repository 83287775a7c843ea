package main

import (
	"context"
	"os"
	"strings"
)

// The command is a function of its arguments and streams, so it can be run
// in-process.
func Example() {
	// --help prints the usage and reports success (exit status 0).
	err := run(context.Background(), []string{"check", "--help"}, strings.NewReader(""), os.Stdout, os.Stderr)
	_ = exitCode(err, os.Stderr)
	// Output:
	// Usage: bigfunc check SPEC
	//
	// Validate a spec file without training.
}
