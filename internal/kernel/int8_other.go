//go:build noasm || !amd64

package kernel

// int8Archs lists the int8 kernels of this build: only the Go one.
func int8Archs() []*int8Arch { return []*int8Arch{goInt8} }
