package main

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

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

// TestOnCPUPinsChildren checks that a child started inside onCPU may run
// only on that CPU, and that the caller's affinity comes back after.
func TestOnCPUPinsChildren(t *testing.T) {
	cpus := allowedCPUs()
	if len(cpus) == 0 {
		t.Skip("no affinity here")
	}
	for _, c := range cpus {
		var out []byte
		var err error
		onCPU(c, func() { out, err = exec.Command("cat", "/proc/self/status").Output() })
		if err != nil {
			t.Skip(err)
		}
		want := fmt.Sprintf("Cpus_allowed_list:\t%d\n", c)
		if !strings.Contains(string(out), want) {
			t.Errorf("child started on CPU %d: want %q in its status, got\n%s", c, want, out)
		}
	}
	if got := allowedCPUs(); !slices.Equal(got, cpus) {
		t.Errorf("affinity after onCPU: %v, want %v", got, cpus)
	}
}

func TestPinning(t *testing.T) {
	if got := pinning([]int{0}, 2); got != "" {
		t.Errorf("one CPU: %q, want nothing", got)
	}
	if got, want := pinning([]int{0, 3}, 3), "; one-thread figures pinned to CPU 0, 3, 0 in turn, pass by pass"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
