package book

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// filters draws the digits network's first-layer kernels as trained, and
// below them the same kernels at initialisation, on one colour scale.
func (f *figures) filters() (*mapGrid, error) {
	d, err := f.learnDigits()
	if err != nil {
		return nil, err
	}
	learned, initial := kernels(d.Filters()), kernels(d.Initial)
	m := 0.0
	for _, ps := range [][]panel{learned, initial} {
		lo, hi := span(ps)
		m = math.Max(m, math.Max(-lo, hi))
	}
	sh := d.Filters().Shape()
	row := func(title string, ps []panel) panelRow {
		return panelRow{title: title, panels: ps, lo: -m, hi: m, shade: diverging()}
	}
	return &mapGrid{
		title: fmt.Sprintf("The first convolution's %d filters (%d×%d), learned from digits", sh[0], sh[2], sh[3]),
		rows: []panelRow{
			row("after training", learned),
			row("at initialisation (the same seed)", initial),
		},
		caption: fmt.Sprintf("%s; blue negative, red positive, from −%s to %s", describeDigits(d), num(m), num(m)),
		cell:    64, perLine: 8,
	}, nil
}

// kernels splits a convolution weight [out, in, kh, kw] into one panel per
// kernel, out·in of them.
func kernels(w *tensor.Tensor) []panel {
	sh := w.Shape()
	return channels(w.Reshape(sh[0]*sh[1], sh[2], sh[3]))
}

// featureMapLayers are the depths, in layers, after which the figure
// shows the digit: the first convolution and its ReLU, the pooling, and
// the second convolution and its ReLU.
var featureMapLayers = []int{2, 3, 5}

// featureMaps draws one test digit and what the digits network's first
// layers make of it.
func (f *figures) featureMaps() (*mapGrid, error) {
	d, err := f.learnDigits()
	if err != nil {
		return nil, err
	}
	digit := channels(d.Image)
	digit[0].label = ""
	rows := []panelRow{{
		title:  fmt.Sprintf("test digit %d, a %d (the network says %d)", DigitsShown, d.Label, d.Predicted),
		panels: digit, lo: 0, hi: 1, shade: ink,
	}}
	layers := d.Model.Net.Layers
	prev := 0
	for _, n := range featureMapLayers {
		maps, err := d.FeatureMaps(n)
		if err != nil {
			return nil, err
		}
		var ops []string
		for _, l := range layers[prev:n] {
			ops = append(ops, l.Describe().Op)
		}
		prev = n
		ps := channels(maps)
		lo, hi := span(ps)
		sh := maps.Shape()
		rows = append(rows, panelRow{
			title:  fmt.Sprintf("after %s: %d maps of %d×%d", strings.Join(ops, " and "), sh[0], sh[1], sh[2]),
			panels: ps, lo: math.Min(0, lo), hi: hi, shade: ink,
		})
	}
	return &mapGrid{
		title:   "One digit through the first layers of a trained convolutional network",
		rows:    rows,
		caption: describeDigits(d) + "; white 0, black the row's largest value",
		cell:    56, perLine: 8,
	}, nil
}
