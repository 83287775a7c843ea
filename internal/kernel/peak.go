package kernel

import "time"

// PeakGFLOPS measures the floating-point peak of one core, in 10⁹ float32
// operations a second (a fused multiply-add counts as two), by running
// chains of independent multiply-adds on the widest vector unit the
// kernels use, on the calling goroutine, for about d. It reports the
// fastest of several short rounds, so that a moment when another process
// had the core does not count, and the name of the instruction set
// measured.
func PeakGFLOPS(d time.Duration) (gflops float64, isa string) {
	run, flopsPerTrip, isa := peakLoop()
	const trips = 1 << 16
	run(trips) // warm up: wide units may need a moment to power on
	best := 0.0
	for start := time.Now(); time.Since(start) < d; {
		t0 := time.Now()
		run(trips)
		if el := time.Since(t0).Seconds(); el > 0 {
			best = max(best, float64(trips)*flopsPerTrip/el/1e9)
		}
	}
	return best, isa
}

// peakLoopGo is the portable peak loop: eight independent chains of
// multiply-adds, 16 operations a trip. Without assembly the compiler
// decides whether they fuse, so it measures what Go code can reach rather
// than the hardware.
func peakLoopGo(n int) {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	x, y := peakSink, peakSink
	for range n {
		s0 += x * y
		s1 += x * y
		s2 += x * y
		s3 += x * y
		s4 += x * y
		s5 += x * y
		s6 += x * y
		s7 += x * y
	}
	peakSink = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}

// peakSink keeps the compiler from removing peakLoopGo's work.
var peakSink float32
