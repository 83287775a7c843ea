package rl

import (
	"bytes"
	"fmt"

	"github.com/bigfunc/bigfunc/plot"
	"gonum.org/v1/plot/vg"
)

// Run is one learning curve to plot.
type Run struct {
	Label  string
	Points []Point
}

// Smooth returns the curve of a run as the mean return of a sliding
// window of episodes, which shows the trend through the noise of single
// episodes.
func Smooth(pts []Point, window int) (xs, ys []float64) {
	var sum float64
	for i, p := range pts {
		sum += p.Return
		if i >= window {
			sum -= pts[i-window].Return
		}
		n := min(i+1, window)
		xs = append(xs, float64(p.Step))
		ys = append(ys, sum/float64(n))
	}
	return xs, ys
}

// SaveCurves plots the runs' smoothed returns against environment steps
// to path (PNG, SVG or PDF by its extension), written atomically.
func SaveCurves(path, title string, runs []Run) error {
	ch := &plot.Chart{Title: title, XLabel: "environment steps", YLabel: "episodic return (mean of 20)", Legend: plot.BottomRight}
	for _, r := range runs {
		xs, ys := Smooth(r.Points, 20)
		ch.Curves = append(ch.Curves, plot.Curve{Label: r.Label, X: xs, Y: ys})
	}
	fig, err := plot.Charts("", 1, 16*vg.Centimeter, 10*vg.Centimeter, ch)
	if err != nil {
		return err
	}
	f, err := plot.FormatOf(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := plot.Write(&buf, fig, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}
