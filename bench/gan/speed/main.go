// Command speed measures the steps per second of a GAN or SimCLR spec's
// training loop in CPU time, the process's user plus system time, which stays
// meaningful on a shared machine where wall-clock time does not.
//
//	GOMAXPROCS=1 go run ./bench/gan/speed -spec examples/dcgan-mnist.yaml -steps 40
//
// It builds the spec as `bigfunc train` does, runs -warm steps, then times
// -steps more, and prints one JSON line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/bigfunc/bigfunc/contrastive"
	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/spec"

	_ "github.com/bigfunc/bigfunc/data/mnistdata"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	path := flag.String("spec", "examples/dcgan-mnist.yaml", "GAN or SimCLR `SPEC` to time")
	steps := flag.Int("steps", 40, "timed steps")
	warm := flag.Int("warm", 5, "untimed steps first")
	flag.Parse()
	if err := run(*path, *warm, *steps); err != nil {
		fmt.Fprintln(os.Stderr, "speed:", err)
		os.Exit(1)
	}
}

func run(path string, warm, steps int) error {
	s, err := spec.Load(path)
	if err != nil {
		return err
	}
	var step func() error
	if s.SimCLR != nil {
		t, err := contrastive.Build(s, contrastive.Options{})
		if err != nil {
			return err
		}
		step = func() error { _, err := t.Advance(); return err }
	} else {
		t, _, err := gan.Build(s, gan.Options{})
		if err != nil {
			return err
		}
		step = func() error { _, err := t.Advance(); return err }
	}
	for range warm {
		if err := step(); err != nil {
			return err
		}
	}
	c0, w0 := cpu(), time.Now()
	for range steps {
		if err := step(); err != nil {
			return err
		}
	}
	c, w := cpu()-c0, time.Since(w0)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"spec": path, "threads": runtime.GOMAXPROCS(0), "steps": steps,
		"cpu_s": c.Seconds(), "wall_s": w.Seconds(),
		"steps_per_cpu_s": float64(steps) / c.Seconds(),
	})
}
