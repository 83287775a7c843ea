//go:build noasm || !amd64

package kernel

// bestArch returns the portable kernels: there are no others in this build.
func bestArch() *gemmArch { return goArch }

// allArchs lists the implementations this build can run.
func allArchs() []*gemmArch { return []*gemmArch{goArch} }
