package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an output encoding of a figure.
type Format string

// The formats Write produces.
const (
	// SVG is scalable vector graphics, text kept as text.
	SVG Format = "svg"
	// PNG is a raster image at DPI dots per inch.
	PNG Format = "png"
	// PDF is a one-page vector PDF whose text is drawn as glyph outlines.
	PDF Format = "pdf"
)

// Formats lists the formats in the order Write documents them.
var Formats = []Format{SVG, PNG, PDF}

// DPI is the resolution of PNG output. 144 dots per inch, twice the
// 72-point unit of vg, keeps one-point lines crisp on high-density screens
// without making files large.
const DPI = 144

// FormatOf returns the format a file name asks for by its extension
// (.svg, .png or .pdf, in any case).
func FormatOf(path string) (Format, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	for _, f := range Formats {
		if ext == string(f) {
			return f, nil
		}
	}
	if ext == "" {
		return "", fmt.Errorf("%s: no file extension; want .svg, .png or .pdf", path)
	}
	return "", fmt.Errorf("%s: unknown image format %q; want .svg, .png or .pdf", path, "."+ext)
}

// Figure is something drawable at a size of its own choosing: a function
// plot, a network diagram, the five-elements diagram.
type Figure interface {
	// Size returns the width and height the figure wants.
	Size() (width, height vg.Length)
	// Draw draws the figure onto c, whose rectangle has that size.
	Draw(c draw.Canvas)
}

// Write renders fig in format f to w on a white background.
func Write(w io.Writer, fig Figure, f Format) error {
	width, height := fig.Size()
	if !(width > 0 && height > 0) {
		return fmt.Errorf("plot: figure of size %g × %g points has nothing to draw on", float64(width), float64(height))
	}
	var c vg.CanvasWriterTo
	switch f {
	case SVG:
		c = vgsvg.New(width, height)
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))}
	case PDF:
		c = &outlined{CanvasWriterTo: vgpdf.New(width, height)}
	default:
		return fmt.Errorf("plot: unknown format %q", f)
	}
	dc := draw.New(c)
	// SVG canvases start transparent; paint every format white so figures
	// read the same on dark pages.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	fig.Draw(dc)
	_, err := c.WriteTo(w)
	return err
}

// Save writes fig to path in the format its extension names. The file is
// rendered in memory first, so a failure leaves no half-written file.
func Save(path string, fig Figure) error {
	f, err := FormatOf(path)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := Write(&b, fig, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
