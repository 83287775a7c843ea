package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// drawAttention writes to out a grid of attention maps of the sequence
// model m for prompt: one row per attending layer, one panel per head, the
// queries (the prompt's tokens) down the side and the keys along the foot,
// darker for more weight.
func drawAttention(m *train.Model, model, prompt, out, title string) error {
	if m.Vocab == nil {
		return fmt.Errorf("%s: the model does not read token sequences, so it has no attention to draw for a prompt", model)
	}
	ids, err := m.Vocab.Encode(prompt)
	if err != nil {
		return fmt.Errorf("--prompt: %w", err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("--prompt: empty: give the text whose attention to draw")
	}
	if m.Positions > 0 && len(ids) > m.Positions {
		return fmt.Errorf("--prompt: %d tokens, but the model reads at most %d", len(ids), m.Positions)
	}
	x := tensor.Zeros(1, len(ids))
	for i, id := range ids {
		x.Data()[i] = float32(id)
	}
	maps, err := nn.AttentionMaps(m.Net, x)
	if err != nil {
		return fmt.Errorf("%s: %w", model, err)
	}
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = visibleToken(m.Vocab.Token(id))
	}
	if title == "" {
		title = filepath.Base(model)
	}
	return plot.Save(out, &attentionFigure{maps: maps, labels: labels, title: title})
}

// visibleToken shows white space as marks the labels' font has.
func visibleToken(s string) string {
	return strings.NewReplacer("\n", `\n`, " ", "·", "\t", `\t`, "\r", `\r`).Replace(s)
}

// attentionFigure is the grid of maps, drawn straight onto the canvas.
type attentionFigure struct {
	maps   []nn.LayerAttention
	labels []string
	title  string
}

const (
	attnMargin = vg.Length(8)
	attnTitle  = vg.Length(22)
	attnHead   = vg.Length(14) // the caption above each panel
	attnLabels = vg.Length(14) // the token labels beside and below it
	attnGap    = vg.Length(10)
)

// cell is the side of one query-key square: small enough that a long
// prompt fits, large enough for its label.
func (f *attentionFigure) cell() vg.Length {
	return vg.Length(math.Max(7, math.Min(16, 320/float64(len(f.labels)))))
}

func (f *attentionFigure) heads() int {
	h := 0
	for _, m := range f.maps {
		h = max(h, len(m.Heads))
	}
	return h
}

func (f *attentionFigure) panel() vg.Length { return f.cell() * vg.Length(len(f.labels)) }

// Size returns the grid's size: layers down, heads across.
func (f *attentionFigure) Size() (vg.Length, vg.Length) {
	p := f.panel()
	w := 2*attnMargin + vg.Length(f.heads())*(attnLabels+p+attnGap)
	h := 2*attnMargin + attnTitle + vg.Length(len(f.maps))*(attnHead+p+attnLabels+attnGap)
	return w, h
}

func attnText(size vg.Length) draw.TextStyle {
	return draw.TextStyle{Color: color.Black, Font: font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, size),
		XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: gplot.DefaultTextHandler}
}

// Draw draws every layer's heads.
func (f *attentionFigure) Draw(c draw.Canvas) {
	_, height := f.Size()
	c.FillText(attnText(12), vg.Point{X: c.Min.X + (c.Max.X-c.Min.X)/2, Y: c.Min.Y + height - attnMargin - attnTitle/2}, f.title)
	cell, p, T := f.cell(), f.panel(), len(f.labels)
	small := attnText(min(cell*0.8, 9))
	top := c.Min.Y + height - attnMargin - attnTitle
	for li, lm := range f.maps {
		y0 := top - vg.Length(li)*(attnHead+p+attnLabels+attnGap) - attnHead // the panels' upper edge
		for h, w := range lm.Heads {
			x0 := c.Min.X + attnMargin + vg.Length(h)*(attnLabels+p+attnGap) + attnLabels
			c.FillText(attnText(8), vg.Point{X: x0 + p/2, Y: y0 + attnHead/2},
				fmt.Sprintf("layer %d (%s), head %d", lm.Index+1, lm.Op, h+1))
			for i := 0; i < T; i++ {
				for j := 0; j < T; j++ {
					v := float64(w[i*T+j])
					r := vg.Rectangle{Min: vg.Point{X: x0 + vg.Length(j)*cell, Y: y0 - vg.Length(i+1)*cell},
						Max: vg.Point{X: x0 + vg.Length(j+1)*cell, Y: y0 - vg.Length(i)*cell}}
					c.SetColor(weightColor(v))
					c.Fill(r.Path())
				}
			}
			for i, s := range f.labels {
				c.FillText(small, vg.Point{X: x0 - attnLabels/2, Y: y0 - (vg.Length(i)+0.5)*cell}, s)
				c.FillText(small, vg.Point{X: x0 + (vg.Length(i)+0.5)*cell, Y: y0 - p - attnLabels/2}, s)
			}
		}
	}
}

// weightColor runs from white (0) to dark blue (1).
func weightColor(v float64) color.Color {
	v = math.Max(0, math.Min(1, v))
	return color.RGBA{R: uint8(255 - 235*v), G: uint8(255 - 200*v), B: uint8(255 - 100*v), A: 255}
}
