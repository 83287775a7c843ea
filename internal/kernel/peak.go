package kernel

import "time"

// PeakGFLOPS measures the floating-point peak of one core, in 10⁹ float32
// operations a second (a fused multiply-add counts as two), by running
// chains of independent multiply-adds on the widest vector unit the
// kernels use, on the calling goroutine, for about d. It reports the
// fastest round, so that a moment when another process had the core does
// not count, and the name of the instruction set measured.
//
// A round lasts at least round (and at least one pass of the loop, about
// 0.2 ms on a 3.5 GHz AVX-512 core). Its length matters: on a virtual
// Zen 5 the fastest 0.2 ms rounds ran 4–6 % faster than the fastest
// 5 ms rounds of the same instructions, a clock that short bursts catch
// and longer work never keeps. A peak meant as the yardstick of other
// timings should be measured in rounds as long as theirs.
func PeakGFLOPS(d, round time.Duration) (gflops float64, isa string) {
	run, flopsPerTrip, isa := peakLoop()
	const trips = 1 << 16
	run(trips) // warm up: wide units may need a moment to power on
	best := 0.0
	for start := time.Now(); time.Since(start) < d; {
		n, t0 := 0, time.Now()
		var el time.Duration
		for {
			run(trips)
			n++
			if el = time.Since(t0); el >= round {
				break
			}
		}
		if el > 0 {
			best = max(best, float64(n*trips)*flopsPerTrip/el.Seconds()/1e9)
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
