package main

import "testing"

// TestBetter checks how figures from several passes are merged: the higher
// rate, the lower time or size, and never a job that missed its target.
func TestBetter(t *testing.T) {
	for _, c := range []struct {
		r, prev result
		want    bool
	}{
		{result{Value: 200, Unit: "GFLOP/s"}, result{Value: 190, Unit: "GFLOP/s"}, true},
		{result{Value: 180, Unit: "GFLOP/s"}, result{Value: 190, Unit: "GFLOP/s"}, false},
		{result{Value: 2.5, Unit: "ms"}, result{Value: 3, Unit: "ms"}, true},
		{result{Value: 3.5, Unit: "ms"}, result{Value: 3, Unit: "ms"}, false},
		{result{Value: 12, Unit: "µs"}, result{Value: 13, Unit: "µs"}, true},
		{result{Value: 300, Unit: "MiB"}, result{Value: 200, Unit: "MiB"}, false},
		{result{Value: 0, Unit: "s"}, result{Value: 9, Unit: "s"}, false},
		{result{Value: 9, Unit: "s"}, result{Value: 0, Unit: "s"}, true},
		{result{Value: 0, Unit: "samples/s"}, result{Value: 5, Unit: "samples/s"}, false},
	} {
		if got := better(c.r, c.prev); got != c.want {
			t.Errorf("better(%v %s, %v %s) = %v, want %v", c.r.Value, c.r.Unit, c.prev.Value, c.prev.Unit, got, c.want)
		}
	}
}
