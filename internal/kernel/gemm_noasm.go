//go:build noasm || !(amd64 || arm64)

package kernel

// bestArch returns the portable kernels: there are no others in this build.
func bestArch() *gemmArch { return goArch }

// allArchs lists the implementations this build can run.
func allArchs() []*gemmArch { return []*gemmArch{goArch} }

// peakLoop returns the portable loop: this build has no other.
func peakLoop() (run func(n int), flopsPerTrip float64, isa string) {
	return peakLoopGo, 16, "Go"
}
