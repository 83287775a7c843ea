package plot

import (
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// outlined is a canvas that draws text as filled glyph outlines; Write
// uses it for PDF.
// vgpdf writes text through a font encoded as code page 1252, which has
// no minus sign, subscripts or Greek, and it cannot find the bold and
// italic faces it registers; outlines come from the same Liberation faces
// the layout measured, so every glyph appears where it should. The price
// is that text in the PDF is not selectable.
type outlined struct {
	vg.CanvasWriterTo
	buf sfnt.Buffer
}

// FillString fills the outlines of str's glyphs, left end of the baseline
// at pt.
func (c *outlined) FillString(f font.Face, pt vg.Point, str string) {
	if f.Font.Size == 0 || f.Face == nil {
		return
	}
	// Outlines at 64 units per point: fixed.Int26_6 then counts points.
	ppem := fixed.Int26_6(f.Font.Size * 64)
	toPt := func(v fixed.Int26_6) vg.Length { return vg.Length(v) / 64 }
	x := pt.X
	prev, hasPrev := sfnt.GlyphIndex(0), false
	var path vg.Path
	for _, r := range str {
		idx, err := f.Face.GlyphIndex(&c.buf, r)
		if err != nil {
			continue
		}
		if hasPrev {
			if k, err := f.Face.Kern(&c.buf, prev, idx, ppem, 0); err == nil {
				x += toPt(k)
			}
		}
		segs, err := f.Face.LoadGlyph(&c.buf, idx, ppem, nil)
		if err == nil {
			// The outlines' y axis points down; the canvas's points up.
			at := func(p fixed.Point26_6) vg.Point { return vg.Point{X: x + toPt(p.X), Y: pt.Y - toPt(p.Y)} }
			for _, s := range segs {
				switch s.Op {
				case sfnt.SegmentOpMoveTo:
					if len(path) > 0 {
						path.Close()
					}
					path.Move(at(s.Args[0]))
				case sfnt.SegmentOpLineTo:
					path.Line(at(s.Args[0]))
				case sfnt.SegmentOpQuadTo:
					path.QuadTo(at(s.Args[0]), at(s.Args[1]))
				case sfnt.SegmentOpCubeTo:
					path.CubeTo(at(s.Args[0]), at(s.Args[1]), at(s.Args[2]))
				}
			}
			if len(path) > 0 {
				path.Close()
			}
		}
		if adv, err := f.Face.GlyphAdvance(&c.buf, idx, ppem, 0); err == nil {
			x += toPt(adv)
		}
		prev, hasPrev = idx, true
	}
	if len(path) > 0 {
		c.Fill(path)
	}
}
