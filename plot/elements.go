package plot

import (
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// block is one element of a block diagram: a bold name and lines under
// it.
type block struct {
	Name  string
	Lines []string
	Fill  color.Color
}

// size returns the box's width and height for its text.
func (b block) size() (w, h vg.Length) {
	w = boxName.Width(b.Name)
	h = boxName.Height(b.Name)
	for _, l := range b.Lines {
		w = max(w, boxLine.Width(l))
		h += boxLine.Height(l) + 3
	}
	return w + 28, h + 20
}

var (
	boxName  = bold(textStyle(13, Ink))
	boxLine  = textStyle(11, Ink)
	flowText = italic(textStyle(10.5, Ink))
	bandText = bold(textStyle(12, Ink))
)

// drawBox draws b filling the rectangle r.
func drawBox(c draw.Canvas, b block, r vg.Rectangle) {
	c.SetColor(b.Fill)
	c.Fill(roundRect(r, 7))
	c.SetLineStyle(draw.LineStyle{Color: Ink, Width: 1.3})
	c.Stroke(roundRect(r, 7))
	x := (r.Min.X + r.Max.X) / 2
	y := r.Max.Y - 10
	sty := boxName
	sty.YAlign = draw.YTop
	c.FillText(sty, vg.Point{X: x, Y: y}, b.Name)
	y -= sty.Height(b.Name) + 3
	for _, l := range b.Lines {
		s := boxLine
		s.YAlign = draw.YTop
		c.FillText(s, vg.Point{X: x, Y: y}, l)
		y -= s.Height(l) + 3
	}
}

// FiveElements is the chapter's picture of a model as five elements:
// input, architecture, output, loss and optimizer. The forward pass runs
// input → architecture → output → loss (solid, blue); the backward pass
// runs loss → optimizer → parameters of the architecture (dashed,
// red-orange). Positions follow from the sizes of the boxes' texts.
type FiveElements struct {
	boxes                                  [6]block
	rects                                  [6]vg.Rectangle
	param                                  vg.Rectangle
	width, height                          vg.Length
	forwardY, backwardY, topRow, bottomRow vg.Length
}

// Indices of FiveElements' boxes.
const (
	feInput = iota
	feArch
	feOutput
	feLoss
	feOptim
	feTarget
)

// NewFiveElements lays out the five-elements diagram.
func NewFiveElements() *FiveElements {
	f := &FiveElements{}
	f.boxes = [6]block{
		{Name: "Input", Lines: []string{"x, encoded", "as a vector"}, Fill: fillIn},
		{Name: "Architecture", Lines: []string{"f(x; θ): linear maps", "and activations"}, Fill: fillH},
		{Name: "Output", Lines: []string{"ŷ = f(x; θ)", "(decoded as needed)"}, Fill: fillO},
		{Name: "Loss function", Lines: []string{"L(ŷ, y): how far", "ŷ is from y"}, Fill: color.RGBA{R: 0xfb, G: 0xec, B: 0xe8, A: 0xff}},
		{Name: "Optimizer", Lines: []string{"θ ← θ − η · ∂L/∂θ", "(SGD, Adam, …)"}, Fill: color.RGBA{R: 0xf1, G: 0xec, B: 0xf8, A: 0xff}},
		{Name: "Target", Lines: []string{"expected output y"}, Fill: paper},
	}
	const gap = 64 // room for an arrow between boxes
	const margin = 24
	// Top row: input, architecture, output, loss, aligned on their
	// centres.
	var rowH vg.Length
	for i := feInput; i <= feLoss; i++ {
		_, h := f.boxes[i].size()
		rowH = max(rowH, h)
	}
	// The architecture box holds the parameters θ in a box of their own at
	// its bottom, where the optimizer's update arrives.
	paramH := boxLine.Height("θ") + 12
	archExtra := paramH + 10

	bandH := bandText.Height("forward") + 26
	f.bottomRow = margin + bandH + 8
	_, optH := f.boxes[feOptim].size()
	f.topRow = f.bottomRow + optH + 70 // centre line of the top row, computed below
	x := vg.Length(margin)
	for i := feInput; i <= feLoss; i++ {
		w, _ := f.boxes[i].size()
		h := rowH
		if i == feArch {
			h += archExtra
		}
		f.rects[i] = vg.Rectangle{Min: vg.Point{X: x, Y: f.topRow}, Max: vg.Point{X: x + w, Y: f.topRow + h}}
		x += w + gap
	}
	// Align the other boxes' vertical centres on the architecture box's
	// text, not its parameter drawer.
	mid := f.rects[feArch].Min.Y + archExtra + rowH/2
	for _, i := range []int{feInput, feOutput, feLoss} {
		f.rects[i].Min.Y = mid - rowH/2
		f.rects[i].Max.Y = mid + rowH/2
	}
	a := f.rects[feArch]
	f.param = vg.Rectangle{Min: vg.Point{X: a.Min.X + 14, Y: a.Min.Y + 8}, Max: vg.Point{X: a.Max.X - 14, Y: a.Min.Y + 8 + paramH}}

	// The optimizer sits under the space between architecture and loss.
	ow, _ := f.boxes[feOptim].size()
	cx := (a.Max.X + f.rects[feLoss].Min.X) / 2
	f.rects[feOptim] = vg.Rectangle{Min: vg.Point{X: cx - ow/2, Y: f.bottomRow}, Max: vg.Point{X: cx + ow/2, Y: f.bottomRow + optH}}

	// The target feeds the loss from above.
	tw, th := f.boxes[feTarget].size()
	l := f.rects[feLoss]
	lc := (l.Min.X + l.Max.X) / 2
	f.rects[feTarget] = vg.Rectangle{Min: vg.Point{X: lc - tw/2, Y: l.Max.Y + 44}, Max: vg.Point{X: lc + tw/2, Y: l.Max.Y + 44 + th}}

	f.forwardY = f.rects[feTarget].Max.Y + 22
	f.backwardY = margin + 12
	f.width = x - gap + margin
	f.height = f.forwardY + 6 + bandText.Height("forward") + margin
	return f
}

// Size returns the diagram's size.
func (f *FiveElements) Size() (vg.Length, vg.Length) { return f.width, f.height }

var (
	forwardLine  = draw.LineStyle{Color: Positive, Width: 2.2}
	backwardLine = draw.LineStyle{Color: Negative, Width: 2.2, Dashes: []vg.Length{7, 4}}
	targetLine   = draw.LineStyle{Color: Muted, Width: 1.4}
)

// Draw draws the diagram.
func (f *FiveElements) Draw(c draw.Canvas) {
	r := f.rects
	midY := func(i int) vg.Length { return (r[i].Min.Y + r[i].Max.Y) / 2 }
	midX := func(i int) vg.Length { return (r[i].Min.X + r[i].Max.X) / 2 }
	textMid := (r[feInput].Min.Y + r[feInput].Max.Y) / 2
	const head = 9

	// Forward pass: input → architecture → output → loss.
	for _, p := range [][2]int{{feInput, feArch}, {feArch, feOutput}, {feOutput, feLoss}} {
		arrow(c, forwardLine, vg.Point{X: r[p[0]].Max.X + 3, Y: textMid}, vg.Point{X: r[p[1]].Min.X - 3, Y: textMid}, head)
	}
	// The target enters the loss from above.
	arrow(c, targetLine, vg.Point{X: midX(feLoss), Y: r[feTarget].Min.Y - 3}, vg.Point{X: midX(feLoss), Y: r[feLoss].Max.Y + 3}, 8)

	// Backward pass: loss → optimizer (gradients), optimizer → θ.
	lossX := midX(feLoss)
	optY := midY(feOptim)
	c.StrokeLines(backwardLine, []vg.Point{{X: lossX, Y: r[feLoss].Min.Y - 3}, {X: lossX, Y: optY}, {X: r[feOptim].Max.X + head, Y: optY}})
	arrowHead(c, Negative, vg.Point{X: r[feOptim].Max.X + 3, Y: optY}, vg.Point{X: -1}, head)
	archX := midX(feArch)
	c.StrokeLines(backwardLine, []vg.Point{{X: r[feOptim].Min.X - 3, Y: optY}, {X: archX, Y: optY}, {X: archX, Y: f.param.Min.Y - head}})
	arrowHead(c, Negative, vg.Point{X: archX, Y: f.param.Min.Y - 2}, vg.Point{Y: 1}, head)

	sty := flowText
	sty.Color = Negative
	sty.XAlign = draw.XRight
	c.FillText(sty, vg.Point{X: lossX - 8, Y: (r[feLoss].Min.Y + optY) / 2}, "gradients ∂L/∂θ")
	c.FillText(sty, vg.Point{X: archX - 8, Y: (f.param.Min.Y + optY) / 2}, "update θ")

	for i := range f.boxes {
		drawBox(c, f.boxes[i], r[i])
	}
	// The parameters inside the architecture.
	c.SetColor(paper)
	c.Fill(roundRect(f.param, 4))
	c.SetLineStyle(draw.LineStyle{Color: Negative, Width: 1.1, Dashes: []vg.Length{3, 2}})
	c.Stroke(roundRect(f.param, 4))
	c.FillText(boxLine, vg.Point{X: (f.param.Min.X + f.param.Max.X) / 2, Y: (f.param.Min.Y + f.param.Max.Y) / 2}, "parameters θ")

	// The two directions, named.
	left, right := midX(feInput), midX(feLoss)
	arrow(c, forwardLine, vg.Point{X: left, Y: f.forwardY}, vg.Point{X: right, Y: f.forwardY}, head)
	fs := bandText
	fs.Color = Positive
	fs.YAlign = draw.YBottom
	c.FillText(fs, vg.Point{X: (left + right) / 2, Y: f.forwardY + 6}, "forward propagation: input → output → loss")
	arrow(c, backwardLine, vg.Point{X: right, Y: f.backwardY}, vg.Point{X: archX, Y: f.backwardY}, head)
	bs := bandText
	bs.Color = Negative
	bs.YAlign = draw.YTop
	c.FillText(bs, vg.Point{X: (archX + right) / 2, Y: f.backwardY - 6}, "backward propagation: loss → parameters")
}
