// Package conformance holds bigfunc's PyTorch conformance test. It has no
// API: TestConformance reads the reference files in the directory named by
// $BIGFUNC_CONFORMANCE (by default the committed sets in testdata, plus
// ../shared/conformance from the repository root when it exists), made by
// PyTorch 1.13 with the generators under this directory (gen*.py, each run
// as /usr/bin/python3 conformance/…/gen….py --seed N --out DIR), checks
// every case of every file against bigfunc, and fails on any file or case
// it does not recognise.
//
//	BIGFUNC_CONFORMANCE=/path/to/refs go test ./conformance -run Conformance -v
package conformance
