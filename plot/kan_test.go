package plot

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

func TestKANDiagram(t *testing.T) {
	rng := tensor.NewRNG(1)
	o := nn.DefaultKANOptions()
	net := nn.NewSequential(nn.NewKANLinear(2, 3, o, rng), nn.NewKANLinear(3, 1, o, rng))
	if !IsKAN(net) {
		t.Fatal("IsKAN: false for a network of KAN layers")
	}
	d, err := NewKANDiagram(Network{Net: net, Title: "KAN", InputNames: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, d, SVG); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	// One plot per edge: 2·3 + 3·1, each tagged φ.
	if n := strings.Count(svg, "φ"); n != 9 {
		t.Errorf("%d edge plots, want 9", n)
	}
	for _, want := range []string{">KAN<", ">a<", ">b<", ">y<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}

	mixed := nn.NewSequential(nn.NewKANLinear(2, 3, o, rng), nn.NewLinear(3, 1, true, rng))
	if IsKAN(mixed) {
		t.Error("IsKAN: true for a network with a linear layer")
	}
	if _, err := NewKANDiagram(Network{Net: mixed}); err == nil || !strings.Contains(err.Error(), "layer 1: a linear layer has no functions on its edges") {
		t.Errorf("NewKANDiagram on a linear layer: %v", err)
	}
	big := nn.NewSequential(nn.NewKANLinear(20, 10, o, rng))
	if _, err := NewKANDiagram(Network{Net: big}); err == nil || !strings.Contains(err.Error(), "too many to plot") {
		t.Errorf("NewKANDiagram on 200 edges: %v", err)
	}
}
