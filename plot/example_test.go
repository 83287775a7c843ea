package plot_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/plot"
	"github.com/bigfunc/bigfunc/tensor"
)

// The derivative comes from autograd, so it shows PyTorch's choice at the
// kink: ReLU′(0) = 0.
func ExampleActivationCurve() {
	y, dy, err := plot.ActivationCurve("relu", nil, []float64{-1, 0, 2})
	if err != nil {
		panic(err)
	}
	fmt.Println("ReLU: ", y)
	fmt.Println("ReLU′:", dy)
	// Output:
	// ReLU:  [0 0 2]
	// ReLU′: [0 0 1]
}

// Draw |x| = ReLU(x) + ReLU(−x) as a network diagram, in SVG.
func ExampleNewDiagram() {
	w1 := &nn.Linear{In: 1, Out: 2, Weight: autograd.Param(tensor.FromSlice([]float32{1, -1}, 2, 1)), Bias: autograd.Param(tensor.Zeros(2))}
	w2 := &nn.Linear{In: 2, Out: 1, Weight: autograd.Param(tensor.FromSlice([]float32{1, 1}, 1, 2)), Bias: autograd.Param(tensor.Zeros(1))}
	d, err := plot.NewDiagram(plot.Network{
		Net:         nn.NewSequential(w1, &activation.ReLULayer{}, w2),
		OutputNames: []string{"|x|"},
		Title:       "|x| = ReLU(x) + ReLU(−x)",
	})
	if err != nil {
		panic(err)
	}
	var svg bytes.Buffer
	if err := plot.Write(&svg, d, plot.SVG); err != nil {
		panic(err)
	}
	s := svg.String()
	fmt.Println(strings.Contains(s, "</svg>"), strings.Contains(s, ">ReLU<"), strings.Contains(s, ">−1<"))
	// Output: true true true
}

func ExampleFormatOf() {
	for _, name := range []string{"net.svg", "net.PNG", "net.pdf", "net.gif"} {
		f, err := plot.FormatOf(name)
		fmt.Println(f, err)
	}
	// Output:
	// svg <nil>
	// png <nil>
	// pdf <nil>
	//  net.gif: unknown image format ".gif"; want .svg, .png or .pdf
}

func ExampleFormatNumber() {
	fmt.Println(plot.FormatNumber(-1), plot.FormatNumber(0.94213), plot.FormatNumber(3.2e-5))
	// Output: −1 0.942 3.2e−5
}
