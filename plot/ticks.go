package plot

import (
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
)

// niceTicks marks a linear axis every 1, 2 or 5 times a power of ten,
// about six labelled ticks with unlabelled ones between, written with the
// fewest digits and a true minus sign.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []gplot.Tick {
	if !(hi > lo) {
		return []gplot.Tick{{Value: lo, Label: tickLabel(lo)}}
	}
	raw := (hi - lo) / 6
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := p
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	minor := step / 5
	if step/p == 2 {
		minor = step / 4
	}
	var ts []gplot.Tick
	for v := math.Ceil(lo/minor) * minor; v <= hi+minor*1e-6; v += minor {
		r := math.Round(v/minor) * minor // no drift from repeated addition
		t := gplot.Tick{Value: r}
		if k := r / step; math.Abs(k-math.Round(k)) < 1e-6 {
			t.Label = tickLabel(math.Round(k) * step)
		}
		ts = append(ts, t)
	}
	return ts
}

// decadeTicks marks an axis that holds log₁₀ of the data at the powers
// of ten, labelled with the power (every one while there are at most
// ten, every second or third beyond), and at 2…9 times them while the
// range is short enough to show those.
type decadeTicks struct{}

func (decadeTicks) Ticks(lo, hi float64) []gplot.Tick {
	a, b := int(math.Floor(lo)), int(math.Ceil(hi))
	every := 1 + (b-a)/10
	var ts []gplot.Tick
	for k := a; k <= b; k++ {
		v := float64(k)
		if v >= lo && v <= hi {
			t := gplot.Tick{Value: v}
			if k%every == 0 {
				t.Label = decade(k)
			}
			ts = append(ts, t)
		}
		for m := 2; m <= 9 && every == 1; m++ {
			if w := v + math.Log10(float64(m)); w >= lo && w <= hi {
				ts = append(ts, gplot.Tick{Value: w})
			}
		}
	}
	return ts
}

// decade writes 10ᵏ: as a decimal for small k, else as 1e−k (the font has
// no superscript minus).
func decade(k int) string {
	if k >= -3 && k <= 3 {
		return tickLabel(math.Pow(10, float64(k)))
	}
	return strings.Replace("1e"+strconv.Itoa(k), "-", "−", 1)
}

func tickLabel(v float64) string {
	if math.Abs(v) < 1e-12 {
		return "0"
	}
	return strings.Replace(strconv.FormatFloat(v, 'g', 6, 64), "-", "−", 1)
}
