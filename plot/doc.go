// Package plot draws the figures of the chapter "Why neural networks":
// function plots, network diagrams and the five-elements diagram, to SVG,
// PNG or PDF through gonum.org/v1/plot and its vg back ends.
//
// Every figure is a Figure: it knows the size it wants and draws itself
// on a vg canvas. Write renders one to an io.Writer in a Format, and Save
// to a file named by its extension.
//
// Function plots are Charts: curves with axes, grid, labels and a legend,
// built as gonum plots and laid out by Charts (several panels with aligned
// axes). ActivationChart draws an activation of package activation with
// its derivative dashed beside it; the derivative comes from a backward
// pass through the activation (ActivationCurve), so the figure shows what
// training will actually use, including the value chosen at a kink
// (ReLU′(0) = 0).
//
// NewDiagram draws any nn.Sequential of linear layers and activations,
// with optional skip connections, as neurons in columns. Positions follow
// from the layer sizes. Each connection is coloured by the sign of its
// weight (Positive blue, Negative red-orange, Zero grey and dotted) and
// drawn as wide as its magnitude; small networks also get each weight and
// bias written on them. A skip connection is an arc routed around the
// columns it bypasses, and an nn.Residual block is drawn as identity skips
// around its body.
//
// NewFiveElements draws the chapter's model of a network as five elements
// (input, architecture, output, loss, optimizer) with forward propagation
// and backward propagation named and drawn in two styles. Surface draws a
// function of two inputs as a heat map, such as a classifier's decision
// surface.
//
// Fonts are the Liberation fonts that gonum plot embeds, so output does not
// depend on the machine. PNG output is rendered at DPI dots per inch. PDF
// text is drawn as glyph outlines, because vgpdf's own text is limited to
// code page 1252 (no minus sign, subscripts or Greek): every glyph
// appears, though the text cannot be selected.
package plot
