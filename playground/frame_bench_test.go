package playground

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkFrame measures what one frame costs the server: building it
// (heat maps, curves, weights) and encoding it, for TensorFlow Playground's
// sizes and for the largest network.
func BenchmarkFrame(b *testing.B) {
	for _, bc := range []struct{ name, query string }{
		{"2-8-8-1", "data=quadrants&layers=8:tanh,8:tanh"},
		{"regression-1d", "data=square&layers=16:relu,16:relu"},
		{"10x64", "data=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&layers=" + strings.TrimSuffix(strings.Repeat("64:relu,", MaxLayers), ",")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q, _ := url.ParseQuery(bc.query)
			c, _ := ParseConfig(q)
			s, err := newSession(context.Background(), "bench", c)
			if err != nil {
				b.Fatal(err)
			}
			defer s.cancel()
			size := 0
			for b.Loop() {
				f := s.frame(s.cversion, s.dversion)
				out, err := json.Marshal(f)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "bytes/frame")
		})
	}
}

// BenchmarkEpoch measures one training epoch of TensorFlow Playground's
// XOR on a 2-8-8-1 network: 250 training points in batches of 10.
func BenchmarkEpoch(b *testing.B) {
	q, _ := url.ParseQuery("data=quadrants&layers=8:tanh,8:tanh")
	c, _ := ParseConfig(q)
	s, err := newSession(context.Background(), "bench", c)
	if err != nil {
		b.Fatal(err)
	}
	defer s.cancel()
	for b.Loop() {
		s.step()
	}
}
