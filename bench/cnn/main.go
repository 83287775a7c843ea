// Command cnn trains a spec (examples/mnist-cnn.yaml by default) through
// bigfunc's training loop and prints the test accuracy after every epoch
// with the wall and CPU seconds so far, the seconds at which it first
// reached 99.0 %, and the peak resident memory: the bigfunc half of the
// time-to-accuracy table in BENCHMARKS.md; mnist_cnn.py beside it is the
// PyTorch half, and run.sh runs the two one after the other.
//
//	go run ./bench/cnn -spec examples/mnist-cnn.yaml -until 0.99
//
// CPU seconds are the process's user and system time. On a machine shared
// with other jobs they are the fair measure: wall time there depends on
// the load.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"syscall"
	"time"

	_ "github.com/bigfunc/bigfunc/data/mnistdata"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/train"
)

// errReached stops training once the test accuracy has reached -until.
var errReached = errors.New("accuracy reached")

func main() {
	path := flag.String("spec", "examples/mnist-cnn.yaml", "the spec to train")
	epochs := flag.Int("epochs", 0, "override train.epochs")
	until := flag.Float64("until", 0, "stop after the first epoch whose test accuracy reaches this (0: train every epoch)")
	every := flag.Int("every", 0, "also print the seconds so far every this many steps (0: only per epoch)")
	flag.Parse()
	s, err := spec.Load(*path)
	if err != nil {
		log.Fatal(err)
	}
	if *epochs > 0 {
		s.Train.Epochs = *epochs
	}
	var tr *train.Trainer
	var sets *train.Sets
	start := time.Now()
	cpu0 := cpuSeconds()
	first, firstCPU := -1.0, -1.0
	opts := train.Options{OnStep: func(st train.StepInfo) error {
		if *every > 0 && st.Step%*every == 0 {
			fmt.Printf("epoch %d step %d loss %.4f at %.1f s, %.1f CPU s\n", st.Epoch, st.Step, st.Loss, time.Since(start).Seconds(), cpuSeconds()-cpu0)
		}
		if !st.EpochDone {
			return nil
		}
		_, acc := train.Evaluate(tr.Model, sets.Test)
		t, c := time.Since(start).Seconds(), cpuSeconds()-cpu0
		fmt.Printf("epoch %d test accuracy %.4f at %.1f s, %.1f CPU s\n", st.Epoch, acc, t, c)
		if first < 0 && acc >= 0.99 {
			first, firstCPU = t, c
		}
		if *until > 0 && acc >= *until {
			return errReached
		}
		return nil
	}}
	if tr, sets, err = train.Build(s, opts); err != nil {
		log.Fatal(err)
	}
	if sets.Test == nil {
		log.Fatal("the spec's input has no test set")
	}
	start, cpu0 = time.Now(), cpuSeconds()
	if _, err := tr.Run(context.Background()); err != nil && !errors.Is(err, errReached) {
		log.Fatal(err)
	}
	if first < 0 {
		fmt.Println("seconds to 99.0%: not reached")
	} else {
		fmt.Printf("seconds to 99.0%%: %.1f wall, %.1f CPU\n", first, firstCPU)
	}
	fmt.Printf("peak RSS MB: %s\n", peakRSS())
}

// cpuSeconds returns the user and system CPU time the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSS reads VmHWM, the process's peak resident set, in MB.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return fmt.Sprint(kb / 1024)
		}
	}
	return "unknown"
}
