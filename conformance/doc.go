// Package conformance holds bigfunc's PyTorch conformance test. It has no
// API: TestConformance reads the reference files in the directory named by
// $BIGFUNC_CONFORMANCE (default ../shared/conformance from the repository
// root, else the copy in testdata), made by PyTorch 1.13 with gen.py, checks every case of every
// file against bigfunc, and fails on any case it does not recognise.
//
//	BIGFUNC_CONFORMANCE=/path/to/refs go test ./conformance -run Conformance -v
package conformance
