package gan

import (
	"math"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/tensor"
)

// Ring8Score measures 2-D samples against ring8's modes, as the GAN
// literature scores that set (VEEGAN, PacGAN): a sample is of high quality
// when it lies within 3 standard deviations (0.06) of its nearest mode,
// and a mode is covered when at least one high-quality sample lies at it.
type Ring8Score struct {
	Modes       int     // modes covered, 0 to 8
	HighQuality float64 // fraction of samples of high quality
	// PerMode counts the high-quality samples at each mode.
	PerMode [data.RingModes]int
}

// ScoreRing8 scores the samples x, [N, 2].
func ScoreRing8(x *tensor.Tensor) Ring8Score {
	var s Ring8Score
	n := x.Dim(0)
	var means [data.RingModes][2]float64
	for k := range means {
		means[k][0], means[k][1] = data.RingMean(k)
	}
	good := 0
	for i := range n {
		px, py := float64(x.At(i, 0)), float64(x.At(i, 1))
		best, mode := math.Inf(1), 0
		for k, m := range means {
			if d := math.Hypot(px-m[0], py-m[1]); d < best {
				best, mode = d, k
			}
		}
		if best <= 3*data.RingStd {
			good++
			s.PerMode[mode]++
		}
	}
	for _, c := range s.PerMode {
		if c > 0 {
			s.Modes++
		}
	}
	s.HighQuality = float64(good) / float64(n)
	return s
}
